/**
 * NextDiT_CLIP (NewBie-image-Exp0.1 transformer) configuration read from the checkpoint's tensor shapes, with
 * config.json only for what shapes cannot tell (conventions.md §4): RoPE axes and θ, patch size, eps values.
 * Every expected tensor is checked for presence and shape, so a damaged or different checkpoint is a
 * `ModelInvalid` naming the tensor, never an ORT error later.
 * Source: NewBieAI-Lab/NewBie-image-Exp0.1 @709e9a4 `models/model.py` (`NextDiT.__init__`, `NextDiT_CLIP.__init__`,
 * `JointTransformerBlock`, `FinalLayer`), newbie-model.md §1.3–1.5.
 */
import { StudioError } from '../../../shared/errors';
import type { WeightSet } from '../safetensors/weightSet';

export interface DitConfig {
  /** Hidden width D (x_embedder rows; 2304 in the real model). */
  dim: number;
  /** Query heads Hq and key/value heads Hkv (GQA: query head h uses KV head h // (Hq/Hkv)). */
  nHeads: number;
  nKvHeads: number;
  /** Per-head width Hd = Σ axesDims (96 in the real model). */
  headDim: number;
  /** RoPE: per-axis rotary widths (sum = headDim), per-axis position limits, base θ. */
  axesDims: number[];
  axesLens: number[];
  ropeTheta: number;
  /** Block counts, from the key indices. */
  nLayers: number;
  nNoiseRefiner: number;
  nContextRefiner: number;
  /** Caption feature width C (Gemma hidden size, 2560), pooled width P (Jina, 1024). */
  capFeatDim: number;
  clipTextDim: number;
  /** AdaLN width A = min(D, 1024); `t_embedder` hidden. */
  adalnDim: number;
  /** Sinusoidal timestep feature width (256). */
  timestepFreqDim: number;
  /** SwiGLU hidden width F (9216). */
  ffnDim: number;
  patchSize: number;
  /** Latent channels (16). Patch vector width = patchSize² · inChannels. */
  inChannels: number;
  /** RMSNorm eps of the block norms, of cap_embedder.0, of q_norm/k_norm, of clip_text_pooled_proj.0. */
  normEps: number;
  capEmbedderEps: number;
  qkNormEps: number;
  clipPooledEps: number;
  /** eps of the final no-affine LayerNorm. */
  finalEps: number;
}

/**
 * Published values used when a field is not in config.json (newbie-model.md §0/§1.3, conventions.md §3).
 * These are not sizes: sizes always come from shapes.
 */
export const DIT_CONFIG_DEFAULTS = {
  axesDims: [32, 32, 32],
  axesLens: [1024, 512, 512],
  ropeTheta: 10000,
  patchSize: 2,
  normEps: 1e-5,
  qkNormEps: 1e-6,
  clipPooledEps: 1e-6,
  finalEps: 1e-6,
} as const;

const invalid = (weights: WeightSet, what: string): StudioError =>
  new StudioError('ModelInvalid', `${weights.describe()}: ${what}`, 'This does not look like a NewBie NextDiT transformer checkpoint.');

function shapeOf(weights: WeightSet, name: string): number[] {
  if (!weights.has(name)) throw invalid(weights, `tensor ${name} is missing`);
  return weights.get(name).shape;
}

function expectShape(weights: WeightSet, name: string, shape: number[]): void {
  const got = shapeOf(weights, name);
  if (got.length !== shape.length || got.some((d, i) => d !== shape[i])) {
    throw invalid(weights, `tensor ${name} has shape [${got.join(', ')}], expected [${shape.join(', ')}]`);
  }
}

