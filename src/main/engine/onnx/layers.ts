/**
 * Building blocks shared by the four architectures, emitted in the forms measured to work on ORT 1.30
 * (onnx-ops.md §3). Every block is dtype-generic: activations flow in `ctx.dtype`, weights are cast from their
 * on-disk dtype when it differs, and precision-sensitive parts (RMSNorm statistics, softmax) compute in fp32.
 * Token tensors are 2-D `[S, D]` (one sample per run: batch and CFG branches run as separate B=1 runs).
 */
import type { TensorInfo } from '../safetensors/reader';
import type { GraphBuilder, Value } from './graph';
import type { ElemType } from './types';

export interface Ctx {
  g: GraphBuilder;
  /** Compute dtype of activations: float32, float16 or bfloat16. */
  dtype: ElemType;
}

/** A weight cast to the compute dtype (Cast only when the stored dtype differs). */
export function w(ctx: Ctx, info: TensorInfo, type: ElemType = ctx.dtype): Value {
  return ctx.g.cast(ctx.g.weight(info), type);
}

/**
 * y = x Wᵀ + b for x [S, in], W [out, in] (PyTorch layout, read in place: Gemm transB=1, no transposed copy).
 */
export function linear(ctx: Ctx, x: Value, weight: TensorInfo, bias?: TensorInfo | null): Value {
  const inputs = [x, w(ctx, weight)];
  if (bias) inputs.push(w(ctx, bias));
  return ctx.g.op1('Gemm', inputs, { transB: 1 });
}

/**
 * RMSNorm over the last axis: x·rsqrt(mean(x²)+eps)·scale, statistics in fp32 (RMSNormalization-23, stash_type 1).
 * `scale` is a Value already in the compute dtype (fold Gemma's 1+w before calling).
 */
export function rmsNormWith(ctx: Ctx, x: Value, scale: Value, eps: number): Value {
  return ctx.g.op1('RMSNormalization', [x, scale], { axis: -1, epsilon: { float: eps }, stash_type: 1 });
}

/** RMSNorm with a stored weight `w` (NextDiT: y = norm(x)·w). */
export function rmsNorm(ctx: Ctx, x: Value, weight: TensorInfo, eps: number): Value {
  return rmsNormWith(ctx, x, w(ctx, weight), eps);
}

/** Gemma RMSNorm: y = norm(x)·(1 + w), the +1 added in fp32 before the cast (onnx-ops.md §1). */
export function rmsNormOnePlus(ctx: Ctx, x: Value, weight: TensorInfo, eps: number): Value {
  const g = ctx.g;
  const scale = g.cast(g.op1('Add', [w(ctx, weight, 'float32'), g.scalar(1)]), ctx.dtype);
  return rmsNormWith(ctx, x, scale, eps);
}

/** LayerNorm over the last axis with optional affine weights (no affine → constant ones scale, onnx-ops.md §1). */
export function layerNorm(ctx: Ctx, x: Value, eps: number, dim: number, weight?: TensorInfo, bias?: TensorInfo): Value {
  const g = ctx.g;
  const scale = weight ? w(ctx, weight) : g.cast(g.constF32(new Float32Array(dim).fill(1)), ctx.dtype);
  const inputs = [x, scale];
  if (bias) inputs.push(w(ctx, bias));
  return g.op1('LayerNormalization', inputs, { axis: -1, epsilon: { float: eps }, stash_type: 1 });
}

/** SiLU (swish) `x·sigmoid(x)` as ONNX Mul + Sigmoid; same shape and dtype as `x`. Source: torch.nn.SiLU. */
export function silu(ctx: Ctx, x: Value): Value {
  return ctx.g.op1('Mul', [x, ctx.g.op1('Sigmoid', [x])]);
}

