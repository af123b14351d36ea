import { cpSync, mkdirSync, readFileSync, statSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WeightSet, readTensorBytes, writeSafetensors } from '../../../../src/main/engine/safetensors';
import { checkModelFolder, findHfCacheModels } from '../../../../src/main/models/check';
import { hfHubCacheDir } from '../../../../src/main/models/hfCache';
import { cleanupTinyModels, fixtureTempDir, hfCacheCopy, tinyModel, tinyModelInfo } from '../../../fixtures/tinyModel';

afterAll(cleanupTinyModels);

function copyOf(src: string, label: string): string {
  const dir = fixtureTempDir(label);
  cpSync(src, dir, { recursive: true });
  return dir;
}

/** Rewrites a safetensors file keeping the tensors `keep` accepts, plus `extra`. */
function rewrite(file: string, keep: (name: string) => boolean, extra: Array<{ name: string; shape: number[] }> = []): void {
  const set = WeightSet.fromFile(file);
  const tensors = [...set.tensors.values()].filter((t) => keep(t.name)).map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape, data: readTensorBytes(t) }));
  for (const e of extra) tensors.push({ name: e.name, dtype: 'F32', shape: e.shape, data: new Uint8Array(4 * e.shape.reduce((a, b) => a * b, 1)) });
  writeSafetensors(file, tensors, { format: 'pt' });
}

const component = (r: ReturnType<typeof checkModelFolder>, id: string) => r.components.find((c) => c.id === id)!;

describe('checkModelFolder', () => {
  it.each([['hub' as const], ['single-file' as const]])('a complete tiny model (%s layout) is OK with a full report', (layout) => {
    const info = tinyModelInfo({ layout });
    const r = checkModelFolder(info.root);
    expect(r.problems).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.testModel).toBe(true);
    expect(r.identity).toMatch(/^sha256:/);
    expect(r.components.map((c) => [c.id, c.status])).toEqual([
      ['transformer', 'found'],
      ['text_encoder', 'found'],
      ['clip_model', 'found'],
      ['vae', 'found'],
    ]);
    // DiT: expected list from the dims = (layers + noise refiners)·13 + context refiners·11 + 19.
    const d = info.dit;
    const expected = (d.nLayers + d.nNoiseRefiner) * 13 + d.nContextRefiner * 11 + 19;
    expect(r.dit).toEqual({ expectedCount: expected, foundCount: expected, missing: [], unexpected: [], shapeMismatches: [] });
    const dit = component(r, 'transformer');
    const ws = layout === 'hub' ? WeightSet.fromIndex(join(info.root, 'transformer/diffusion_pytorch_model.safetensors.index.json')) : WeightSet.fromFile(join(info.root, 'transformer/diffusion_pytorch_model.safetensors'));
    expect(dit.parameterCount).toBe([...ws.tensors.values()].reduce((a, t) => a + t.shape.reduce((x, y) => x * y, 1), 0));
    expect(dit.dtypes).toEqual({ BF16: expected - 1, F32: 1 });
    expect(dit.sizeOnDisk).toBe(ws.files.reduce((a, f) => a + statSync(f.path).size, 0));
    expect(dit.files).toHaveLength(layout === 'hub' ? 2 : 1);
    const gemma = component(r, 'text_encoder');
    expect(gemma.keyConvention).toMatch(layout === 'hub' ? /language_model\.model\.\*/ : /single file \(model\.\*\)/);
    expect(gemma.ignoredTensors).toBe(layout === 'hub' ? 7 : 0);
    expect(component(r, 'clip_model').keyConvention).toMatch(/raw LoRA/);
    expect(component(r, 'vae').keyConvention).toMatch(/to_q\/to_k\/to_v\/to_out\.0/);
    expect(r.notes.join()).toMatch(/random test model/);
  });

  it('missing file → that component missing with a hint, the others still reported', () => {
    const root = copyOf(tinyModel(), 'missing');
    unlinkSync(join(root, 'vae/diffusion_pytorch_model.safetensors'));
    const r = checkModelFolder(root);
    expect(r.ok).toBe(false);
    expect(r.identity).toBeUndefined();
    expect(component(r, 'vae').status).toBe('missing');
    expect(component(r, 'transformer').status).toBe('found');
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ component: 'vae', code: 'ModelIncomplete' });
    expect(r.problems[0].message).toMatch(/vae\/diffusion_pytorch_model\.safetensors is missing/);
    expect(r.problems[0].hint).toMatch(/FLUX\.1-dev VAE/);
  });

  it('truncated shard → transformer invalid, message says truncated', () => {
    const root = copyOf(tinyModel(), 'truncated');
    const shard = join(root, 'transformer/diffusion_pytorch_model-00002-of-00002.safetensors');
    truncateSync(shard, statSync(shard).size - 1000);
    const r = checkModelFolder(root);
    expect(r.ok).toBe(false);
    expect(component(r, 'transformer').status).toBe('invalid');
    expect(r.dit).toBeUndefined();
    expect(r.problems[0].message).toMatch(/diffusion_pytorch_model-00002-of-00002\.safetensors.*truncated/);
  });

  it('wrong tensor count → the DiT list names the missing and unexpected tensors', () => {
    const root = copyOf(tinyModel({ layout: 'single-file' }), 'count');
    const file = join(root, 'transformer/diffusion_pytorch_model.safetensors');
    rewrite(file, (n) => n !== 'layers.1.feed_forward.w3.weight', [{ name: 'cnn_encoder.0.weight', shape: [4] }]);
    const r = checkModelFolder(root);
    expect(r.ok).toBe(false);
    expect(r.dit!.missing).toEqual(['layers.1.feed_forward.w3.weight']);
    expect(r.dit!.unexpected).toEqual(['cnn_encoder.0.weight']);
    expect(r.dit!.foundCount).toBe(r.dit!.expectedCount);
    expect(r.problems.map((p) => p.message).join('\n')).toMatch(/1 expected tensor\(s\) missing: layers\.1\.feed_forward\.w3\.weight[\s\S]*1 unexpected tensor\(s\): cnn_encoder\.0\.weight/);
  });

  it('a missing whole block is found through config n_layers', () => {
    const root = copyOf(tinyModel({ layout: 'single-file' }), 'block');
    rewrite(join(root, 'transformer/diffusion_pytorch_model.safetensors'), (n) => !n.startsWith('layers.1.'));
    const r = checkModelFolder(root);
    expect(r.dit!.missing).toHaveLength(13);
  });

  it('config that does not match the weights → problems (axes_dims, tokenizer vocabulary)', () => {
    const root = copyOf(tinyModel(), 'cfg');
    const cfgPath = join(root, 'transformer/config.json');
    writeFileSync(cfgPath, JSON.stringify({ ...JSON.parse(readFileSync(cfgPath, 'utf8')), axes_dims: [8, 8, 16] }));
    const tokPath = join(root, 'clip_model/tokenizer.json');
    const tok = JSON.parse(readFileSync(tokPath, 'utf8'));
    tok.added_tokens.push({ id: 5000, content: '<extra>', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
    writeFileSync(tokPath, JSON.stringify(tok));
    const r = checkModelFolder(root);
    const messages = r.problems.map((p) => p.message).join('\n');
    expect(messages).toMatch(/axes_dims \[8,8,16\] sum to 32 but head_dim is 16/);
    expect(messages).toMatch(/clip_model\/tokenizer\.json: 5001 token ids but the clip_model embedding has \d+ rows/);
  });

  it('reads an HF cache snapshot of symlinks', () => {
    const cache = fixtureTempDir('cache');
    const snapshot = hfCacheCopy(tinyModel(), cache);
    const r = checkModelFolder(cache);
    expect(r.ok).toBe(true);
    expect(r.root).toBe(snapshot);
    expect(r.identity).toBe(checkModelFolder(tinyModel()).identity);
  });
});

