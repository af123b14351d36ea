/**
 * Dimensions of each component read from tensor shapes (conventions.md §4: sizes come from shapes; config.json only
 * for what shapes cannot tell). Each reader falls back to the config (or a published default) when the tensor it
 * would read is absent, so the model check can still list what is missing. Shapes: newbie-model.md §1.5-1.8.
 */
import type { WeightSet } from '../engine/safetensors';
import type { DitComponent, GemmaComponent, JinaComponent, VaeComponent } from './layout';
import { nextDitFfnDim, type GemmaTextDims, type JinaTextDims, type NextDitDims, type VaeDecoderDims } from './specs';

/** Highest N + 1 over keys `${prefix}${block}.N.…`, or 0. */
export function countBlocks(weights: WeightSet, prefix: string, block: string): number {
  const re = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}${block.replace(/\./g, '\\.')}\\.(\\d+)\\.`);
  let n = 0;
  for (const name of weights.tensors.keys()) {
    const m = re.exec(name);
    if (m) n = Math.max(n, Number(m[1]) + 1);
  }
  return n;
}

const dimOf = (w: WeightSet, name: string, axis: number): number | undefined => w.tensors.get(name)?.shape[axis];
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/**
 * NextDiT dims from shapes: dim (x_embedder rows), head_dim (q_norm), heads (out.weight cols / head_dim), KV heads
 * (qkv rows), F (w1 rows), AdaLN width (t_embedder), cap_feat_dim, clip_text_dim; layer count from config.n_layers
 * when present (so a missing block shows up as missing), refiner depths = max(found, 2) (code default).
 */
export function inferDitDims(c: Pick<DitComponent, 'weights' | 'prefix' | 'config'>): NextDitDims {
  const { weights: w, prefix: p, config } = c;
  const patchSize = num(config['patch_size']) ?? 2;
  const block = ['layers.0', 'noise_refiner.0', 'context_refiner.0'].find((b) => w.has(`${p}${b}.attention.q_norm.weight`)) ?? 'layers.0';
  const dim = dimOf(w, `${p}x_embedder.weight`, 0) ?? num(config['dim']) ?? 0;
  const patchDim = dimOf(w, `${p}x_embedder.weight`, 1);
  const axesSum = Array.isArray(config['axes_dims']) ? (config['axes_dims'] as number[]).reduce((a, b) => a + b, 0) : undefined;
  const headDim = dimOf(w, `${p}${block}.attention.q_norm.weight`, 0) ?? axesSum ?? 1;
  const nHeads = Math.round((dimOf(w, `${p}${block}.attention.out.weight`, 1) ?? dim) / headDim);
  const qkvRows = dimOf(w, `${p}${block}.attention.qkv.weight`, 0);
  const nKvHeads = qkvRows !== undefined ? Math.round((qkvRows / headDim - nHeads) / 2) : (num(config['n_kv_heads']) ?? nHeads);
  return {
    dim,
    nHeads,
    nKvHeads,
    headDim,
    nLayers: num(config['n_layers']) ?? countBlocks(w, p, 'layers'),
    nNoiseRefiner: Math.max(2, countBlocks(w, p, 'noise_refiner')),
    nContextRefiner: Math.max(2, countBlocks(w, p, 'context_refiner')),
    ffnDim: dimOf(w, `${p}${block}.feed_forward.w1.weight`, 0) ?? nextDitFfnDim(dim),
    adalnDim: dimOf(w, `${p}t_embedder.mlp.0.weight`, 0) ?? Math.min(dim, 1024),
    capFeatDim: dimOf(w, `${p}cap_embedder.0.weight`, 0) ?? 0,
    clipTextDim: dimOf(w, `${p}clip_text_pooled_proj.0.weight`, 0) ?? num(config['clip_text_dim']) ?? 0,
    inChannels: patchDim !== undefined ? patchDim / (patchSize * patchSize) : (num(config['in_channels']) ?? 16),
    patchSize,
  };
}

/** Gemma3 text dims: vocab/hidden from embed_tokens, layers counted, heads from q_proj rows / q_norm width. */
export function inferGemmaDims(c: Pick<GemmaComponent, 'weights' | 'prefix' | 'config'>): GemmaTextDims {
  const { weights: w, prefix: p, config } = c;
  const headDim = dimOf(w, `${p}layers.0.self_attn.q_norm.weight`, 0) ?? num(config['head_dim']) ?? 256;
  return {
    vocabSize: dimOf(w, `${p}embed_tokens.weight`, 0) ?? 0,
    hidden: dimOf(w, `${p}embed_tokens.weight`, 1) ?? 0,
    intermediate: dimOf(w, `${p}layers.0.mlp.gate_proj.weight`, 0) ?? 0,
    layers: num(config['num_hidden_layers']) ?? countBlocks(w, p, 'layers'),
    heads: Math.round((dimOf(w, `${p}layers.0.self_attn.q_proj.weight`, 0) ?? 0) / headDim),
    kvHeads: Math.round((dimOf(w, `${p}layers.0.self_attn.k_proj.weight`, 0) ?? 0) / headDim),
    headDim,
  };
}

/** Jina text dims: vocab/hidden from word embeddings, layers counted, FFN from fc1, LoRA tasks/rank from lora_A. */
export function inferJinaDims(c: Pick<JinaComponent, 'weights' | 'prefix' | 'form'>): JinaTextDims {
  const { weights: w, prefix: p, form } = c;
  const wsuffix = form === 'raw' ? 'parametrizations.weight.original' : 'weight';
  const loraA = w.tensors.get(`${p}encoder.layers.0.mixer.Wqkv.parametrizations.weight.0.lora_A`);
  return {
    vocabSize: dimOf(w, `${p}embeddings.word_embeddings.${wsuffix}`, 0) ?? 0,
    hidden: dimOf(w, `${p}embeddings.word_embeddings.${wsuffix}`, 1) ?? 0,
    layers: countBlocks(w, p, 'encoder.layers'),
    intermediate: dimOf(w, `${p}encoder.layers.0.mlp.fc1.${wsuffix}`, 0) ?? 0,
    loraTasks: loraA?.shape[0] ?? 0,
    loraRank: loraA?.shape[1] ?? 0,
  };
}

/** VAE decoder dims: channels of each up block (reversed = block_out_channels), resnets per block − 1. */
export function inferVaeDims(c: Pick<VaeComponent, 'weights' | 'prefix' | 'config'>): VaeDecoderDims {
  const { weights: w, prefix: p, config } = c;
  const nBlocks = countBlocks(w, p, 'up_blocks');
  const rev: number[] = [];
  for (let i = 0; i < nBlocks; i++) rev.push(dimOf(w, `${p}up_blocks.${i}.resnets.0.conv2.weight`, 0) ?? 0);
  const cfgChannels = Array.isArray(config['block_out_channels']) ? (config['block_out_channels'] as number[]) : [];
  return {
    latentChannels: dimOf(w, `${p}conv_in.weight`, 1) ?? num(config['latent_channels']) ?? 16,
    blockOutChannels: rev.length ? rev.reverse() : cfgChannels,
    layersPerBlock: Math.max(0, countBlocks(w, p, 'up_blocks.0.resnets') - 1),
    outChannels: dimOf(w, `${p}conv_out.weight`, 0) ?? 3,
  };
}
