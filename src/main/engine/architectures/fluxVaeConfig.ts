/**
 * FLUX VAE decoder structure read from the weights (conventions.md §4: sizes from tensor shapes, config.json only
 * for what shapes cannot tell: GroupNorm groups and eps, latent scaling and shift).
 *
 * Layout: diffusers AutoencoderKL `Decoder` (huggingface/diffusers src/diffusers/models/autoencoders/vae.py,
 * newbie-model.md §1.8): conv_in → mid_block (resnet, single-head attention, resnet) → up_blocks (resnets, then a
 * nearest ×2 upsampler + conv on all but the last) → conv_norm_out → SiLU → conv_out. The decoder runs
 * block_out_channels reversed, so channels are read per resnet from conv1/conv2 shapes.
 */
import { z } from 'zod';
import { StudioError } from '../../../shared/errors';
import type { TensorInfo } from '../safetensors/reader';
import type { WeightSet } from '../safetensors/weightSet';

/** Published FLUX.1 VAE latent scaling (newbie-model.md §0, [EXP] demo.py): z = x / scaling + shift. */
export const FLUX_VAE_SCALING_FACTOR = 0.3611;
export const FLUX_VAE_SHIFT_FACTOR = 0.1159;
export const DEFAULT_VAE_GROUPS = 32;
/** GroupNorm eps of every decoder norm (diffusers Decoder hard-codes 1e-6; conventions.md §3). */
export const DEFAULT_VAE_EPS = 1e-6;

export interface VaeResnetSpec {
  /** Key prefix of this ResnetBlock2D, e.g. 'decoder.up_blocks.2.resnets.0.' */
  key: string;
  inChannels: number;
  outChannels: number;
  /** 1×1 conv_shortcut on the residual (present exactly when the channel count changes, as diffusers builds it). */
  shortcut: boolean;
}

export interface VaeUpBlockSpec {
  resnets: VaeResnetSpec[];
  /** Nearest ×2 + 3×3 conv after the resnets (`upsamplers.0.conv`); absent on the last block. */
  upsample: boolean;
  outChannels: number;
}

/** Full tensor names of the mid-block attention (either key convention, resolved once). */
export interface VaeAttentionKeys {
  norm: string;
  q: string;
  k: string;
  v: string;
  out: string;
  /** Older exports store the projections as 1×1 conv weights [C, C, 1, 1]: reshaped to [C, C] in the graph. */
  convWeights: boolean;
}

export interface FluxVaeConfig {
  /** Prefix of the decoder's module names, e.g. 'decoder.' (decoder-only or full AutoencoderKL file). */
  prefix: string;
  latentChannels: number;
  outChannels: number;
  /** Key prefix of the 1×1 post_quant_conv applied to the latent first, or null when the model has none (FLUX). */
  postQuantConv: string | null;
  /** conv_in output = mid-block width (512 for FLUX). */
  midChannels: number;
  midResnets: VaeResnetSpec[];
  /** Attention after each mid resnet but the first (diffusers UNetMidBlock2D: r0, then (attn j, r j+1)); empty when
   *  the model has none (mid_block_add_attention false). FLUX: 2 resnets, 1 single-head attention. */
  midAttentions: VaeAttentionKeys[];
  upBlocks: VaeUpBlockSpec[];
  groups: number;
  eps: number;
  scalingFactor: number;
  shiftFactor: number;
}

/** The config.json fields read here (all optional; diffusers AutoencoderKL names, plus the golden's `groupnorm_eps`). */
const ConfigJson = z.looseObject({
  norm_num_groups: z.number().int().positive().optional(),
  norm_eps: z.number().positive().optional(),
  groupnorm_eps: z.number().positive().optional(),
  scaling_factor: z.number().positive().nullish(),
  shift_factor: z.number().finite().nullish(),
  use_post_quant_conv: z.boolean().optional(),
  mid_block_add_attention: z.boolean().optional(),
});
export type VaeConfigJson = z.input<typeof ConfigJson>;

const LDM_HINT =
  'This looks like the original (BFL/LDM) VAE naming (decoder.up.N.block.M, decoder.mid.attn_1). Use the diffusers ' +
  'vae/diffusion_pytorch_model.safetensors from the model repository instead.';

