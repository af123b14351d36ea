/**
 * The tiny model generator: a complete NewBie-image-Exp0.1 package in the official hub layout (newbie-model.md §1.1)
 * or the ComfyUI-style single-file layout, with the **real key names**, tiny dimensions that keep every structural rule
 * of the real model, seeded random weights stored as BF16 (one F32 tensor per component, as mixed-dtype checkpoints
 * have), configs with only the real files' fields, and tokenizer files @huggingface/tokenizers loads.
 * Same options → byte-identical files: each tensor's values depend only on (seed, component, canonical name), so the
 * hub and single-file layouts, and the raw and merged Jina forms, hold the same model.
 * It produces noise: it exists to try the interface and to test the pipeline end to end.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StudioError } from '../../shared/errors';
import { DTYPE_BYTES, bf16BitsToF32, f32ToBf16Bits, f32ToBytes, writeSafetensors, type TensorToWrite } from '../engine/safetensors';
import { SeededRng } from './rng';
import {
  gemmaTextTensorSpecs,
  jinaTextTensorSpecs,
  nextDitFfnDim,
  nextDitTensorSpecs,
  vaeDecoderTensorSpecs,
  type GemmaTextDims,
  type InitKind,
  type JinaTextDims,
  type NextDitDims,
  type TensorSpec,
  type VaeDecoderDims,
} from './specs';
import { ditConfigJson, gemmaConfigJson, jinaConfigJson, modelIndexJson, vaeConfigJson } from './tinyConfigs';
import { gemmaTokenizerFiles, jinaTokenizerFiles, type TokenizerFiles } from './tinyTokenizers';

export type TinyLayout = 'hub' | 'single-file';
export type TinySize = 'tiny' | 'bench' | 'cancel';

/** DiT shape knobs; head_dim = sum(axesDims), dim = nHeads·head_dim. */
export interface TinyDitShape {
  nHeads: number;
  nKvHeads: number;
  axesDims: [number, number, number];
  nLayers: number;
  nNoiseRefiner: number;
  nContextRefiner: number;
}

export interface TinyModelOptions {
  seed?: number;
  layout?: TinyLayout;
  /** 'tiny' (~2.5 MB DiT), 'bench' (one 256² step ≳ 50 ms on a 2-core CPU), 'cancel' (one step ≳ 200 ms). */
  size?: TinySize;
  jina?: 'raw' | 'merged';
  vaeAttention?: 'to_q' | 'query';
  /** Overrides of the size preset's DiT shape (benchmarks tune these). */
  dit?: Partial<TinyDitShape>;
}

/**
 * DiT presets. GQA ratio 3, uneven RoPE split, 2 + 2 refiners like the real model. One fp32 CPU run at 256×256
 * (bench/models-tiny-step.ts, 2-core machine, estimated as CPU time / 2 threads because the machine was busy):
 * tiny ≈ 17 ms, bench ≈ 90 ms, cancel ≈ 285 ms (34 / 183 / 569 ms of CPU time per run).
 */
export const TINY_DIT_PRESETS: Record<TinySize, TinyDitShape> = {
  tiny: { nHeads: 6, nKvHeads: 2, axesDims: [4, 4, 8], nLayers: 2, nNoiseRefiner: 2, nContextRefiner: 2 },
  bench: { nHeads: 12, nKvHeads: 4, axesDims: [4, 4, 8], nLayers: 6, nNoiseRefiner: 2, nContextRefiner: 2 },
  cancel: { nHeads: 12, nKvHeads: 4, axesDims: [8, 8, 16], nLayers: 8, nNoiseRefiner: 2, nContextRefiner: 2 },
};

