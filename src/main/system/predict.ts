/**
 * VRAM prediction before a job runs: weights per component as stored, which components are resident in each stage
 * (memory policy), an activation estimate for the resolution and batch, and the runtime's own overhead.
 * It is an estimate to be calibrated: the prediction is stored next to the measured peak (history columns
 * predicted_vram_bytes / peak_vram_bytes). The model is written down in docs/devices-and-vram.md.
 *
 * Sources: dimensions from newbie-model.md §0, §1.6–1.8; weights stay as stored and graphs Cast inside
 * (architecture.md §4); the engine creates sessions lazily and releases the encoders after encoding under `release`
 * (and `auto` on a GPU) (engine/pipeline/model.ts); CUDA attention is fused (flash / memory-efficient, onnxruntime
 * PR #27542, runtime-notes.md §2.2), other providers materialise the score matrix.
 */
import type { ComponentName, Dtype, MemoryPolicy, PrecisionPlan, ProviderName } from '../../shared/dto';

export type Stage = 'encode' | 'denoise' | 'decode';

/** Model dimensions the activation estimate needs; defaults are NewBie-image-Exp0.1's published values. */
export interface PredictionDims {
  ditDim: number;
  ditHeads: number;
  ditKvHeads: number;
  ditHeadDim: number;
  ditFfn: number;
  gemmaHidden: number;
  gemmaHeads: number;
  gemmaKvHeads: number;
  gemmaHeadDim: number;
  gemmaFfn: number;
  jinaHidden: number;
  jinaHeads: number;
  jinaFfn: number;
  /** Channels of the VAE decoder's last two up blocks at full resolution (block_out_channels[0..1]). */
  vaeFullResChannels: [number, number];
  vaeMidChannels: number;
}

export const NEWBIE_DIMS: PredictionDims = {
  ditDim: 2304,
  ditHeads: 24,
  ditKvHeads: 8,
  ditHeadDim: 96,
  ditFfn: 9216,
  gemmaHidden: 2560,
  gemmaHeads: 8,
  gemmaKvHeads: 4,
  gemmaHeadDim: 256,
  gemmaFfn: 10240,
  jinaHidden: 1024,
  jinaHeads: 16,
  jinaFfn: 4096,
  vaeFullResChannels: [128, 256],
  vaeMidChannels: 512,
};

export interface VramPredictionInput {
  /** Weight bytes per component as stored in its safetensors files (sum of tensor data lengths). */
  componentBytes: Record<ComponentName, number>;
  /** Dtype of the stored weights; default bf16 (the official files). A differing compute dtype costs a Cast buffer. */
  storedDtype?: Partial<Record<ComponentName, Dtype>>;
  plan: PrecisionPlan;
  memoryPolicy: MemoryPolicy;
  width: number;
  height: number;
  batch: number;
  provider?: ProviderName;
  /** CFG doubles the DiT rows; default true (guidance > 1). */
  cfg?: boolean;
  /** Text tokens per prompt (system prompt included); default 512, the encoders' maximum. */
  textTokens?: number;
  /** Components already resident when the job starts (a warm engine host); default none (cold or restarted host). */
  residentBefore?: readonly ComponentName[];
  dims?: Partial<PredictionDims>;
}

export interface StageEstimate {
  stage: Stage;
  resident: ComponentName[];
  bytes: number;
}

export interface VramPrediction {
  /** Predicted peak bytes on the device (for the CPU provider: bytes of RAM). */
  bytes: number;
  policy: 'keep' | 'release';
  peakStage: Stage;
  breakdown: {
    weights: Record<ComponentName, number>;
    /** Peak activation bytes while the component runs, its Cast buffers included. */
    activations: Record<ComponentName, number>;
    runtimeOverhead: number;
    stages: StageEstimate[];
  };
  /** True when `bytes` ≤ available bytes (free VRAM plus what our warm host already holds). */
  fitsIn(availableBytes: number): boolean;
}

/** Bytes per element of a weight/compute dtype: 4 for fp32, 2 for bf16 and fp16. */
export const bytesOf = (d: Dtype): number => (d === 'fp32' ? 4 : 2);

/**
 * CUDA context, cuBLAS/cuDNN workspaces and arena slack (~1 GiB on recent GPUs); smaller for DML/WebGPU; zero on CPU
 * and CoreML (unified memory is process memory). To be calibrated from stored peaks.
 */
export const RUNTIME_OVERHEAD: Record<ProviderName, number> = {
  cuda: 1024 * 1024 * 1024,
  dml: 512 * 1024 * 1024,
  webgpu: 512 * 1024 * 1024,
  coreml: 0,
  cpu: 0,
};

/** Largest weight matrix each graph casts at a time: SwiGLU w1 / Gemma gate / Jina fc1 / VAE 512×512×3×3 conv. */
function largestMatrix(c: ComponentName, d: PredictionDims): number {
  switch (c) {
    case 'dit':
      return d.ditFfn * d.ditDim;
    case 'gemma':
      return d.gemmaFfn * d.gemmaHidden;
    case 'jina':
      return d.jinaFfn * d.jinaHidden;
    case 'vae':
      return d.vaeMidChannels * d.vaeMidChannels * 9;
  }
}

/**
 * Peak activation bytes of one transformer block: the residual and its normed copy stay live, plus the larger of the
 * attention stage (q,k,v, their RoPE'd fp32 copies, output; scores when unfused) and the gated FFN (two
 * projections and their product). Rows × tokens × elements × bytes.
 */
