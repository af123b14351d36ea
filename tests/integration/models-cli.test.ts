import { cpSync, readFileSync, statSync, truncateSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliCaptured as cli } from '../fixtures/cli';
import { WeightSet, readTensorBytes, writeSafetensors } from '../../src/main/engine/safetensors';
import { fixtureTempDir, hfCacheCopy, listFilesRecursive, tinyModel } from '../fixtures/tinyModel';
import { useTinyOfficialHub } from './models-fakeHub';

const hub = useTinyOfficialHub();

describe('newbie-studio models', () => {
  it('make-tiny writes the requested layout (exit 0) and refuses bad options (exit 2)', async () => {
    const dir = join(fixtureTempDir('cli-tiny'), 'model');
    const r = await cli('models', 'make-tiny', dir, '--layout', 'single-file', '--seed', '3', '--jina', 'merged', '--json');
    expect(r.code).toBe(0);
    const info = JSON.parse(r.out);
    expect(info.layout).toBe('single-file');
    expect(info.jina.form).toBe('merged');
    expect(listFilesRecursive(dir)).toContain('text_encoder/gemma3-4b-it.safetensors');
    expect((await cli('models', 'make-tiny', dir, '--layout', 'weird')).code).toBe(2);
    expect((await cli('models', 'make-tiny', dir, '--seed', '-4')).code).toBe(2);
  });

  it.each([['hub' as const], ['single-file' as const]])('check: the tiny model in the %s layout is OK (exit 0)', async (layout) => {
    const text = await cli('models', 'check', tinyModel({ layout }));
    expect(text.code).toBe(0);
    expect(text.err).toMatch(/DiT tensors: 93 expected, 93 found, 0 missing/);
    expect(text.err).toMatch(/random test model/);
    const json = await cli('models', 'check', tinyModel({ layout }), '--json');
    expect(json.code).toBe(0);
    const report = JSON.parse(json.out);
    expect(report.ok).toBe(true);
    expect(report.components.map((c: { status: string }) => c.status)).toEqual(['found', 'found', 'found', 'found']);
  });

  it('check: broken copies exit 1 with the problem named; a missing folder exits 2', async () => {
    const missing = fixtureTempDir('cli-missing');
    cpSync(tinyModel(), missing, { recursive: true });
    unlinkSync(join(missing, 'clip_model/model.safetensors'));
    const m = await cli('models', 'check', missing);
    expect(m.code).toBe(1);
    expect(m.err).toMatch(/clip_model\s+MISSING/);
    expect(m.err).toMatch(/✗ clip_model\/model\.safetensors \(or jina-clip-v2\.safetensors\) is missing\n\s+hint: .*Jina CLIP v2/);

    const truncated = fixtureTempDir('cli-trunc');
    cpSync(tinyModel(), truncated, { recursive: true });
    const shard = join(truncated, 'text_encoder/model-00001-of-00002.safetensors');
    truncateSync(shard, statSync(shard).size - 10);
    const t = await cli('models', 'check', truncated, '--json');
    expect(t.code).toBe(1);
    expect(JSON.parse(t.out).problems[0].message).toMatch(/model-00001-of-00002\.safetensors: .*truncated/);

    const count = fixtureTempDir('cli-count');
    cpSync(tinyModel({ layout: 'single-file' }), count, { recursive: true });
    const file = join(count, 'transformer/diffusion_pytorch_model.safetensors');
    const ws = WeightSet.fromFile(file);
    writeSafetensors(file, [...ws.tensors.values()].filter((x) => x.name !== 'norm_final.weight').map((x) => ({ ...x, data: readTensorBytes(x) })));
    const c = await cli('models', 'check', count, '--json');
    expect(c.code).toBe(1);
    expect(JSON.parse(c.out).dit).toMatchObject({ expectedCount: 93, foundCount: 92, missing: ['norm_final.weight'] });

    expect((await cli('models', 'check', join(missing, 'no-such-folder'))).code).toBe(2);
  });

  it('find lists models in the Hugging Face cache', async () => {
    const cache = fixtureTempDir('cli-cache');
    hfCacheCopy(tinyModel(), cache);
    const saved = process.env['HF_HUB_CACHE'];
    process.env['HF_HUB_CACHE'] = cache;
    try {
      const r = await cli('models', 'find', '--json');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.out).map((m: { repo: string; ok: boolean }) => [m.repo, m.ok])).toEqual([['NewBie-AI/NewBie-image-Exp0.1', true]]);
    } finally {
      if (saved === undefined) delete process.env['HF_HUB_CACHE'];
      else process.env['HF_HUB_CACHE'] = saved;
    }
  });

  it('download fetches a model that checks OK (exit 0); a failed download exits non-zero with the reason', async () => {
    const dir = join(fixtureTempDir('cli-dl'), 'model');
    const r = await cli('models', 'download', '--dir', dir, '--endpoint', hub.endpoint, '--parallel', '3', '--json');
    expect(r.err).toMatch(/✓ transformer\/diffusion_pytorch_model-00001-of-00002\.safetensors/);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out);
    expect(out.check.ok).toBe(true);
    expect(out.bytesDownloaded).toBeGreaterThan(1_000_000);
    expect(readFileSync(join(dir, 'vae/config.json'), 'utf8')).toBe(readFileSync(join(tinyModel(), 'vae/config.json'), 'utf8'));
    const bad = await cli('models', 'download', '--dir', dir, '--endpoint', hub.endpoint, '--repo', 'nobody/nothing');
    expect(bad.code).toBe(3);
    expect(bad.err).toMatch(/DownloadFailed: listing nobody\/nothing@main: not found on the hub/);
    expect((await cli('models', 'download', '--parallel', '0')).code).toBe(2);
  });
});
