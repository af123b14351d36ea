/**
 * The only module that imports onnxruntime-node (architecture.md §2). Sessions are created from in-memory ModelProto
 * bytes whose initializers point into the original .safetensors files (runtime-notes.md §1, §6).
 */
import * as ort from 'onnxruntime-node';
import { StudioError } from '../../../shared/errors';
import type { ProviderName } from '../../../shared/dto';

// ORT's own logger would print provider-load failures to stderr; we report them ourselves (visible notices).
ort.env.logLevel = 'fatal';

/** Plain tensor data crossing the engine API (no ORT types outside this folder). */
export type TensorData =
  | { type: 'float32'; data: Float32Array; dims: number[] }
  | { type: 'float16'; data: Uint16Array; dims: number[] }
  | { type: 'int64'; data: BigInt64Array; dims: number[] }
  | { type: 'int32'; data: Int32Array; dims: number[] }
  | { type: 'bool'; data: Uint8Array; dims: number[] };

/** A float32 tensor of shape `dims` (row-major) over `data`; the array is used as is, not copied. */
export const f32 = (data: Float32Array, dims: number[]): TensorData => ({ type: 'float32', data, dims });
/** An int64 tensor of shape `dims` from integer values (each must be a safe integer; BigInt throws RangeError otherwise). */
export const i64 = (values: ArrayLike<number>, dims: number[]): TensorData => ({
  type: 'int64',
  data: BigInt64Array.from(Array.from(values, (v) => BigInt(v))),
  dims,
});
/** A bool tensor of shape `dims`, one byte per element (0 = false, nonzero = true). */
export const bool = (data: Uint8Array, dims: number[]): TensorData => ({ type: 'bool', data, dims });

export interface SessionOptions {
  provider: ProviderName;
  /** CUDA/DML device index. */
  deviceId?: number;
  /** Threads for CPU kernels (default: ORT's choice). */
  intraOpThreads?: number;
  /**
   * Let ORT fold weight casts and prepack weights (faster kernels, anonymous copies of the weights). Worth it only for
   * small components: the VAE decoder (~100 MB) decodes ~30% faster; the DiT and Gemma stay mmapped (default false).
   */
  optimizeWeights?: boolean;
}

/** ORT provider names per our provider names. */
const EP_NAME: Record<ProviderName, string> = { cuda: 'cuda', dml: 'dml', coreml: 'coreml', webgpu: 'webgpu', cpu: 'cpu' };

function sessionOptions(externalFolder: string | null, opts: SessionOptions): ort.InferenceSession.SessionOptions {
  // Only CUDA and DirectML take a device index; WebGPU and CoreML reject unknown options.
  const withDevice = opts.provider === 'cuda' || opts.provider === 'dml';
  const ep =
    opts.provider === 'cpu'
      ? ['cpu']
      : [withDevice ? { name: EP_NAME[opts.provider], deviceId: opts.deviceId ?? 0 } : EP_NAME[opts.provider], 'cpu'];
  const extra: Record<string, unknown> = {
    // Weights stay mmapped from the safetensors files: no constant folding of Cast(weight), no prepacked copies
    // (runtime-notes.md §1.3-1.4), unless the component is small enough to trade memory for speed.
    ...(opts.optimizeWeights ? {} : { optimization: { disable_specified_optimizers: 'ConstantFolding' } }),
    session: {
      ...(opts.optimizeWeights ? {} : { disable_prepacking: '1' }),
      use_device_allocator_for_initializers: '1',
      ...(externalFolder ? { model_external_initializers_file_folder_path: externalFolder } : {}),
    },
  };
  return {
    executionProviders: ep as ort.InferenceSession.SessionOptions['executionProviders'],
    graphOptimizationLevel: 'all',
    enableCpuMemArena: false,
    enableMemPattern: false,
    // Fatal only: a failing kernel (e.g. std::bad_alloc) reaches us as the rejected run, which we turn into a typed
    // error; ORT's own coloured "[E:onnxruntime …]" line on stderr would only repeat it.
    logSeverityLevel: 4,
    ...(opts.intraOpThreads ? { intraOpNumThreads: opts.intraOpThreads } : {}),
    extra,
  };
}

