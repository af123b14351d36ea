import { afterEach, describe, expect, it } from 'vitest';
import type { VramSample } from '../../../../src/shared/dto';
import { PeakTracker, historyMemoryFigures } from '../../../../src/main/system/peakTracker';
import { VramMonitor } from '../../../../src/main/system/vramMonitor';
import { RTX_4090, fakeNvidiaSmi, waitFor, type FakeSmi } from './fakeSmi';

const MIB = 1024 * 1024;
const HOST = 4242;

function sample(
  usedMiB: number | null,
  hostVramMiB: number | undefined,
  hostRssMiB: number,
  status: VramSample['gpuStatus'] = 'ok',
): VramSample {
  return {
    time: Date.now(),
    gpuStatus: status,
    gpus: [
      {
        index: 0,
        name: 'GPU0',
        totalBytes: 24564 * MIB,
        usedBytes: usedMiB === null ? null : usedMiB * MIB,
        freeBytes: null,
        utilizationPercent: null,
        temperatureC: null,
      },
      {
        index: 1,
        name: 'GPU1',
        totalBytes: 8192 * MIB,
        usedBytes: 8000 * MIB,
        freeBytes: 192 * MIB,
        utilizationPercent: 0,
        temperatureC: 30,
      },
    ],
    processes: [
      { pid: 1, label: 'main', rssBytes: 300 * MIB, vramBytes: {} },
      {
        pid: HOST,
        label: 'engine host',
        rssBytes: hostRssMiB * MIB,
        vramBytes: hostVramMiB === undefined ? {} : { 0: hostVramMiB * MIB, 1: 5 * MIB },
      },
    ],
  };
}

describe('PeakTracker', () => {
  it('takes the peaks of the job GPU and of the job processes between begin and end', () => {
    const t = new PeakTracker();
    t.observe(sample(20000, 19000, 9000)); // before the job: ignored
    t.begin('job', { gpuIndex: 0, pids: [HOST] }, sample(1834, 1000, 800));
    t.observe(sample(9216, 8000, 2500));
    t.observe(sample(23000, 22000, 3000, 'stale')); // stale GPU data: not a VRAM figure, RSS still counts
    t.observe(sample(15780, 14500, 2100));
    const f = t.end('job', sample(2048, 1200, 900))!;
    expect(f).toMatchObject({
      baselineVramDevice: 1834 * MIB,
      peakVramDevice: 15780 * MIB,
      peakVramProcess: 14500 * MIB,
      peakRam: 3000 * MIB,
      samples: 5,
    });
    t.observe(sample(24000, 24000, 9999));
    expect(t.end('job')).toBeUndefined();
  });

  it('without a pid scope sums every tracked process; another GPU index is read separately', () => {
    const t = new PeakTracker();
    t.begin('a', { gpuIndex: 1 });
    t.observe(sample(100, 50, 700));
    const f = t.end('a')!;
    expect(f.peakVramDevice).toBe(8000 * MIB);
    expect(f.peakVramProcess).toBe(5 * MIB);
    expect(f.peakRam).toBe((300 + 700) * MIB);
  });

  it('overlapping jobs keep their own windows', () => {
    const t = new PeakTracker();
    t.begin('a', { pids: [HOST] });
    t.observe(sample(10000, 9000, 1000));
    t.begin('b', { pids: [HOST] });
    t.observe(sample(5000, 4000, 500));
    expect(t.end('a')!.peakVramDevice).toBe(10000 * MIB);
    expect(t.end('b')!.peakVramDevice).toBe(5000 * MIB);
  });

  it('history figures prefer our process peak, fall back to the device, keep the prediction', () => {
    expect(
      historyMemoryFigures(
        { peakVramProcess: 7, peakVramDevice: 9, peakRam: 3, samples: 1, durationMs: 1 },
        8,
      ),
    ).toEqual({
      peakVram: 7,
      peakRam: 3,
      predictedVram: 8,
    });
    expect(historyMemoryFigures({ peakVramDevice: 9, samples: 1, durationMs: 1 })).toEqual({ peakVram: 9 });
    expect(historyMemoryFigures(undefined, 5)).toEqual({ predictedVram: 5 });
  });
});

describe('PeakTracker on a live monitor', () => {
  let fake: FakeSmi | undefined;
  let monitor: VramMonitor | undefined;
  afterEach(async () => {
    await monitor?.stop();
    fake?.cleanup();
  });

  it('records the highest memory.used nvidia-smi printed during the job', async () => {
    fake = fakeNvidiaSmi({
      driver: '550.54.14',
      gpus: [{ ...RTX_4090, usedSeriesMiB: [1834, 15780, 9216] }],
    });
    monitor = new VramMonitor({ env: fake.env, intervalMs: 150, perProcess: false });
    const tracker = new PeakTracker();
    const detach = tracker.attach(monitor);
    const seen: number[] = [];
    monitor.on('sample', (s) => s.gpuStatus === 'ok' && seen.push(s.gpus[0].usedBytes!));
    monitor.start();
    await waitFor(() => seen.length >= 1);
    tracker.begin('job', { gpuIndex: 0 }, await monitor.snapshot());
    await waitFor(() => seen.length >= 5);
    const f = tracker.end('job', await monitor.snapshot())!;
    detach();
    expect(f.peakVramDevice).toBe(15780 * MIB);
    expect(f.peakRam).toBeGreaterThan(10 * MIB);
    expect(f.samples).toBeGreaterThanOrEqual(4);
  });
});
