/**
 * VRAM prediction inputs shared by the predict and OOM tests: the NewBie weight sizes worked out from the tensor
 * shapes in newbie-model.md §4 (bf16 on disk, bytes) and a 1024² single-image CUDA request over them.
 */
import type { PrecisionPlan } from '../../../../src/shared/dto';
import type { VramPredictionInput } from '../../../../src/main/system/predict';

export const GB = 1e9;
export const BF16: PrecisionPlan = { gemma: 'bf16', jina: 'bf16', dit: 'bf16', vae: 'fp32' };
export const FP32: PrecisionPlan = { gemma: 'fp32', jina: 'fp32', dit: 'fp32', vae: 'fp32' };
export const NEWBIE_BYTES = { dit: 6.97 * GB, gemma: 7.6 * GB, jina: 1.1 * GB, vae: 0.168 * GB };

/** The official model in bf16 on CUDA, 1024×1024, batch 1, encoders kept; `over` replaces fields. */
export const newbieVramInput = (over: Partial<VramPredictionInput> = {}): VramPredictionInput => ({
  componentBytes: NEWBIE_BYTES,
  plan: BF16,
  memoryPolicy: 'keep',
  width: 1024,
  height: 1024,
  batch: 1,
  provider: 'cuda',
  ...over,
});
