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
  const prep = (x: Value, heads: number, norm?: TensorInfo): Value => {
    let t = x;
    if (norm && a.qkNorm) {
      const perHead = reshape(ctx, t, [-1, heads, D]);
      const normed = a.qkNorm.onePlus ? rmsNormOnePlus(ctx, perHead, norm, a.qkNorm.eps) : rmsNorm(ctx, perHead, norm, a.qkNorm.eps);
      t = reshape(ctx, normed, [-1, heads * D]);
    }
    t = reshape(ctx, t, [1, -1, heads * D]);
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
  const v = reshape(ctx, a.v, [1, -1, a.numKvHeads * D]);
  const attrs: Record<string, number | { float: number }> = {
    q_num_heads: a.numHeads,
    kv_num_heads: a.numKvHeads,
    scale: { float: a.scale ?? 1 / Math.sqrt(D) },
  };
  if (a.causal) attrs['is_causal'] = 1;
  // Softmax accumulates in fp32 when activations are 16-bit (architecture.md §4).
  if (ctx.dtype !== 'float32') attrs['softmax_precision'] = 1;
  const o = g.op1('Attention', a.mask ? [q, k, v, a.mask] : [q, k, v], attrs);
  return reshape(ctx, o, [-1, a.numHeads * D]);
}
