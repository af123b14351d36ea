/**
 * StudioService without running the engine (the queue is kept paused, so no host is spawned): payload validation at
 * the boundary, request snapshots (defaults, seed drawn at enqueue), queue operations and their persistence across a
 * restart and a crash, history, prompt and model channels. The engine-running checks are in
 * tests/integration/service-*.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { InvokeChannel, InvokeResult } from '../../../src/shared/api';
import type { QueueSnapshot } from '../../../src/shared/dto';
import type { Result } from '../../../src/shared/errors';
import { forkSpawner } from '../../../src/main/engine/host/client';
import { encodePng } from '../../../src/main/engine/image/png';
import { HistoryStore } from '../../../src/main/history/store';
import { StudioService } from '../../../src/main/service';
import { cleanupTinyModels, tinyModel } from '../../fixtures/tinyModel';

const dirs: string[] = [];
const services: StudioService[] = [];
afterEach(async () => {
  for (const s of services.splice(0)) await s.shutdown();
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  cleanupTinyModels();
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'service-'));
  dirs.push(d);
  return d;
}

/** A service whose queue starts paused (settings.autoStartQueue = false): nothing runs, no host is spawned. */
async function pausedService(dataDir = tempDir(), modelDir?: string): Promise<StudioService> {
  const s = StudioService.open({ dataDir, spawner: forkSpawner(), monitor: null });
  services.push(s);
  if (!s.store.queue.list().length) {
    const r = await s.invoke('settings.set', { autoStartQueue: false, ...(modelDir ? { modelDir } : {}) });
    expect(r.ok).toBe(true);
    await s.invoke('generation.pause');
  }
  return s;
}

async function value<C extends InvokeChannel>(s: StudioService, channel: C, payload?: unknown): Promise<InvokeResult<C>> {
  const r = (await s.invoke(channel, payload)) as Result<InvokeResult<C>>;
  if (!r.ok) throw new Error(`${channel}: ${r.error.code}: ${r.error.message}`);
  return r.value;
}

async function failure(s: StudioService, channel: string, payload?: unknown) {
  const r = await s.invoke(channel, payload);
  expect(r.ok).toBe(false);
  if (r.ok) throw new Error('unreachable');
  expect(JSON.stringify(r.error)).not.toMatch(/\bat .*\.ts:\d+/); // never a stack
  return r.error;
}

describe('payload validation', () => {
  it('refuses unknown channels, wrong types, out-of-range values and unknown keys with InvalidRequest', async () => {
    const s = await pausedService();
    expect((await failure(s, 'fs.readFile', '/etc/passwd')).code).toBe('InvalidRequest');
    const rate = await failure(s, 'history.rate', { imageId: 1, rating: 9 });
    expect(rate).toMatchObject({ code: 'InvalidRequest' });
    expect(rate.message).toMatch(/rating/);
    expect((await failure(s, 'history.favorite', { imageId: '1', favorite: true })).message).toMatch(/imageId/);
    expect((await failure(s, 'generation.enqueue', { request: { prompt: '1girl', steps: 0 } })).message).toMatch(/steps/);
    expect((await failure(s, 'generation.enqueue', { request: { prompt: '1girl', evil: 1 } })).code).toBe('InvalidRequest');
    expect((await failure(s, 'generation.cancel', undefined)).code).toBe('InvalidRequest');
    expect((await failure(s, 'history.import', { files: [{ name: 'a.png', bytes: 'AAAA' }] })).message).toMatch(/bytes/);
  });
});

