import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { afterAll, describe, expect, it } from 'vitest';
import { WeightSet, readSafetensorsHeader, readTensorF32 } from '../../../../src/main/engine/safetensors';
import { makeTinyModel } from '../../../../src/main/models/tiny';
import { gemmaTextTensorSpecs, jinaTextTensorSpecs, nextDitFfnDim, nextDitTensorSpecs, vaeDecoderTensorSpecs } from '../../../../src/main/models/specs';
import { StudioError } from '../../../../src/shared/errors';
import { GOLDEN, itWithGolden } from '../../../fixtures/golden';
import { cleanupTinyModels, fixtureTempDir, listFilesRecursive, tinyModel, tinyModelInfo } from '../../../fixtures/tinyModel';

afterAll(cleanupTinyModels);

const PROMPTS = join(__dirname, '../../../../../shared/prompts');
const goldenIt = itWithGolden(GOLDEN, 'tiny');

/** Key names with block indices generalised: layers.12.x → layers.N.x. */
const patterns = (names: Iterable<string>, strip = '') =>
  new Set([...names].map((n) => (n.startsWith(strip) ? n.slice(strip.length) : n).replace(/\.\d+\./g, '.N.')));

const sha256 = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');
const ws = (root: string, rel: string) => (rel.endsWith('.index.json') ? WeightSet.fromIndex(join(root, rel)) : WeightSet.fromFile(join(root, rel)));

describe('tensor tables at the real dimensions (newbie-model.md §0, §1.5-1.8)', () => {
  const real = { dim: 2304, nHeads: 24, nKvHeads: 8, headDim: 96, nLayers: 36, nNoiseRefiner: 2, nContextRefiner: 2, ffnDim: nextDitFfnDim(2304), adalnDim: 1024, capFeatDim: 2560, clipTextDim: 1024, inChannels: 16, patchSize: 2 };
  const params = (specs: { shape: number[] }[]) => specs.reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1), 0);

  it('NextDiT: 535 tensors, 3,486,636,096 parameters, F = 9216', () => {
    expect(real.ffnDim).toBe(9216);
    const specs = nextDitTensorSpecs(real);
    expect(specs.length).toBe((36 + 2) * 13 + 2 * 11 + 19);
    expect(specs.length).toBe(535);
    expect(params(specs)).toBe(3_486_636_096);
    expect(new Set(specs.map((s) => s.name)).size).toBe(535);
  });

  it('Gemma3-4B text: embedding + 33 layers = 3.786 B parameters', () => {
    const specs = gemmaTextTensorSpecs({ vocabSize: 262208, hidden: 2560, intermediate: 10240, layers: 34, heads: 8, kvHeads: 4, headDim: 256 });
    const needed = specs.filter((s) => !/^layers\.33\./.test(s.name) && s.name !== 'norm.weight');
    expect(params(needed) / 1e9).toBeCloseTo(3.786, 3);
  });

  it('Jina text tower merged ≈ 558 M parameters', () => {
    const specs = jinaTextTensorSpecs({ vocabSize: 250002, hidden: 1024, layers: 24, intermediate: 4096, loraTasks: 5, loraRank: 4 }, 'merged');
    expect(Math.round(params(specs) / 1e6)).toBe(558);
  });

  it('FLUX VAE decoder ≈ 50 M parameters', () => {
    const specs = vaeDecoderTensorSpecs({ latentChannels: 16, blockOutChannels: [128, 256, 512, 512], layersPerBlock: 2, outChannels: 3 }, 'to_q');
    expect(params(specs) / 1e6).toBeGreaterThan(45);
    expect(params(specs) / 1e6).toBeLessThan(55);
    expect(specs.find((s) => s.name === 'conv_in.weight')!.shape).toEqual([512, 16, 3, 3]);
    expect(specs.find((s) => s.name === 'conv_out.weight')!.shape).toEqual([3, 128, 3, 3]);
  });
});

