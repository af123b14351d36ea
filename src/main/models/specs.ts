/**
 * Tensor name/shape tables of the four NewBie-image-Exp0.1 components, as functions of their dimensions.
 * Used by the tiny model generator (what to write) and by the model check (what to expect).
 * Sources: newbie-model.md §1.5 (NextDiT_CLIP, [EXP] models/model.py), §1.6 (Gemma3, transformers modeling_gemma3.py),
 * §1.7 (Jina CLIP v2 text tower, jinaai/xlm_roberta/modeling_lora.py), §1.8 (diffusers AutoencoderKL decoder);
 * cross-checked against the golden headers in ../shared/golden (dit-b, gemma-b, jina-a, vae-a).
 */

/** How the generator initialises a tensor (the check ignores it). */
export type InitKind =
  | 'linear' // N(0, 1/fan_in), fan_in = prod(shape[1:])
  | 'bias' // N(0, 0.02²)
  | 'scale' // 1 + N(0, 0.05²): norms applied as x·w (DiT RMSNorm, LayerNorm, GroupNorm)
  | 'gemmaNorm' // N(0, 0.1²): Gemma RMSNorm applied as x·(1+w)
  | 'embed' // N(0, 0.5²)
  | 'lora'; // N(0, 0.1²)

export interface TensorSpec {
  name: string;
  shape: number[];
  init: InitKind;
}

// ───────────────────────────── NextDiT_CLIP ─────────────────────────────

/** Dimensions of a NextDiT_CLIP transformer. Real model: dim 2304, 36 layers, 24/8 heads, head_dim 96, F 9216. */
export interface NextDitDims {
  dim: number;
  nHeads: number;
  nKvHeads: number;
  /** = dim / nHeads, and = sum(axes_dims) for RoPE. */
  headDim: number;
  nLayers: number;
  /** noise_refiner depth (modulated blocks). */
  nNoiseRefiner: number;
  /** context_refiner depth (blocks without adaLN). */
  nContextRefiner: number;
  /** SwiGLU hidden width: roundup(4·dim, multiple_of 256) in [EXP] models/model.py. */
  ffnDim: number;
  /** AdaLN width: min(dim, 1024). */
  adalnDim: number;
  /** Gemma hidden size (cap_feat_dim). */
  capFeatDim: number;
  /** Jina hidden size (clip_text_dim). */
  clipTextDim: number;
  inChannels: number;
  patchSize: number;
}

/** SwiGLU width of NextDiT's FeedForward: hidden = multiple_of · ceil(4·dim / multiple_of) ([EXP] models/model.py). */
export function nextDitFfnDim(dim: number, multipleOf = 256): number {
  return multipleOf * Math.ceil((4 * dim) / multipleOf);
}

/** The 13 (modulated) or 11 (context refiner) tensors of one JointTransformerBlock. */
function ditBlock(prefix: string, d: NextDitDims, modulated: boolean): TensorSpec[] {
  const qkvRows = (d.nHeads + 2 * d.nKvHeads) * d.headDim;
  const out: TensorSpec[] = [
    { name: `${prefix}.attention.qkv.weight`, shape: [qkvRows, d.dim], init: 'linear' },
    { name: `${prefix}.attention.out.weight`, shape: [d.dim, d.nHeads * d.headDim], init: 'linear' },
    { name: `${prefix}.attention.q_norm.weight`, shape: [d.headDim], init: 'scale' },
    { name: `${prefix}.attention.k_norm.weight`, shape: [d.headDim], init: 'scale' },
    { name: `${prefix}.feed_forward.w1.weight`, shape: [d.ffnDim, d.dim], init: 'linear' },
    { name: `${prefix}.feed_forward.w2.weight`, shape: [d.dim, d.ffnDim], init: 'linear' },
    { name: `${prefix}.feed_forward.w3.weight`, shape: [d.ffnDim, d.dim], init: 'linear' },
    { name: `${prefix}.attention_norm1.weight`, shape: [d.dim], init: 'scale' },
    { name: `${prefix}.attention_norm2.weight`, shape: [d.dim], init: 'scale' },
    { name: `${prefix}.ffn_norm1.weight`, shape: [d.dim], init: 'scale' },
    { name: `${prefix}.ffn_norm2.weight`, shape: [d.dim], init: 'scale' },
  ];
  if (modulated) {
    out.push(
      { name: `${prefix}.adaLN_modulation.1.weight`, shape: [4 * d.dim, d.adalnDim], init: 'linear' },
      { name: `${prefix}.adaLN_modulation.1.bias`, shape: [4 * d.dim], init: 'bias' },
    );
  }
  return out;
}