describe('enqueue', () => {
  it('snapshots the request: settings defaults fill the gaps, the seed is drawn once, engine rules apply', async () => {
    const s = await pausedService(tempDir(), tinyModel());
    await value(s, 'settings.set', { defaults: { steps: 3, width: 64, height: 48 } });
    const job = await value(s, 'generation.enqueue', { request: { prompt: '1girl, solo', guidance: 4 } });
    expect(job.state).toBe('pending');
    expect(job.request).toMatchObject({ prompt: '1girl, solo', steps: 3, width: 64, height: 48, guidance: 4, shift: 6, sampler: 'euler', batch: 1 });
    expect(Number.isInteger(job.request.seed) && job.request.seed >= 0 && job.request.seed < 2 ** 32).toBe(true);
    const listed = await value(s, 'queue.list');
    expect(listed.items[0]!.request.seed).toBe(job.request.seed);
    expect((await value(s, 'generation.enqueue', { request: { prompt: 'x', seed: 7 } })).request.seed).toBe(7);

    expect((await failure(s, 'generation.enqueue', { request: { prompt: '1girl', width: 100 } })).message).toMatch(/multiple of 16/);
    expect((await failure(s, 'generation.enqueue', { request: { prompt: '   ' } })).code).toBe('InvalidRequest');
    expect((await failure(s, 'generation.enqueue', { request: { prompt: '<character_1><n>a</n>' } })).code).toBe('PromptInvalid');
    const tooFar = await failure(s, 'generation.enqueue', { request: { prompt: 'x', seed: Number.MAX_SAFE_INTEGER, batch: 2 } });
    expect(tooFar.message).toMatch(/largest seed/);
  });

  it('needs a model folder', async () => {
    const s = await pausedService();
    expect(await failure(s, 'generation.enqueue', { request: { prompt: '1girl' } })).toMatchObject({ code: 'ModelIncomplete' });
  });
});

describe('queue operations', () => {
  it('cancel, hold, release, reorder and cancel all, each announced on queue.changed', async () => {
    const s = await pausedService(tempDir(), tinyModel());
    const snapshots: QueueSnapshot[] = [];
    s.events.on('queue.changed', (q) => snapshots.push(q));
    const ids: string[] = [];
    for (const seed of [1, 2, 3, 4]) ids.push((await value(s, 'generation.enqueue', { request: { prompt: 'x', seed } })).id);
    expect(snapshots.length).toBe(4);
    expect(snapshots[3]!.items.map((i) => i.id)).toEqual(ids);

    expect(await value(s, 'generation.cancel', { id: ids[1] })).toEqual({ id: ids[1], outcome: 'removed' });
    expect((await failure(s, 'generation.cancel', { id: ids[1] })).code).toBe('InvalidRequest');
    const held = await value(s, 'generation.pause', { id: ids[2] });
    expect(held.items.find((i) => i.id === ids[2])!.state).toBe('paused');
    const moved = await value(s, 'generation.reorder', { id: ids[3], toIndex: 0 });
    expect(moved.items.map((i) => i.id)).toEqual([ids[3], ids[0], ids[2]]);
    const full = await value(s, 'generation.reorder', { ids: [ids[2], ids[0], ids[3]] });
    expect(full.items.map((i) => [i.id, i.position])).toEqual([[ids[2], 0], [ids[0], 1], [ids[3], 2]]);
    expect((await failure(s, 'generation.reorder', { ids: [ids[0]] })).message).toMatch(/every queued job/);
    const released = await value(s, 'generation.pause', undefined);
    expect(released.paused).toBe(true);
    expect((await value(s, 'generation.resume', { id: ids[2] })).items[0]!.state).toBe('pending');
    expect(await value(s, 'generation.cancelAll')).toEqual({ removed: 3, running: null });
    expect((await value(s, 'queue.list')).items).toEqual([]);
    expect(snapshots.at(-1)!.items).toEqual([]);
  });

  it('keeps pending jobs across a restart, and a job left running by a crash comes back interrupted and can be retried', async () => {
    const dataDir = tempDir();
    const a = await pausedService(dataDir, tinyModel());
    const first = await value(a, 'generation.enqueue', { request: { prompt: 'first', seed: 1 } });
    const second = await value(a, 'generation.enqueue', { request: { prompt: 'second', seed: 2 } });
    await a.shutdown();

    // What a crash mid-job leaves on disk: the running job's row still says running.
    const store = HistoryStore.open(dataDir);
    store.queue.setState(first.id, 'running');
    store.close();

    const b = await pausedService(dataDir);
    const q = await value(b, 'queue.list');
    expect(q.paused).toBe(true); // autoStartQueue false persisted in settings.json
    expect(q.items.map((i) => [i.id, i.state, i.request.prompt, i.request.seed])).toEqual([
      [first.id, 'interrupted', 'first', 1],
      [second.id, 'pending', 'second', 2],
    ]);
    const retried = await value(b, 'generation.pause', { id: first.id });
    expect(retried.items[0]!.state).toBe('interrupted'); // holding applies to pending jobs only
    expect((await value(b, 'generation.resume', { id: first.id })).items[0]!.state).toBe('pending');
  });
});