/** Gemma: 7 layers so the one global layer (index 5) precedes the last; sliding window 4 cuts in on short prompts. */
const GEMMA = { hidden: 64, intermediate: 128, layers: 7, heads: 4, kvHeads: 2, headDim: 16, slidingWindow: 4, pattern: 6 };
const GEMMA_VISION = { hidden: 16, patch: 4 };
const JINA = { hidden: 32, layers: 2, intermediate: 64, heads: 2, loraTasks: 2, loraRank: 4 };
const VAE: VaeDecoderDims = { latentChannels: 16, blockOutChannels: [8, 16, 32, 32], layersPerBlock: 2, outChannels: 3 };
const VAE_NORM_GROUPS = 4;
/** Jina LoRA merge for task 0: scaling = lora_alpha / lora_rank (newbie-model.md §1.7). */
const JINA_LORA_SCALING = 1 / JINA.loraRank;

/** One tensor per component is stored as F32 (canonical name, i.e. without the layout prefix). */
const F32_TENSORS: Record<string, string> = {
  dit: 't_embedder.mlp.0.weight',
  gemma: 'layers.0.input_layernorm.weight',
  jina: 'emb_ln.weight',
  vae: 'conv_in.bias',
};

export interface TinyModelInfo {
  root: string;
  layout: TinyLayout;
  /** Paths relative to root, in write order. */
  files: string[];
  dit: NextDitDims & { axesDims: number[] };
  gemma: GemmaTextDims & { slidingWindow: number };
  jina: JinaTextDims & { heads: number; form: 'raw' | 'merged' };
  vae: VaeDecoderDims & { attention: 'to_q' | 'query' };
}

function sampleValues(seed: number, key: string, spec: { shape: number[]; init: InitKind }): Float32Array {
  const n = spec.shape.reduce((a, b) => a * b, 1);
  const rng = new SeededRng(seed, key);
  const out = new Float32Array(n);
  switch (spec.init) {
    case 'linear': {
      const fanIn = spec.shape.slice(1).reduce((a, b) => a * b, 1);
      return rng.fillNormal(out, 0, 1 / Math.sqrt(fanIn));
    }
    case 'bias':
      return rng.fillNormal(out, 0, 0.02);
    case 'scale':
      return rng.fillNormal(out, 1, 0.05);
    case 'gemmaNorm':
      return rng.fillNormal(out, 0, 0.1);
    case 'embed':
      return rng.fillNormal(out, 0, 0.5);
    case 'lora':
      return rng.fillNormal(out, 0, 0.1);
  }
}

/** Rounds through bf16 so merged Jina weights are computed from exactly the stored raw values. */
function bf16Round(v: Float32Array): Float32Array {
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = bf16BitsToF32(f32ToBf16Bits(v[i]));
  return out;
}

function tensor(component: string, canonical: string, fileName: string, shape: number[], values: () => Float32Array): TensorToWrite {
  const dtype = F32_TENSORS[component] === canonical ? 'F32' : 'BF16';
  return { name: fileName, dtype, shape, data: () => f32ToBytes(values(), dtype) };
}

/** The VAE's older attention names seed like the new ones, so both conventions hold the same weights. */
const VAE_ATTENTION_ALIASES: Record<string, string> = { query: 'to_q', key: 'to_k', value: 'to_v', proj_attn: 'to_out.0' };

function canonicalName(component: string, name: string): string {
  if (component !== 'vae') return name;
  return name.replace(/attentions\.0\.(query|key|value|proj_attn)\./, (_, n: string) => `attentions.0.${VAE_ATTENTION_ALIASES[n]}.`);
}

function simpleTensors(component: string, seed: number, specs: TensorSpec[], prefix: string): TensorToWrite[] {
  return specs.map((s) => {
    const canonical = canonicalName(component, s.name);
    return tensor(component, canonical, prefix + s.name, s.shape, () => sampleValues(seed, `${component}/${canonical}`, s));
  });
}

/**
 * Jina tensors in raw or merged form from one set of raw values.
 * Merge (task 0, s = 0.25): Linear W' = W + s·B[0]@A[0] (W [out,in], A [T,r,in], B [T,out,r]);
 * Embedding W' = W + s·A[0]@B[0] (W [vocab,dim], A [T,vocab,r], B [T,r,dim]) — newbie-model.md §1.7.
 */
