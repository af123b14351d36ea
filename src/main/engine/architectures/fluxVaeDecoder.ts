/**
 * FLUX VAE decoder (diffusers AutoencoderKL `Decoder`, newbie-model.md §1.8, §2.10) as one ONNX graph with symbolic
 * latent height/width, and the runner the pipeline uses (one session, reused for every size).
 *
 * Graph: `latent` f32 [1, latentC, h, w] (VAE space) → [post_quant_conv] → conv_in → mid block (resnet, single-head
 * attention, resnet) → up blocks (resnets, nearest ×2 + conv) → GroupNorm → SiLU → conv_out → `decoded` f32
 * [1, 3, 8h, 8w] in ≈[−1, 1]. Compute dtype fp32 (default) or fp16; never bf16 (GroupNorm/Resize have no bf16 CUDA
 * kernels: runtime-notes.md §2.2, architecture.md §4). GroupNorm statistics run in fp32 in every dtype.
 * Sources: huggingface/diffusers @ 58eb52c src/diffusers/models/autoencoders/vae.py (Decoder.forward),
 * unets/unet_2d_blocks.py (UNetMidBlock2D, UpDecoderBlock2D), resnet.py (ResnetBlock2D, Upsample2D),
 * attention_processor.py (Attention, AttnProcessor2_0).
 */
import type { ProviderName } from '../../../shared/dto';
import { StudioError } from '../../../shared/errors';
import { GraphBuilder, type Value } from '../onnx/graph';
import { conv2d, groupNorm, reshape, silu, upsampleNearest2x, w, type Ctx } from '../onnx/layers';
import { EngineSession, f32 } from '../runtime';
import type { WeightSet } from '../safetensors/weightSet';
import { vaeConfigFromWeights, vaeUpscale, type FluxVaeConfig, type VaeAttentionKeys, type VaeResnetSpec } from './fluxVaeConfig';

export type VaeComputeDtype = 'float32' | 'float16' | 'bfloat16';

interface Build {
  ctx: Ctx;
  weights: WeightSet;
  config: FluxVaeConfig;
}

/** ResnetBlock2D: x + conv2(SiLU(GN(conv1(SiLU(GN(x)))))), the residual through a 1×1 conv when channels change. */
function resnet(b: Build, x: Value, spec: VaeResnetSpec): Value {
  const { ctx, weights, config } = b;
  const k = spec.key;
  let h = silu(ctx, groupNorm(ctx, x, config.groups, weights.get(`${k}norm1.weight`), weights.get(`${k}norm1.bias`), config.eps));
  h = conv2d(ctx, h, weights.get(`${k}conv1.weight`), weights.get(`${k}conv1.bias`));
  h = silu(ctx, groupNorm(ctx, h, config.groups, weights.get(`${k}norm2.weight`), weights.get(`${k}norm2.bias`), config.eps));
  h = conv2d(ctx, h, weights.get(`${k}conv2.weight`), weights.get(`${k}conv2.bias`));
  const skip = spec.shortcut ? conv2d(ctx, x, weights.get(`${k}conv_shortcut.weight`), weights.get(`${k}conv_shortcut.bias`)) : x;
  return ctx.g.op1('Add', [skip, h]);
}

/**
 * Mid-block attention over the h·w pixels as tokens, one head of width C (diffusers Attention with
 * attention_head_dim = C, residual_connection, scale 1/√C): x + to_out(softmax(q kᵀ/√C) v), q/k/v from GN(x).
 * Emitted as com.microsoft.MultiHeadAttention with no mask: on CPU its flash path keeps the scores in blocks
 * (measured at 16384 tokens, C = 512: +135 MiB and 11.6 s, against +1.08 GiB and 18.3 s for Attention-23,
 * which materialises the full [S, S] scores); CUDA, DirectML and WebGPU implement it too.
 */