function invalid(weights: WeightSet, what: string, hint?: string): StudioError {
  return new StudioError('ModelInvalid', `${weights.describe()}: ${what}`, hint);
}

/**
 * Finds the decoder's key prefix: the string before `conv_in.weight` for which `up_blocks.0.resnets.0.conv1.weight`
 * exists too (the encoder has down_blocks, so encoder.* never matches). 'decoder.' for diffusers files, e.g.
 * 'vae.decoder.' inside a bundle.
 * @throws StudioError ModelInvalid when there is no diffusers decoder (original LDM names get a hint) or several.
 */
export function detectVaePrefix(weights: WeightSet): string {
  const tail = 'up_blocks.0.resnets.0.conv1.weight';
  const found = weights
    .names()
    .filter((n) => n.endsWith(tail))
    .map((n) => n.slice(0, -tail.length))
    .filter((p) => weights.has(`${p}conv_in.weight`));
  if (found.length === 1) return found[0];
  if (found.length > 1) throw invalid(weights, `several VAE decoders found (key prefixes ${found.map((p) => `'${p}'`).join(', ')})`);
  if (weights.names().some((n) => /(^|\.)(up\.\d+\.block\.\d+|mid\.attn_1)\./.test(n))) {
    throw invalid(weights, 'no diffusers VAE decoder keys (decoder.conv_in.weight, decoder.up_blocks.*)', LDM_HINT);
  }
  const sample = weights.names().slice(0, 5).join(', ');
  throw invalid(weights, `no VAE decoder keys (expected decoder.conv_in.weight, decoder.up_blocks.*); found ${sample || 'no tensors'}`);
}

function expectShape(weights: WeightSet, info: TensorInfo, shape: number[]): void {
  if (info.shape.length !== shape.length || info.shape.some((d, i) => d !== shape[i])) {
    throw invalid(weights, `tensor ${info.name} has shape [${info.shape.join(', ')}], expected [${shape.join(', ')}]`);
  }
}

function countIndexed(weights: WeightSet, prefix: string, suffix: string): number {
  let n = 0;
  while (weights.has(`${prefix}${n}.${suffix}`)) n++;
  return n;
}

/** Reads and checks one ResnetBlock2D (norm1, conv1, norm2, conv2, conv_shortcut when channels change). */
function resnetSpec(weights: WeightSet, key: string, inChannels: number, groups: number): VaeResnetSpec {
  const conv1 = weights.get(`${key}conv1.weight`);
  const out = conv1.shape[0];
  expectShape(weights, conv1, [out, inChannels, 3, 3]);
  expectShape(weights, weights.get(`${key}conv1.bias`), [out]);
  for (const [norm, c] of [['norm1', inChannels], ['norm2', out]] as const) {
    expectShape(weights, weights.get(`${key}${norm}.weight`), [c]);
    expectShape(weights, weights.get(`${key}${norm}.bias`), [c]);
    checkGroups(weights, `${key}${norm}`, c, groups);
  }
  expectShape(weights, weights.get(`${key}conv2.weight`), [out, out, 3, 3]);
  expectShape(weights, weights.get(`${key}conv2.bias`), [out]);
  const shortcut = inChannels !== out;
  if (shortcut) {
    expectShape(weights, weights.get(`${key}conv_shortcut.weight`), [out, inChannels, 1, 1]);
    expectShape(weights, weights.get(`${key}conv_shortcut.bias`), [out]);
  }
  return { key, inChannels, outChannels: out, shortcut };
}

function checkGroups(weights: WeightSet, norm: string, channels: number, groups: number): void {
  if (channels % groups !== 0) {
    throw invalid(
      weights,
      `${norm} normalizes ${channels} channels, not divisible into ${groups} groups`,
      'Check norm_num_groups in the VAE config.json.',
    );
  }
}

