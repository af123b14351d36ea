/**
 * Session creation shared by the two text encoders (gemma3Text.ts, jinaClipV2Text.ts): each builds one graph over
 * its mmapped weights and runs it in one ORT session, and both refuse bf16 on the CPU provider before touching the
 * weights (the CPU provider has no bf16 kernels: runtime-notes.md §2.1, conventions.md §3).
 */
import { StudioError } from '../../../shared/errors';
import type { ProviderName } from '../../../shared/dto';
import type { GraphBuilder } from '../onnx/graph';
import { EngineSession } from '../runtime/session';
import type { ComputeDtype } from './textEncoderCommon';

/** Compute dtype and where a text encoder runs. */
export interface EncoderSessionOptions {
  dtype: ComputeDtype;
  provider: ProviderName;
  /** CUDA/DML device index. */
  deviceId?: number;
  /** Threads for CPU kernels (default: ORT's choice). */
  intraOpThreads?: number;
}

/**
 * Refuses a bf16 compute dtype on the CPU provider (never silently computed in another dtype).
 * `model` names the encoder in the message ("Gemma3"), `hint` says which precision to pick instead.
 * @throws StudioError PrecisionUnsupported.
 */
export function refuseCpuBf16(model: string, opts: EncoderSessionOptions, hint: string): void {
  if (opts.dtype === 'bfloat16' && opts.provider === 'cpu') {
    throw new StudioError(
      'PrecisionUnsupported',
      `${model}: bf16 compute needs the CUDA execution provider; the CPU provider has no bf16 kernels.`,
      hint,
    );
  }
}

/**
 * Serialises a built encoder graph (initializers point into the safetensors files) and creates its session on
 * `opts.provider`. `label` names the session in errors ("Gemma3 text encoder").
 * @throws StudioError ProviderUnavailable, OutOfMemory or ModelInvalid from session creation.
 */
export async function createEncoderSession(
  label: string,
  graph: GraphBuilder,
  opts: EncoderSessionOptions,
): Promise<EngineSession> {
  const { bytes, externalDataFolder } = graph.toModel();
  return EngineSession.create(label, bytes, externalDataFolder, {
    provider: opts.provider,
    deviceId: opts.deviceId,
    intraOpThreads: opts.intraOpThreads,
  });
}
