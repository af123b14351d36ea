/**
 * Issue 8 "checked by", restart: the service is shut down while a job runs and another waits; after reopening the
 * data dir, the waiting job is still there (and runs), the one that was running is `interrupted` and runs when
 * retried, with the seed it was given at enqueue time.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { StudioService } from '../../src/main/service';
import { cleanupTinyModels, tinyModel } from '../fixtures/tinyModel';
import { call, enqueue, openService, record, tempDataDir } from './service-helpers';

const open: StudioService[] = [];
afterAll(async () => {
  for (const s of open) await s.shutdown();
  cleanupTinyModels();
});

describe('restart mid-queue', () => {
  it('keeps the waiting job and brings the running one back as interrupted, ready to retry', async () => {
    const dataDir = tempDataDir('restart');
    const a = await openService(dataDir, tinyModel());
    open.push(a);
    const recA = record(a);
    const running = await enqueue(a, { prompt: '1girl, solo', steps: 20 });
    const waiting = await enqueue(a, { prompt: '1boy, solo', seed: 5, steps: 2 });
    await recA.next('generation.progress', (p) => p.jobId === running.id);
    const hostPid = a.hostPid!;
    await a.shutdown();
    expect(() => process.kill(hostPid, 0)).toThrow(); // the host is gone
    expect(recA.of('generation.failed')).toEqual([]); // quitting is not a failure

    const b = await openService(dataDir, tinyModel());
    open.push(b);
    const recB = record(b);
    const queue = await call(b, 'queue.list');
    expect(queue.items.map((i) => [i.id, i.state === 'running' ? 'pending' : i.state])).toEqual([
      [running.id, 'interrupted'],
      [waiting.id, 'pending'],
    ]);
    expect(queue.items[0]!.request).toEqual(running.request);
    const doneWaiting = await recB.next('generation.finished', (p) => p.jobId === waiting.id);
    expect((await call(b, 'queue.list')).items.map((i) => [i.id, i.state])).toEqual([[running.id, 'interrupted']]);

    await call(b, 'generation.resume', { id: running.id });
    const doneRunning = await recB.next('generation.finished', (p) => p.jobId === running.id);
    expect(doneRunning.images[0]!.seed).toBe(running.request.seed);
    const page = await call(b, 'history.page');
    expect(page.items.map((i) => i.generationId).sort()).toEqual([doneWaiting.generationId, doneRunning.generationId].sort());
    expect((await call(b, 'queue.list')).items).toEqual([]);
  });
});