describe('makeTinyModel, hub layout', () => {
  const info = tinyModelInfo();
  const root = info.root;

  it('writes the official hub layout', () => {
    expect(listFilesRecursive(root)).toEqual(
      [
        'README.md',
        'model_index.json',
        'transformer/config.json',
        'transformer/diffusion_pytorch_model-00001-of-00002.safetensors',
        'transformer/diffusion_pytorch_model-00002-of-00002.safetensors',
        'transformer/diffusion_pytorch_model.safetensors.index.json',
        'text_encoder/config.json',
        'text_encoder/model-00001-of-00002.safetensors',
        'text_encoder/model-00002-of-00002.safetensors',
        'text_encoder/model.safetensors.index.json',
        'text_encoder/special_tokens_map.json',
        'text_encoder/tokenizer.json',
        'text_encoder/tokenizer_config.json',
        'clip_model/config.json',
        'clip_model/model.safetensors',
        'clip_model/special_tokens_map.json',
        'clip_model/tokenizer.json',
        'clip_model/tokenizer_config.json',
        'vae/config.json',
        'vae/diffusion_pytorch_model.safetensors',
      ].sort(),
    );
    const index = JSON.parse(readFileSync(join(root, 'model_index.json'), 'utf8'));
    expect(index.transformer).toEqual(['transformer', 'NextDiT_3B_GQA_patch2_Adaln_Refiner_WHIT_CLIP']);
    expect(index.text_encoder).toEqual(['text_encoder', 'Gemma3ForConditionalGeneration']);
  });

  it('is a few MB, BF16 with exactly one F32 tensor per component', () => {
    const total = listFilesRecursive(root).reduce((a, f) => a + readFileSync(join(root, f)).length, 0);
    expect(total).toBeLessThan(5 * 1024 * 1024);
    for (const rel of ['transformer/diffusion_pytorch_model.safetensors.index.json', 'text_encoder/model.safetensors.index.json', 'clip_model/model.safetensors', 'vae/diffusion_pytorch_model.safetensors']) {
      const dtypes = [...ws(root, rel).tensors.values()].map((t) => t.dtype);
      expect(dtypes.filter((d) => d === 'F32').length, rel).toBe(1);
      expect(dtypes.filter((d) => d !== 'F32' && d !== 'BF16')).toEqual([]);
    }
  });

  it('keeps the real model structure: head_dim = sum(axes_dims), GQA 3, 2+2 refiners, 93 tensors', () => {
    const cfg = JSON.parse(readFileSync(join(root, 'transformer/config.json'), 'utf8'));
    expect(Object.keys(cfg).sort()).toEqual(['_class_name', 'axes_dims', 'axes_lens', 'clip_img_dim', 'clip_text_dim', 'dim', 'in_channels', 'model_type', 'n_heads', 'n_kv_heads', 'n_layers', 'patch_size'].sort());
    const dit = ws(root, 'transformer/diffusion_pytorch_model.safetensors.index.json');
    const headDim = dit.get('layers.0.attention.q_norm.weight').shape[0];
    expect(cfg.axes_dims.reduce((a: number, b: number) => a + b, 0)).toBe(headDim);
    expect(new Set(cfg.axes_dims).size).toBeGreaterThan(1);
    expect(cfg.dim).toBe(cfg.n_heads * headDim);
    expect(cfg.n_heads / cfg.n_kv_heads).toBe(3);
    expect(dit.get('layers.0.attention.qkv.weight').shape).toEqual([(cfg.n_heads + 2 * cfg.n_kv_heads) * headDim, cfg.dim]);
    expect(dit.tensors.size).toBe((cfg.n_layers + 2) * 13 + 2 * 11 + 19);
    expect(dit.has('context_refiner.1.attention.qkv.weight') && !dit.has('context_refiner.0.adaLN_modulation.1.weight')).toBe(true);
    expect(dit.has('noise_refiner.1.adaLN_modulation.1.weight') && dit.has('norm_final.weight')).toBe(true);
    // cap_feat_dim = Gemma hidden, clip_text_dim = Jina hidden.
    const gemma = ws(root, 'text_encoder/model.safetensors.index.json');
    const jina = WeightSet.fromFile(join(root, 'clip_model/model.safetensors'));
    expect(dit.get('cap_embedder.0.weight').shape[0]).toBe(gemma.get('language_model.model.norm.weight').shape[0]);
    expect(dit.get('clip_text_pooled_proj.0.weight').shape[0]).toBe(jina.get('text_model.transformer.roberta.emb_ln.weight').shape[0]);
    expect(cfg.clip_text_dim).toBe(jina.get('text_model.transformer.roberta.emb_ln.weight').shape[0]);
  });

  it('Gemma: ≥ 7 layers with a global layer before the last, HF shards with vision tensors to ignore', () => {
    const cfg = JSON.parse(readFileSync(join(root, 'text_encoder/config.json'), 'utf8')).text_config;
    const gemma = ws(root, 'text_encoder/model.safetensors.index.json');
    const layers = new Set(gemma.names().map((n) => /^language_model\.model\.layers\.(\d+)\./.exec(n)?.[1]).filter(Boolean)).size;
    expect(layers).toBe(cfg.num_hidden_layers);
    expect(layers).toBeGreaterThanOrEqual(7);
    expect(cfg.layer_types).toHaveLength(layers);
    const lastGlobal = cfg.layer_types.lastIndexOf('full_attention');
    expect(lastGlobal).toBeGreaterThanOrEqual(0);
    expect(lastGlobal).toBeLessThan(layers - 1);
    expect(cfg.sliding_window).toBeLessThan(16);
    expect(gemma.names().some((n) => n.startsWith('vision_tower.'))).toBe(true);
    expect(gemma.names().some((n) => n.startsWith('multi_modal_projector.'))).toBe(true);
    expect(gemma.files).toHaveLength(2);
  });

  goldenIt('uses the golden cases key names (DiT, Gemma, raw Jina, VAE)', () => {
    const golden = (c: string, f = 'weights.safetensors') => readSafetensorsHeader(join(GOLDEN, c, f)).tensors.keys();
    expect(patterns(ws(root, 'transformer/diffusion_pytorch_model.safetensors.index.json').names())).toEqual(patterns(golden('dit-b')));
    const gemmaText = ws(root, 'text_encoder/model.safetensors.index.json').names().filter((n) => n.startsWith('language_model.model.'));
    expect(patterns(gemmaText, 'language_model.')).toEqual(patterns(golden('gemma-b')));
    expect(patterns(WeightSet.fromFile(join(root, 'clip_model/model.safetensors')).names())).toEqual(patterns(golden('jina-a')));
    expect(patterns(WeightSet.fromFile(join(root, 'vae/diffusion_pytorch_model.safetensors')).names())).toEqual(patterns(golden('vae-a')));
  });
});