/** Number of blocks `prefix + group + '.N.'`; indices must run 0..n−1 without gaps. */
function countBlocks(weights: WeightSet, prefix: string, group: string): number {
  const re = new RegExp(`^${escapeRe(prefix + group)}\\.(\\d+)\\.`);
  const seen = new Set<number>();
  for (const n of weights.names()) {
    const m = re.exec(n);
    if (m) seen.add(Number(m[1]));
  }
  for (let i = 0; i < seen.size; i++) {
    if (!seen.has(i)) throw invalid(weights, `${prefix}${group}.${i}.* is missing while ${seen.size} ${group} blocks exist`);
  }
  return seen.size;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function num(json: Record<string, unknown>, key: string): number | undefined {
  const v = json[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new StudioError('ModelInvalid', `config.json: ${key} must be a number, got ${JSON.stringify(v)}`);
  return v;
}

function ints(json: Record<string, unknown>, key: string): number[] | undefined {
  const v = json[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.length === 0 || v.some((x) => !Number.isInteger(x) || x <= 0)) {
    throw new StudioError('ModelInvalid', `config.json: ${key} must be a list of positive integers, got ${JSON.stringify(v)}`);
  }
  return v as number[];
}

/**
 * Reads the DiT configuration from tensor shapes, cross-checked against config.json where both say something.
 * `configJson` accepts the transformer config.json fields (`patch_size`, `dim`, `n_layers`, `n_heads`, `n_kv_heads`,
 * `in_channels`, `axes_dims`, `axes_lens`, `clip_text_dim`, `cap_feat_dim`, `norm_eps`, `rope_theta`) and the golden
 * cases' `derived` eps names (`block_rmsnorm_eps`, `cap_embedder_rmsnorm_eps`, `qk_norm_eps`,
 * `clip_text_pooled_proj_rmsnorm_eps`, `final_layernorm_eps`).
 * @param prefix prepended to every key (e.g. '' or 'model.diffusion_model.')
 * @throws StudioError ModelInvalid naming the missing or mis-shaped tensor, or the config field that disagrees.
 */
export function ditConfigFromWeights(weights: WeightSet, prefix = '', configJson: Record<string, unknown> = {}): DitConfig {
  const k = (n: string) => prefix + n;
  const [dim, patchIn] = shapeOf(weights, k('x_embedder.weight'));
  const [adalnDim, timestepFreqDim] = shapeOf(weights, k('t_embedder.mlp.0.weight'));
  const [capFeatDim] = shapeOf(weights, k('cap_embedder.0.weight'));
  const [clipTextDim] = shapeOf(weights, k('clip_text_pooled_proj.0.weight'));
  const [headDim] = shapeOf(weights, k('layers.0.attention.q_norm.weight'));
  const [qkvRows] = shapeOf(weights, k('layers.0.attention.qkv.weight'));
  const [, attnWidth] = shapeOf(weights, k('layers.0.attention.out.weight'));
  const [ffnDim] = shapeOf(weights, k('layers.0.feed_forward.w1.weight'));
  if (!headDim || attnWidth % headDim !== 0) throw invalid(weights, `attention.out width ${attnWidth} is not a multiple of head_dim ${headDim}`);
  if (timestepFreqDim % 2 !== 0) throw invalid(weights, `t_embedder.mlp.0 input width ${timestepFreqDim} is odd (expected 256)`);
  const nHeads = attnWidth / headDim;
  const kvRows = qkvRows - nHeads * headDim;
  if (kvRows <= 0 || kvRows % (2 * headDim) !== 0) throw invalid(weights, `attention.qkv has ${qkvRows} rows: not q + 2·kv heads of ${headDim}`);
  const nKvHeads = kvRows / (2 * headDim);
  if (nHeads % nKvHeads !== 0) throw invalid(weights, `${nHeads} query heads are not a multiple of ${nKvHeads} KV heads`);

  const patchSize = num(configJson, 'patch_size') ?? DIT_CONFIG_DEFAULTS.patchSize;
  if (!Number.isInteger(patchSize) || patchSize < 1 || patchIn % (patchSize * patchSize) !== 0) {
    throw invalid(weights, `x_embedder input width ${patchIn} does not fit patch_size ${patchSize}`);
  }
  const inChannels = patchIn / (patchSize * patchSize);
  const axesDims = ints(configJson, 'axes_dims') ?? [...DIT_CONFIG_DEFAULTS.axesDims];
  const axesLens = ints(configJson, 'axes_lens') ?? [...DIT_CONFIG_DEFAULTS.axesLens];
  if (axesDims.length !== 3 || axesLens.length !== 3) throw new StudioError('ModelInvalid', 'config.json: axes_dims and axes_lens need 3 entries (caption, row, column)');
  if (axesDims.some((d) => d % 2 !== 0) || axesDims.reduce((a, b) => a + b, 0) !== headDim) {
    throw new StudioError('ModelInvalid', `config.json: axes_dims [${axesDims.join(', ')}] must be even and sum to head_dim ${headDim} (from q_norm)`);
  }
  const normEps = num(configJson, 'block_rmsnorm_eps') ?? num(configJson, 'norm_eps') ?? DIT_CONFIG_DEFAULTS.normEps;
  const cfg: DitConfig = {
    dim,
    nHeads,
    nKvHeads,
    headDim,
    axesDims,
    axesLens,
    ropeTheta: num(configJson, 'rope_theta') ?? DIT_CONFIG_DEFAULTS.ropeTheta,
    nLayers: countBlocks(weights, prefix, 'layers'),
    nNoiseRefiner: countBlocks(weights, prefix, 'noise_refiner'),
    nContextRefiner: countBlocks(weights, prefix, 'context_refiner'),
    capFeatDim,
    clipTextDim,
    adalnDim,
    timestepFreqDim,
    ffnDim,
    patchSize,
    inChannels,
    normEps,
    capEmbedderEps: num(configJson, 'cap_embedder_rmsnorm_eps') ?? normEps,
    qkNormEps: num(configJson, 'qk_norm_eps') ?? DIT_CONFIG_DEFAULTS.qkNormEps,
    clipPooledEps: num(configJson, 'clip_text_pooled_proj_rmsnorm_eps') ?? DIT_CONFIG_DEFAULTS.clipPooledEps,
    finalEps: num(configJson, 'final_layernorm_eps') ?? DIT_CONFIG_DEFAULTS.finalEps,
  };
  crossCheck(cfg, configJson);
  checkAllShapes(weights, prefix, cfg);
  return cfg;
}

/** config.json fields that shapes also determine must agree with them. */
function crossCheck(cfg: DitConfig, json: Record<string, unknown>): void {
  const pairs: Array<[string, number]> = [
    ['dim', cfg.dim],
    ['n_heads', cfg.nHeads],
    ['n_kv_heads', cfg.nKvHeads],
    ['n_layers', cfg.nLayers],
    ['in_channels', cfg.inChannels],
    ['cap_feat_dim', cfg.capFeatDim],
    ['clip_text_dim', cfg.clipTextDim],
  ];
  for (const [key, fromShapes] of pairs) {
    const v = num(json, key);
    if (v !== undefined && v !== fromShapes) {
      throw new StudioError('ModelInvalid', `config.json says ${key} = ${v} but the weights have ${fromShapes}`, 'The config.json does not belong to these weights.');
    }
  }
  const refiners = num(json, 'n_refiner_layers');
  if (refiners !== undefined && (refiners !== cfg.nNoiseRefiner || refiners !== cfg.nContextRefiner)) {
    throw new StudioError(
      'ModelInvalid',
      `config.json says n_refiner_layers = ${refiners} but the weights have ${cfg.nNoiseRefiner} noise and ${cfg.nContextRefiner} context refiner blocks`,
    );
  }
}

function checkBlock(weights: WeightSet, p: string, c: DitConfig, modulated: boolean): void {
  const D = c.dim;
  expectShape(weights, `${p}attention.qkv.weight`, [(c.nHeads + 2 * c.nKvHeads) * c.headDim, D]);
  expectShape(weights, `${p}attention.out.weight`, [D, c.nHeads * c.headDim]);
  expectShape(weights, `${p}attention.q_norm.weight`, [c.headDim]);
  expectShape(weights, `${p}attention.k_norm.weight`, [c.headDim]);
  expectShape(weights, `${p}feed_forward.w1.weight`, [c.ffnDim, D]);
  expectShape(weights, `${p}feed_forward.w3.weight`, [c.ffnDim, D]);
  expectShape(weights, `${p}feed_forward.w2.weight`, [D, c.ffnDim]);
  for (const n of ['attention_norm1', 'attention_norm2', 'ffn_norm1', 'ffn_norm2']) expectShape(weights, `${p}${n}.weight`, [D]);
  if (modulated) {
    expectShape(weights, `${p}adaLN_modulation.1.weight`, [4 * D, c.adalnDim]);
    expectShape(weights, `${p}adaLN_modulation.1.bias`, [4 * D]);
  } else if (weights.has(`${p}adaLN_modulation.1.weight`)) {
    throw invalid(weights, `${p}adaLN_modulation.1.weight exists but context refiner blocks are not modulated`);
  }
}

function checkAllShapes(weights: WeightSet, prefix: string, c: DitConfig): void {
  const D = c.dim, A = c.adalnDim, P = c.clipTextDim;
  const k = (n: string) => prefix + n;
  if (c.nLayers < 1) throw invalid(weights, `no ${prefix}layers.N blocks`);
  expectShape(weights, k('x_embedder.bias'), [D]);
  expectShape(weights, k('t_embedder.mlp.0.bias'), [A]);
  expectShape(weights, k('t_embedder.mlp.2.weight'), [A, A]);
  expectShape(weights, k('t_embedder.mlp.2.bias'), [A]);
  expectShape(weights, k('cap_embedder.1.weight'), [D, c.capFeatDim]);
  expectShape(weights, k('cap_embedder.1.bias'), [D]);
  expectShape(weights, k('clip_text_pooled_proj.1.weight'), [P, P]);
  expectShape(weights, k('clip_text_pooled_proj.1.bias'), [P]);
  expectShape(weights, k('time_text_embed.1.weight'), [A, A + P]);
  expectShape(weights, k('time_text_embed.1.bias'), [A]);
  expectShape(weights, k('final_layer.adaLN_modulation.1.weight'), [D, A]);
  expectShape(weights, k('final_layer.adaLN_modulation.1.bias'), [D]);
  const patchDim = c.patchSize * c.patchSize * c.inChannels;
  expectShape(weights, k('final_layer.linear.weight'), [patchDim, D]);
  expectShape(weights, k('final_layer.linear.bias'), [patchDim]);
  for (let i = 0; i < c.nLayers; i++) checkBlock(weights, k(`layers.${i}.`), c, true);
  for (let i = 0; i < c.nNoiseRefiner; i++) checkBlock(weights, k(`noise_refiner.${i}.`), c, true);
  for (let i = 0; i < c.nContextRefiner; i++) checkBlock(weights, k(`context_refiner.${i}.`), c, false);
}