function midAttention(b: Build, x: Value, keys: VaeAttentionKeys): Value {
  const { ctx, weights, config } = b;
  const g = ctx.g;
  const C = config.midChannels;
  const normed = groupNorm(ctx, x, config.groups, weights.get(`${keys.norm}.weight`), weights.get(`${keys.norm}.bias`), config.eps);
  const tokens = g.op1('Transpose', [reshape(ctx, normed, [C, -1])], { perm: [1, 0] }); // [S, C]
  const project = (t: Value, name: string): Value => {
    let weight = w(ctx, weights.get(`${name}.weight`));
    if (keys.convWeights) weight = reshape(ctx, weight, [C, C]); // [C, C, 1, 1] 1×1 conv → [C, C] linear
    return g.op1('Gemm', [t, weight, w(ctx, weights.get(`${name}.bias`))], { transB: 1 });
  };
  const asBatch = (t: Value): Value => reshape(ctx, t, [1, -1, C]);
  const attended = g.op1(
    'MultiHeadAttention',
    [asBatch(project(tokens, keys.q)), asBatch(project(tokens, keys.k)), asBatch(project(tokens, keys.v))],
    { num_heads: 1, scale: { float: 1 / Math.sqrt(C) } },
    { domain: 'com.microsoft' },
  );
  const out = project(reshape(ctx, attended, [-1, C]), keys.out); // [S, C]
  const spatial = g.op1('Reshape', [g.op1('Transpose', [out], { perm: [1, 0] }), g.op1('Shape', [x], {}, { outType: 'int64' })]);
  return g.op1('Add', [spatial, x]);
}

/**
 * Builds the decoder graph. Input `latent` f32 [1, latentChannels, 'latent_h', 'latent_w'] (VAE space: z = x/scaling
 * + shift already applied); output `decoded` f32 [1, outChannels, 'image_h', 'image_w'], image = latent × 8 (FLUX).
 * Weights stay in their stored dtype (bf16/f16/f32, mixed allowed) and are cast inside.
 * @throws StudioError PrecisionUnsupported for bf16 (no bf16 GroupNorm/InstanceNormalization/Resize kernels);
 *   ModelInvalid for a tensor missing from `weights`.
 */
export function buildFluxVaeDecoderGraph(weights: WeightSet, config: FluxVaeConfig, dtype: VaeComputeDtype = 'float32'): GraphBuilder {
  if (dtype === 'bfloat16') {
    throw new StudioError(
      'PrecisionUnsupported',
      'The FLUX VAE decoder cannot run in bf16: GroupNorm (InstanceNormalization) and nearest Resize have no bf16 kernels ' +
        'on CUDA or CPU (runtime-notes.md §2).',
      'Decode the VAE in fp32 (the default) or fp16.',
    );
  }
  const g = new GraphBuilder('flux_vae_decoder');
  const b: Build = { ctx: { g, dtype }, weights, config };
  const { ctx } = b;
  const p = config.prefix;
  const latent = g.input('latent', 'float32', [1, config.latentChannels, 'latent_h', 'latent_w']);
  let h = g.cast(latent, dtype);
  if (config.postQuantConv) {
    h = conv2d(ctx, h, weights.get(`${config.postQuantConv}weight`), weights.get(`${config.postQuantConv}bias`));
  }
  h = conv2d(ctx, h, weights.get(`${p}conv_in.weight`), weights.get(`${p}conv_in.bias`));
  h = resnet(b, h, config.midResnets[0]);
  for (let j = 1; j < config.midResnets.length; j++) {
    const attn = config.midAttentions[j - 1];
    if (attn) h = midAttention(b, h, attn);
    h = resnet(b, h, config.midResnets[j]);
  }
  config.upBlocks.forEach((block, i) => {
    for (const spec of block.resnets) h = resnet(b, h, spec);
    if (block.upsample) {
      const k = `${p}up_blocks.${i}.upsamplers.0.conv`;
      h = conv2d(ctx, upsampleNearest2x(ctx, h), weights.get(`${k}.weight`), weights.get(`${k}.bias`));
    }
  });
  h = silu(ctx, groupNorm(ctx, h, config.groups, weights.get(`${p}conv_norm_out.weight`), weights.get(`${p}conv_norm_out.bias`), config.eps));
  h = conv2d(ctx, h, weights.get(`${p}conv_out.weight`), weights.get(`${p}conv_out.bias`));
  g.output(g.cast(h, 'float32'), 'decoded', [1, config.outChannels, 'image_h', 'image_w']);
  return g;
}

/**
 * DiT latent → VAE latent: z = x / scaling + shift, element-wise in float32 as torch does it
 * ([EXP] demo.py: `latents / 0.3611 + 0.1159`; newbie-model.md §2.10). Returns a new array, same layout.
 */