/** Resolves the attention projection names: to_q/to_k/to_v/to_out.0 (diffusers) or query/key/value/proj_attn (older). */
function attentionKeys(weights: WeightSet, key: string, channels: number, groups: number): VaeAttentionKeys {
  const modern = { q: 'to_q', k: 'to_k', v: 'to_v', out: 'to_out.0' };
  const legacy = { q: 'query', k: 'key', v: 'value', out: 'proj_attn' };
  const names = weights.has(`${key}to_q.weight`) ? modern : weights.has(`${key}query.weight`) ? legacy : null;
  if (!names) {
    const seen = weights.names().filter((n) => n.startsWith(key));
    throw invalid(
      weights,
      `mid-block attention has neither ${key}to_q.weight nor ${key}query.weight (found: ${seen.join(', ') || 'nothing'})`,
    );
  }
  const full = { q: `${key}${names.q}`, k: `${key}${names.k}`, v: `${key}${names.v}`, out: `${key}${names.out}` };
  const convWeights = weights.get(`${full.q}.weight`).shape.length === 4;
  for (const n of Object.values(full)) {
    expectShape(weights, weights.get(`${n}.weight`), convWeights ? [channels, channels, 1, 1] : [channels, channels]);
    expectShape(weights, weights.get(`${n}.bias`), [channels]);
  }
  expectShape(weights, weights.get(`${key}group_norm.weight`), [channels]);
  expectShape(weights, weights.get(`${key}group_norm.bias`), [channels]);
  checkGroups(weights, `${key}group_norm`, channels, groups);
  return { norm: `${key}group_norm`, ...full, convWeights };
}

/**
 * Decoder structure from the `decoder.*` tensor shapes plus config.json (groups, eps, scaling, shift, and whether
 * post_quant_conv / mid-block attention are used when the config says so). encoder.* and quant_conv are ignored.
 * Defaults when config.json lacks a field: 32 groups, eps 1e-6, scaling 0.3611, shift 0.1159; post_quant_conv and the
 * mid-block attention are used when their tensors exist.
 * @param prefix decoder key prefix ('decoder.' in diffusers files); detected when omitted.
 * @throws StudioError ModelInvalid naming the tensor or config field at fault (missing tensor, wrong shape, channels
 *   not divisible by the groups, a config that asks for tensors the file lacks, invalid config values).
 */
