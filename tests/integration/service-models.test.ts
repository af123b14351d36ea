/**
 * The model-management channels of StudioService (first run, issue 10 items 0–2): `models.download` against a local
 * imitation of the Hugging Face hub on 127.0.0.1 (progress events, activation, attach, cancel then resume, gated
 * repo), `models.makeTiny`, `models.use`, `models.find` on an HF cache, `models.pickFolder`, payload validation.
 * No engine runs here (no job is queued, so no host is spawned).
 */
import { existsSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { InvokeChannel } from '../../src/shared/api';
import type { ModelDownloadFinishedEvent } from '../../src/shared/modelTypes';
import { forkSpawner } from '../../src/main/engine/host/client';
import { checkModelFolder } from '../../src/main/models/check';
import { COMPONENT_HINTS } from '../../src/main/models/layout';
import { StudioService, type StudioServiceOptions } from '../../src/main/service';
import {
  cleanupTinyModels,
  fixtureTempDir,
  hfCacheCopy,
  listFilesRecursive,
  tinyModel,
} from '../fixtures/tinyModel';
import { FakeHub } from './models-fakeHub';
import { call, record } from './service-helpers';

const REPO = 'NewBie-AI/NewBie-image-Exp0.1';
const GATED = 'NewBie-AI/gated-copy';
const BIG = 'transformer/diffusion_pytorch_model-00001-of-00002.safetensors';
const hub = new FakeHub();
let source: string;
let endpoint: string;
const services: StudioService[] = [];

beforeAll(async () => {
  source = tinyModel();
  hub.addRepo(REPO, source);
  hub.addRepo(GATED, source, { gatedTokens: ['hf_good'] });
  endpoint = await hub.start();
});

afterEach(async () => {
  for (const s of services.splice(0)) await s.shutdown();
});

afterAll(async () => {
  await hub.stop();
  cleanupTinyModels();
});

function open(options: Partial<StudioServiceOptions> = {}): { s: StudioService; dataDir: string } {
  const dataDir = fixtureTempDir('svc-models');
  const s = StudioService.open({
    dataDir,
    spawner: forkSpawner(),
    monitor: null,
    env: { HF_ENDPOINT: endpoint, HOME: dataDir },
    ...options,
  });
  services.push(s);
  return { s, dataDir };
}

async function failure(s: StudioService, channel: InvokeChannel, payload?: unknown) {
  const r = await s.invoke(channel, payload);
  if (r.ok) throw new Error(`${channel} succeeded: ${JSON.stringify(r.value).slice(0, 200)}`);
  return r.error;
}

const modelFiles = () => listFilesRecursive(source).filter((f) => f !== 'README.md');
const totalBytes = () => modelFiles().reduce((a, f) => a + statSync(join(source, f)).size, 0);

async function until(what: string, cond: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('models.download', () => {
  it('downloads the official repo into <dataDir>/models, reports progress, and makes it the active model', async () => {
    const { s, dataDir } = open();
    const events = record(s);
    const started = await call(s, 'models.download', { activate: true });
    const dir = join(dataDir, 'models', 'NewBie-image-Exp0.1');
    expect(started).toMatchObject({ repo: REPO, dir, attached: false });
    expect(started.downloadId).toMatch(/^dl-[0-9a-f]{16}$/);
    const done = await events.next('models.downloadFinished', (f) => f.downloadId === started.downloadId);
    if (!done.ok) throw new Error(`${done.error.code}: ${done.error.message}`);
    expect(done.activated).toBe(true);
    expect(done.report.ok).toBe(true);
    expect(done.report.identity).toBe(checkModelFolder(source).identity);
    expect(done.bytesDownloaded).toBe(totalBytes());
    expect(done.filesTotal).toBe(modelFiles().length);
    expect(listFilesRecursive(dir)).toEqual(modelFiles());

    const progress = events.of('models.downloadProgress', (p) => p.downloadId === started.downloadId);
    expect(progress.length).toBeGreaterThan(1);
    for (let i = 1; i < progress.length; i++)
      expect(progress[i].bytesDone).toBeGreaterThanOrEqual(progress[i - 1].bytesDone);
    const last = progress[progress.length - 1];
    expect([last.bytesDone, last.bytesTotal, last.filesDone, last.filesTotal]).toEqual([
      totalBytes(),
      totalBytes(),
      modelFiles().length,
      modelFiles().length,
    ]);
    // Events cross the serve WebSocket as JSON: nothing may be lost on the way (an Infinity ETA would become null silently).
    for (const p of progress) expect(JSON.parse(JSON.stringify(p))).toEqual(p);
    expect(progress[0].etaS).toBeNull(); // before any byte arrived

    expect((await call(s, 'settings.get')).modelDir).toBe(dir);
    expect(events.of('settings.changed').map((x) => x.modelDir)).toEqual([dir]);
    expect((await call(s, 'models.check')).identity).toBe(done.report.identity);

    // Again: every file is already there and verified; nothing goes over the network.
    const again = await call(s, 'models.download', {});
    const second = await events.next('models.downloadFinished', (f) => f.downloadId === again.downloadId);
    expect(second.ok && second.bytesDownloaded).toBe(0);
    expect(second.ok && second.activated).toBe(false); // activate was not asked for
  });

  it('a second request for the same folder attaches; cancel keeps the partial file and the next download resumes it', async () => {
    const { s, dataDir } = open();
    const events = record(s);
    const dir = join(dataDir, 'dl');
    hub.stalls.set(`${REPO}:${BIG}`, { bytes: 100_000, times: 1 });
    const started = await call(s, 'models.download', { dir, endpoint });
    const attached = await call(s, 'models.download', { dir });
    expect(attached).toEqual({ ...started, attached: true });
    const partial = join(dir, `${BIG}.incomplete`);
    // Every other file finished, the big one holds its first 100 000 bytes and the server sends no more.
    await until('the other files and the stalled partial file', () => {
      const p = events.of('models.downloadProgress').at(-1);
      return (
        p !== undefined &&
        p.filesDone === p.filesTotal - 1 &&
        existsSync(partial) &&
        statSync(partial).size === 100_000
      );
    });
    expect(await call(s, 'models.cancelDownload', { downloadId: started.downloadId })).toEqual({
      downloadId: started.downloadId,
      cancelled: true,
    });
    const end = await events.next('models.downloadFinished', (f) => f.downloadId === started.downloadId);
    expect(end.ok).toBe(false);
    expect(!end.ok && end.error.code).toBe('Cancelled');
    expect(await call(s, 'models.cancelDownload', { downloadId: started.downloadId })).toEqual({
      downloadId: started.downloadId,
      cancelled: false,
    });
    expect(statSync(partial).size).toBe(100_000);
    expect(existsSync(join(dir, BIG))).toBe(false);
    expect((await call(s, 'settings.get')).modelDir).toBeNull();

    const before = hub.requests.length;
    const resumed = await call(s, 'models.download', { dir, activate: true });
    expect(resumed.downloadId).not.toBe(started.downloadId);
    const done = await events.next('models.downloadFinished', (f) => f.downloadId === resumed.downloadId);
    expect(done.ok && done.bytesDownloaded).toBe(hub.file(REPO, BIG).content.length - 100_000);
    expect(
      hub.requests
        .slice(before)
        .filter((r) => r.url.endsWith(BIG))
        .map((r) => r.range),
    ).toEqual(['bytes=100000-']);
    expect(readFileSync(join(dir, BIG)).equals(hub.file(REPO, BIG).content)).toBe(true);
    expect((await call(s, 'settings.get')).modelDir).toBe(dir);
  });

  it('a gated repo without a token ends Unauthorized with a hint; with the token it completes', async () => {
    const { s, dataDir } = open();
    const events = record(s);
    const dir = join(dataDir, 'gated');
    const first = await call(s, 'models.download', { repo: GATED, dir, activate: true });
    const denied = (await events.next(
      'models.downloadFinished',
      (f) => f.downloadId === first.downloadId,
    )) as Extract<ModelDownloadFinishedEvent, { ok: false }>;
    expect(denied.ok).toBe(false);
    expect(denied.error.code).toBe('Unauthorized');
    expect(denied.error.message).toMatch(/NewBie-AI\/gated-copy is gated/);
    expect(denied.error.hint).toMatch(
      /Accept the conditions at https:\/\/huggingface\.co\/NewBie-AI\/gated-copy/,
    );
    expect((await call(s, 'settings.get')).modelDir).toBeNull();

    const second = await call(s, 'models.download', { repo: GATED, dir, activate: true, token: 'hf_good' });
    const done = await events.next('models.downloadFinished', (f) => f.downloadId === second.downloadId);
    expect(done.ok && done.activated).toBe(true);
    expect(hub.requests.some((r) => r.authorization === 'Bearer hf_good')).toBe(true);
  });

  it('shutdown stops a running download (Cancelled) and refuses new ones', async () => {
    const { s, dataDir } = open();
    const events = record(s);
    hub.stalls.set(`${REPO}:${BIG}`, { bytes: 50_000, times: 1 });
    const started = await call(s, 'models.download', { dir: join(dataDir, 'x') });
    await until(
      'the first bytes',
      () =>
        existsSync(join(dataDir, 'x', `${BIG}.incomplete`)) &&
        statSync(join(dataDir, 'x', `${BIG}.incomplete`)).size === 50_000,
    );
    await s.shutdown();
    const end = events.of('models.downloadFinished').find((f) => f.downloadId === started.downloadId);
    expect(end && !end.ok && end.error.code).toBe('Cancelled');
    expect((await failure(s, 'models.download')).code).toBe('Interrupted');
  });

  it('refuses repo ids that could leave the models folder and endpoints that are not http(s)', async () => {
    const { s } = open();
    for (const payload of [
      { repo: '../etc' },
      { repo: 'org/..' },
      { repo: 'a/b/c' },
      { endpoint: 'file:///etc' },
      { endpoint: 'not a url' },
      { token: '' },
      { mirror: 'x' },
    ]) {
      const e = await failure(s, 'models.download', payload);
      expect(e.code, JSON.stringify(payload)).toBe('InvalidRequest');
    }
    expect((await failure(s, 'models.cancelDownload', {})).code).toBe('InvalidRequest');
  });
});

describe('models.makeTiny, models.use, models.find, models.pickFolder', () => {
  it('makes the tiny model in <dataDir>/models/tiny-random, keeps a good copy, replaces a broken one', async () => {
    const { s, dataDir } = open();
    const { dir } = await call(s, 'models.makeTiny');
    expect(dir).toBe(join(dataDir, 'models', 'tiny-random'));
    const report = checkModelFolder(dir);
    expect(report.ok).toBe(true);
    expect(report.testModel).toBe(true);
    expect(report.notes.join(' ')).toMatch(/produces noise/);
    // Same generator, same seed: the same model as the test fixture.
    expect(report.identity).toBe(checkModelFolder(source).identity);
    expect((await call(s, 'settings.get')).modelDir).toBeNull(); // made, not yet used

    const vae = join(dir, 'vae', 'diffusion_pytorch_model.safetensors');
    const mtime = statSync(vae).mtimeMs;
    await call(s, 'models.makeTiny');
    expect(statSync(vae).mtimeMs).toBe(mtime);

    unlinkSync(vae);
    writeFileSync(join(dir, 'stray.txt'), 'left by a broken copy');
    await call(s, 'models.makeTiny');
    expect(checkModelFolder(dir).ok).toBe(true);
    expect(existsSync(join(dir, 'stray.txt'))).toBe(false);
    expect(listFilesRecursive(join(dataDir, 'models'))).toEqual(
      listFilesRecursive(source).map((f) => `tiny-random/${f}`),
    );
  });

  it('use: a good folder becomes the model folder (settings.changed); a broken one is refused with the hint and changes nothing', async () => {
    const { s, dataDir } = open();
    const events = record(s);
    const { dir } = await call(s, 'models.makeTiny');
    const used = await call(s, 'models.use', { dir });
    expect(used.settings.modelDir).toBe(dir);
    expect(used.report.ok && used.report.testModel).toBe(true);
    expect(used.notice).toBeUndefined();
    expect(events.of('settings.changed').map((x) => x.modelDir)).toEqual([dir]);

    const broken = join(dataDir, 'models', 'broken');
    await call(s, 'models.download', { dir: broken, endpoint });
    await events.next('models.downloadFinished');
    rmSync(join(broken, 'vae'), { recursive: true });
    const e = await failure(s, 'models.use', { dir: broken });
    expect(e.code).toBe('ModelIncomplete');
    expect(e.message).toContain(`${broken} cannot be used as the model:`);
    expect(e.message).toMatch(/vae/);
    // The vae component's own fix (not another component's, nor a generic one) reaches the caller.
    expect(e.hint).toBe(COMPONENT_HINTS.vae);
    expect(e.hint).toContain('FLUX.1-dev VAE');
    expect((await failure(s, 'models.use', { dir: join(dataDir, 'nowhere') })).code).toBe('InvalidRequest');
    expect((await call(s, 'settings.get')).modelDir).toBe(dir);
    expect(events.of('settings.changed')).toHaveLength(1);
  });

  it('use in a session started with a model folder says that folder stays active until restart', async () => {
    const { s } = open({ modelDir: source });
    const { dir } = await call(s, 'models.makeTiny');
    const used = await call(s, 'models.use', { dir });
    expect(used.notice).toContain(`started with the model ${source}`);
  });

  it('find: models in the Hugging Face cache (HF_HOME), usable by their repo folder', async () => {
    const hfHome = fixtureTempDir('hf-home');
    const snapshot = hfCacheCopy(source, join(hfHome, 'hub'));
    hfCacheCopy(tinyModel({ seed: 1 }), join(hfHome, 'hub'), 'someone/newbie-finetune', 'b'.repeat(40));
    const { s } = open({ env: { HF_HOME: hfHome, HOME: hfHome } });
    const found = await call(s, 'models.find');
    expect(found.cacheDir).toBe(join(hfHome, 'hub'));
    expect(found.models.map((m) => [m.repo, m.ok, m.testModel])).toEqual([
      [REPO, true, true],
      ['someone/newbie-finetune', true, true],
    ]);
    const official = found.models[0];
    expect(official).toMatchObject({
      snapshot,
      revision: 'a'.repeat(40),
      folder: join(hfHome, 'hub', 'models--NewBie-AI--NewBie-image-Exp0.1'),
      problems: [],
    });
    const used = await call(s, 'models.use', { dir: official.folder });
    expect(used.report.root).toBe(snapshot);
    expect(used.settings.modelDir).toBe(official.folder);

    const empty = open({ env: { HF_HUB_CACHE: join(hfHome, 'nothing-here') } }).s;
    expect(await call(empty, 'models.find')).toEqual({ cacheDir: join(hfHome, 'nothing-here'), models: [] });
  });

  it('pickFolder: null without a native dialog (serve mode), else what the injected chooser returns', async () => {
    expect(await call(open().s, 'models.pickFolder')).toBeNull();
    const picked: string[] = [];
    const s = open({ pickFolder: async () => (picked.push('asked'), '/models/chosen') }).s;
    expect(await call(s, 'models.pickFolder')).toBe('/models/chosen');
    expect(picked).toEqual(['asked']);
    expect((await failure(s, 'models.pickFolder', { dir: '/x' })).code).toBe('InvalidRequest');
  });
});