export function ditLatentToVae(x: Float32Array, scaling: number, shift: number): Float32Array {
  const s = Math.fround(scaling);
  const t = Math.fround(shift);
  const z = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) z[i] = Math.fround(x[i] / s) + t;
  return z;
}

export interface VaeDecoderOptions {
  /** Decoder key prefix; default config.prefix. A different prefix re-reads the structure under it. */
  prefix?: string;
  /** Compute dtype: 'float32' (default) or 'float16'; 'bfloat16' is refused (PrecisionUnsupported). */
  dtype?: VaeComputeDtype;
  provider?: ProviderName;
  intraOpThreads?: number;
}

/** The VAE decoder session: created once, serves every latent size (symbolic dims). */
export class VaeDecoder {
  private released = false;

  private constructor(
    private readonly session: EngineSession,
    readonly config: FluxVaeConfig,
    readonly dtype: 'float32' | 'float16',
    readonly provider: ProviderName,
  ) {}

  /**
   * Builds the graph and creates the session (weights stay mmapped from the safetensors file).
   * @throws StudioError PrecisionUnsupported (bf16), ModelInvalid (weights or graph rejected), ProviderUnavailable.
   */
  static async create(weights: WeightSet, config: FluxVaeConfig, opts: VaeDecoderOptions = {}): Promise<VaeDecoder> {
    const dtype = opts.dtype ?? 'float32';
    const provider = opts.provider ?? 'cpu';
    const cfg =
      opts.prefix === undefined || opts.prefix === config.prefix
        ? config
        : vaeConfigFromWeights(weights, opts.prefix, {
            norm_num_groups: config.groups,
            norm_eps: config.eps,
            scaling_factor: config.scalingFactor,
            shift_factor: config.shiftFactor,
            use_post_quant_conv: config.postQuantConv !== null,
            mid_block_add_attention: config.midAttentions.length > 0,
          });
    const { bytes, externalDataFolder } = buildFluxVaeDecoderGraph(weights, cfg, dtype).toModel();
    const session = await EngineSession.create('VAE decoder', bytes, externalDataFolder, {
      provider,
      optimizeWeights: true,
      ...(opts.intraOpThreads ? { intraOpThreads: opts.intraOpThreads } : {}),
    });
    return new VaeDecoder(session, cfg, dtype === 'float16' ? 'float16' : 'float32', provider);
  }

  /**
   * Decodes one VAE-space latent.
   * @param latent f32 [latentChannels, h, w] (16 for FLUX), already z = x/scaling + shift.
   * @returns f32 [outChannels, 8h, 8w] (3 × image size, CHW), ≈[−1, 1], not clamped.
   * @throws StudioError InvalidRequest for sizes that do not match the array or a released decoder.
   */
  async decode(latent: Float32Array, h: number, w: number): Promise<Float32Array> {
    if (this.released) throw new StudioError('InvalidRequest', 'VAE decoder: decode called after release()');
    const C = this.config.latentChannels;
    if (!Number.isInteger(h) || !Number.isInteger(w) || h < 1 || w < 1 || latent.length !== C * h * w) {
      throw new StudioError(
        'InvalidRequest',
        `VAE decoder: latent of ${latent.length} values does not match [${C}, ${h}, ${w}] (= ${C * h * w})`,
      );
    }
    const out = await this.session.run({ latent: f32(latent, [1, C, h, w]) });
    const decoded = out['decoded'];
    const up = vaeUpscale(this.config);
    const expected = [1, this.config.outChannels, h * up, w * up];
    if (decoded?.type !== 'float32' || decoded.dims.join() !== expected.join()) {
      throw new StudioError('EngineCrashed', `VAE decoder returned [${decoded?.dims.join(', ')}], expected [${expected.join(', ')}]`);
    }
    return decoded.data;
  }

  /**
   * Decodes a latent in the DiT's space (what the sampler returns): z = x / scalingFactor + shiftFactor, then decode.
   * @param x f32 [latentChannels, h, w]. @returns f32 [outChannels, 8h, 8w] ≈[−1, 1].
   */
  async decodeDitLatent(x: Float32Array, h: number, w: number): Promise<Float32Array> {
    return this.decode(ditLatentToVae(x, this.config.scalingFactor, this.config.shiftFactor), h, w);
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.session.release();
  }
}
