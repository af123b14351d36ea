/**
 * Gemma3 text-tower configuration: sizes from tensor shapes, the rest (RoPE θ and scaling, sliding window and layer
 * types, eps, attention scale) from config.json in either transformers form, with the published Gemma3-4B-it values
 * (newbie-model.md §1.6) as defaults (conventions.md §4). Key prefixes: `language_model.model.`,
 * `model.language_model.`, `model.` (ComfyUI single file) or none.
 * Decision: a field missing from a config.json also takes the published value (e.g. no `rope_scaling` → linear ×8, as
 * gemma-3-4b-it ships it); an explicit `rope_scaling: null` means no scaling.
 */
import { StudioError } from '../../../shared/errors';
import type { WeightSet } from '../safetensors/weightSet';
import {
  asObject,
  countBlocks,
  describeKeys,
  expectShape,
  numberField,
  stringField,
  type JsonObject,
} from './textEncoderCommon';

export type GemmaLayerType = 'sliding_attention' | 'full_attention';

export interface RopeSpec {
  theta: number;
  /** Linear position scaling (inv_freq / factor); 1 = none. */
  linearFactor: number;
}

export interface GemmaConfig {
  /** Prepended to every key (e.g. `model.`). */
  prefix: string;
  /** Decoder layers in the checkpoint; the graph builds 0..numLayers−2 (output = hidden_states[−2]). */
  numLayers: number;
  hiddenSize: number;
  intermediateSize: number;
  vocabSize: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  rmsNormEps: number;
  /** Attention scale = queryPreAttnScalar^−0.5. */
  queryPreAttnScalar: number;
  /** Keys a sliding layer sees, itself included. */
  slidingWindow: number;
  layerTypes: GemmaLayerType[];
  rope: Record<GemmaLayerType, RopeSpec>;
  /** MLP activation: gelu_pytorch_tanh → 'tanh', exact gelu → 'none'. */
  activation: 'tanh' | 'none';
}

/** Published Gemma3-4B-it text values (newbie-model.md §1.6), used when config.json lacks a field. */
export const GEMMA3_DEFAULTS = {
  rmsNormEps: 1e-6,
  queryPreAttnScalar: 256,
  slidingWindow: 1024,
  slidingWindowPattern: 6,
  ropeGlobal: { theta: 1_000_000, linearFactor: 8 },
  ropeLocal: { theta: 10_000, linearFactor: 1 },
  activation: 'gelu_pytorch_tanh',
} as const;

const PREFIXES = ['language_model.model.', 'model.language_model.', 'model.', ''];

/**
 * Finds the key prefix of a Gemma3 text tower (the one whose `embed_tokens.weight` and `layers.0.self_attn.q_norm.weight`
 * exist). `vision_tower.*` / `multi_modal_projector.*` are ignored.
 * @throws StudioError ModelInvalid listing some keys when no known layout matches.
 */
export function detectGemmaPrefix(weights: WeightSet): string {
  for (const p of PREFIXES) {
    if (weights.has(`${p}embed_tokens.weight`) && weights.has(`${p}layers.0.self_attn.q_norm.weight`))
      return p;
  }
  throw new StudioError(
    'ModelInvalid',
    `${weights.describe()}: not a Gemma3 text encoder (no embed_tokens.weight + layers.0.self_attn.q_norm.weight under ${PREFIXES.map((p) => `"${p}"`).join(', ')})`,
    describeKeys(weights),
  );
}

/** The text part of a config.json: `text_config` of a Gemma3ForConditionalGeneration config, else the object itself. */
function textConfig(configJson: unknown): JsonObject | undefined {
  const root = asObject(configJson);
  return asObject(root?.['text_config']) ?? root;
}

function ropeFromParams(p: JsonObject, where: string): RopeSpec {
  const type = stringField(p, 'rope_type', stringField(p, 'type', 'default', where), where);
  const theta = numberField(p, 'rope_theta', NaN, where);
  if (!Number.isFinite(theta)) throw new StudioError('ModelInvalid', `${where}: rope_theta is missing`);
  return { theta, linearFactor: ropeFactor(type, p, where) };
}

function ropeFactor(type: string, p: JsonObject | undefined, where: string): number {
  if (type === 'default') return 1;
  if (type === 'linear') return numberField(p, 'factor', 1, where);
  throw new StudioError(
    'ModelInvalid',
    `${where}: RoPE type "${type}" is not supported (Gemma3 uses "default" and "linear")`,
  );
}

