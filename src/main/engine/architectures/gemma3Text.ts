/**
 * Gemma3 text tower up to `hidden_states[-2]` (the residual stream after layer numLayers−2, no final norm), the
 * caption features of the NewBie DiT (newbie-model.md §1.6, §2.2).
 * Source: huggingface/transformers src/transformers/models/gemma3/modeling_gemma3.py (Gemma3TextScaledWordEmbedding,
 * Gemma3RMSNorm, Gemma3Attention, Gemma3MLP, Gemma3DecoderLayer, Gemma3TextModel).
 *
 * Precision: the residual stream, every RMSNorm and the RoPE rotation stay float32 whatever the compute dtype, because
 * Gemma's residual stream overflows fp16 (newbie-model.md §5); projections, attention and the MLP run in the compute
 * dtype. The embedding is a Gather on the stored matrix followed by a Cast of the gathered rows only; the scale
 * (rounded to the compute dtype) multiplies those rows in fp32.
 */
import { GraphBuilder, type Value } from '../onnx/graph';
import { attention, gelu, linear, reshape, rmsNormOnePlus, type Ctx } from '../onnx/layers';
import { bool, f32, i64, type EngineSession } from '../runtime/session';
import type { WeightSet } from '../safetensors/weightSet';
import { createEncoderSession, refuseCpuBf16, type EncoderSessionOptions } from './encoderSession';
import { gemmaConfigFromWeights, type GemmaConfig, type GemmaLayerType } from './gemma3TextConfig';
import {
  checkIds,
  ropeInvFreq,
  ropeTables,
  roundToDtype,
  slidingWindowMask,
  type ComputeDtype,
} from './textEncoderCommon';

export { detectGemmaPrefix, gemmaConfigFromWeights, GEMMA3_DEFAULTS } from './gemma3TextConfig';
export type { GemmaConfig, GemmaLayerType, RopeSpec } from './gemma3TextConfig';

/** Graph input/output names (the runner feeds exactly the inputs the graph declares). */
export const GEMMA_IO = {
  ids: 'input_ids',
  slidingMask: 'sliding_mask',
  cos: (t: GemmaLayerType) => `rope_cos_${t}`,
  sin: (t: GemmaLayerType) => `rope_sin_${t}`,
  hidden: 'hidden',
} as const;

/**
 * Embedding scale sqrt(hidden_size) rounded to the compute dtype (conventions.md §3; transformers casts `embed_scale`
 * to the weight dtype): 50.596… in fp32, 50.5 in bf16 for hidden 2560.
 */
export function gemmaEmbedScale(hiddenSize: number, dtype: ComputeDtype): number {
  return roundToDtype(Math.sqrt(hiddenSize), dtype);
}

/** Layer types of the layers the graph builds (0..numLayers−2). */
export function builtLayerTypes(cfg: GemmaConfig): GemmaLayerType[] {
  return cfg.layerTypes.slice(0, Math.max(0, cfg.numLayers - 1));
}

/**
 * Builds the Gemma3 text graph for one unpadded prompt.
 * Inputs: `input_ids` int64 [L]; when a sliding layer is built, `sliding_mask` bool [1, 1, L, L] (see
 * `slidingWindowMask`); per built layer type t, `rope_cos_t` / `rope_sin_t` f32 [1, L, head_dim/2] (see `ropeTables`).
 * Output: `hidden` f32 [L, hidden_size] = hidden_states[−2]. L is symbolic: one session serves every prompt length.
 * Attention: Attention-23 with is_causal=1 (+ the band mask on sliding layers), scale query_pre_attn_scalar^−0.5,
 * GQA (query head h uses KV head h // (Hq/Hkv)); q/k Gemma-RMSNorm (1+w) per head before half-split RoPE.
 * @throws GraphBuildError when a bf16 value would reach an op without a bf16 CUDA kernel (a build bug).
 */