/**
 * Every tensor of a NextDiT_CLIP state dict (original key names, no prefix), in module order.
 * Count = (nLayers + nNoiseRefiner)·13 + nContextRefiner·11 + 19 (535 for the real model, newbie-model.md §1.5).
 */
export function nextDitTensorSpecs(d: NextDitDims): TensorSpec[] {
  const patchDim = d.patchSize * d.patchSize * d.inChannels;
  const A = d.adalnDim;
  const P = d.clipTextDim;
  const specs: TensorSpec[] = [
    { name: 'x_embedder.weight', shape: [d.dim, patchDim], init: 'linear' },
    { name: 'x_embedder.bias', shape: [d.dim], init: 'bias' },
    { name: 't_embedder.mlp.0.weight', shape: [A, 256], init: 'linear' },
    { name: 't_embedder.mlp.0.bias', shape: [A], init: 'bias' },
    { name: 't_embedder.mlp.2.weight', shape: [A, A], init: 'linear' },
    { name: 't_embedder.mlp.2.bias', shape: [A], init: 'bias' },
    { name: 'cap_embedder.0.weight', shape: [d.capFeatDim], init: 'scale' },
    { name: 'cap_embedder.1.weight', shape: [d.dim, d.capFeatDim], init: 'linear' },
    { name: 'cap_embedder.1.bias', shape: [d.dim], init: 'bias' },
    { name: 'clip_text_pooled_proj.0.weight', shape: [P], init: 'scale' },
    { name: 'clip_text_pooled_proj.1.weight', shape: [P, P], init: 'linear' },
    { name: 'clip_text_pooled_proj.1.bias', shape: [P], init: 'bias' },
    { name: 'time_text_embed.1.weight', shape: [A, A + P], init: 'linear' },
    { name: 'time_text_embed.1.bias', shape: [A], init: 'bias' },
  ];
  for (let i = 0; i < d.nNoiseRefiner; i++) specs.push(...ditBlock(`noise_refiner.${i}`, d, true));
  for (let i = 0; i < d.nContextRefiner; i++) specs.push(...ditBlock(`context_refiner.${i}`, d, false));
  for (let i = 0; i < d.nLayers; i++) specs.push(...ditBlock(`layers.${i}`, d, true));
  specs.push(
    { name: 'norm_final.weight', shape: [d.dim], init: 'scale' },
    { name: 'final_layer.adaLN_modulation.1.weight', shape: [d.dim, A], init: 'linear' },
    { name: 'final_layer.adaLN_modulation.1.bias', shape: [d.dim], init: 'bias' },
    { name: 'final_layer.linear.weight', shape: [patchDim, d.dim], init: 'linear' },
    { name: 'final_layer.linear.bias', shape: [patchDim], init: 'bias' },
  );
  return specs;
}

// ───────────────────────────── Gemma3 text ─────────────────────────────

/** Gemma3 text tower dims. Real gemma-3-4b-it: vocab 262208, hidden 2560, 34 layers, 8/4 heads, head_dim 256, FFN 10240. */
export interface GemmaTextDims {
  vocabSize: number;
  hidden: number;
  intermediate: number;
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
}