/**
 * RoPE per layer type from either config form:
 * - new (transformers ≥ 4.56 / 5): `rope_parameters: {sliding_attention: {rope_type, rope_theta}, full_attention: {…, factor}}`;
 * - old: `rope_theta` (global) + `rope_local_base_freq` (sliding) + `rope_scaling: {rope_type: "linear", factor}` (global only).
 * With no config at all, the Gemma3-4B-it values.
 */
function readRope(tc: JsonObject | undefined, where: string): Record<GemmaLayerType, RopeSpec> {
  const params = asObject(tc?.['rope_parameters']);
  if (params) {
    const sliding = asObject(params['sliding_attention']);
    const full = asObject(params['full_attention']);
    if (sliding && full) {
      return {
        sliding_attention: ropeFromParams(sliding, `${where} rope_parameters.sliding_attention`),
        full_attention: ropeFromParams(full, `${where} rope_parameters.full_attention`),
      };
    }
    if ('rope_theta' in params) {
      // One dict for the global layers; the sliding layers keep rope_local_base_freq.
      return {
        full_attention: ropeFromParams(params, `${where} rope_parameters`),
        sliding_attention: {
          theta: numberField(tc, 'rope_local_base_freq', GEMMA3_DEFAULTS.ropeLocal.theta, where),
          linearFactor: 1,
        },
      };
    }
    throw new StudioError(
      'ModelInvalid',
      `${where}: rope_parameters has neither per-layer-type entries nor rope_theta`,
    );
  }
  let globalFactor: number = GEMMA3_DEFAULTS.ropeGlobal.linearFactor;
  if (tc && 'rope_scaling' in tc) {
    const rs = asObject(tc['rope_scaling']);
    globalFactor = rs
      ? ropeFactor(
          stringField(rs, 'rope_type', stringField(rs, 'type', 'default', where), where),
          rs,
          `${where} rope_scaling`,
        )
      : 1;
  }
  return {
    full_attention: {
      theta: numberField(tc, 'rope_theta', GEMMA3_DEFAULTS.ropeGlobal.theta, where),
      linearFactor: globalFactor,
    },
    sliding_attention: {
      theta: numberField(tc, 'rope_local_base_freq', GEMMA3_DEFAULTS.ropeLocal.theta, where),
      linearFactor: 1,
    },
  };
}

function readLayerTypes(tc: JsonObject | undefined, numLayers: number, where: string): GemmaLayerType[] {
  const raw = tc?.['layer_types'];
  if (Array.isArray(raw)) {
    if (raw.length !== numLayers) {
      throw new StudioError(
        'ModelInvalid',
        `${where}: layer_types lists ${raw.length} layers but the weights have ${numLayers}`,
      );
    }
    return raw.map((t, i) => {
      if (t === 'sliding_attention' || t === 'full_attention') return t;
      throw new StudioError(
        'ModelInvalid',
        `${where}: layer_types[${i}] is ${JSON.stringify(t)} (expected sliding_attention or full_attention)`,
      );
    });
  }
  const pattern = numberField(tc, 'sliding_window_pattern', GEMMA3_DEFAULTS.slidingWindowPattern, where);
  if (!Number.isInteger(pattern) || pattern < 1)
    throw new StudioError(
      'ModelInvalid',
      `${where}: sliding_window_pattern ${pattern} is not a positive integer`,
    );
  return Array.from({ length: numLayers }, (_, i) =>
    (i + 1) % pattern === 0 ? 'full_attention' : 'sliding_attention',
  );
}

/**
 * Resolves a Gemma3 text config: sizes from the tensor shapes (embed [vocab, hidden], q_proj [heads·head_dim, hidden],
 * q_norm [head_dim], k_proj [kv_heads·head_dim, hidden], gate_proj [intermediate, hidden]; layer count from `layers.N`),
 * everything else from `configJson` (a Gemma3 config.json with or without `text_config`, or undefined).
 * Every layer's tensors are checked for presence and shape here (headers only, no data read).
 * @throws StudioError ModelInvalid naming the tensor or config field that is wrong.
 */