function jinaTensors(seed: number, d: JinaTextDims, form: 'raw' | 'merged', prefix: string): TensorToWrite[] {
  const rawSpecs = new Map(jinaTextTensorSpecs(d, 'raw').map((s) => [s.name, s]));
  const raw = (name: string) => bf16Round(sampleValues(seed, `jina/${name}`, rawSpecs.get(name)!));
  return jinaTextTensorSpecs(d, form).map((s) => {
    if (form === 'raw' || !s.name.endsWith('.weight') || rawSpecs.has(s.name)) {
      return tensor('jina', s.name, prefix + s.name, s.shape, () => raw(s.name));
    }
    const base = s.name.slice(0, -'.weight'.length);
    const isEmbedding = base.startsWith('embeddings.');
    return tensor('jina', s.name, prefix + s.name, s.shape, () => {
      const w = raw(`${base}.parametrizations.weight.original`);
      const A = raw(`${base}.parametrizations.weight.0.lora_A`); // task 0 is the first slice
      const B = raw(`${base}.parametrizations.weight.0.lora_B`);
      const [rows, cols] = s.shape;
      const r = d.loraRank;
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < cols; j++) {
          let acc = 0;
          for (let k = 0; k < r; k++) acc += isEmbedding ? A[i * r + k] * B[k * cols + j] : B[i * r + k] * A[k * cols + j];
          w[i * cols + j] += JINA_LORA_SCALING * acc;
        }
      }
      return w;
    });
  });
}

function gemmaVisionTensors(seed: number, hidden: number): TensorToWrite[] {
  const v = GEMMA_VISION;
  const specs: TensorSpec[] = [
    { name: 'multi_modal_projector.mm_input_projection_weight', shape: [v.hidden, hidden], init: 'linear' },
    { name: 'multi_modal_projector.mm_soft_emb_norm.weight', shape: [v.hidden], init: 'gemmaNorm' },
    { name: 'vision_tower.vision_model.embeddings.patch_embedding.bias', shape: [v.hidden], init: 'bias' },
    { name: 'vision_tower.vision_model.embeddings.patch_embedding.weight', shape: [v.hidden, 3, v.patch, v.patch], init: 'linear' },
    { name: 'vision_tower.vision_model.embeddings.position_embedding.weight', shape: [4, v.hidden], init: 'embed' },
    { name: 'vision_tower.vision_model.post_layernorm.bias', shape: [v.hidden], init: 'bias' },
    { name: 'vision_tower.vision_model.post_layernorm.weight', shape: [v.hidden], init: 'scale' },
  ];
  return simpleTensors('gemma-vision', seed, specs, '');
}

const byName = (a: TensorToWrite, b: TensorToWrite) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
const tensorBytes = (t: TensorToWrite) => t.shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[t.dtype];

/** Writes tensors as HF shards `<stem>-0000k-of-0000n.safetensors` + `<stem>.safetensors.index.json`. */
function writeSharded(dir: string, stem: string, tensors: TensorToWrite[], shards: number, meta: Record<string, string>): string[] {
  const sorted = [...tensors].sort(byName);
  const per = Math.ceil(sorted.length / shards);
  const weightMap: Record<string, string> = {};
  const written: string[] = [];
  for (let k = 0; k < shards; k++) {
    const part = sorted.slice(k * per, (k + 1) * per);
    const file = `${stem}-${String(k + 1).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.safetensors`;
    writeSafetensors(join(dir, file), part, meta);
    for (const t of part) weightMap[t.name] = file;
    written.push(file);
  }
  const index = { metadata: { total_size: sorted.reduce((a, t) => a + tensorBytes(t), 0) }, weight_map: weightMap };
  writeFileSync(join(dir, `${stem}.safetensors.index.json`), `${JSON.stringify(index, null, 2)}\n`);
  return [`${stem}.safetensors.index.json`, ...written];
}