/** GELU: 'tanh' (gelu_pytorch_tanh, Gemma) or 'none' (exact erf, Jina), Gelu-20. */
export function gelu(ctx: Ctx, x: Value, approximate: 'tanh' | 'none'): Value {
  return ctx.g.op1('Gelu', [x], { approximate });
}

/** Reshape to a constant shape (0 copies a dim, -1 infers one). */
export function reshape(ctx: Ctx, x: Value, shape: number[]): Value {
  return ctx.g.op1('Reshape', [x, ctx.g.constI64(shape)]);
}

/** Splits the last axis of x into equal or given sizes. */
export function splitLast(ctx: Ctx, x: Value, sizes: number[]): Value[] {
  return ctx.g.op('Split', [x, ctx.g.constI64(sizes)], { axis: -1 }, { outputs: sizes.length });
}

export interface AttentionSpec {
  /** Query/key/value as [S, H·D] tokens (one sample). */
  q: Value;
  k: Value;
  v: Value;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  /** Per-head RMSNorm of q and k before RoPE: weights [D], eps, and whether the weight is Gemma's 1+w form. */
  qkNorm?: { q: TensorInfo; k: TensorInfo; eps: number; onePlus: boolean };
  /** RoPE tables [1, S, D/2] (f32 graph inputs or computed) and layout: interleaved = adjacent pairs (NextDiT). */
  rope?: { cos: Value; sin: Value; interleaved: boolean };
  /** Causal masking (Gemma). */
  causal?: boolean;
  /** Boolean mask [1, 1, S, S] (true = attend), e.g. Gemma's sliding window. */
  mask?: Value;
  /** Softmax scale; default 1/√D. */
  scale?: number;
}

/**
 * Multi-head / grouped-query attention over one sample with ONNX Attention-23 (3-D form, query head h uses KV head
 * h // (Hq/Hkv), i.e. repeat_interleave as in NextDiT and HF repeat_kv) and RotaryEmbedding-23 with per-token tables.
 * Returns [S, Hq·D]. Sources: onnx-ops.md §1 and §3; NextDiT JointAttention ([EXP] models/model.py).
 */
export function attention(ctx: Ctx, a: AttentionSpec): Value {
  const g = ctx.g;
  const D = a.headDim;
  // Reshapes keep the symbolic token dim (0 = copy, Unsqueeze/Squeeze for the batch axis): a -1 there leaves an
  // unnamed dim, and ORT's allocation planner then cannot reuse buffers, which makes session creation quadratic in
  // the node count (measured: 36 DiT blocks took 2-3 s to create with -1, bench/dit-graph.ts).
  const axis0 = g.constI64([0]);
  const prep = (x: Value, heads: number, norm?: TensorInfo): Value => {
    let t = x;
    if (norm && a.qkNorm) {
      const perHead = reshape(ctx, t, [0, heads, D]);
      const normed = a.qkNorm.onePlus ? rmsNormOnePlus(ctx, perHead, norm, a.qkNorm.eps) : rmsNorm(ctx, perHead, norm, a.qkNorm.eps);
      t = reshape(ctx, normed, [0, heads * D]);
    }
    t = g.op1('Unsqueeze', [t, axis0]);
    if (a.rope) {
      // RoPE in fp32 (the reference rotates in float32 and casts back).
      const r = g.op1('RotaryEmbedding', [g.cast(t, 'float32'), a.rope.cos, a.rope.sin], {
        interleaved: a.rope.interleaved ? 1 : 0,
        num_heads: heads,
      });
      t = g.cast(r, ctx.dtype);
    }
    return t;
  };
  const q = prep(a.q, a.numHeads, a.qkNorm?.q);
  const k = prep(a.k, a.numKvHeads, a.qkNorm?.k);
  const v = g.op1('Unsqueeze', [a.v, axis0]);
  const attrs: Record<string, number | { float: number }> = {
    q_num_heads: a.numHeads,
    kv_num_heads: a.numKvHeads,
    scale: { float: a.scale ?? 1 / Math.sqrt(D) },
  };
  if (a.causal) attrs['is_causal'] = 1;
  // Softmax accumulates in fp32 when activations are 16-bit (architecture.md §4).
  if (ctx.dtype !== 'float32') attrs['softmax_precision'] = 1;
  const o = g.op1('Attention', a.mask ? [q, k, v, a.mask] : [q, k, v], attrs);
  return g.op1('Squeeze', [o, axis0]);
}