function blockActivation(
  rows: number,
  tokens: number,
  e: number,
  hidden: number,
  heads: number,
  kvHeads: number,
  headDim: number,
  ffn: number,
  fusedAttention: boolean,
): number {
  const qkv = (heads + 2 * kvHeads) * headDim;
  const attention =
    rows * tokens * (qkv + heads * headDim) * e + rows * tokens * (heads + kvHeads) * headDim * 4;
  const scores = fusedAttention ? 0 : rows * heads * tokens * tokens * 4; // softmax accumulates in fp32
  const ffnStage = rows * tokens * 3 * ffn * e;
  return rows * tokens * 2 * hidden * e + Math.max(attention + scores, ffnStage);
}

/**
 * Predicts the peak VRAM of a job.
 * Stages run in order encode (Gemma, Jina) → denoise (DiT, `steps` runs) → decode (VAE); sessions are created at
 * first use. `keep` keeps every session; `release` frees the encoders after encoding; `auto` is release on a GPU and
 * keep on the CPU (as engine/pipeline/model.ts does). Peak = max over stages of resident weights + that stage's
 * activations, plus RUNTIME_OVERHEAD.
 * DiT tokens = (H/16)(W/16) image + textTokens caption; VAE peak = a ResNet block at full resolution
 * (input, GroupNorm out, SiLU temporaries: 4 maps of block_out_channels[1]) or the mid-block attention at H/8×W/8.
 * @throws RangeError for non-positive sizes, batch or weight bytes (callers validate requests first).
 */
export function predictVram(input: VramPredictionInput): VramPrediction {
  const { width, height, batch, plan } = input;
  if (!(width > 0 && height > 0 && batch >= 1))
    throw new RangeError(`predictVram: bad size ${width}×${height}×${batch}`);
  for (const [c, b] of Object.entries(input.componentBytes)) {
    if (!(b >= 0)) throw new RangeError(`predictVram: bad weight bytes for ${c}: ${b}`);
  }
  const d: PredictionDims = { ...NEWBIE_DIMS, ...input.dims };
  const provider = input.provider ?? 'cuda';
  const fused = provider === 'cuda';
  const text = input.textTokens ?? 512;
  const cfgRows = input.cfg === false ? 1 : 2;
  const e = (c: ComponentName): number => bytesOf(plan[c]);

  const castBuffer = (c: ComponentName): number =>
    bytesOf(input.storedDtype?.[c] ?? 'bf16') === e(c) ? 0 : 2 * largestMatrix(c, d) * e(c);

  const ditTokens = Math.ceil(height / 16) * Math.ceil(width / 16) + text;
  const pixels = width * height;
  const latentTokens = Math.ceil(height / 8) * Math.ceil(width / 8);
  const vaeResnet = batch * pixels * 4 * d.vaeFullResChannels[1] * e('vae');
  const vaeAttention =
    batch * (latentTokens * 3 * d.vaeMidChannels * e('vae') + (fused ? 0 : latentTokens * latentTokens * 4));
  const activations: Record<ComponentName, number> = {
    // Positive and negative prompts: two rows through each encoder, whatever the batch.
    gemma:
      blockActivation(
        2,
        text,
        e('gemma'),
        d.gemmaHidden,
        d.gemmaHeads,
        d.gemmaKvHeads,
        d.gemmaHeadDim,
        d.gemmaFfn,
        fused,
      ) + castBuffer('gemma'),
    jina:
      blockActivation(
        2,
        text,
        e('jina'),
        d.jinaHidden,
        d.jinaHeads,
        d.jinaHeads,
        d.jinaHidden / d.jinaHeads,
        d.jinaFfn,
        fused,
      ) + castBuffer('jina'),
    dit:
      blockActivation(
        batch * cfgRows,
        ditTokens,
        e('dit'),
        d.ditDim,
        d.ditHeads,
        d.ditKvHeads,
        d.ditHeadDim,
        d.ditFfn,
        fused,
      ) + castBuffer('dit'),
    vae: Math.max(vaeResnet, vaeAttention) + castBuffer('vae'),
  };

  const policy: 'keep' | 'release' =
    input.memoryPolicy === 'auto' ? (provider === 'cpu' ? 'keep' : 'release') : input.memoryPolicy;
  const resident = new Set<ComponentName>(input.residentBefore ?? []);
  const stages: StageEstimate[] = [];
  const weightsOf = (set: Set<ComponentName>): number =>
    [...set].reduce((s, c) => s + input.componentBytes[c], 0);
  const order = (set: Set<ComponentName>): ComponentName[] =>
    (['gemma', 'jina', 'dit', 'vae'] as const).filter((c) => set.has(c));

  resident.add('gemma').add('jina');
  stages.push({
    stage: 'encode',
    resident: order(resident),
    bytes: weightsOf(resident) + Math.max(activations.gemma, activations.jina),
  });
  if (policy === 'release') {
    resident.delete('gemma');
    resident.delete('jina');
  }
  resident.add('dit');
  stages.push({ stage: 'denoise', resident: order(resident), bytes: weightsOf(resident) + activations.dit });
  resident.add('vae');
  stages.push({ stage: 'decode', resident: order(resident), bytes: weightsOf(resident) + activations.vae });

  const overhead = RUNTIME_OVERHEAD[provider];
  for (const s of stages) s.bytes += overhead;
  const peak = stages.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  return {
    bytes: peak.bytes,
    policy,
    peakStage: peak.stage,
    breakdown: { weights: { ...input.componentBytes }, activations, runtimeOverhead: overhead, stages },
    fitsIn: (available: number) => peak.bytes <= available,
  };
}