export function buildGemma3TextGraph(
  weights: WeightSet,
  cfg: GemmaConfig,
  dtype: ComputeDtype,
): GraphBuilder {
  const g = new GraphBuilder('gemma3_text');
  const ctx: Ctx = { g, dtype };
  const c32: Ctx = { g, dtype: 'float32' };
  const W = (name: string) => weights.get(cfg.prefix + name);
  const { hiddenSize: C, numHeads: H, numKvHeads: Hkv, headDim: D, rmsNormEps: eps } = cfg;

  const ids = g.input(GEMMA_IO.ids, 'int64', ['L']);
  const types = builtLayerTypes(cfg);
  const mask = types.includes('sliding_attention')
    ? g.input(GEMMA_IO.slidingMask, 'bool', [1, 1, 'L', 'L'])
    : undefined;
  const rope = new Map<GemmaLayerType, { cos: Value; sin: Value }>();
  for (const t of new Set(types)) {
    rope.set(t, {
      cos: g.input(GEMMA_IO.cos(t), 'float32', [1, 'L', D / 2]),
      sin: g.input(GEMMA_IO.sin(t), 'float32', [1, 'L', D / 2]),
    });
  }

  // Gather rows of the stored (bf16) matrix, then Cast only those rows: never the whole vocab × hidden matrix.
  const rows = g.op1('Gather', [g.weight(W('embed_tokens.weight')), ids], { axis: 0 });
  let x = g.op1(
    'Mul',
    [g.cast(rows, 'float32'), g.scalar(gemmaEmbedScale(C, dtype))],
    {},
    { name: 'residual' },
  );

  // A Gemma RMSNorm in fp32 on the fp32 stream (or on a projection cast up), then down to the compute dtype.
  const norm32 = (v: Value, weight: string) => rmsNormOnePlus(c32, g.cast(v, 'float32'), W(weight), eps);
  for (let i = 0; i < types.length; i++) {
    const p = `layers.${i}.`;
    const h = g.cast(norm32(x, `${p}input_layernorm.weight`), dtype);
    const q = linear(ctx, h, W(`${p}self_attn.q_proj.weight`));
    const k = linear(ctx, h, W(`${p}self_attn.k_proj.weight`));
    const v = linear(ctx, h, W(`${p}self_attn.v_proj.weight`));
    // Per-head q/k norm in fp32; attention() rotates the fp32 values and casts them to the compute dtype.
    const qn = reshape(c32, norm32(reshape(ctx, q, [-1, H, D]), `${p}self_attn.q_norm.weight`), [-1, H * D]);
    const kn = reshape(c32, norm32(reshape(ctx, k, [-1, Hkv, D]), `${p}self_attn.k_norm.weight`), [
      -1,
      Hkv * D,
    ]);
    const tables = rope.get(types[i])!;
    const o = attention(ctx, {
      q: qn,
      k: kn,
      v,
      numHeads: H,
      numKvHeads: Hkv,
      headDim: D,
      rope: { cos: tables.cos, sin: tables.sin, interleaved: false },
      causal: true,
      mask: types[i] === 'sliding_attention' ? mask : undefined,
      scale: 1 / Math.sqrt(cfg.queryPreAttnScalar),
    });
    const attnOut = linear(ctx, o, W(`${p}self_attn.o_proj.weight`));
    x = g.op1('Add', [x, norm32(attnOut, `${p}post_attention_layernorm.weight`)], {}, { name: 'residual' });

    const h2 = g.cast(norm32(x, `${p}pre_feedforward_layernorm.weight`), dtype);
    const gate = gelu(ctx, linear(ctx, h2, W(`${p}mlp.gate_proj.weight`)), cfg.activation);
    const up = linear(ctx, h2, W(`${p}mlp.up_proj.weight`));
    const mlpOut = linear(ctx, g.op1('Mul', [gate, up]), W(`${p}mlp.down_proj.weight`));
    x = g.op1('Add', [x, norm32(mlpOut, `${p}post_feedforward_layernorm.weight`)], {}, { name: 'residual' });
  }
  g.output(x, GEMMA_IO.hidden, ['L', C]);
  return g;
}

export interface GemmaEncoderOptions extends EncoderSessionOptions {
  /** Key prefix (see `detectGemmaPrefix`). */
  prefix: string;
}

export interface GemmaEncoding {
  /** hidden_states[−2] for every token, row-major [length, hiddenSize], f32. */
  hidden: Float32Array;
  length: number;
  hiddenSize: number;
}

/**
 * Runs the Gemma3 text tower: one session created once, reused for every prompt length.
 * The caller gives unpadded ids (with `<bos>`); the DiT takes all `length` rows (newbie-model.md §2.2).
 */
export class GemmaEncoder {
  private readonly invFreq: Map<GemmaLayerType, Float32Array>;

  private constructor(
    private readonly session: EngineSession,
    readonly config: GemmaConfig,
    readonly dtype: ComputeDtype,
  ) {
    this.invFreq = new Map();
    for (const t of new Set(builtLayerTypes(config))) {
      const r = config.rope[t];
      this.invFreq.set(t, ropeInvFreq(config.headDim, r.theta, r.linearFactor));
    }
  }

  /**
   * Resolves the config (`configJson` = parsed config.json or undefined), builds the graph and creates the session.
   * @throws StudioError ModelInvalid (wrong keys/shapes/config), PrecisionUnsupported (bf16 on the CPU provider, which
   *   has no bf16 kernels: runtime-notes.md §2.1), ProviderUnavailable.
   */
  static async create(
    weights: WeightSet,
    configJson: unknown,
    opts: GemmaEncoderOptions,
  ): Promise<GemmaEncoder> {
    refuseCpuBf16('Gemma3', opts, 'Choose precision fp32 for CPU runs.');
    const config = gemmaConfigFromWeights(weights, opts.prefix, configJson);
    const graph = buildGemma3TextGraph(weights, config, opts.dtype);
    const session = await createEncoderSession('Gemma3 text encoder', graph, opts);
    return new GemmaEncoder(session, config, opts.dtype);
  }

  /**
   * Encodes one prompt. `ids`: token ids [L] (no padding). Returns hidden_states[−2] f32 [L, hidden].
   * @throws StudioError InvalidRequest for empty ids or ids outside the vocabulary.
   */
  async encode(ids: readonly number[]): Promise<GemmaEncoding> {
    const cfg = this.config;
    checkIds(ids, cfg.vocabSize, 'Gemma3 text encoder');
    const L = ids.length;
    const names = new Set(this.session.inputNames);
    const feeds: Parameters<EngineSession['run']>[0] = { [GEMMA_IO.ids]: i64(ids, [L]) };
    if (names.has(GEMMA_IO.slidingMask))
      feeds[GEMMA_IO.slidingMask] = bool(slidingWindowMask(L, cfg.slidingWindow), [1, 1, L, L]);
    for (const [t, inv] of this.invFreq) {
      const { cos, sin } = ropeTables(L, inv);
      feeds[GEMMA_IO.cos(t)] = f32(cos, [1, L, inv.length]);
      feeds[GEMMA_IO.sin(t)] = f32(sin, [1, L, inv.length]);
    }
    const out = await this.session.run(feeds);
    return { hidden: out[GEMMA_IO.hidden].data as Float32Array, length: L, hiddenSize: cfg.hiddenSize };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
