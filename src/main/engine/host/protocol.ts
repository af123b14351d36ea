/**
 * Messages between the main process (or CLI) and the engine host process (architecture.md §1). Both Electron's
 * utilityProcess and child_process.fork (with `serialization: 'advanced'`) carry them as structured clones, so
 * Uint8Array payloads (RGB8, preview PNGs) cross without base64.
 */
import type { GenerationRequest, MemoryPolicy, PrecisionPlan, ProviderName, StageTimings } from '../../../shared/dto';
import type { StudioErrorData } from '../../../shared/errors';
import type { StepEvent } from '../pipeline/textToImage';
import type { ProviderProbe } from '../runtime/providers';

export interface HostLoadOptions {
  modelDir: string;
  /** Preferred provider; the host probes and falls back visibly when it does not load. */
  provider?: ProviderName;
  computeCapability?: number;
  memoryPolicy?: MemoryPolicy;
}

/** Parent → host. */
export type HostRequest =
  | { type: 'probe'; id: string }
  | { type: 'generate'; id: string; load: HostLoadOptions; request: GenerationRequest; previews?: boolean }
  | { type: 'cancel'; id: string }
  | { type: 'unload'; id: string };

export interface HostImage {
  index: number;
  seed: number;
  width: number;
  height: number;
  rgb: Uint8Array;
}

export interface HostResult {
  images: HostImage[];
  precision: PrecisionPlan;
  provider: ProviderName;
  modelIdentity: string;
  ortVersion: string;
  timings: StageTimings;
  warnings: string[];
  notices: string[];
  peakRss: Record<string, number>;
}

/** Host → parent. */
export type HostEvent =
  | { type: 'ready'; pid: number }
  | { type: 'probed'; id: string; providers: ProviderProbe[] }
  | { type: 'notice'; id: string; message: string }
  | { type: 'warning'; id: string; message: string }
  | ({ type: 'progress'; id: string } & StepEvent)
  | { type: 'result'; id: string; result: HostResult }
  | { type: 'error'; id: string; error: StudioErrorData }
  | { type: 'unloaded'; id: string };
