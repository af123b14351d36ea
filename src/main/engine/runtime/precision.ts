/**
 * Precision policy per component (architecture.md §4, conventions.md §3). Pure: no onnxruntime import.
 *
 * | component | CUDA cc ≥ 8.0 | older CUDA | DirectML / CoreML / WebGPU | CPU |
 * | gemma     | bf16          | fp32       | fp32                       | fp32 |
 * | jina      | bf16          | fp16       | fp16                       | fp32 |
 * | dit       | bf16          | fp16       | fp16                       | fp32 |
 * | vae       | fp32          | fp32       | fp16                       | fp32 |
 */
import { StudioError } from '../../../shared/errors';
import type { ComponentName, Dtype, PrecisionChoice, PrecisionPlan, ProviderName } from '../../../shared/dto';

export const COMPONENTS: readonly ComponentName[] = ['gemma', 'jina', 'dit', 'vae'];

export interface DeviceCaps {
  provider: ProviderName;
  /** CUDA compute capability as a number (8.9), when known. */
  computeCapability?: number;
}

/** True when the provider runs bf16 kernels: CUDA on compute capability ≥ 8.0 (Ampere and newer). */
export function supportsBf16(caps: DeviceCaps): boolean {
  return caps.provider === 'cuda' && (caps.computeCapability ?? 0) >= 8.0;
}

/** The `auto` plan for a device, from the table above. */
export function autoPlan(caps: DeviceCaps): PrecisionPlan {
  switch (caps.provider) {
    case 'cuda':
      return supportsBf16(caps)
        ? { gemma: 'bf16', jina: 'bf16', dit: 'bf16', vae: 'fp32' }
        : { gemma: 'fp32', jina: 'fp16', dit: 'fp16', vae: 'fp32' };
    case 'dml':
    case 'coreml':
    case 'webgpu':
      return { gemma: 'fp32', jina: 'fp16', dit: 'fp16', vae: 'fp16' };
    case 'cpu':
      return { gemma: 'fp32', jina: 'fp32', dit: 'fp32', vae: 'fp32' };
  }
}

/**
 * Resolves a user's precision choice into a per-component plan.
 * Forced bf16 needs a bf16-capable provider (else PrecisionUnsupported). Gemma never runs in fp16 (it overflows:
 * newbie-model.md §5), and the VAE stays fp32 under forced bf16 (no bf16 GroupNorm/Resize kernels).
 * Forced fp16 on CPU is allowed: ORT runs it through its fp32 fallback ("fp16 weights, fp32 compute").
 * @throws StudioError PrecisionUnsupported
 */
export function resolvePlan(choice: PrecisionChoice, caps: DeviceCaps): PrecisionPlan {
  if (choice === 'auto') return autoPlan(caps);
  if (choice === 'fp32') return { gemma: 'fp32', jina: 'fp32', dit: 'fp32', vae: 'fp32' };
  if (choice === 'bf16') {
    if (!supportsBf16(caps)) {
      throw new StudioError(
        'PrecisionUnsupported',
        `bf16 needs the CUDA execution provider on a GPU with compute capability ≥ 8.0; this run uses ${caps.provider}${
          caps.computeCapability ? ` (compute capability ${caps.computeCapability})` : ''
        }.`,
        'Choose precision auto, fp16 or fp32.',
      );
    }
    return { gemma: 'bf16', jina: 'bf16', dit: 'bf16', vae: 'fp32' };
  }
  // fp16: Gemma overflows in fp16, so it stays in fp32 (bf16 where available would change numerics silently).
  return { gemma: 'fp32', jina: 'fp16', dit: 'fp16', vae: caps.provider === 'cuda' ? 'fp32' : 'fp16' };
}

/** Human description of a component's precision on a provider ("fp16 weights, fp32 compute" on CPU). */
export function describePrecision(dtype: Dtype, provider: ProviderName): string {
  if (provider === 'cpu' && dtype === 'fp16') return 'fp16 weights, fp32 compute';
  return dtype;
}

/** ONNX element type for a dtype. */
export function elemTypeOf(dtype: Dtype): 'float32' | 'float16' | 'bfloat16' {
  return dtype === 'fp32' ? 'float32' : dtype === 'fp16' ? 'float16' : 'bfloat16';
}
