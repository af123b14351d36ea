/**
 * The NewBie NextDiT (NextDiT_CLIP) on ONNX Runtime: `DitRunner` owns the caption-graph and main-graph sessions
 * (created once, reused for every prompt length, resolution and step) and does the TS side of a DiT call:
 * patchify, RoPE tables, unpatchify. Graphs: nextDitGraph.ts; config from shapes: nextDitConfig.ts; pure tables:
 * nextDitRope.ts. Source: NewBieAI-Lab/NewBie-image-Exp0.1 @709e9a4 `models/model.py` `NextDiT_CLIP.forward`;
 * newbie-model.md §2.7 and §2.11.
 */
import { StudioError } from '../../../shared/errors';
import type { ProviderName } from '../../../shared/dto';
import { EngineSession, f32, type TensorData } from '../runtime';
import type { WeightSet } from '../safetensors/weightSet';
import type { DitConfig } from './nextDitConfig';
import { DIT_IO, buildDitCaptionGraph, buildDitMainGraph, type DitComputeDtype } from './nextDitGraph';
import { ditRopeTables, patchify, unpatchify, type RopeTables } from './nextDitRope';

export { ditConfigFromWeights, DIT_CONFIG_DEFAULTS, type DitConfig } from './nextDitConfig';
export { buildDitCaptionGraph, buildDitMainGraph, DIT_IO, type DitComputeDtype, type DitGraphOptions } from './nextDitGraph';
export { ditPositionIds, ditRopeTables, patchify, unpatchify, timestepFrequencies, type RopeTables, type RopeSpec } from './nextDitRope';

export interface DitRunnerOptions {
  /** Prepended to every weight key (default ''). */
  prefix?: string;
  /** Compute dtype of the activations; graph I/O stays float32. */
  dtype: DitComputeDtype;
  provider: ProviderName;
  deviceId?: number;
  intraOpThreads?: number;
}

/** RoPE tables of recent (L, hT, wT): cond and uncond differ in L, and both repeat every step. */
const ROPE_CACHE_SIZE = 4;

/**
 * Runs the NextDiT caption refiner and main graph on ORT sessions created once (`create`); one sample per call:
 * latents fp32 [C, h, w] (h, w = image / 8), captions fp32 [L, cap_feat_dim]. Methods document their errors.
 */
export class DitRunner {
  private readonly ropeCache = new Map<string, { tables: RopeTables; jointIndex: TensorData }>();

  private constructor(
    readonly config: DitConfig,
    readonly dtype: DitComputeDtype,
    readonly provider: ProviderName,
    private readonly captionSession: EngineSession,
    private readonly mainSession: EngineSession,
  ) {}

  /**
   * Builds both graphs over the weights (no weight bytes are read: initializers point into the safetensors files)
   * and creates their sessions.
   * @throws StudioError PrecisionUnsupported for bf16 on the CPU provider (no bf16 kernels there, runtime-notes §2.1);
   *   ProviderUnavailable / ModelInvalid from session creation.
   */
  static async create(weights: WeightSet, config: DitConfig, opts: DitRunnerOptions): Promise<DitRunner> {
    if (opts.dtype === 'bfloat16' && opts.provider === 'cpu') {
      throw new StudioError('PrecisionUnsupported', 'The DiT cannot compute in bf16 on the CPU execution provider.', 'Choose precision auto, fp16 or fp32.');
    }
    const graphOpts = { prefix: opts.prefix ?? '', dtype: opts.dtype };
    const cap = buildDitCaptionGraph(weights, config, graphOpts).toModel();
    const main = buildDitMainGraph(weights, config, graphOpts).toModel();
    const sessionOpts = { provider: opts.provider, deviceId: opts.deviceId, intraOpThreads: opts.intraOpThreads };
    const capSession = await EngineSession.create('DiT caption refiner', cap.bytes, cap.externalDataFolder, sessionOpts);
    try {
      const mainSession = await EngineSession.create('DiT', main.bytes, main.externalDataFolder, sessionOpts);
      return new DitRunner(config, opts.dtype, opts.provider, capSession, mainSession);
    } catch (e) {
      await capSession.release();
      throw e;
    }
  }

