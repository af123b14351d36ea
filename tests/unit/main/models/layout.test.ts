import { cpSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WeightSet, readTensorBytes, writeSafetensors } from '../../../../src/main/engine/safetensors';
import { GRAPH_BUILDER_VERSION, modelIdentity } from '../../../../src/main/models/identity';
import { resolveModelFolder } from '../../../../src/main/models/layout';
import { StudioError } from '../../../../src/shared/errors';
import { cleanupTinyModels, fixtureTempDir, hfCacheCopy, tinyModel } from '../../../fixtures/tinyModel';

afterAll(cleanupTinyModels);

function copyOf(src: string, label: string): string {
  const dir = fixtureTempDir(label);
  cpSync(src, dir, { recursive: true });
  return dir;
}

function expectStudioError(fn: () => unknown, code: string, ...parts: RegExp[]): StudioError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(StudioError);
    const err = e as StudioError;
    expect(err.code, err.message).toBe(code);
    for (const p of parts) expect(`${err.message}\n${err.hint}`).toMatch(p);
    return err;
  }
  throw new Error('expected a StudioError');
}

/** Rewrites a safetensors file with renamed keys (same data). */
function renameKeys(file: string, rename: (name: string) => string): void {
  const set = WeightSet.fromFile(file);
  const tensors = [...set.tensors.values()].map((t) => ({ name: rename(t.name), dtype: t.dtype, shape: t.shape, data: readTensorBytes(t) }));
  writeSafetensors(file, tensors, { format: 'pt' });
}

