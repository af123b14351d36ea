/**
 * ONNX graphs of the NewBie NextDiT, split as newbie-model.md §2.11 suggests:
 * - caption graph (once per prompt): cap_feats [L, C] → cap_embedder (RMSNorm in fp32 + Linear) → context refiner
 *   blocks with caption RoPE → cap_refined [L, D];
 * - main graph (once per step and CFG branch): time embedding (fp32 Sin/Cos, cos first) + pooled fusion → adaLN input,
 *   x_embedder → noise refiner (image tokens, image RoPE rows) → [caption ; image] → main blocks → final layer on the
 *   image rows → velocity_tokens [N, p²·C].
 * Graph I/O is float32; activations flow in the compute dtype; weights stay in their stored dtype and are Cast inside.
 * RMSNorm statistics, RoPE, softmax and the time embedding run in fp32 (architecture.md §4, newbie-model.md §5).
 * One sample per run; L, N and L+N are symbolic so one session serves every prompt length and resolution.
 * Source: NewBieAI-Lab/NewBie-image-Exp0.1 @709e9a4 `models/model.py` (`NextDiT_CLIP.forward`,
 * `JointTransformerBlock.forward`, `JointAttention.forward`, `FeedForward`, `FinalLayer`, `TimestepEmbedder`),
 * `models/components.py` (`RMSNorm`).
 */
import { GraphBuilder, type Value } from '../onnx/graph';
import { attention, layerNorm, linear, reshape, rmsNorm, silu, splitLast, type Ctx } from '../onnx/layers';
import type { WeightSet } from '../safetensors/weightSet';
import type { DitConfig } from './nextDitConfig';
import { timestepFrequencies } from './nextDitRope';

/** Compute dtype of the DiT's activations. */
export type DitComputeDtype = 'float32' | 'float16' | 'bfloat16';

export interface DitGraphOptions {
  /** Prepended to every weight key ('' for the official file). */
  prefix: string;
  dtype: DitComputeDtype;
}

/** Graph input/output names (the runner and tests feed these). */
export const DIT_IO = {
  caption: { capFeats: 'cap_feats', cos: 'rope_cos', sin: 'rope_sin', out: 'cap_refined' },
  main: {
    patches: 'img_patches',
    capRefined: 'cap_refined',
    t: 't',
    pooled: 'pooled',
    cos: 'rope_cos',
    sin: 'rope_sin',
    jointIndex: 'joint_index',
    out: 'velocity_tokens',
  },
} as const;

interface B {
  ctx: Ctx;
  cfg: DitConfig;
  weights: WeightSet;
  prefix: string;
}

const W = (b: B, name: string) => b.weights.get(b.prefix + name);

/** x · (1 + s), s [1, D] broadcast over tokens (reference `modulate`). */
function modulate(b: B, x: Value, scale: Value): Value {
  const g = b.ctx.g;
  return g.op1('Mul', [x, g.op1('Add', [scale, g.scalar(1, b.ctx.dtype)])]);
}

/**
 * One `JointTransformerBlock` on tokens x [S, D] with RoPE rows cos/sin [1, S, Hd/2]. `adalnSilu` = SiLU(adaLN input)
 * [1, A] for modulated blocks (main, noise refiner), null for the context refiner.
 * x += tanh(g_msa)·norm2(Attn(norm1(x)·(1+s_msa))); x += tanh(g_mlp)·ffn_norm2(FFN(ffn_norm1(x)·(1+s_mlp))).
 */