describe('makeTinyModel, other variants', () => {
  goldenIt('single-file layout: model.* Gemma, jina-clip-v2.safetensors; merged Jina matches the golden merged names', () => {
    const root = tinyModel({ layout: 'single-file', jina: 'merged' });
    expect(listFilesRecursive(root)).toContain('text_encoder/gemma3-4b-it.safetensors');
    expect(listFilesRecursive(root)).toContain('clip_model/jina-clip-v2.safetensors');
    expect(listFilesRecursive(root)).toContain('transformer/diffusion_pytorch_model.safetensors');
    const gemma = WeightSet.fromFile(join(root, 'text_encoder/gemma3-4b-it.safetensors'));
    expect(patterns(gemma.names())).toEqual(patterns(readSafetensorsHeader(join(GOLDEN, 'gemma-b/weights.safetensors')).tensors.keys()));
    const jina = WeightSet.fromFile(join(root, 'clip_model/jina-clip-v2.safetensors'));
    expect(patterns(jina.names())).toEqual(patterns(readSafetensorsHeader(join(GOLDEN, 'jina-a/weights_merged.safetensors')).tensors.keys()));
  });

  it('hub and single-file layouts hold the same weights', () => {
    const hub = tinyModel();
    const sf = tinyModel({ layout: 'single-file' });
    const a = ws(hub, 'text_encoder/model.safetensors.index.json');
    const b = WeightSet.fromFile(join(sf, 'text_encoder/gemma3-4b-it.safetensors'));
    for (const n of ['layers.3.mlp.up_proj.weight', 'embed_tokens.weight', 'layers.0.input_layernorm.weight']) {
      expect(Array.from(a.readF32(`language_model.model.${n}`))).toEqual(Array.from(b.readF32(`model.${n}`)));
    }
    const d1 = ws(hub, 'transformer/diffusion_pytorch_model.safetensors.index.json');
    const d2 = WeightSet.fromFile(join(sf, 'transformer/diffusion_pytorch_model.safetensors'));
    expect(Array.from(d1.readF32('layers.1.feed_forward.w2.weight'))).toEqual(Array.from(d2.readF32('layers.1.feed_forward.w2.weight')));
  });

  it('merged Jina = raw original + 0.25·LoRA task 0 (newbie-model.md §1.7), up to bf16 rounding', () => {
    const raw = WeightSet.fromFile(join(tinyModel(), 'clip_model/model.safetensors'));
    const merged = WeightSet.fromFile(join(tinyModel({ layout: 'single-file', jina: 'merged' }), 'clip_model/jina-clip-v2.safetensors'));
    const p = 'text_model.transformer.roberta.';
    const check = (base: string, embedding: boolean) => {
      const W = raw.readF32(`${p}${base}.parametrizations.weight.original`);
      const A = raw.get(`${p}${base}.parametrizations.weight.0.lora_A`);
      const B = raw.get(`${p}${base}.parametrizations.weight.0.lora_B`);
      const a = readTensorF32(A);
      const b = readTensorF32(B);
      const [rows, cols] = merged.get(`${base}.weight`).shape;
      const r = embedding ? A.shape[2] : A.shape[1];
      const got = merged.readF32(`${base}.weight`);
      let maxRel = 0;
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < cols; j++) {
          let acc = 0;
          // Embedding: A[0] [vocab, r] @ B[0] [r, dim]; Linear: B[0] [out, r] @ A[0] [r, in].
          for (let k = 0; k < r; k++) acc += embedding ? a[i * r + k] * b[k * cols + j] : b[i * r + k] * a[k * cols + j];
          const want = W[i * cols + j] + 0.25 * acc;
          maxRel = Math.max(maxRel, Math.abs(got[i * cols + j] - want) / Math.max(Math.abs(want), 1e-3));
        }
      }
      expect(maxRel, base).toBeLessThanOrEqual(2 ** -8);
    };
    check('embeddings.word_embeddings', true);
    check('encoder.layers.1.mixer.Wqkv', false);
    check('encoder.layers.0.mlp.fc2', false);
    expect(Array.from(merged.readF32('encoder.layers.0.norm1.bias'))).toEqual(Array.from(raw.readF32(`${p}encoder.layers.0.norm1.bias`)));
  });

  it('VAE attention: query/key/value/proj_attn holds the same values as to_q/…/to_out.0', () => {
    const a = WeightSet.fromFile(join(tinyModel(), 'vae/diffusion_pytorch_model.safetensors'));
    const b = WeightSet.fromFile(join(tinyModel({ vaeAttention: 'query' }), 'vae/diffusion_pytorch_model.safetensors'));
    expect(b.has('decoder.mid_block.attentions.0.proj_attn.weight') && !b.has('decoder.mid_block.attentions.0.to_q.weight')).toBe(true);
    expect(Array.from(b.readF32('decoder.mid_block.attentions.0.proj_attn.weight'))).toEqual(Array.from(a.readF32('decoder.mid_block.attentions.0.to_out.0.weight')));
  });

  it('same seed → byte-identical files; another seed → other weights, same configs', () => {
    const a = tinyModel({ seed: 7 });
    const b = makeTinyModel(fixtureTempDir('again'), { seed: 7 }).root;
    const c = makeTinyModel(fixtureTempDir('other'), { seed: 8 }).root;
    const files = listFilesRecursive(a);
    expect(listFilesRecursive(b)).toEqual(files);
    for (const f of files) expect(sha256(join(b, f)), f).toBe(sha256(join(a, f)));
    expect(sha256(join(c, 'vae/diffusion_pytorch_model.safetensors'))).not.toBe(sha256(join(a, 'vae/diffusion_pytorch_model.safetensors')));
    expect(sha256(join(c, 'transformer/config.json'))).toBe(sha256(join(a, 'transformer/config.json')));
  });

  it('size presets grow the DiT only; bad options are InvalidRequest', () => {
    const bench = makeTinyModel(fixtureTempDir('bench'), { size: 'bench' });
    expect(bench.dit.dim).toBeGreaterThan(tinyModelInfo().dit.dim);
    expect(bench.dit.nLayers).toBeGreaterThan(tinyModelInfo().dit.nLayers);
    expect(bench.dit.nHeads / bench.dit.nKvHeads).toBe(3);
    expect(bench.gemma).toEqual(tinyModelInfo().gemma);
    const bad = [{ seed: -1 }, { seed: 1.5 }, { dit: { nHeads: 5, nKvHeads: 2 } }, { dit: { axesDims: [3, 4, 8] as [number, number, number] } }];
    for (const o of bad) expect(() => makeTinyModel(fixtureTempDir('bad'), o)).toThrow(StudioError);
  });
});

