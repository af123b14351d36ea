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

/** Largest random seed: "Random" draws uniformly from [0, 2^32 − 1] (conventions.md §1). */
export const RANDOM_SEED_MAX = 2 ** 32 - 1;

/**
 * The sampling parameters a request, the saved defaults and the generate panel share: size in pixels, steps
 * (integration intervals), guidance (CFG scale), shift (time-shift factor), CFG truncation and renormalisation,
 * sampler, precision, batch size (conventions.md §1).
 */
export interface SamplingParams {
  width: number;
  height: number;
  steps: number;
  guidance: number;
  shift: number;
  cfgTrunc: number;
  renormCfg: number;
  sampler: Sampler;
  precision: PrecisionChoice;
  batch: number;
}

/** A fully resolved request: what the queue snapshots and the PNG metadata stores. */
export interface GenerationRequest extends SamplingParams {
  prompt: string;
  negativePrompt: string;
  /** Resolved integer seed; batch image i uses seed + i. */
  seed: number;
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

// ───────────── Devices and VRAM (issue 7; produced by src/main/system) ─────────────

/** One GPU as nvidia-smi reports it. Memory in bytes. */
export interface GpuInfo {
  /** nvidia-smi index (PCI bus order). */
  index: number;
  uuid?: string;
  name: string;
  vendor: 'nvidia';
  totalVram: number;
  driverVersion?: string;
  /** Highest CUDA version the driver supports ("12.4"), from the nvidia-smi header. */
  cudaVersion?: string;
  /** CUDA compute capability (8.9), when the driver reports it. */
  computeCapability?: number;
  /** bf16 kernels: compute capability ≥ 8.0 (architecture.md §4). */
  bf16: boolean;
}

/** Whether an onnxruntime execution provider loaded in the engine host, and why not. */
export interface ProviderStatus {
  name: ProviderName;
  available: boolean;
  reason?: string;
}

/** The `auto` precision plan a GPU provider would use, and whether it can load here. */
export interface ProviderPlan {
  provider: ProviderName;
  /** CUDA device the plan was computed for. */
  gpuIndex?: number;
  gpuName?: string;
  available: boolean;
  reason?: string;
  plan: PrecisionPlan;
}

/** What `devices.get` and `newbie-studio devices --json` return. */
export interface DeviceInfo {
  gpus: GpuInfo[];
  /** How the GPU list was obtained; `error` when nvidia-smi is missing or failed. */
  gpuQuery: { tool: 'nvidia-smi'; ok: boolean; error?: string };
  providers: ProviderStatus[];
  /** `auto` plan per GPU provider relevant on this machine (also the ones that cannot load). */
  planned: ProviderPlan[];
  /** The provider and `auto` plan that actually apply. */
  active: { provider: ProviderName; gpuIndex?: number; plan: PrecisionPlan };
  /** Human sentences: fallbacks and why, missing GPU, no bf16… (never silent, architecture.md §4). */
  notices: string[];
  host: { platform: string; arch: string; cpuModel: string; cpuCount: number; totalRam: number; freeRam: number };
}

/** One GPU in a monitor sample (bytes, percent, °C); null where nvidia-smi says [N/A]. */
export interface GpuMemorySample {
  index: number;
  uuid?: string;
  name: string;
  totalBytes: number | null;
  usedBytes: number | null;
  freeBytes: number | null;
  utilizationPercent: number | null;
  temperatureC: number | null;
}

/** One of our processes (main, engine host) in a monitor sample. */
export interface ProcessMemorySample {
  pid: number;
  label: string;
  rssBytes: number | null;
  /** VRAM this process holds per GPU index, from --query-compute-apps (absent on WDDM / when unknown). */
  vramBytes: Record<number, number>;
}

/** Payload of the `vram.sample` event, about once a second. `time` in ms since the Unix epoch. */
export interface VramSample {
  time: number;
  /** ok: fresh nvidia-smi data; stale: the child is silent or restarting; unavailable: no nvidia-smi. */
  gpuStatus: 'ok' | 'stale' | 'unavailable';
  gpus: GpuMemorySample[];
  processes: ProcessMemorySample[];
}

// ───────────── Queue and settings (issue 8; produced by src/main/jobs and src/main/settings.ts) ─────────────

/** A queued job's state: waiting, running now, held by the user, or left running by a crash/quit (retry = resume). */
export type JobState = 'pending' | 'running' | 'paused' | 'interrupted';

/** Progress of the running job (the last `generation.progress` without its preview). Times in ms. */
export interface JobProgress {
  /** Batch image being generated, 0-based. */
  image: number;
  step: number;
  total: number;
  elapsedMs: number;
  etaMs: number;
}

/** One job of the persisted queue. `request` is the snapshot taken at enqueue time (seed already resolved). */
export interface QueueItem {
  id: string;
  /** 0-based place in the queue. */
  position: number;
  state: JobState;
  request: GenerationRequest;
  /** ms since the Unix epoch. */
  createdAt: number;
  updatedAt: number;
  /** Only on the running job, once the first step is done. */
  progress?: JobProgress;
  /** The running job was asked to stop (cooperatively, between steps). */
  cancelling?: boolean;
}

/** Payload of `queue.changed` and result of `queue.list`. */
export interface QueueSnapshot {
  /** The queue does not start new jobs (the running one goes on). */
  paused: boolean;
  runningId: string | null;
  items: QueueItem[];
}

/** Request fields the user sets once and every new generation starts from. */
export interface GenerationDefaults extends SamplingParams {
  negativePrompt: string;
}

/** The settings file (`<dataDir>/settings.json`), validated on read and write. */
export interface Settings {
  /** Model folder (hub layout, single files or an HF cache snapshot); null until the user picks one. */
  modelDir: string | null;
  /** Preferred execution provider; `auto` takes the first that loads (cuda → dml → coreml → webgpu → cpu). */
  provider: 'auto' | ProviderName;
  /** Text encoders before denoising: keep resident, release, or decide from free VRAM. */
  memoryPolicy: MemoryPolicy;
  /** Send a latent preview with each step. */
  previews: boolean;
  /** Run pending jobs as soon as the app starts (else the queue starts paused). */
  autoStartQueue: boolean;
  defaults: GenerationDefaults;
  /** Renderer preferences (theme, panel sizes…): flat JSON values the main process stores without reading. */
  ui: Record<string, string | number | boolean | null>;
}