function jointBlock(b: B, p: string, x: Value, cos: Value, sin: Value, adalnSilu: Value | null): Value {
  const { ctx, cfg } = b;
  const g = ctx.g;
  const D = cfg.dim, Hd = cfg.headDim;
  let mod: Value[] | null = null;
  if (adalnSilu) {
    const m = linear(ctx, adalnSilu, W(b, `${p}adaLN_modulation.1.weight`), W(b, `${p}adaLN_modulation.1.bias`));
    mod = splitLast(ctx, m, [D, D, D, D]); // scale_msa, gate_msa, scale_mlp, gate_mlp
  }
  let h = rmsNorm(ctx, x, W(b, `${p}attention_norm1.weight`), cfg.normEps);
  if (mod) h = modulate(b, h, mod[0]);
  const qkv = linear(ctx, h, W(b, `${p}attention.qkv.weight`));
  const [q, k, v] = splitLast(ctx, qkv, [cfg.nHeads * Hd, cfg.nKvHeads * Hd, cfg.nKvHeads * Hd]);
  let a = attention(ctx, {
    q,
    k,
    v,
    numHeads: cfg.nHeads,
    numKvHeads: cfg.nKvHeads,
    headDim: Hd,
    qkNorm: { q: W(b, `${p}attention.q_norm.weight`), k: W(b, `${p}attention.k_norm.weight`), eps: cfg.qkNormEps, onePlus: false },
    rope: { cos, sin, interleaved: true },
  });
  a = linear(ctx, a, W(b, `${p}attention.out.weight`));
  a = rmsNorm(ctx, a, W(b, `${p}attention_norm2.weight`), cfg.normEps);
  if (mod) a = g.op1('Mul', [a, g.op1('Tanh', [mod[1]])]);
  x = g.op1('Add', [x, a]);

  let f = rmsNorm(ctx, x, W(b, `${p}ffn_norm1.weight`), cfg.normEps);
  if (mod) f = modulate(b, f, mod[2]);
  const w1 = linear(ctx, f, W(b, `${p}feed_forward.w1.weight`));
  const w3 = linear(ctx, f, W(b, `${p}feed_forward.w3.weight`));
  f = linear(ctx, g.op1('Mul', [silu(ctx, w1), w3]), W(b, `${p}feed_forward.w2.weight`));
  f = rmsNorm(ctx, f, W(b, `${p}ffn_norm2.weight`), cfg.normEps);
  if (mod) f = g.op1('Mul', [f, g.op1('Tanh', [mod[3]])]);
  return g.op1('Add', [x, f]);
}

/**
 * Caption graph. Inputs: `cap_feats` f32 [L, C], `rope_cos`/`rope_sin` f32 [1, L, Hd/2] (caption rows of
 * `ditRopeTables`). Output: `cap_refined` f32 [L, D].
 * cap_embedder's RMSNorm (eps capEmbedderEps) runs in fp32 whatever the compute dtype: Gemma's hidden states are
 * large and x² overflows fp16 (newbie-model.md §5).
 * @throws GraphBuildError if a bf16 value would reach an op without a bf16 CUDA kernel (a builder bug)
 */
export function buildDitCaptionGraph(weights: WeightSet, cfg: DitConfig, opts: DitGraphOptions): GraphBuilder {
  const g = new GraphBuilder(`nextdit-caption-${opts.dtype}`);
  const b: B = { ctx: { g, dtype: opts.dtype }, cfg, weights, prefix: opts.prefix };
  const io = DIT_IO.caption;
  const half = cfg.headDim / 2;
  const capFeats = g.input(io.capFeats, 'float32', ['L', cfg.capFeatDim]);
  const cos = g.input(io.cos, 'float32', [1, 'L', half]);
  const sin = g.input(io.sin, 'float32', [1, 'L', half]);
  const normed = rmsNorm({ g, dtype: 'float32' }, capFeats, W(b, 'cap_embedder.0.weight'), cfg.capEmbedderEps);
  let x = linear(b.ctx, g.cast(normed, opts.dtype), W(b, 'cap_embedder.1.weight'), W(b, 'cap_embedder.1.bias'));
  for (let i = 0; i < cfg.nContextRefiner; i++) x = jointBlock(b, `context_refiner.${i}.`, x, cos, sin, null);
  g.output(g.cast(x, 'float32'), io.out, ['L', cfg.dim]);
  return g;
}

/**
 * adaLN input [1, A] from t [1] and pooled [P]: t_emb = mlp(cat[cos(t·f), sin(t·f)]) with f from
 * `timestepFrequencies` (Sin/Cos in fp32), clip = Linear(RMSNorm(pooled)), adaln = Linear(SiLU(cat[t_emb, clip])).
 */
function adalnInput(b: B, t: Value, pooled: Value): Value {
  const { ctx, cfg } = b;
  const g = ctx.g;
  const freqs = timestepFrequencies(cfg.timestepFreqDim);
  const args = g.op1('Mul', [reshape(ctx, t, [1, 1]), g.constF32(freqs, [1, freqs.length])]);
  const tFreq = g.op1('Concat', [g.op1('Cos', [args]), g.op1('Sin', [args])], { axis: -1 });
  let tEmb = linear(ctx, g.cast(tFreq, ctx.dtype), W(b, 't_embedder.mlp.0.weight'), W(b, 't_embedder.mlp.0.bias'));
  tEmb = linear(ctx, silu(ctx, tEmb), W(b, 't_embedder.mlp.2.weight'), W(b, 't_embedder.mlp.2.bias'));
  const p = rmsNorm(ctx, g.cast(reshape(ctx, pooled, [1, cfg.clipTextDim]), ctx.dtype), W(b, 'clip_text_pooled_proj.0.weight'), cfg.clipPooledEps);
  const clipEmb = linear(ctx, p, W(b, 'clip_text_pooled_proj.1.weight'), W(b, 'clip_text_pooled_proj.1.bias'));
  const fused = silu(ctx, g.op1('Concat', [tEmb, clipEmb], { axis: -1 }));
  return linear(ctx, fused, W(b, 'time_text_embed.1.weight'), W(b, 'time_text_embed.1.bias'));
}