  /** RoPE tables and the joint index 0..L+N−1 for (L, hT, wT), cached. */
  private rope(L: number, hT: number, wT: number): { tables: RopeTables; jointIndex: TensorData } {
    const key = `${L}:${hT}:${wT}`;
    let t = this.ropeCache.get(key);
    if (!t) {
      const tables = ditRopeTables(this.config, L, hT, wT);
      const index = new BigInt64Array(tables.rows);
      for (let i = 0; i < tables.rows; i++) index[i] = BigInt(i);
      t = { tables, jointIndex: { type: 'int64', data: index, dims: [tables.rows] } };
      if (this.ropeCache.size >= ROPE_CACHE_SIZE) this.ropeCache.delete(this.ropeCache.keys().next().value as string);
      this.ropeCache.set(key, t);
    }
    return t;
  }

  /**
   * cap_embedder + context refiner over one caption; run once per prompt and reuse at every step.
   * @param capFeats Float32Array [L, C] (Gemma hidden_states[-2] cut to the valid length L, no padding)
   * @returns Float32Array [L, D]
   * @throws StudioError InvalidRequest for a size mismatch or L outside 1..axesLens[0]−1
   */
  async refineCaption(capFeats: Float32Array, L: number): Promise<Float32Array> {
    const c = this.config;
    if (!Number.isInteger(L) || capFeats.length !== L * c.capFeatDim) {
      throw new StudioError('InvalidRequest', `Caption features have ${capFeats.length} values; ${L} tokens × ${c.capFeatDim} needs ${L * c.capFeatDim}.`);
    }
    const rope = this.rope(L, 0, 0).tables;
    const io = DIT_IO.caption;
    const out = await this.captionSession.run({
      [io.capFeats]: f32(capFeats, [L, c.capFeatDim]),
      [io.cos]: f32(rope.cos, [1, L, rope.half]),
      [io.sin]: f32(rope.sin, [1, L, rope.half]),
    });
    return out[io.out].data as Float32Array;
  }

  /**
   * One DiT evaluation of one sample: the velocity (direction to data) at model time t.
   * @param latent Float32Array [C, h, w] (C = inChannels, 16), h and w multiples of the patch size
   * @param t model time in [0, 1] (0 = noise), fed as float32
   * @param capRefined Float32Array [L, D] from `refineCaption`
   * @param pooled Float32Array [P] (Jina pooled vector)
   * @returns Float32Array [C, h, w]
   * @throws StudioError InvalidRequest for size mismatches, a non-finite t, or sizes past the RoPE limits
   */
  async velocity(
    latent: Float32Array,
    h: number,
    w: number,
    t: number,
    capRefined: Float32Array,
    L: number,
    pooled: Float32Array,
  ): Promise<Float32Array> {
    const c = this.config;
    const p = c.patchSize;
    if (!Number.isInteger(L) || capRefined.length !== L * c.dim) {
      throw new StudioError('InvalidRequest', `Refined caption has ${capRefined.length} values; ${L} tokens × ${c.dim} needs ${L * c.dim}.`);
    }
    if (pooled.length !== c.clipTextDim) {
      throw new StudioError('InvalidRequest', `Pooled text vector has ${pooled.length} values; the model needs ${c.clipTextDim}.`);
    }
    if (!Number.isFinite(t)) throw new StudioError('InvalidRequest', `Model time t = ${t} is not a finite number.`);
    const patches = patchify(latent, c.inChannels, h, w, p);
    const hT = h / p, wT = w / p, N = hT * wT;
    const { tables: rope, jointIndex } = this.rope(L, hT, wT);
    const io = DIT_IO.main;
    const out = await this.mainSession.run({
      [io.patches]: f32(patches, [N, p * p * c.inChannels]),
      [io.capRefined]: f32(capRefined, [L, c.dim]),
      [io.t]: f32(Float32Array.of(t), [1]),
      [io.pooled]: f32(pooled, [c.clipTextDim]),
      [io.cos]: f32(rope.cos, [1, rope.rows, rope.half]),
      [io.sin]: f32(rope.sin, [1, rope.rows, rope.half]),
      [io.jointIndex]: jointIndex,
    });
    return unpatchify(out[io.out].data as Float32Array, c.inChannels, h, w, p);
  }

  /** Releases both sessions (the runner cannot be used afterwards). */
  async release(): Promise<void> {
    await Promise.all([this.captionSession.release(), this.mainSession.release()]);
  }
}