describe('tiny tokenizers', () => {
  const root = tinyModel();
  const load = (dir: string) =>
    new Tokenizer(JSON.parse(readFileSync(join(root, dir, 'tokenizer.json'), 'utf8')), JSON.parse(readFileSync(join(root, dir, 'tokenizer_config.json'), 'utf8')));
  const prompt = existsSync(join(PROMPTS, 'two-characters.xml'))
    ? readFileSync(join(PROMPTS, 'two-characters.xml'), 'utf8')
    : '<character_1>\n<n>rem_(re:zero)</n>\n<gender>1girl</gender>\n</character_1>';

  it('Gemma: BPE with byte fallback, <bos>=2 prepended, no <eos>, ids within the embedding', () => {
    const json = JSON.parse(readFileSync(join(root, 'text_encoder/tokenizer.json'), 'utf8'));
    expect(json.model.type).toBe('BPE');
    expect(json.model.byte_fallback).toBe(true);
    const t = load('text_encoder');
    const e = t.encode(`${prompt} ✓ é`);
    expect(e.ids[0]).toBe(2);
    expect(e.ids.slice(1)).not.toContain(2);
    expect(e.ids).not.toContain(1);
    expect(e.ids).not.toContain(3); // byte fallback: no <unk>
    expect(e.ids.length).toBeLessThan(prompt.length);
    const vocab = Object.keys(json.model.vocab).length;
    const embed = ws(root, 'text_encoder/model.safetensors.index.json').get('language_model.model.embed_tokens.weight');
    expect(embed.shape[0]).toBe(vocab);
    expect(Math.max(...e.ids)).toBeLessThan(vocab);
    expect(['<pad>', '<eos>', '<bos>'].map((s) => json.model.vocab[s])).toEqual([0, 1, 2]);
    expect(t.decode(e.ids, { skip_special_tokens: true })).toBe(`${prompt} ✓ é`);
  });

  it('Jina: Unigram + Metaspace + RobertaProcessing, <s>=0 … </s>=2, <pad>=1', () => {
    const json = JSON.parse(readFileSync(join(root, 'clip_model/tokenizer.json'), 'utf8'));
    expect([json.model.type, json.pre_tokenizer.type, json.post_processor.type]).toEqual(['Unigram', 'Metaspace', 'RobertaProcessing']);
    const t = load('clip_model');
    const e = t.encode(prompt);
    expect(e.ids[0]).toBe(0);
    expect(e.ids[e.ids.length - 1]).toBe(2);
    expect(e.ids.slice(1, -1)).not.toContain(0);
    expect(json.model.vocab[1][0]).toBe('<pad>');
    const embed = WeightSet.fromFile(join(root, 'clip_model/model.safetensors')).get('text_model.transformer.roberta.embeddings.word_embeddings.parametrizations.weight.original');
    expect(embed.shape[0]).toBe(json.model.vocab.length);
    expect(Math.max(...e.ids)).toBeLessThan(json.model.vocab.length);
  });
});