/**
 * Main graph. Inputs: `img_patches` f32 [N, p²·C] (`patchify`), `cap_refined` f32 [L, D] (caption graph), `t` f32 [1]
 * (model time, 0 = noise → 1 = data), `pooled` f32 [P] (Jina pooled vector), `rope_cos`/`rope_sin` f32
 * [1, L+N, Hd/2] (`ditRopeTables` over caption + image), `joint_index` int64 [L+N] = 0, 1, …, L+N−1.
 * Output: `velocity_tokens` f32 [N, p²·C] (`unpatchify`).
 * @throws GraphBuildError if a bf16 value would reach an op without a bf16 CUDA kernel (a builder bug)
 */
export function buildDitMainGraph(weights: WeightSet, cfg: DitConfig, opts: DitGraphOptions): GraphBuilder {
  const g = new GraphBuilder(`nextdit-main-${opts.dtype}`);
  const b: B = { ctx: { g, dtype: opts.dtype }, cfg, weights, prefix: opts.prefix };
  const { ctx } = b;
  const io = DIT_IO.main;
  const half = cfg.headDim / 2;
  const patchDim = cfg.patchSize * cfg.patchSize * cfg.inChannels;
  const patches = g.input(io.patches, 'float32', ['N', patchDim]);
  const capRefined = g.input(io.capRefined, 'float32', ['L', cfg.dim]);
  const t = g.input(io.t, 'float32', [1]);
  const pooled = g.input(io.pooled, 'float32', [cfg.clipTextDim]);
  const cos = g.input(io.cos, 'float32', [1, 'L_plus_N', half]);
  const sin = g.input(io.sin, 'float32', [1, 'L_plus_N', half]);
  const jointIndex = g.input(io.jointIndex, 'int64', ['L_plus_N']);

  // SiLU(adaLN input) is the first op of every adaLN_modulation: compute it once for all blocks.
  const adalnSilu = silu(ctx, adalnInput(b, t, pooled));

  // Caption length L as a 1-element int64 tensor: image rows start there (RoPE table and joint tokens).
  const L = g.op1('Shape', [capRefined], { start: 0, end: 1 }, { outType: 'int64' });
  const end = g.constI64([Number.MAX_SAFE_INTEGER]);
  const fromL = (x: Value, axis: number) => g.op1('Slice', [x, L, end, g.constI64([axis])]);
  const imgCos = fromL(cos, 1), imgSin = fromL(sin, 1);

  let img = linear(ctx, g.cast(patches, ctx.dtype), W(b, 'x_embedder.weight'), W(b, 'x_embedder.bias'));
  for (let i = 0; i < cfg.nNoiseRefiner; i++) img = jointBlock(b, `noise_refiner.${i}.`, img, imgCos, imgSin, adalnSilu);

  // Gather with 0..L+N−1 is an identity that names the joint length: Concat's shape inference leaves the summed dim
  // unnamed, and ORT's allocation planner cannot reuse buffers of unnamed shapes, which made session creation
  // quadratic in the block count (3.5 s for the 36-block graph; bench/dit-graph.ts).
  const joint = g.op1('Concat', [g.cast(capRefined, ctx.dtype), img], { axis: 0 });
  let x = g.op1('Gather', [joint, jointIndex], { axis: 0 });
  for (let i = 0; i < cfg.nLayers; i++) x = jointBlock(b, `layers.${i}.`, x, cos, sin, adalnSilu);

  // Final layer on the image rows only (LayerNorm and Linear are per token, so slicing first is exact).
  const imgTokens = fromL(x, 0);
  const scale = linear(ctx, adalnSilu, W(b, 'final_layer.adaLN_modulation.1.weight'), W(b, 'final_layer.adaLN_modulation.1.bias'));
  const normed = modulate(b, layerNorm(ctx, imgTokens, cfg.finalEps, cfg.dim), scale);
  const out = linear(ctx, normed, W(b, 'final_layer.linear.weight'), W(b, 'final_layer.linear.bias'));
  g.output(g.cast(out, 'float32'), io.out, ['N', patchDim]);
  return g;
}