export function vaeConfigFromWeights(
  weights: WeightSet,
  prefix: string = detectVaePrefix(weights),
  configJson: Record<string, unknown> = {},
): FluxVaeConfig {
  const parsed = ConfigJson.safeParse(configJson);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new StudioError('ModelInvalid', `VAE config.json: ${issues}`, 'Fix or remove the listed fields of vae/config.json.');
  }
  const cfg = parsed.data;
  const p = prefix;
  if (!weights.has(`${p}conv_in.weight`)) {
    const ldm = weights.names().some((n) => n.startsWith(`${p}up.0.block.`) || n.startsWith(`${p}mid.block_1.`));
    throw invalid(weights, `tensor ${p}conv_in.weight is missing (no VAE decoder under prefix '${p}')`, ldm ? LDM_HINT : undefined);
  }
  const groups = cfg.norm_num_groups ?? DEFAULT_VAE_GROUPS;
  const eps = cfg.norm_eps ?? cfg.groupnorm_eps ?? DEFAULT_VAE_EPS;

  const convIn = weights.get(`${p}conv_in.weight`);
  if (convIn.shape.length !== 4) throw invalid(weights, `tensor ${convIn.name} has rank ${convIn.shape.length}, expected 4`);
  const [midChannels, latentChannels] = convIn.shape;
  expectShape(weights, convIn, [midChannels, latentChannels, 3, 3]);
  expectShape(weights, weights.get(`${p}conv_in.bias`), [midChannels]);

  // post_quant_conv sits beside `decoder.` in a full AutoencoderKL (root = prefix without its last 'decoder.').
  const root = p.endsWith('decoder.') ? p.slice(0, -'decoder.'.length) : p;
  const pqKey = `${root}post_quant_conv.`;
  const pqPresent = weights.has(`${pqKey}weight`);
  if (cfg.use_post_quant_conv === true && !pqPresent) {
    throw invalid(weights, `config.json sets use_post_quant_conv but tensor ${pqKey}weight is missing`);
  }
  const postQuantConv = pqPresent && cfg.use_post_quant_conv !== false ? pqKey : null;
  if (postQuantConv) {
    expectShape(weights, weights.get(`${pqKey}weight`), [latentChannels, latentChannels, 1, 1]);
    expectShape(weights, weights.get(`${pqKey}bias`), [latentChannels]);
  }

  const midKey = `${p}mid_block.`;
  const nMid = countIndexed(weights, `${midKey}resnets.`, 'conv1.weight');
  if (nMid < 1) throw invalid(weights, `tensor ${midKey}resnets.0.conv1.weight is missing (the mid block has no resnets)`);
  const midResnets: VaeResnetSpec[] = [];
  for (let j = 0; j < nMid; j++) {
    const spec = resnetSpec(weights, `${midKey}resnets.${j}.`, midChannels, groups);
    if (spec.outChannels !== midChannels) {
      throw invalid(weights, `${spec.key}conv1.weight changes channels ${midChannels} → ${spec.outChannels} inside the mid block`);
    }
    midResnets.push(spec);
  }
  const attnPresent = weights.names().some((n) => n.startsWith(`${midKey}attentions.`));
  if (cfg.mid_block_add_attention === true && !attnPresent) {
    throw invalid(weights, `config.json sets mid_block_add_attention but no ${midKey}attentions.* tensors exist`);
  }
  const midAttentions: VaeAttentionKeys[] = [];
  if (attnPresent && cfg.mid_block_add_attention !== false) {
    for (let j = 0; j < nMid - 1; j++) midAttentions.push(attentionKeys(weights, `${midKey}attentions.${j}.`, midChannels, groups));
  }

  const nUp = countIndexed(weights, `${p}up_blocks.`, 'resnets.0.conv1.weight');
  if (nUp < 1) throw invalid(weights, `tensor ${p}up_blocks.0.resnets.0.conv1.weight is missing (the decoder has no up blocks)`);
  const upBlocks: VaeUpBlockSpec[] = [];
  let channels = midChannels;
  for (let i = 0; i < nUp; i++) {
    const blockKey = `${p}up_blocks.${i}.`;
    const nRes = countIndexed(weights, `${blockKey}resnets.`, 'conv1.weight');
    const resnets: VaeResnetSpec[] = [];
    for (let j = 0; j < nRes; j++) {
      const spec = resnetSpec(weights, `${blockKey}resnets.${j}.`, channels, groups);
      channels = spec.outChannels;
      resnets.push(spec);
    }
    const upsample = weights.has(`${blockKey}upsamplers.0.conv.weight`);
    if (upsample) {
      expectShape(weights, weights.get(`${blockKey}upsamplers.0.conv.weight`), [channels, channels, 3, 3]);
      expectShape(weights, weights.get(`${blockKey}upsamplers.0.conv.bias`), [channels]);
    }
    upBlocks.push({ resnets, upsample, outChannels: channels });
  }

  expectShape(weights, weights.get(`${p}conv_norm_out.weight`), [channels]);
  expectShape(weights, weights.get(`${p}conv_norm_out.bias`), [channels]);
  checkGroups(weights, `${p}conv_norm_out`, channels, groups);
  const convOut = weights.get(`${p}conv_out.weight`);
  const outChannels = convOut.shape[0];
  expectShape(weights, convOut, [outChannels, channels, 3, 3]);
  expectShape(weights, weights.get(`${p}conv_out.bias`), [outChannels]);

  return {
    prefix: p,
    latentChannels,
    outChannels,
    postQuantConv,
    midChannels,
    midResnets,
    midAttentions,
    upBlocks,
    groups,
    eps,
    scalingFactor: cfg.scaling_factor ?? FLUX_VAE_SCALING_FACTOR,
    shiftFactor: cfg.shift_factor ?? FLUX_VAE_SHIFT_FACTOR,
  };
}

/** Spatial upscale factor of the decoder (2 per upsampler: 8 for FLUX). */
export function vaeUpscale(config: FluxVaeConfig): number {
  return 2 ** config.upBlocks.filter((b) => b.upsample).length;
}
