/**
 * Memory advice that fits a request: what to change (memory policy, precision, batch, resolution) so the job fits,
 * changes that leave the picture alone first. Shared by the pre-run VRAM warning and the out-of-memory error. When
 * the prediction input and the available bytes are known, the resolution suggested is the largest that the
 * prediction says fits once the earlier suggestions are applied.
 */
import type {
  ComponentName,
  MemoryPolicy,
  PrecisionChoice,
  PrecisionPlan,
  ProviderName,
} from '../../shared/dto';
import { autoPlan } from '../engine/runtime/precision';
import { predictVram, type VramPredictionInput } from './predict';

export interface AdviceContext {
  request: {
    width: number;
    height: number;
    batch: number;
    memoryPolicy?: MemoryPolicy;
    precision?: PrecisionChoice;
  };
  plan?: PrecisionPlan;
  provider?: ProviderName;
  /** The GPU runs bf16 (CUDA, compute capability ≥ 8.0). */
  bf16Capable?: boolean;
  /** Prediction input for this request, to size the suggestions. */
  prediction?: VramPredictionInput;
  /** Free bytes on the device (plus what our warm host holds), when known. */
  availableBytes?: number;
}

const GB = 1e9;
/** Bytes as decimal gigabytes (1 GB = 1e9 bytes) with one decimal, e.g. `12.3 GB`. */
export const formatGB = (bytes: number): string => `${(bytes / GB).toFixed(1)} GB`;

/** Largest size below the current one, sides multiples of 64 (the demo's list), same aspect ratio, ≥ 256. */
export function smallerSize(
  width: number,
  height: number,
  areaScale: number,
): { width: number; height: number } {
  const s = Math.sqrt(areaScale);
  const round = (v: number): number => Math.max(256, Math.floor((v * s) / 64) * 64);
  return { width: round(width), height: round(height) };
}

function suggestResolution(
  ctx: AdviceContext,
  applied: VramPredictionInput | undefined,
  otherAdvice: boolean,
): { width: number; height: number } | null {
  const { width, height } = ctx.request;
  if (width * height <= 512 * 512) return null;
  if (applied && ctx.availableBytes !== undefined) {
    // The other changes are predicted to be enough: no need to give up pixels.
    if (otherAdvice && predictVram(applied).fitsIn(ctx.availableBytes)) return null;
    for (let scale = 0.9; scale >= 0.2; scale -= 0.05) {
      const size = smallerSize(width, height, scale);
      if (size.width * size.height >= width * height) continue;
      if (predictVram({ ...applied, ...size }).fitsIn(ctx.availableBytes)) return size;
    }
  }
  const size = smallerSize(width, height, 0.66);
  return size.width * size.height < width * height ? size : null;
}

const encoderBytes = (ctx: AdviceContext): number | undefined => {
  const b = ctx.prediction?.componentBytes;
  return b ? (['gemma', 'jina'] as ComponentName[]).reduce((s, c) => s + b[c], 0) : undefined;
};

/**
 * Advice for a request that does not fit (or ran out of) memory.
 * @param memory 'vram' for the GPU, 'ram' for system memory (CPU runs, host-side allocations, the OOM killer)
 * @returns sentences a person can act on, most effective first; never empty
 */
export function memoryAdvice(ctx: AdviceContext, memory: 'vram' | 'ram' | 'unknown'): string[] {
  const out: string[] = [];
  const { width, height, batch } = ctx.request;
  const provider = ctx.provider ?? 'cuda';
  // Changes that leave the picture alone come first; the resolution is sized with them applied.
  let applied = ctx.prediction ? { ...ctx.prediction } : undefined;
  const policy = ctx.request.memoryPolicy ?? 'auto';
  const releases = policy === 'release' || (policy === 'auto' && provider !== 'cpu');
  if (!releases && memory !== 'ram') {
    const enc = encoderBytes(ctx);
    out.push(
      `Release the text encoders after encoding (memory policy "release")${enc ? `: frees about ${formatGB(enc)} before the DiT runs` : ''}.`,
    );
    if (applied) applied = { ...applied, memoryPolicy: 'release' };
  }
  if (
    memory !== 'ram' &&
    provider !== 'cpu' &&
    ctx.plan &&
    (ctx.plan.dit === 'fp32' || ctx.plan.gemma === 'fp32')
  ) {
    const auto = autoPlan({ provider, ...(ctx.bf16Capable ? { computeCapability: 8.0 } : {}) });
    if (ctx.plan.dit === 'fp32') {
      out.push(
        `Use precision ${ctx.bf16Capable ? 'auto (bf16 on this GPU)' : 'auto or fp16'}: fp32 activations take twice the memory of 16-bit ones.`,
      );
      if (applied) applied = { ...applied, plan: auto };
    } else if (ctx.bf16Capable) {
      out.push('Use precision auto (bf16 on this GPU): Gemma runs in fp32 under the current choice.');
      if (applied) applied = { ...applied, plan: auto };
    }
  }
  if (batch > 1) {
    out.push(`Generate one image at a time: batch 1 instead of ${batch}.`);
    if (applied) applied = { ...applied, batch: 1 };
  }
  const size = suggestResolution(ctx, applied, out.length > 0);
  if (size) {
    const change = `${width}×${height} → ${size.width}×${size.height}`;
    out.push(
      out.length
        ? `If it still does not fit, lower the resolution: ${change}.`
        : `Lower the resolution: ${change}.`,
    );
  }
  if (memory === 'ram') {
    out.push(
      ctx.prediction
        ? `Close other programs to free RAM: this run needs about ${formatGB(predictVram(ctx.prediction).bytes)}.`
        : 'Close other programs to free RAM.',
    );
  } else {
    out.push(
      'Close other programs that use the GPU (games, browsers with hardware acceleration, other AI tools).',
    );
  }
  return out;
}