export function gemmaConfigFromWeights(
  weights: WeightSet,
  prefix: string,
  configJson?: unknown,
): GemmaConfig {
  const where = `${weights.describe()} (Gemma3 config)`;
  const tc = textConfig(configJson);
  const [vocabSize, hiddenSize] = expectShape(weights, `${prefix}embed_tokens.weight`, [null, null]);
  const numLayers = countBlocks(weights, prefix, 'layers.', 'self_attn.q_proj.weight');
  const headDim = expectShape(weights, `${prefix}layers.0.self_attn.q_norm.weight`, [null])[0];
  const qOut = expectShape(weights, `${prefix}layers.0.self_attn.q_proj.weight`, [null, hiddenSize])[0];
  const kOut = expectShape(weights, `${prefix}layers.0.self_attn.k_proj.weight`, [null, hiddenSize])[0];
  const intermediateSize = expectShape(weights, `${prefix}layers.0.mlp.gate_proj.weight`, [
    null,
    hiddenSize,
  ])[0];
  if (qOut % headDim !== 0 || kOut % headDim !== 0 || (qOut / headDim) % (kOut / headDim) !== 0) {
    throw new StudioError(
      'ModelInvalid',
      `${where}: q_proj (${qOut}) and k_proj (${kOut}) rows are not whole groups of head_dim ${headDim}`,
    );
  }
  const numHeads = qOut / headDim;
  const numKvHeads = kOut / headDim;
  for (let i = 0; i < numLayers; i++)
    checkLayer(weights, `${prefix}layers.${i}.`, { hiddenSize, headDim, qOut, kOut, intermediateSize });

  if (tc && tc['attn_logit_softcapping'] !== undefined && tc['attn_logit_softcapping'] !== null) {
    throw new StudioError(
      'ModelInvalid',
      `${where}: attn_logit_softcapping is set; Gemma3 has none and this port does not support it`,
    );
  }
  const act = stringField(
    tc,
    'hidden_activation',
    stringField(tc, 'hidden_act', GEMMA3_DEFAULTS.activation, where),
    where,
  );
  const activation =
    act === 'gelu_pytorch_tanh' || act === 'gelu_new' || act === 'gelu_fast'
      ? 'tanh'
      : act === 'gelu'
        ? 'none'
        : null;
  if (!activation)
    throw new StudioError(
      'ModelInvalid',
      `${where}: hidden_activation "${act}" is not supported (expected gelu_pytorch_tanh)`,
    );
  const slidingWindow = numberField(tc, 'sliding_window', GEMMA3_DEFAULTS.slidingWindow, where);
  if (!Number.isInteger(slidingWindow) || slidingWindow < 1)
    throw new StudioError(
      'ModelInvalid',
      `${where}: sliding_window ${slidingWindow} is not a positive integer`,
    );
  const queryPreAttnScalar = numberField(
    tc,
    'query_pre_attn_scalar',
    GEMMA3_DEFAULTS.queryPreAttnScalar,
    where,
  );
  if (!(queryPreAttnScalar > 0))
    throw new StudioError('ModelInvalid', `${where}: query_pre_attn_scalar must be positive`);
  return {
    prefix,
    numLayers,
    hiddenSize,
    intermediateSize,
    vocabSize,
    numHeads,
    numKvHeads,
    headDim,
    rmsNormEps: numberField(tc, 'rms_norm_eps', GEMMA3_DEFAULTS.rmsNormEps, where),
    queryPreAttnScalar,
    slidingWindow,
    layerTypes: readLayerTypes(tc, numLayers, where),
    rope: readRope(tc, where),
    activation,
  };
}

function checkLayer(
  weights: WeightSet,
  p: string,
  s: { hiddenSize: number; headDim: number; qOut: number; kOut: number; intermediateSize: number },
): void {
  const C = s.hiddenSize;
  expectShape(weights, `${p}self_attn.q_proj.weight`, [s.qOut, C]);
  expectShape(weights, `${p}self_attn.k_proj.weight`, [s.kOut, C]);
  expectShape(weights, `${p}self_attn.v_proj.weight`, [s.kOut, C]);
  expectShape(weights, `${p}self_attn.o_proj.weight`, [C, s.qOut]);
  expectShape(weights, `${p}self_attn.q_norm.weight`, [s.headDim]);
  expectShape(weights, `${p}self_attn.k_norm.weight`, [s.headDim]);
  for (const n of [
    'input_layernorm',
    'post_attention_layernorm',
    'pre_feedforward_layernorm',
    'post_feedforward_layernorm',
  ]) {
    expectShape(weights, `${p}${n}.weight`, [C]);
  }
  expectShape(weights, `${p}mlp.gate_proj.weight`, [s.intermediateSize, C]);
  expectShape(weights, `${p}mlp.up_proj.weight`, [s.intermediateSize, C]);
  expectShape(weights, `${p}mlp.down_proj.weight`, [C, s.intermediateSize]);
}
