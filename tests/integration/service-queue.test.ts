/**
 * Issue 8 "checked by", queue: three jobs through the real queue, store and engine host on the tiny model; the second
 * is cancelled while the first runs; the first finishes, the third runs, one at a time, in one warm host.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { StudioService } from '../../src/main/service';
import { VramMonitor } from '../../src/main/system';
import { cleanupTinyModels, tinyModel } from '../fixtures/tinyModel';
import { call, enqueue, openService, record, tempDataDir } from './service-helpers';

let service: StudioService | undefined;
afterAll(async () => {
  await service?.shutdown();
  cleanupTinyModels();
});

describe('the queue', () => {
  it('cancelling a waiting job leaves the running one alone; jobs run one at a time in one warm host', async () => {
    const dataDir = tempDataDir('queue');
    // The real monitor on a machine without nvidia-smi still samples our processes' RSS.
    const monitor = new VramMonitor({ command: join(dataDir, 'no-nvidia-smi'), intervalMs: 200, perProcess: false });
    const s = (service = await openService(dataDir, tinyModel(), { monitor, detect: { nvidiaSmi: join(dataDir, 'no-nvidia-smi') } }));
    const rec = record(s);
    const a = await enqueue(s, { prompt: '1girl, solo, smile', seed: 1, steps: 6 });
    const b = await enqueue(s, { prompt: '1girl, solo, smile', seed: 2, steps: 6 });
    const c = await enqueue(s, { prompt: '<character_1>\n<gender>1girl</gender>\n</character_1>', seed: 3, steps: 3 });

    const firstStep = await rec.next('generation.progress', (p) => p.jobId === a.id);
    const hostPid = s.hostPid;
    expect(hostPid).toBeGreaterThan(0);
    expect((await call(s, 'queue.list')).runningId).toBe(a.id);
    expect(await call(s, 'generation.cancel', { id: b.id })).toEqual({ id: b.id, outcome: 'removed' });
    expect(firstStep).toMatchObject({ step: 1, total: 6, image: 0, seed: 1 });
    expect([...firstStep.preview!.subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]); // a PNG

    const doneC = await rec.next('generation.finished', (p) => p.jobId === c.id);
    const doneA = rec.of('generation.finished', (p) => p.jobId === a.id)[0]!;
    expect(rec.of('generation.finished').map((f) => f.jobId)).toEqual([a.id, c.id]);
    expect(rec.of('generation.failed')).toEqual([]);
    expect(rec.of('generation.progress', (p) => p.jobId === b.id)).toEqual([]);
    // One job at a time: every step of a comes before every step of c.
    const steps = rec.of('generation.progress').map((p) => p.jobId);
    expect(steps).toEqual([...Array(6).fill(a.id), ...Array(3).fill(c.id)]);
    expect(s.hostPid).toBe(hostPid); // the model stayed loaded in the same host

    // Files first, rows second: each finished image is in the history with the bytes on disk.
    for (const [done, seed] of [[doneA, 1], [doneC, 3]] as const) {
      const entry = await call(s, 'history.get', { id: done.generationId });
      expect(entry).toMatchObject({ status: 'finished', request: { seed } });
      const bytes = readFileSync(join(dataDir, done.images[0]!.path));
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(done.images[0]!.sha256);
    }
    expect(rec.of('history.added').map((h) => h.generationId)).toEqual([doneA.generationId, doneC.generationId]);
    expect((await call(s, 'queue.list')).items).toEqual([]);
    expect(rec.of('queue.changed').at(-1)).toEqual({ paused: false, runningId: null, items: [] });

    // VRAM samples are relayed, with the engine host tracked; the job's peak RAM went into its history row.
    const samples = rec.of('vram.sample');
    expect(samples.length).toBeGreaterThan(0);
    expect(samples.at(-1)!.gpuStatus).toBe('unavailable');
    expect(samples.some((v) => v.processes.some((p) => p.pid === hostPid && p.label === 'engine host'))).toBe(true);
    const entryA = await call(s, 'history.get', { id: doneA.generationId });
    expect(entryA!.peakRam).toBeGreaterThan(10 * 1024 * 1024);

    // Devices are probed in the (warm) host: the CPU provider loads everywhere; no GPU here is a notice.
    const devices = await call(s, 'devices.get');
    expect(devices.providers.find((p) => p.name === 'cpu')).toMatchObject({ available: true });
    expect(devices.gpuQuery.ok).toBe(false);
    expect(s.hostPid).toBe(hostPid);
  });
});
