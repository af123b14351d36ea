/**
 * The pre-run check: compare a job's predicted VRAM with what the GPU has available and warn (never block: the
 * estimate can be wrong, and an OOM is a normal, recoverable outcome) with advice that fits the request.
 */
import type { VramSample } from '../../shared/dto';
import { formatGB, memoryAdvice, type AdviceContext } from './advice';
import { predictVram, type VramPrediction, type VramPredictionInput } from './predict';

/**
 * Bytes a job may use on a GPU: free memory plus what our own processes (a warm engine host) already hold there,
 * since the prediction counts resident weights itself. Undefined when the sample has no fresh data for that GPU.
 */
export function availableVram(
  sample: VramSample | undefined,
  gpuIndex = 0,
  ourPids?: readonly number[],
): number | undefined {
  if (!sample || sample.gpuStatus !== 'ok') return undefined;
  const g = sample.gpus.find((x) => x.index === gpuIndex);
  if (!g || g.freeBytes === null) return undefined;
  const ours = sample.processes
    .filter((p) => !ourPids || ourPids.includes(p.pid))
    .reduce((s, p) => s + (p.vramBytes[gpuIndex] ?? 0), 0);
  return g.freeBytes + ours;
}

export interface VramWarning {
  message: string;
  advice: string[];
  prediction: VramPrediction;
}

/**
 * Predicts the job and returns a warning when it exceeds `availableBytes`, else null.
 * @param input prediction input (weights per component, plan, policy, size, batch)
 * @param availableBytes from availableVram(); undefined (no GPU data) → null, nothing to compare with
 */
export function vramWarning(
  input: VramPredictionInput,
  availableBytes: number | undefined,
  extra: Omit<AdviceContext, 'request' | 'prediction' | 'availableBytes' | 'plan'> = {},
): VramWarning | null {
  const prediction = predictVram(input);
  if (availableBytes === undefined || prediction.fitsIn(availableBytes)) return null;
  const ctx: AdviceContext = {
    ...extra,
    provider: input.provider ?? extra.provider,
    plan: input.plan,
    request: {
      width: input.width,
      height: input.height,
      batch: input.batch,
      memoryPolicy: input.memoryPolicy,
    },
    prediction: input,
    availableBytes,
  };
  return {
    message:
      `This job is predicted to need ${formatGB(prediction.bytes)} of GPU memory (peak while ${prediction.peakStage === 'encode' ? 'encoding the prompt' : prediction.peakStage === 'denoise' ? 'denoising' : 'decoding'}), ` +
      `but only ${formatGB(availableBytes)} is available. It may run out of memory.`,
    advice: memoryAdvice(ctx, 'vram'),
    prediction,
  };
}