function writeTokenizer(dir: string, files: TokenizerFiles): string[] {
  writeFileSync(join(dir, 'tokenizer.json'), files.tokenizer);
  writeFileSync(join(dir, 'tokenizer_config.json'), files.config);
  writeFileSync(join(dir, 'special_tokens_map.json'), files.specialTokensMap);
  return ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json'];
}

function checkOptions(o: TinyModelOptions): Required<Omit<TinyModelOptions, 'dit'>> & { dit: TinyDitShape } {
  const seed = o.seed ?? 0;
  if (!Number.isSafeInteger(seed) || seed < 0) throw new StudioError('InvalidRequest', `seed ${seed} must be an integer 0 ≤ seed ≤ 2^53−1`);
  const size = o.size ?? 'tiny';
  if (!(size in TINY_DIT_PRESETS)) throw new StudioError('InvalidRequest', `size "${size}" is not one of tiny, bench, cancel`);
  const layout = o.layout ?? 'hub';
  if (layout !== 'hub' && layout !== 'single-file') throw new StudioError('InvalidRequest', `layout "${layout}" is not hub or single-file`);
  const jina = o.jina ?? 'raw';
  if (jina !== 'raw' && jina !== 'merged') throw new StudioError('InvalidRequest', `jina "${jina}" is not raw or merged`);
  const vaeAttention = o.vaeAttention ?? 'to_q';
  if (vaeAttention !== 'to_q' && vaeAttention !== 'query') {
    throw new StudioError('InvalidRequest', `vaeAttention "${vaeAttention}" is not to_q or query`);
  }
  const dit = { ...TINY_DIT_PRESETS[size], ...o.dit };
  const ints = [dit.nHeads, dit.nKvHeads, dit.nLayers, dit.nNoiseRefiner, dit.nContextRefiner, ...dit.axesDims];
  if (!ints.every((v) => Number.isInteger(v) && v > 0) || dit.axesDims.length !== 3 || dit.axesDims.some((a) => a % 2)) {
    throw new StudioError('InvalidRequest', `DiT shape ${JSON.stringify(dit)}: counts must be positive integers and axes_dims three even numbers`);
  }
  if (dit.nHeads % dit.nKvHeads !== 0) throw new StudioError('InvalidRequest', `n_heads ${dit.nHeads} is not a multiple of n_kv_heads ${dit.nKvHeads}`);
  return { seed, size, layout, jina, vaeAttention, dit };
}

/**
 * Writes a tiny NewBie-image-Exp0.1 package into `outDir` (created if needed; existing files are overwritten).
 * Hub layout: model_index.json; transformer/ (config + 2 shards + index); text_encoder/ (Gemma3ForConditionalGeneration
 * config, HF shards `model-0000k-of-00002` + index with `language_model.model.*`, `vision_tower.*`, `multi_modal_projector.*`,
 * tokenizer files); clip_model/ (config, model.safetensors with `text_model.transformer.roberta.*` raw LoRA weights or
 * merged ComfyUI names, tokenizer files); vae/ (config, decoder-only diffusion_pytorch_model.safetensors).
 * Single-file layout: the same folders with transformer/diffusion_pytorch_model.safetensors unsharded,
 * text_encoder/gemma3-4b-it.safetensors (`model.*`) and clip_model/jina-clip-v2.safetensors.
 * @throws StudioError InvalidRequest for bad options.
 */
