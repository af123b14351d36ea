/**
 * Issue 8 "checked by", engine host supervision: a host killed mid-job fails only that job (SIGKILL → OutOfMemory,
 * probable) and the next job succeeds in a fresh host; a hard cancel kills the host at once; a cooperative cancel
 * stops between steps and keeps the host (and its loaded model) warm.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { StudioService } from '../../src/main/service';
import { cleanupTinyModels, tinyModel } from '../fixtures/tinyModel';
import { call, enqueue, openService, record, tempDataDir } from './service-helpers';

let service: StudioService | undefined;
afterAll(async () => {
  await service?.shutdown();
  cleanupTinyModels();
});

const LONG = 25; // steps: a few seconds on the tiny model, so the kill lands mid-run
const prompt = '1girl, solo';

describe('engine host supervision', () => {
  it('survives a killed host, a hard cancel and a cooperative cancel', async () => {
    const s = (service = await openService(tempDataDir('host'), tinyModel()));
    const rec = record(s);

    // 1. The OS kills the host mid-job (what the OOM killer does): that job fails, the next one runs in a new host.
    const victim = await enqueue(s, { prompt, seed: 10, steps: LONG });
    const after = await enqueue(s, { prompt, seed: 11, steps: 2 });
    await rec.next('generation.progress', (p) => p.jobId === victim.id);
    const firstPid = s.hostPid!;
    process.kill(firstPid, 'SIGKILL');
    const killed = await rec.next('generation.failed', (p) => p.jobId === victim.id);
    expect(killed.error.code).toBe('OutOfMemory');
    expect(killed.error.message).toMatch(/killed .* during the run/);
    expect(await call(s, 'history.get', { id: killed.generationId! })).toMatchObject({ status: 'failed', error: { code: 'OutOfMemory' } });
    await rec.next('generation.finished', (p) => p.jobId === after.id);
    const secondPid = s.hostPid!;
    expect(secondPid).toBeGreaterThan(0);
    expect(secondPid).not.toBe(firstPid);

    // 2. Hard cancel: the host is killed at once; the job is recorded as cancelled.
    const hard = await enqueue(s, { prompt, seed: 12, steps: LONG });
    await rec.next('generation.progress', (p) => p.jobId === hard.id);
    expect(await call(s, 'generation.cancel', { id: hard.id, hard: true })).toEqual({ id: hard.id, outcome: 'killed' });
    const hardFailed = await rec.next('generation.failed', (p) => p.jobId === hard.id);
    expect(hardFailed.error.code).toBe('Cancelled');
    expect(await call(s, 'history.get', { id: hardFailed.generationId! })).toMatchObject({ status: 'cancelled' });
    expect(rec.of('generation.progress', (p) => p.jobId === hard.id).length).toBeLessThan(LONG);

    // 3. Cooperative cancel: stops after the current step, same host afterwards.
    const soft = await enqueue(s, { prompt, seed: 13, steps: LONG });
    await rec.next('generation.progress', (p) => p.jobId === soft.id);
    const warmPid = s.hostPid!;
    expect(warmPid).not.toBe(secondPid);
    expect(await call(s, 'generation.cancel', { id: soft.id })).toEqual({ id: soft.id, outcome: 'stopping' });
    const softFailed = await rec.next('generation.failed', (p) => p.jobId === soft.id);
    expect(softFailed.error.code).toBe('Cancelled');
    expect(rec.of('generation.progress', (p) => p.jobId === soft.id).length).toBeLessThan(LONG);
    const last = await enqueue(s, { prompt, seed: 14, steps: 2 });
    await rec.next('generation.finished', (p) => p.jobId === last.id);
    expect(s.hostPid).toBe(warmPid);
    expect((await call(s, 'queue.list')).items).toEqual([]);
  });
});