describe('findHfCacheModels', () => {
  it('finds NewBie snapshots under HF_HUB_CACHE or HF_HOME/hub, official first, and skips other repos', () => {
    const home = fixtureTempDir('hfhome');
    const hub = join(home, 'hub');
    hfCacheCopy(tinyModel({ layout: 'single-file' }), hub, 'someone/newbie-copy', 'b'.repeat(40));
    hfCacheCopy(tinyModel(), hub);
    const other = join(hub, 'models--google--gemma-3-4b-it', 'snapshots', 'c'.repeat(40));
    mkdirSync(other, { recursive: true });
    writeFileSync(join(other, 'config.json'), '{}');
    expect(hfHubCacheDir({ HF_HOME: home })).toBe(hub);
    expect(hfHubCacheDir({ HF_HUB_CACHE: hub, HF_HOME: '/elsewhere' })).toBe(hub);
    expect(hfHubCacheDir({ XDG_CACHE_HOME: '/x' })).toBe('/x/huggingface/hub');
    const found = findHfCacheModels({ HF_HOME: home });
    expect(found.map((f) => [f.repo, f.ok, f.testModel])).toEqual([
      ['NewBie-AI/NewBie-image-Exp0.1', true, true],
      ['someone/newbie-copy', true, true],
    ]);
    expect(found[0].revision).toBe('a'.repeat(40));
    expect(findHfCacheModels({ HF_HUB_CACHE: join(home, 'nothing-here') })).toEqual([]);
  });
});