export function makeTinyModel(outDir: string, options: TinyModelOptions = {}): TinyModelInfo {
  const o = checkOptions(options);
  const { seed } = o;
  const headDim = o.dit.axesDims.reduce((a, b) => a + b, 0);
  const tok = { gemma: gemmaTokenizerFiles(), jina: jinaTokenizerFiles() };
  const gemma: GemmaTextDims = { vocabSize: tok.gemma.vocabSize, ...GEMMA };
  const jina: JinaTextDims = { vocabSize: tok.jina.vocabSize, ...JINA };
  const dim = o.dit.nHeads * headDim;
  const dit: NextDitDims = {
    dim,
    nHeads: o.dit.nHeads,
    nKvHeads: o.dit.nKvHeads,
    headDim,
    nLayers: o.dit.nLayers,
    nNoiseRefiner: o.dit.nNoiseRefiner,
    nContextRefiner: o.dit.nContextRefiner,
    ffnDim: nextDitFfnDim(dim),
    adalnDim: Math.min(dim, 1024),
    capFeatDim: gemma.hidden,
    clipTextDim: jina.hidden,
    inChannels: 16,
    patchSize: 2,
  };
  const meta = { format: 'pt', newbie_studio_tiny: `random weights, seed ${seed}: produces noise` };
  const files: string[] = [];
  const dir = (sub: string) => {
    mkdirSync(join(outDir, sub), { recursive: true });
    return join(outDir, sub);
  };
  const json = (rel: string, value: unknown) => {
    writeFileSync(join(outDir, rel), `${JSON.stringify(value, null, 2)}\n`);
    files.push(rel);
  };
  const single = (rel: string, tensors: TensorToWrite[]) => {
    writeSafetensors(join(outDir, rel), [...tensors].sort(byName), meta);
    files.push(rel);
  };
  const hub = o.layout === 'hub';
  mkdirSync(outDir, { recursive: true });
  json('model_index.json', modelIndexJson());
  writeFileSync(join(outDir, 'README.md'), `# Tiny NewBie-image-Exp0.1 test model\n\n${meta.newbie_studio_tiny}. Made by \`newbie-studio models make-tiny\`.\n`);
  files.push('README.md');

  const tDir = dir('transformer');
  json('transformer/config.json', ditConfigJson(dit, o.dit.axesDims));
  const ditTensors = simpleTensors('dit', seed, nextDitTensorSpecs(dit), '');
  if (hub) files.push(...writeSharded(tDir, 'diffusion_pytorch_model', ditTensors, 2, meta).map((f) => `transformer/${f}`));
  else single('transformer/diffusion_pytorch_model.safetensors', ditTensors);

  const gDir = dir('text_encoder');
  json('text_encoder/config.json', gemmaConfigJson(gemma, { slidingWindow: GEMMA.slidingWindow, slidingWindowPattern: GEMMA.pattern }, GEMMA_VISION));
  const gemmaSpecs = gemmaTextTensorSpecs(gemma);
  if (hub) {
    const tensors = [...simpleTensors('gemma', seed, gemmaSpecs, 'language_model.model.'), ...gemmaVisionTensors(seed, gemma.hidden)];
    files.push(...writeSharded(gDir, 'model', tensors, 2, meta).map((f) => `text_encoder/${f}`));
  } else {
    single('text_encoder/gemma3-4b-it.safetensors', simpleTensors('gemma', seed, gemmaSpecs, 'model.'));
  }
  files.push(...writeTokenizer(gDir, tok.gemma).map((f) => `text_encoder/${f}`));

  const cDir = dir('clip_model');
  json('clip_model/config.json', jinaConfigJson(jina, JINA.heads));
  const jinaPrefix = o.jina === 'raw' ? 'text_model.transformer.roberta.' : '';
  single(hub ? 'clip_model/model.safetensors' : 'clip_model/jina-clip-v2.safetensors', jinaTensors(seed, jina, o.jina, jinaPrefix));
  files.push(...writeTokenizer(cDir, tok.jina).map((f) => `clip_model/${f}`));

  dir('vae');
  json('vae/config.json', vaeConfigJson(VAE, VAE_NORM_GROUPS));
  single('vae/diffusion_pytorch_model.safetensors', simpleTensors('vae', seed, vaeDecoderTensorSpecs(VAE, o.vaeAttention), 'decoder.'));

  return {
    root: outDir,
    layout: o.layout,
    files,
    dit: { ...dit, axesDims: [...o.dit.axesDims] },
    gemma: { ...gemma, slidingWindow: GEMMA.slidingWindow },
    jina: { ...jina, heads: JINA.heads, form: o.jina },
    vae: { ...VAE, attention: o.vaeAttention },
  };
}