describe('history, prompt and model channels', () => {
  it('imports an image by content (restore only, then for real) and edits it', async () => {
    const s = await pausedService();
    const parameters = 'masterpiece, 1girl, red_hair\nNegative prompt: lowres\nSteps: 20, Sampler: Euler, CFG scale: 7, Seed: 1234, Size: 32x16';
    const png = encodePng(new Uint8Array(32 * 16 * 3).fill(90), 32, 16, { parameters });
    const added: string[] = [];
    s.events.on('history.added', (e) => added.push(e.generationId));

    const restored = await value(s, 'history.import', { files: [{ name: '../../evil/a.png', bytes: png }], restoreOnly: true });
    expect(restored.outcomes[0]).toMatchObject({ file: 'a.png', status: 'restored', source: 'a1111' });
    expect(restored.outcomes[0]!.request).toMatchObject({ prompt: 'masterpiece, 1girl, red_hair', negativePrompt: 'lowres', steps: 20, guidance: 7, seed: 1234, width: 32, height: 16 });
    expect((await value(s, 'history.page')).items).toEqual([]);

    const imported = await value(s, 'history.import', { files: [{ name: 'a.png', bytes: png }, { name: 'empty.png', bytes: new Uint8Array(0) }] });
    expect(imported.outcomes.map((o) => o.status)).toEqual(['imported', 'failed']);
    expect(imported.outcomes[1]!.error).toMatchObject({ code: 'InvalidRequest' });
    const genId = imported.outcomes[0]!.generationId!;
    expect(added).toEqual([genId]);
    const page = await value(s, 'history.search', { search: 'red_hair' });
    expect(page.items.map((i) => i.generationId)).toEqual([genId]);
    const imageId = page.items[0]!.id;
    expect(await value(s, 'history.favorite', { imageId, favorite: true })).toBeNull();
    expect(await value(s, 'history.rate', { imageId, rating: 4 })).toBeNull();
    const entry = await value(s, 'history.get', { id: genId });
    expect(entry?.images[0]).toMatchObject({ favorite: true, rating: 4 });
    expect(entry?.request.seed).toBe(1234);
    expect(await value(s, 'history.get', { id: '01a00000-0000-7000-8000-000000000000' })).toBeNull();
    expect((await value(s, 'history.lineage', { id: genId })).map((n) => n.id)).toEqual([genId]);
    expect(await value(s, 'history.delete', { imageIds: [imageId, 999] })).toEqual({ imageIds: [imageId] });
    expect((await value(s, 'history.page')).items).toEqual([]);
    expect(await value(s, 'history.undoDelete', { imageIds: [imageId] })).toEqual({ imageIds: [imageId] });
    expect((await value(s, 'history.page', { favoritesOnly: true })).items.map((i) => i.id)).toEqual([imageId]);
    expect((await failure(s, 'history.rate', { imageId: 999, rating: 1 })).code).toBe('InvalidRequest');
  });

  it('checks, formats and completes prompts with the shipped tag list', async () => {
    const s = await pausedService();
    const check = await value(s, 'prompt.check', { text: '<character_1>\n<gender>1girl</gender>\n' });
    expect(check.mode).toBe('xml');
    expect(check.diagnostics.some((d) => d.severity === 'error' && d.code === 'unclosed-tag')).toBe(true);
    const formatted = await value(s, 'prompt.format', { text: '<general_tags><style>anime</style></general_tags>' });
    expect(formatted.text).toContain('<style>anime</style>');
    const tags = await value(s, 'prompt.completeTags', { prefix: 'long_ha', limit: 3 });
    expect(tags[0]!.tag).toBe('long_hair');
  });

  it('checks the model folder from the settings or the payload', async () => {
    const s = await pausedService();
    expect((await failure(s, 'models.check')).code).toBe('ModelIncomplete');
    expect((await failure(s, 'settings.set', { modelDir: join(tempDir(), 'nope') })).message).toMatch(/does not exist/);
    await value(s, 'settings.set', { modelDir: tinyModel() });
    const report = await value(s, 'models.check');
    expect(report.ok).toBe(true);
    expect(report.testModel).toBe(true);
    expect(report.components.map((c) => c.status)).toEqual(['found', 'found', 'found', 'found']);
    expect((await value(s, 'models.check', { dir: tempDir() })).ok).toBe(false);
  });
});
