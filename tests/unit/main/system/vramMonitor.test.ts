import { afterEach, describe, expect, it } from 'vitest';
import type { VramSample } from '../../../../src/shared/dto';
import { VramMonitor, type MonitorStatus } from '../../../../src/main/system/vramMonitor';
import {
  RTX_4090,
  envWithoutNvidiaSmi,
  fakeNvidiaSmi,
  waitFor,
  type FakeScenario,
  type FakeSmi,
} from './fakeSmi';

const MIB = 1024 * 1024;
const INTERVAL = 200;
let fake: FakeSmi | undefined;
let monitor: VramMonitor | undefined;

afterEach(async () => {
  await monitor?.stop();
  monitor = undefined;
  fake?.cleanup();
  fake = undefined;
});

function start(scenario: FakeScenario | null, opts: { stallMs?: number; perProcess?: boolean } = {}) {
  fake = scenario ? fakeNvidiaSmi(scenario) : undefined;
  monitor = new VramMonitor({
    env: fake ? fake.env : envWithoutNvidiaSmi(),
    intervalMs: INTERVAL,
    backoff: { initialMs: 100, maxMs: 400 },
    stallMs: opts.stallMs ?? 2000,
    perProcess: opts.perProcess ?? false,
  });
  const samples: VramSample[] = [];
  const statuses: MonitorStatus[] = [];
  monitor.on('sample', (s) => samples.push(s));
  monitor.on('status', (s) => statuses.push(s));
  monitor.start();
  return { samples, statuses, monitor };
}