describe('resolveModelFolder', () => {
  it('hub layout: HF shards, language_model.model.*, raw Jina, to_q VAE, configs from the files', () => {
    const root = tinyModel();
    const pkg = resolveModelFolder(root);
    expect(pkg.root).toBe(root);
    expect(pkg.transformer.prefix).toBe('');
    expect(pkg.transformer.weights.files).toHaveLength(2);
    expect(pkg.transformer.config.axes_dims).toEqual([4, 4, 8]);
    expect(pkg.transformer.config.norm_eps).toBe(1e-5); // code default, not in the file
    expect(pkg.gemma.prefix).toBe('language_model.model.');
    expect(pkg.gemma.config.sliding_window).toBe(4);
    expect(pkg.gemma.config['layer_types']).toHaveLength(7);
    expect(pkg.jina).toMatchObject({ form: 'raw', prefix: 'text_model.transformer.roberta.' });
    expect(pkg.jina.text).toEqual({ numHeads: 2, rotaryBase: 20000, layerNormEps: 1e-5, loraTask: 'retrieval.query', loraTaskIndex: 0, loraScaling: 0.25 });
    expect(pkg.vae).toMatchObject({ prefix: 'decoder.', attention: 'to_q' });
    expect(pkg.vae.config.norm_num_groups).toBe(4);
    expect(pkg.tokenizers.gemma).toEqual({ json: join(root, 'text_encoder/tokenizer.json'), config: join(root, 'text_encoder/tokenizer_config.json') });
    expect(pkg.tokenizers.jina.json).toBe(join(root, 'clip_model/tokenizer.json'));
    expect(pkg.notes).toEqual([]);
  });

  it('single-file layout: model.* Gemma, merged Jina, query/key/value VAE', () => {
    const pkg = resolveModelFolder(tinyModel({ layout: 'single-file', jina: 'merged', vaeAttention: 'query' }));
    expect(pkg.transformer.source).toBe('transformer/diffusion_pytorch_model.safetensors');
    expect([pkg.gemma.prefix, pkg.gemma.source]).toEqual(['model.', 'text_encoder/gemma3-4b-it.safetensors']);
    expect([pkg.jina.form, pkg.jina.prefix, pkg.jina.source]).toEqual(['merged', '', 'clip_model/jina-clip-v2.safetensors']);
    expect(pkg.vae.attention).toBe('query');
  });

  it('HF cache: the snapshot, the models--… folder and the cache root all resolve to the snapshot (symlinks followed)', () => {
    const cache = fixtureTempDir('hfcache');
    const snapshot = hfCacheCopy(tinyModel(), cache);
    const direct = resolveModelFolder(snapshot);
    const viaRepo = resolveModelFolder(join(cache, 'models--NewBie-AI--NewBie-image-Exp0.1'));
    const viaCache = resolveModelFolder(cache);
    expect(viaRepo.root).toBe(snapshot);
    expect(viaCache.root).toBe(snapshot);
    expect(viaRepo.notes.join()).toMatch(/snapshot a{40} \(refs\/main\)/);
    // The data lives in blobs/: realpaths point there, identity equals the plain folder's.
    expect(direct.transformer.weights.files[0].realPath).toMatch(/blobs\/[0-9a-f]{64}$/);
    expect(modelIdentity(direct)).toBe(modelIdentity(resolveModelFolder(tinyModel())));
  });

  it('both layouts present → the HF layout is used and noted', () => {
    const root = copyOf(tinyModel(), 'both');
    cpSync(join(tinyModel({ layout: 'single-file' }), 'text_encoder/gemma3-4b-it.safetensors'), join(root, 'text_encoder/gemma3-4b-it.safetensors'));
    cpSync(join(tinyModel({ layout: 'single-file' }), 'clip_model/jina-clip-v2.safetensors'), join(root, 'clip_model/jina-clip-v2.safetensors'));
    const pkg = resolveModelFolder(root);
    expect(pkg.gemma.prefix).toBe('language_model.model.');
    expect(pkg.jina.source).toBe('clip_model/model.safetensors');
    expect(pkg.notes.some((n) => /text_encoder: both HF shards .*gemma3-4b-it\.safetensors.*using the HF shards/.test(n))).toBe(true);
    expect(pkg.notes.some((n) => /clip_model: both model\.safetensors .*jina-clip-v2\.safetensors/.test(n))).toBe(true);
  });

  it('accepts the newer transformers prefix model.language_model.*', () => {
    const root = copyOf(tinyModel({ layout: 'single-file' }), 'newprefix');
    renameKeys(join(root, 'text_encoder/gemma3-4b-it.safetensors'), (n) => n.replace(/^model\./, 'model.language_model.'));
    expect(resolveModelFolder(root).gemma.prefix).toBe('model.language_model.');
  });

  it('missing config.json → published defaults, noted', () => {
    const root = copyOf(tinyModel(), 'nocfg');
    unlinkSync(join(root, 'transformer/config.json'));
    unlinkSync(join(root, 'text_encoder/config.json'));
    const pkg = resolveModelFolder(root);
    expect(pkg.transformer.config.axes_dims).toEqual([32, 32, 32]);
    expect(pkg.gemma.config.sliding_window).toBe(1024);
    expect(pkg.notes.filter((n) => /config\.json is missing/.test(n))).toHaveLength(2);
  });

  it('missing parts → ModelIncomplete with a fix hint', () => {
    const noVae = copyOf(tinyModel(), 'novae');
    rmSync(join(noVae, 'vae'), { recursive: true });
    expectStudioError(() => resolveModelFolder(noVae), 'ModelIncomplete', /vae\/ is missing/, /FLUX\.1-dev VAE/);

    const noShard = copyOf(tinyModel(), 'noshard');
    unlinkSync(join(noShard, 'text_encoder/model-00002-of-00002.safetensors'));
    expectStudioError(() => resolveModelFolder(noShard), 'ModelIncomplete', /model-00002-of-00002\.safetensors.*missing/);

    const noTok = copyOf(tinyModel(), 'notok');
    unlinkSync(join(noTok, 'text_encoder/tokenizer.json'));
    expectStudioError(() => resolveModelFolder(noTok), 'ModelIncomplete', /text_encoder\/tokenizer\.json or tokenizer\/tokenizer\.json/, /google\/gemma-3-4b-it/);

    const noGemma = copyOf(tinyModel({ layout: 'single-file' }), 'nogemma');
    unlinkSync(join(noGemma, 'text_encoder/gemma3-4b-it.safetensors'));
    expectStudioError(() => resolveModelFolder(noGemma), 'ModelIncomplete', /text_encoder\/.*missing/, /Gemma3-4B-it checkpoint/);
  });

  it('a moved tokenizer in tokenizer/ and clip_tokenizer/ is found', () => {
    const root = copyOf(tinyModel(), 'tokdirs');
    cpSync(join(root, 'text_encoder'), join(root, 'tokenizer'), { recursive: true });
    unlinkSync(join(root, 'text_encoder/tokenizer.json'));
    cpSync(join(root, 'clip_model'), join(root, 'clip_tokenizer'), { recursive: true });
    unlinkSync(join(root, 'clip_model/tokenizer.json'));
    const pkg = resolveModelFolder(root);
    expect(pkg.tokenizers.gemma.json).toBe(join(root, 'tokenizer/tokenizer.json'));
    expect(pkg.tokenizers.jina.json).toBe(join(root, 'clip_tokenizer/tokenizer.json'));
  });

  it('diffusers-renamed Lumina2 transformer keys → ModelInvalid with a hint', () => {
    const root = copyOf(tinyModel({ layout: 'single-file' }), 'lumina2');
    renameKeys(join(root, 'transformer/diffusion_pytorch_model.safetensors'), (n) => n.replace('.attention.qkv.', '.attn.to_q.'));
    expectStudioError(() => resolveModelFolder(root), 'ModelInvalid', /diffusers-renamed Lumina2/, /original NextDiT|as published/);
  });

  it('an unknown checkpoint or the BFL VAE layout → ModelInvalid naming what it found', () => {
    const root = copyOf(tinyModel({ layout: 'single-file' }), 'wrong');
    renameKeys(join(root, 'vae/diffusion_pytorch_model.safetensors'), (n) => n.replace('decoder.mid_block.attentions.0.', 'decoder.mid.attn_1.').replace('decoder.conv_in.', 'decoder.conv_in_x.'));
    expectStudioError(() => resolveModelFolder(root), 'ModelInvalid', /original \(BFL\/LDM\) VAE/);
    const two = copyOf(tinyModel({ layout: 'single-file' }), 'two');
    cpSync(join(two, 'vae/diffusion_pytorch_model.safetensors'), join(two, 'vae/other.safetensors'));
    renameSync(join(two, 'vae/diffusion_pytorch_model.safetensors'), join(two, 'vae/ae.safetensors'));
    expectStudioError(() => resolveModelFolder(two), 'ModelInvalid', /several checkpoints \(ae\.safetensors, other\.safetensors\)/);
  });

  it('a folder that does not exist → InvalidRequest; a bad config → ModelInvalid', () => {
    expectStudioError(() => resolveModelFolder('/no/such/model/folder'), 'InvalidRequest', /does not exist/);
    const root = copyOf(tinyModel(), 'badcfg');
    writeFileSync(join(root, 'vae/config.json'), '{ not json');
    expectStudioError(() => resolveModelFolder(root), 'ModelInvalid', /vae\/config\.json: cannot read config/);
  });
});

describe('modelIdentity', () => {
  it('is stable for copies, and changes with the weights, the tokenizer or the graph builder version', () => {
    const root = tinyModel();
    const id = modelIdentity(resolveModelFolder(root));
    expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(GRAPH_BUILDER_VERSION).toMatch(/\S/);
    expect(modelIdentity(resolveModelFolder(copyOf(root, 'idcopy')))).toBe(id);
    expect(modelIdentity(resolveModelFolder(root), `${GRAPH_BUILDER_VERSION}+1`)).not.toBe(id);
    expect(modelIdentity(resolveModelFolder(tinyModel({ seed: 1 })))).not.toBe(id);
    const tok = copyOf(root, 'idtok');
    // Same tokenizer, different bytes (re-serialised without indentation).
    writeFileSync(join(tok, 'clip_model/tokenizer.json'), JSON.stringify(JSON.parse(readFileSync(join(tok, 'clip_model/tokenizer.json'), 'utf8'))));
    expect(modelIdentity(resolveModelFolder(tok))).not.toBe(id);
  });
});
