/**
 * `models.download` pointed at odd places by whoever holds the studio token (serve mode, possibly --allow-remote):
 * the owner's HF_TOKEN must reach only the hub the studio is configured for, and a hub listing (any endpoint or
 * mirror can answer one) must not name files outside the download folder. Two local imitations of the hub on
 * 127.0.0.1 (tests/integration/models-fakeHub.ts) stand for "configured" and "foreign".
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ModelDownloadFinishedEvent } from '../../src/shared/modelTypes';
import { forkSpawner } from '../../src/main/engine/host/client';
import { isSafeRepoPath, listRepoFiles } from '../../src/main/models/hub';
import { StudioService } from '../../src/main/service';
import { cleanupTinyModels, fixtureTempDir, listFilesRecursive, tinyModel } from '../fixtures/tinyModel';
import { FakeHub } from './models-fakeHub';
import { call } from './service-helpers';

const REPO = 'NewBie-AI/NewBie-image-Exp0.1';
const EVIL = 'transformer/..\\..\\..\\evil.safetensors';
const configured = new FakeHub();
const foreign = new FakeHub();
const services: StudioService[] = [];

beforeAll(async () => {
  const source = tinyModel();
  configured.addRepo(REPO, source);
  // The foreign hub offers the model with its transformer weights renamed to climb out of the folder.
  foreign.addRepo(REPO, source, {
    exclude: (rel) => rel.startsWith('transformer/') && rel !== 'transformer/config.json',
    extra: { [EVIL]: Buffer.alloc(64), 'transformer/../../escape.json': '{}', '/abs.json': '{}' },
  });
  await configured.start();
  await foreign.start();
});
afterEach(async () => {
  for (const s of services.splice(0)) await s.shutdown();
});
afterAll(async () => {
  await configured.stop();
  await foreign.stop();
  cleanupTinyModels();
});

function open(): { s: StudioService; dataDir: string } {
  const dataDir = fixtureTempDir('hostile-models');
  const s = StudioService.open({
    dataDir,
    spawner: forkSpawner(),
    monitor: null,
    env: { HF_ENDPOINT: configured.endpoint, HF_TOKEN: 'hf_owner_secret', HOME: dataDir },
  });
  services.push(s);
  return { s, dataDir };
}

/** Starts a download and waits for its `models.downloadFinished`. */
async function download(s: StudioService, payload: Record<string, unknown>): Promise<ModelDownloadFinishedEvent> {
  const finished: ModelDownloadFinishedEvent[] = [];
  const off = s.events.on('models.downloadFinished', (e) => finished.push(e));
  try {
    const started = await call(s, 'models.download', payload);
    await expect.poll(() => finished.some((e) => e.downloadId === started.downloadId), { timeout: 30_000 }).toBe(true);
    return finished.find((e) => e.downloadId === started.downloadId)!;
  } finally {
    off();
  }
}

const authorizations = (hub: FakeHub) => hub.requests.map((r) => r.authorization ?? null);

describe('models.download and the owner\'s HF_TOKEN', () => {
  it('sends HF_TOKEN to the configured hub only; a foreign endpoint gets just the token passed with it', async () => {
    const { s, dataDir } = open();
    const home = await download(s, { dir: join(dataDir, 'm-home') });
    expect(home.ok).toBe(true);
    expect(new Set(authorizations(configured).filter(Boolean))).toEqual(new Set(['Bearer hf_owner_secret']));

    foreign.requests.length = 0;
    await download(s, { endpoint: foreign.endpoint, dir: join(dataDir, 'm-foreign') });
    expect(foreign.requests.length).toBeGreaterThan(0);
    expect(authorizations(foreign).every((a) => a === null)).toBe(true);

    foreign.requests.length = 0;
    await download(s, { endpoint: `${foreign.endpoint}/`, token: 'hf_given', dir: join(dataDir, 'm-given') });
    expect(new Set(authorizations(foreign))).toEqual(new Set(['Bearer hf_given']));

    // The configured endpoint named explicitly (trailing slash and all) is still the configured hub.
    configured.requests.length = 0;
    await download(s, { endpoint: `${configured.endpoint}/`, dir: join(dataDir, 'm-explicit') });
    expect(authorizations(configured)[0]).toBe('Bearer hf_owner_secret');
  });
});

describe('hub listings naming paths outside the folder', () => {
  it('skips them: the foreign repo then has no transformer weights, and nothing is written outside', async () => {
    const listed = await listRepoFiles(REPO, 'main', { endpoint: foreign.endpoint });
    const paths = listed.map((f) => f.path);
    expect(paths).not.toContain(EVIL);
    expect(paths.some((p) => p.includes('..') || p.startsWith('/'))).toBe(false);
    expect(paths).toContain('vae/diffusion_pytorch_model.safetensors');

    const { s, dataDir } = open();
    const dir = join(dataDir, 'models', 'deep', 'target');
    const done = await download(s, { endpoint: foreign.endpoint, dir });
    expect(done).toMatchObject({ ok: false, error: { code: 'DownloadFailed', message: expect.stringMatching(/no transformer\/ weights/) } });
    expect(listFilesRecursive(dataDir).filter((f) => /evil|escape|abs\.json/.test(f))).toEqual([]);
  });

  it('accepts hub-shaped paths and refuses the rest', () => {
    for (const ok of ['model_index.json', 'text_encoder/model-00001-of-00002.safetensors', 'a.b/c-d_e.json']) expect(isSafeRepoPath(ok), ok).toBe(true);
    for (const bad of ['../x', 'a/../../x', '/etc/passwd', 'a//b', './a', 'a\\..\\b', 'C:x.safetensors', 'a/b\u0000.json', 'a/\nb', 'x'.repeat(1001)]) {
      expect(isSafeRepoPath(bad), JSON.stringify(bad)).toBe(false);
    }
  });
});