/** Gemma3TextModel tensors under the text-model prefix (`embed_tokens.weight`, `layers.N.…`, `norm.weight`). */
export function gemmaTextTensorSpecs(d: GemmaTextDims): TensorSpec[] {
  const specs: TensorSpec[] = [{ name: 'embed_tokens.weight', shape: [d.vocabSize, d.hidden], init: 'embed' }];
  for (let i = 0; i < d.layers; i++) {
    const p = `layers.${i}`;
    specs.push(
      { name: `${p}.input_layernorm.weight`, shape: [d.hidden], init: 'gemmaNorm' },
      { name: `${p}.mlp.down_proj.weight`, shape: [d.hidden, d.intermediate], init: 'linear' },
      { name: `${p}.mlp.gate_proj.weight`, shape: [d.intermediate, d.hidden], init: 'linear' },
      { name: `${p}.mlp.up_proj.weight`, shape: [d.intermediate, d.hidden], init: 'linear' },
      { name: `${p}.post_attention_layernorm.weight`, shape: [d.hidden], init: 'gemmaNorm' },
      { name: `${p}.post_feedforward_layernorm.weight`, shape: [d.hidden], init: 'gemmaNorm' },
      { name: `${p}.pre_feedforward_layernorm.weight`, shape: [d.hidden], init: 'gemmaNorm' },
      { name: `${p}.self_attn.k_norm.weight`, shape: [d.headDim], init: 'gemmaNorm' },
      { name: `${p}.self_attn.k_proj.weight`, shape: [d.kvHeads * d.headDim, d.hidden], init: 'linear' },
      { name: `${p}.self_attn.o_proj.weight`, shape: [d.hidden, d.heads * d.headDim], init: 'linear' },
      { name: `${p}.self_attn.q_norm.weight`, shape: [d.headDim], init: 'gemmaNorm' },
      { name: `${p}.self_attn.q_proj.weight`, shape: [d.heads * d.headDim, d.hidden], init: 'linear' },
      { name: `${p}.self_attn.v_proj.weight`, shape: [d.kvHeads * d.headDim, d.hidden], init: 'linear' },
    );
  }
  specs.push({ name: 'norm.weight', shape: [d.hidden], init: 'gemmaNorm' });
  return specs;
}

// ───────────────────────────── Jina CLIP v2 text ─────────────────────────────

/** Jina CLIP v2 text tower (XLM-RoBERTa + LoRA). Real: vocab 250002, hidden 1024, 24 layers, FFN 4096, 2+ LoRA tasks rank 4. */
export interface JinaTextDims {
  vocabSize: number;
  hidden: number;
  layers: number;
  intermediate: number;
  loraTasks: number;
  loraRank: number;
}

/** Names after the `text_model.transformer.roberta.` prefix in raw form, ComfyUI names (no prefix) when merged. */
export function jinaTextTensorSpecs(d: JinaTextDims, form: 'raw' | 'merged'): TensorSpec[] {
  const H = d.hidden;
  const specs: TensorSpec[] = [];
  const T = d.loraTasks;
  const r = d.loraRank;
  // Embedding LoRA: lora_A [T, vocab, r], lora_B [T, r, dim]; Linear LoRA: lora_A [T, r, in], lora_B [T, out, r].
  const embedding = (base: string, rows: number) => {
    if (form === 'merged') return specs.push({ name: `${base}.weight`, shape: [rows, H], init: 'embed' });
    specs.push(
      { name: `${base}.parametrizations.weight.0.lora_A`, shape: [T, rows, r], init: 'lora' },
      { name: `${base}.parametrizations.weight.0.lora_B`, shape: [T, r, H], init: 'lora' },
      { name: `${base}.parametrizations.weight.original`, shape: [rows, H], init: 'embed' },
    );
  };
  const linear = (base: string, out: number, inp: number) => {
    specs.push({ name: `${base}.bias`, shape: [out], init: 'bias' });
    if (form === 'merged') return specs.push({ name: `${base}.weight`, shape: [out, inp], init: 'linear' });
    specs.push(
      { name: `${base}.parametrizations.weight.0.lora_A`, shape: [T, r, inp], init: 'lora' },
      { name: `${base}.parametrizations.weight.0.lora_B`, shape: [T, out, r], init: 'lora' },
      { name: `${base}.parametrizations.weight.original`, shape: [out, inp], init: 'linear' },
    );
  };
  specs.push({ name: 'emb_ln.bias', shape: [H], init: 'bias' }, { name: 'emb_ln.weight', shape: [H], init: 'scale' });
  embedding('embeddings.token_type_embeddings', 1);
  embedding('embeddings.word_embeddings', d.vocabSize);
  for (let i = 0; i < d.layers; i++) {
    const p = `encoder.layers.${i}`;
    linear(`${p}.mixer.Wqkv`, 3 * H, H);
    linear(`${p}.mixer.out_proj`, H, H);
    linear(`${p}.mlp.fc1`, d.intermediate, H);
    linear(`${p}.mlp.fc2`, H, d.intermediate);
    specs.push(
      { name: `${p}.norm1.bias`, shape: [H], init: 'bias' },
      { name: `${p}.norm1.weight`, shape: [H], init: 'scale' },
      { name: `${p}.norm2.bias`, shape: [H], init: 'bias' },
      { name: `${p}.norm2.weight`, shape: [H], init: 'scale' },
    );
  }
  return specs;
}

