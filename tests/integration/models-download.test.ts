import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkModelFolder } from '../../src/main/models/check';
import { downloadModel, type DownloadProgress } from '../../src/main/models/download';
import { StudioError } from '../../src/shared/errors';
import { cleanupTinyModels, fixtureTempDir, listFilesRecursive, tinyModel } from '../fixtures/tinyModel';
import { FakeHub } from './models-fakeHub';

const REPO = 'NewBie-AI/NewBie-image-Exp0.1';
const NO_TOK = 'NewBie-AI/no-tokenizers';
const hub = new FakeHub();
let source: string;
let env: NodeJS.ProcessEnv;

/** What the app needs from the tiny hub-layout repo: everything but README.md and the extra files below. */
let needed: string[];

beforeAll(async () => {
  source = tinyModel();
  const junk = {
    '.gitattributes': '*.safetensors filter=lfs diff=lfs merge=lfs -text\n',
    'transformer/diffusion_pytorch_model.bin': Buffer.alloc(1000, 1),
    'text_encoder/gemma3-4b-it.safetensors': readFileSync(join(tinyModel({ layout: 'single-file' }), 'text_encoder/gemma3-4b-it.safetensors')),
    'text_encoder/tokenizer.model': Buffer.alloc(500, 2),
    'clip_model/modeling_clip.py': 'print("remote code")\n',
    'images/sample.png': Buffer.alloc(300, 3),
  };
  hub.addRepo(REPO, source, { extra: junk });
  hub.addRepo(NO_TOK, source, { exclude: (rel) => /tokenizer|special_tokens_map/.test(rel) });
  const sf = tinyModel({ layout: 'single-file' });
  const tok = (dir: string) => Object.fromEntries(['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json'].map((f) => [f, readFileSync(join(sf, dir, f))]));
  hub.addRepo('google/gemma-3-4b-it', undefined, { extra: { ...tok('text_encoder'), 'config.json': '{}' }, gatedTokens: ['hf_good'] });
  hub.addRepo('jinaai/jina-clip-v2', undefined, { extra: { ...tok('clip_model'), 'README.md': '# jina' } });
  hub.pageSize = 5; // several pages per listing, as with large repos
  env = { HF_ENDPOINT: await hub.start() };
  needed = listFilesRecursive(source).filter((f) => f !== 'README.md');
});

afterAll(async () => {
  await hub.stop();
  cleanupTinyModels();
});

const opts = (dir: string, extra: Parameters<typeof downloadModel>[0] = {}) => ({ dir, env, retryDelayMs: 10, ...extra });

async function expectRejects(p: Promise<unknown>, code: string, ...parts: RegExp[]): Promise<StudioError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(StudioError);
    const err = e as StudioError;
    expect(err.code, err.message).toBe(code);
    for (const re of parts) expect(`${err.message}\n${err.hint}`).toMatch(re);
    return err;
  }
  throw new Error('expected a rejection');
}