const gpuPids = (f: FakeSmi): number[] =>
  f
    .starts()
    .filter((s) => s.args.includes('--query-gpu'))
    .map((s) => s.pid);
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('VramMonitor with a fake long-lived nvidia-smi', () => {
  it('streams one sample per loop with used/total/free, util and our RSS', async () => {
    const { samples } = start({
      driver: '550.54.14',
      gpus: [{ ...RTX_4090, usedSeriesMiB: [1834, 9216, 15780], utilization: 97 }],
    });
    await waitFor(() => samples.filter((s) => s.gpuStatus === 'ok').length >= 3);
    const ok = samples.filter((s) => s.gpuStatus === 'ok');
    expect(ok[0].gpus).toHaveLength(1);
    expect(ok.slice(0, 3).map((s) => s.gpus[0].usedBytes)).toEqual([1834 * MIB, 9216 * MIB, 15780 * MIB]);
    expect(ok[1].gpus[0].freeBytes).toBe((24564 - 9216) * MIB);
    expect(ok[0].gpus[0].utilizationPercent).toBe(97);
    const main = ok[0].processes.find((p) => p.pid === process.pid)!;
    expect(main.label).toBe('main');
    expect(main.rssBytes).toBeGreaterThan(10 * MIB);
  });

  it('groups several GPUs of one loop into one sample; [N/A] stays null', async () => {
    const { samples } = start({
      driver: '570.86.15',
      gpus: [
        {
          index: 0,
          uuid: 'GPU-a',
          name: 'NVIDIA TITAN V',
          memoryTotalMiB: 12288,
          memoryUsedMiB: 5,
          utilization: '[N/A]',
        },
        {
          index: 1,
          uuid: 'GPU-b',
          name: 'NVIDIA RTX 5880 Ada Generation',
          memoryTotalMiB: 49140,
          memoryUsedMiB: 14321,
        },
      ],
    });
    await waitFor(() => samples.filter((s) => s.gpuStatus === 'ok').length >= 2);
    for (const s of samples.filter((x) => x.gpuStatus === 'ok')) {
      expect(s.gpus.map((g) => g.index)).toEqual([0, 1]);
      expect(s.gpus[0].utilizationPercent).toBeNull();
      expect(s.gpus[1].usedBytes).toBe(14321 * MIB);
    }
  });

  it('skips garbage lines and counts them', async () => {
    const { samples, monitor: m } = start({
      driver: '550.54.14',
      gpus: [RTX_4090],
      loopPlans: [
        [
          { batches: 1 },
          { garbage: 'Unable to determine the device handle for GPU0000:01:00.0: Unknown Error' },
          { forever: true },
        ],
      ],
    });
    await waitFor(() => samples.filter((s) => s.gpuStatus === 'ok').length >= 3);
    expect(m.status().garbageLines).toBe(1);
    expect(samples.filter((s) => s.gpuStatus === 'ok').every((s) => s.gpus[0].usedBytes === 1834 * MIB)).toBe(
      true,
    );
  });

  it('survives the child being killed: restarts it and samples resume', async () => {
    const { samples, statuses } = start({ driver: '550.54.14', gpus: [RTX_4090] });
    await waitFor(() => samples.some((s) => s.gpuStatus === 'ok'));
    const first = gpuPids(fake!)[0];
    process.kill(first, 'SIGKILL');
    await waitFor(() => gpuPids(fake!).length >= 2);
    const before = samples.length;
    await waitFor(() => samples.slice(before).some((s) => s.gpuStatus === 'ok'));
    expect(
      statuses.some((s) => s.gpu.state === 'restarting' && s.gpu.lastError === 'exited with signal SIGKILL'),
    ).toBe(true);
    expect(alive(gpuPids(fake!)[1])).toBe(true);
  });

  it('restarts a child that exits, with growing backoff, and reports why', async () => {
    const { samples, statuses } = start({
      driver: '550.54.14',
      gpus: [RTX_4090],
      loopPlans: [[{ batches: 1 }, { exit: 3 }], [{ batches: 1 }, { exit: 3 }], [{ forever: true }]],
    });
    await waitFor(() => gpuPids(fake!).length >= 3);
    const restarting = statuses.filter((s) => s.gpu.state === 'restarting').map((s) => s.gpu);
    expect(restarting.slice(0, 2).map((s) => s.retryInMs)).toEqual([100, 200]);
    expect(restarting[0].lastError).toBe('exited with code 3');
    const before = samples.length;
    await waitFor(() => samples.slice(before).filter((s) => s.gpuStatus === 'ok').length >= 2);
  });

  it('kills and restarts a stalled child; meanwhile samples keep coming, marked stale', async () => {
    const { samples, statuses } = start(
      {
        driver: '550.54.14',
        gpus: [RTX_4090],
        loopPlans: [[{ batches: 1 }, { stallMs: 60_000 }], [{ forever: true }]],
      },
      { stallMs: 800 },
    );
    await waitFor(() => gpuPids(fake!).length >= 2);
    expect(statuses.some((s) => /^silent for \d+ ms, killed$/.test(s.gpu.lastError ?? ''))).toBe(true);
    expect(samples.some((s) => s.gpuStatus === 'stale')).toBe(true);
    expect(alive(gpuPids(fake!)[0])).toBe(false);
    const before = samples.length;
    await waitFor(() => samples.slice(before).some((s) => s.gpuStatus === 'ok'));
  });

  it('reports our process VRAM from --query-compute-apps', async () => {
    const { samples } = start(
      {
        driver: '550.54.14',
        gpus: [RTX_4090],
        apps: [
          { gpuUuid: RTX_4090.uuid, pid: 'PARENT', usedMiB: 9876, name: 'node' },
          { gpuUuid: RTX_4090.uuid, pid: 1, usedMiB: 300, name: 'Xorg' },
        ],
      },
      { perProcess: true },
    );
    await waitFor(() =>
      samples.some((s) => s.gpuStatus === 'ok' && s.processes[0].vramBytes[0] !== undefined),
    );
    const s = samples.find((x) => x.processes[0].vramBytes[0] !== undefined)!;
    expect(s.processes).toHaveLength(1);
    expect(s.processes[0].vramBytes).toEqual({ 0: 9876 * MIB });
  });

  it('without nvidia-smi: RSS samples at the interval, GPU unavailable', async () => {
    const { samples, statuses } = start(null);
    await waitFor(() => samples.length >= 3);
    expect(samples.every((s) => s.gpuStatus === 'unavailable' && s.gpus.length === 0)).toBe(true);
    expect(samples[0].processes[0].rssBytes).toBeGreaterThan(0);
    expect(
      statuses.some((s) => s.gpu.state === 'missing' && s.gpu.lastError === 'nvidia-smi is not on PATH'),
    ).toBe(true);
  });

  it('stop() ends the children and the samples', async () => {
    const { samples, monitor: m } = start({ driver: '550.54.14', gpus: [RTX_4090] }, { perProcess: true });
    await waitFor(() => samples.some((s) => s.gpuStatus === 'ok') && fake!.starts().length >= 2);
    await m.stop();
    const pids = fake!.starts().map((s) => s.pid);
    expect(pids.map(alive)).toEqual(pids.map(() => false));
    const n = samples.length;
    await new Promise((r) => setTimeout(r, INTERVAL * 3));
    expect(samples.length).toBe(n);
  });
});