// ───────────────────────────── FLUX VAE decoder ─────────────────────────────

/** AutoencoderKL decoder dims. FLUX.1-dev: latent 16, block_out [128,256,512,512], layers_per_block 2, out 3. */
export interface VaeDecoderDims {
  latentChannels: number;
  blockOutChannels: number[];
  layersPerBlock: number;
  outChannels: number;
}

/** Decoder tensors under `decoder.` (diffusers names; attention as to_q/… or the older query/…/proj_attn). */
export function vaeDecoderTensorSpecs(d: VaeDecoderDims, attention: 'to_q' | 'query'): TensorSpec[] {
  const specs: TensorSpec[] = [];
  const conv = (name: string, out: number, inp: number, k: number) =>
    specs.push({ name: `${name}.weight`, shape: [out, inp, k, k], init: 'linear' }, { name: `${name}.bias`, shape: [out], init: 'bias' });
  const norm = (name: string, ch: number) =>
    specs.push({ name: `${name}.weight`, shape: [ch], init: 'scale' }, { name: `${name}.bias`, shape: [ch], init: 'bias' });
  const lin = (name: string, ch: number) =>
    specs.push({ name: `${name}.weight`, shape: [ch, ch], init: 'linear' }, { name: `${name}.bias`, shape: [ch], init: 'bias' });
  const resnet = (p: string, inp: number, out: number) => {
    norm(`${p}.norm1`, inp);
    conv(`${p}.conv1`, out, inp, 3);
    norm(`${p}.norm2`, out);
    conv(`${p}.conv2`, out, out, 3);
    if (inp !== out) conv(`${p}.conv_shortcut`, out, inp, 1);
  };
  const rev = [...d.blockOutChannels].reverse();
  const top = rev[0];
  conv('conv_in', top, d.latentChannels, 3);
  resnet('mid_block.resnets.0', top, top);
  norm('mid_block.attentions.0.group_norm', top);
  const [q, k, v, o] = attention === 'to_q' ? ['to_q', 'to_k', 'to_v', 'to_out.0'] : ['query', 'key', 'value', 'proj_attn'];
  for (const n of [q, k, v, o]) lin(`mid_block.attentions.0.${n}`, top);
  resnet('mid_block.resnets.1', top, top);
  let prev = top;
  rev.forEach((ch, i) => {
    for (let j = 0; j <= d.layersPerBlock; j++) resnet(`up_blocks.${i}.resnets.${j}`, j === 0 ? prev : ch, ch);
    if (i < rev.length - 1) conv(`up_blocks.${i}.upsamplers.0.conv`, ch, ch, 3);
    prev = ch;
  });
  norm('conv_norm_out', d.blockOutChannels[0]);
  conv('conv_out', d.outChannels, d.blockOutChannels[0], 3);
  return specs;
}