/** Cumulative `session.run` wall time per session label (for the pipeline-overhead benchmark and diagnostics). */
export interface RunStat {
  runs: number;
  totalMs: number;
}
const runStats = new Map<string, RunStat>();

/** A snapshot of the cumulative run times per label. */
export function sessionRunStats(): Record<string, RunStat> {
  return Object.fromEntries([...runStats].map(([k, v]) => [k, { ...v }]));
}

/** One component's ORT session. `run` is synchronous on this thread (runtime-notes.md §3): call it in the engine host. */
export class EngineSession {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly provider: ProviderName,
    readonly label: string,
  ) {}

  /**
   * Creates a session from ModelProto bytes.
   * @throws StudioError ProviderUnavailable when the provider cannot load; ModelInvalid when ORT rejects the graph
   *   or the external data (the message names the component).
   */
  static async create(label: string, bytes: Uint8Array, externalFolder: string | null, opts: SessionOptions): Promise<EngineSession> {
    try {
      const s = await ort.InferenceSession.create(bytes, sessionOptions(externalFolder, opts));
      return new EngineSession(s, opts.provider, label);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      if (isAllocationFailure(msg)) {
        throw new StudioError(
          'OutOfMemory',
          `${label}: not enough memory to load the weights on ${opts.provider}: ${ortMessage(msg)}`,
          'Release the text encoders before denoising, choose a lower precision, or close other programs using the GPU.',
        );
      }
      if (classifyProviderFailure(msg)) {
        throw new StudioError('ProviderUnavailable', `${label}: the ${opts.provider} execution provider could not load: ${ortMessage(msg)}`);
      }
      throw new StudioError('ModelInvalid', `${label}: onnxruntime rejected the graph or its weights: ${ortMessage(msg)}`);
    }
  }

  get inputNames(): readonly string[] {
    return this.session.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.session.outputNames;
  }

  /** Runs the graph; returns every output as plain data (copied to host memory). */
  async run(feeds: Record<string, TensorData>): Promise<Record<string, TensorData>> {
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [k, t] of Object.entries(feeds)) ortFeeds[k] = new ort.Tensor(t.type, t.data, t.dims);
    const t0 = performance.now();
    const out = await this.session.run(ortFeeds);
    const stat = runStats.get(this.label) ?? { runs: 0, totalMs: 0 };
    stat.runs++;
    stat.totalMs += performance.now() - t0;
    runStats.set(this.label, stat);
    const result: Record<string, TensorData> = {};
    for (const [k, t] of Object.entries(out)) {
      result[k] = { type: t.type, data: t.data, dims: [...t.dims] } as TensorData;
      t.dispose?.();
    }
    return result;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

/** True when an ORT error means the execution provider itself failed to load (not the graph). */
export function classifyProviderFailure(message: string): boolean {
  return /Failed to load shared library|backend not found|RequestAdapter|Couldn't load Vulkan|not available in this build|ExecutionProvider.*(not|cannot)/i.test(
    message,
  );
}

/** Allocation failures of onnxruntime's CUDA and CPU allocators (conventions.md §8). */
export function isAllocationFailure(message: string): boolean {
  return /Failed to allocate memory|CUBLAS_STATUS_ALLOC_FAILED|out of memory|std::bad_alloc|bad allocation/i.test(message);
}

/**
 * The part of an onnxruntime error a person can use: its first line, without the `<source file>:<line> <C++ function>
 * <condition> was false.` prefix of ORT_ENFORCE failures (e.g. WebGPU's "Failed to get a WebGPU adapter: …").
 */
export function ortMessage(s: string): string {
  const line = s.split('\n')[0];
  const enforced = /^\S+\.(?:cc|cpp|h):\d+ .* was false\. (.+)$/.exec(line);
  return (enforced ? enforced[1] : line).slice(0, 500);
}

/** onnxruntime-node version string. */
export function ortVersion(): string {
  const v = (ort.env as { versions?: { node?: string; common?: string } }).versions;
  return v?.node ?? v?.common ?? 'unknown';
}