describe('downloadModel against a local hub', () => {
  it('full download: only the needed files, verified, a working model; a second run reuses everything', async () => {
    const dir = fixtureTempDir('dl-full');
    const events: DownloadProgress[] = [];
    const before = hub.requests.length;
    const result = await downloadModel(opts(dir, { onProgress: (p) => events.push(p) }));
    expect(listFilesRecursive(dir)).toEqual(needed);
    for (const f of needed) expect(readFileSync(join(dir, f)).equals(readFileSync(join(source, f))), f).toBe(true);
    const total = needed.reduce((a, f) => a + statSync(join(source, f)).size, 0);
    expect(result.bytesDownloaded).toBe(total);
    expect(result.files.every((f) => f.state === 'done')).toBe(true);
    const last = events[events.length - 1];
    expect([last.bytesDone, last.bytesTotal, last.filesDone, last.filesTotal]).toEqual([total, total, needed.length, needed.length]);
    for (let i = 1; i < events.length; i++) expect(events[i].bytesDone).toBeGreaterThanOrEqual(events[i - 1].bytesDone);
    const log = hub.requests.slice(before).map((r) => r.url);
    expect(log.filter((u) => u.startsWith('/api/models/')).length).toBeGreaterThan(1); // paginated listing
    expect(log.filter((u) => u.startsWith('/cdn/')).length).toBe(needed.filter((f) => f.endsWith('.safetensors') || f.endsWith('tokenizer.json')).length);
    const report = checkModelFolder(dir);
    expect(report.problems).toEqual([]);
    expect(report.identity).toBe(checkModelFolder(source).identity);

    const again = await downloadModel(opts(dir));
    expect(again.bytesDownloaded).toBe(0);
    expect(again.files.every((f) => f.state === 'reused')).toBe(true);
  });

  it('interrupted, then resumed with an HTTP Range request', async () => {
    const dir = fixtureTempDir('dl-resume');
    const path = 'vae/diffusion_pytorch_model.safetensors';
    const size = hub.file(REPO, path).content.length;
    hub.cuts.set(`${REPO}:${path}`, { bytes: 100_000, times: 1 });
    const err = await expectRejects(downloadModel(opts(dir, { retries: 0 })), 'DownloadFailed', /vae\/diffusion_pytorch_model\.safetensors: interrupted after \d+ of \d+ bytes/, /run the same command again/i);
    expect(existsSync(join(dir, path))).toBe(false);
    // What reached the disk before the error: at most what the server sent.
    const partial = statSync(join(dir, `${path}.incomplete`)).size;
    expect(err.message).toContain(`interrupted after ${partial} of ${size} bytes`);
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThanOrEqual(100_000);
    expect(existsSync(join(dir, 'transformer/config.json'))).toBe(true); // the other files finished

    const before = hub.requests.length;
    const result = await downloadModel(opts(dir));
    expect(result.bytesDownloaded).toBe(size - partial);
    expect(hub.requests.slice(before).filter((r) => r.range).map((r) => r.range)).toEqual([`bytes=${partial}-`, `bytes=${partial}-`]); // resolve + CDN redirect
    expect(readFileSync(join(dir, path)).equals(hub.file(REPO, path).content)).toBe(true);
    expect(existsSync(join(dir, `${path}.incomplete`))).toBe(false);
    expect(checkModelFolder(dir).ok).toBe(true);
  });

  it('resumes automatically within one run after a dropped connection', async () => {
    const dir = fixtureTempDir('dl-retry');
    const path = 'transformer/diffusion_pytorch_model-00001-of-00002.safetensors';
    hub.cuts.set(`${REPO}:${path}`, { bytes: 300_000, times: 2 });
    const before = hub.requests.length;
    const result = await downloadModel(opts(dir, { retries: 3 }));
    const resolves = hub.requests.slice(before).filter((r) => r.url.endsWith(path));
    expect(resolves).toHaveLength(3); // first try + two resumes
    expect(resolves.slice(1).some((r) => /^bytes=[1-9]\d*-$/.test(r.range ?? ''))).toBe(true);
    expect(readFileSync(join(dir, path)).equals(hub.file(REPO, path).content)).toBe(true);
    // Resumed, not restarted: fewer bytes than two full copies of the file went over the wire.
    const total = needed.reduce((a, f) => a + statSync(join(source, f)).size, 0);
    expect(result.bytesDownloaded).toBeLessThan(total + hub.file(REPO, path).content.length);
  });

  it('a stalled connection times out and resumes; cancelling keeps the partial file for the next run', async () => {
    const path = 'transformer/diffusion_pytorch_model-00002-of-00002.safetensors';
    hub.stalls.set(`${REPO}:${path}`, { bytes: 200_000, times: 1 });
    const dir = fixtureTempDir('dl-stall');
    await downloadModel(opts(dir, { stallTimeoutMs: 1000, retries: 3 }));
    expect(readFileSync(join(dir, path)).equals(hub.file(REPO, path).content)).toBe(true);

    hub.stalls.set(`${REPO}:${path}`, { bytes: 200_000, times: 1 });
    const cancelDir = fixtureTempDir('dl-cancel');
    const abort = new AbortController();
    const run = downloadModel(
      opts(cancelDir, {
        signal: abort.signal,
        onProgress: (p) => {
          if (p.files.find((f) => f.dest === path)!.bytesDone >= 200_000) abort.abort();
        },
      }),
    );
    await expectRejects(run, 'Cancelled', /run the same command again to resume/);
    const partial = statSync(join(cancelDir, `${path}.incomplete`)).size;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThanOrEqual(200_000);
    expect(existsSync(join(cancelDir, path))).toBe(false);
    const before = hub.requests.length;
    await downloadModel(opts(cancelDir));
    expect(hub.requests.slice(before).filter((r) => r.url.endsWith(path)).map((r) => r.range)).toEqual([`bytes=${partial}-`]);
    expect(checkModelFolder(cancelDir).ok).toBe(true);
  });

  it('a server that ignores Range: starts the file over and still verifies it', async () => {
    const dir = fixtureTempDir('dl-norange');
    const path = 'text_encoder/model-00001-of-00002.safetensors';
    hub.cuts.set(`${REPO}:${path}`, { bytes: 50_000, times: 1 });
    hub.ignoreRange = true;
    try {
      await downloadModel(opts(dir, { retries: 2 }));
    } finally {
      hub.ignoreRange = false;
    }
    expect(readFileSync(join(dir, path)).equals(hub.file(REPO, path).content)).toBe(true);
  });

  it('a corrupted byte fails SHA-256 verification and the file is not kept', async () => {
    const dir = fixtureTempDir('dl-corrupt');
    const path = 'transformer/diffusion_pytorch_model-00002-of-00002.safetensors';
    hub.corruptions.set(`${REPO}:${path}`, 12_345);
    try {
      await expectRejects(downloadModel(opts(dir)), 'ChecksumMismatch', new RegExp(`${path}: sha256 [0-9a-f]{64} does not match the hub's LFS sha256 ${hub.file(REPO, path).sha256}; the file was not kept`));
    } finally {
      hub.corruptions.delete(`${REPO}:${path}`);
    }
    expect(existsSync(join(dir, path))).toBe(false);
    expect(existsSync(join(dir, `${path}.incomplete`))).toBe(false);
    expect(existsSync(join(dir, 'vae/diffusion_pytorch_model.safetensors'))).toBe(true);
    // A small regular file is checked against its git blob id.
    hub.corruptions.set(`${REPO}:vae/config.json`, 3);
    try {
      await expectRejects(downloadModel(opts(fixtureTempDir('dl-corrupt2'))), 'ChecksumMismatch', /vae\/config\.json: git-sha1 .* does not match the hub's git blob id/);
    } finally {
      hub.corruptions.delete(`${REPO}:vae/config.json`);
    }
  });

  it('tokenizers missing from the repo come from the upstream repos; 401 for the gated one without a token', async () => {
    const dir = fixtureTempDir('dl-gated');
    await expectRejects(downloadModel(opts(dir, { repo: NO_TOK })), 'Unauthorized', /text_encoder\/tokenizer\.json: google\/gemma-3-4b-it is gated/, /--token <hf_…> or set HF_TOKEN/);
    expect(existsSync(join(dir, 'clip_model/tokenizer.json'))).toBe(true); // the rest continued
    expect(existsSync(join(dir, 'text_encoder/tokenizer.json'))).toBe(false);
    await expectRejects(downloadModel(opts(dir, { repo: NO_TOK, token: 'hf_wrong' })), 'Unauthorized', /gated/);

    const before = hub.requests.length;
    await downloadModel(opts(dir, { repo: NO_TOK, env: { ...env, HF_TOKEN: 'hf_good' } }));
    expect(hub.requests.slice(before).some((r) => r.authorization === 'Bearer hf_good')).toBe(true);
    expect(readFileSync(join(dir, 'text_encoder/tokenizer.json')).equals(readFileSync(join(source, 'text_encoder/tokenizer.json')))).toBe(true);
    expect(existsSync(join(dir, 'text_encoder/config.json'))).toBe(true);
    expect(checkModelFolder(dir).ok).toBe(true);
  });

  it('endpoint: the option wins over HF_ENDPOINT; unknown repos and unreachable hosts are DownloadFailed', async () => {
    const dir = fixtureTempDir('dl-endpoint');
    await downloadModel({ dir, endpoint: hub.endpoint, env: { HF_ENDPOINT: 'http://127.0.0.1:9' }, parallel: 2 });
    expect(checkModelFolder(dir).ok).toBe(true);
    await expectRejects(downloadModel(opts(fixtureTempDir('dl-404'), { repo: 'nobody/nothing' })), 'DownloadFailed', /not found on the hub \(HTTP 404, RepoNotFound\)/);
    await expectRejects(downloadModel({ dir: fixtureTempDir('dl-down'), env: { HF_ENDPOINT: 'http://127.0.0.1:9' } }), 'DownloadFailed', /cannot reach http:\/\/127\.0\.0\.1:9/, /HF_ENDPOINT/);
  });
});