/**
 * 2-D convolution over NCHW x [B, in, H, W] with a PyTorch weight [out, in, kh, kw] (+ bias [out]), stride 1,
 * "same" output size via explicit pads (k−1)/2 (onnx-ops.md §3: Conv with explicit pads). Returns [B, out, H, W].
 * Odd kernels only (even ones have no symmetric "same" padding).
 */
export function conv2d(ctx: Ctx, x: Value, weight: TensorInfo, bias?: TensorInfo | null): Value {
  const [, , kh, kw] = weight.shape;
  if (weight.shape.length !== 4 || kh % 2 === 0 || kw % 2 === 0) {
    throw new Error(`conv2d: ${weight.name} has shape [${weight.shape.join(', ')}], expected [out, in, odd k, odd k]`);
  }
  const inputs = [x, w(ctx, weight)];
  if (bias) inputs.push(w(ctx, bias));
  const ph = (kh - 1) / 2;
  const pw = (kw - 1) / 2;
  return ctx.g.op1('Conv', inputs, { kernel_shape: [kh, kw], pads: [ph, pw, ph, pw] });
}

/**
 * torch.nn.GroupNorm(G, C, eps) over NCHW x [B, C, H, W] (any trailing spatial dims): Reshape [B, G, −1] →
 * InstanceNormalization (unit scale, zero bias) → Reshape back → ·w[C,1,1] + b[C,1,1] (onnx-ops.md §1, "GroupNorm
 * decomposed": native kernels, unlike GroupNormalization-21). Statistics and the affine run in fp32 (no bf16
 * InstanceNormalization on CUDA; an fp16 variance overflows once |x| > 256); the result is cast to ctx.dtype.
 * Weights [C], C divisible by G (the caller validates).
 */
export function groupNorm(ctx: Ctx, x: Value, groups: number, weight: TensorInfo, bias: TensorInfo, eps: number): Value {
  const g = ctx.g;
  const x32 = g.cast(x, 'float32');
  const grouped = g.op1('Reshape', [x32, g.constI64([0, groups, -1])]);
  const ones = g.constF32(new Float32Array(groups).fill(1));
  const zeros = g.constF32(new Float32Array(groups));
  const normed = g.op1('InstanceNormalization', [grouped, ones, zeros], { epsilon: { float: eps } });
  const back = g.op1('Reshape', [normed, g.op1('Shape', [x32], {}, { outType: 'int64' })]);
  const perChannel = g.constI64([-1, 1, 1]);
  const scale = g.op1('Reshape', [w(ctx, weight, 'float32'), perChannel]);
  const shift = g.op1('Reshape', [w(ctx, bias, 'float32'), perChannel]);
  return g.cast(g.op1('Add', [g.op1('Mul', [back, scale]), shift]), ctx.dtype);
}

/**
 * Nearest-neighbour ×2 upsampling of NCHW x [B, C, H, W] → [B, C, 2H, 2W]: Resize-19 nearest, asymmetric, floor,
 * scales [1,1,2,2] (equals torch F.interpolate(scale_factor=2, mode='nearest'), onnx-ops.md §1).
 */
export function upsampleNearest2x(ctx: Ctx, x: Value): Value {
  const g = ctx.g;
  return g.op1('Resize', [x, null, g.constF32([1, 1, 2, 2])], {
    mode: 'nearest',
    coordinate_transformation_mode: 'asymmetric',
    nearest_mode: 'floor',
  });
}
