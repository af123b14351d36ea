/**
 * Plain data crossing process boundaries (renderer ⇄ main ⇄ engine host). Structured-clone safe.
 * Units: sizes in pixels, times in ms, memory in bytes, t = model time (0 = noise, 1 = data).
 */

export type Sampler = 'euler' | 'midpoint';
export type PrecisionChoice = 'auto' | 'bf16' | 'fp16' | 'fp32';
export type Dtype = 'bf16' | 'fp16' | 'fp32';
export type ComponentName = 'gemma' | 'jina' | 'dit' | 'vae';
export type ProviderName = 'cuda' | 'dml' | 'coreml' | 'webgpu' | 'cpu';
export type MemoryPolicy = 'auto' | 'keep' | 'release';
export type PromptMode = 'xml' | 'tags' | 'natural';

/** Defaults of the official model (newbie-model.md §4, conventions.md §1). */
export const DEFAULTS = {
  width: 1024,
  height: 1024,
  steps: 28,
  guidance: 5.0,
  shift: 6.0,
  cfgTrunc: 1.0,
  renormCfg: 1.0,
  sampler: 'euler' as Sampler,
  precision: 'auto' as PrecisionChoice,
  batch: 1,
} as const;

/** Largest seed: exact in JSON, JS numbers and SQLite integers (conventions.md §1). */
export const MAX_SEED = Number.MAX_SAFE_INTEGER;

/** A fully resolved request: what the queue snapshots and the PNG metadata stores. */
export interface GenerationRequest {
  prompt: string;
  negativePrompt: string;
  width: number;
  height: number;
  steps: number;
  guidance: number;
  shift: number;
  cfgTrunc: number;
  renormCfg: number;
  sampler: Sampler;
  /** Resolved integer seed; batch image i uses seed + i. */
  seed: number;
  batch: number;
  precision: PrecisionChoice;
  memoryPolicy?: MemoryPolicy;
  /** Generation this one re-runs (lineage), if any. */
  parentId?: string;
}

/** Per-component resolved dtype, e.g. {gemma:'fp32', jina:'fp32', dit:'fp32', vae:'fp32'}. */
export type PrecisionPlan = Record<ComponentName, Dtype>;

/** Progress after each denoising step. `preview` is a small PNG of the predicted clean latent. */
export interface StepProgress {
  step: number;
  total: number;
  elapsedMs: number;
  etaMs: number;
  preview?: Uint8Array;
}

export interface StageTimings {
  loadMs: number;
  encodeMs: number;
  denoiseMs: number;
  decodeMs: number;
  totalMs: number;
}
