/**
 * Out of memory as a normal outcome: classify onnxruntime / CUDA / allocator failures and an engine host killed by the
 * OS into `OutOfMemory` with advice that fits the request; the job fails, the app and the queue go on, and the
 * engine host is restarted so the next job starts with its memory freed (architecture.md §1, conventions.md §7–8).
 *
 * Strings (real ones, conventions.md §8 and onnxruntime issues #16307, #22702; Deep-Live-Cam #584, #645):
 *   "… BFCArena::AllocateRawInternal Failed to allocate memory for requested buffer of size 939524096"
 *   "CUDA failure 2: out of memory ; GPU=0 ; … expr=cudaMalloc(…)"
 *   "CUBLAS failure 3: CUBLAS_STATUS_ALLOC_FAILED ; GPU=0 ; … expr=cublasCreate(&cublas_handle_);"
 *   "std::bad_alloc" (Linux) / "bad allocation" (MSVC's what()), and SIGKILL from the Linux OOM killer.
 */
import { StudioError, type StudioErrorData } from '../../shared/errors';
import { memoryAdvice, formatGB, type AdviceContext } from './advice';
import { predictVram } from './predict';

export type MemoryKind = 'vram' | 'ram' | 'unknown';

/** What failed: an error (message), or a process exit. */
export type FailureSource =
  | string
  | Error
  | StudioErrorData
  | { exitCode?: number | null; signal?: NodeJS.Signals | null; message?: string };

export interface OomClassification {
  oom: boolean;
  /** True when inferred (SIGKILL during a run) rather than read from an allocator message. */
  probable: boolean;
  memory: MemoryKind;
  /** The pattern that matched, for logs. */
  matched?: string;
  /** Advice that fits the request (empty when not an OOM). */
  advice: string[];
}

interface Pattern {
  re: RegExp;
  /** Device memory, host memory, or decided by the provider (the BFC arena message names neither). */
  memory: MemoryKind | 'provider';
}

const PATTERNS: Pattern[] = [
  { re: /CUDA failure 2: out of memory/i, memory: 'vram' },
  { re: /CUBLAS_STATUS_ALLOC_FAILED/, memory: 'vram' },
  { re: /CUDNN_STATUS_ALLOC_FAILED/, memory: 'vram' },
  { re: /cudaErrorMemoryAllocation|CUDA_ERROR_OUT_OF_MEMORY/, memory: 'vram' },
  { re: /E_OUTOFMEMORY|0x8007000E/i, memory: 'vram' }, // DirectML / D3D12
  { re: /GPUOutOfMemoryError/, memory: 'vram' }, // WebGPU
  { re: /Failed to allocate memory for requested buffer of size/i, memory: 'provider' },
  { re: /std::bad_alloc|\bbad allocation\b/, memory: 'ram' },
  { re: /JavaScript heap out of memory|Array buffer allocation failed/i, memory: 'ram' },
  { re: /\bout of memory\b/i, memory: 'provider' },
];

function messageOf(source: FailureSource): string {
  if (typeof source === 'string') return source;
  if (source instanceof Error) return source.message;
  return source.message ?? '';
}

/**
 * Decides whether a failure is an out-of-memory and which memory ran out.
 * @param source an error message / Error / StudioErrorData, or a process exit `{exitCode, signal}`. SIGKILL (or exit
 *   code 137 = 128+9 through a shell) counts as a probable OOM: the Linux OOM killer sends it, and our own kills are
 *   told apart by the caller (a cancel is never passed here).
 * @param ctx the request and what is known about the device, to make the advice fit; without it the advice is generic
 */
export function classifyOutOfMemory(source: FailureSource, ctx?: AdviceContext): OomClassification {
  const message = messageOf(source);
  const gpuProvider = (ctx?.provider ?? 'cuda') !== 'cpu';
  for (const p of PATTERNS) {
    const m = p.re.exec(message);
    if (!m) continue;
    const memory: MemoryKind =
      p.memory === 'provider'
        ? /\b(cuda|gpu|cublas|cudnn)\b/i.test(message) || gpuProvider
          ? 'vram'
          : 'ram'
        : p.memory;
    return {
      oom: true,
      probable: false,
      memory,
      matched: m[0],
      advice: ctx ? memoryAdvice(ctx, memory) : genericAdvice(memory),
    };
  }
  if (isExit(source)) {
    const killed = source.signal === 'SIGKILL' || source.exitCode === 137;
    if (killed) {
      return {
        oom: true,
        probable: true,
        memory: 'ram',
        matched: 'SIGKILL',
        advice: ctx ? memoryAdvice(ctx, 'ram') : genericAdvice('ram'),
      };
    }
  }
  return { oom: false, probable: false, memory: 'unknown', advice: [] };
}

/** Advice when the request is not known (a failure outside a job). */
function genericAdvice(memory: MemoryKind): string[] {
  if (memory === 'ram')
    return ['Lower the resolution or the batch size.', 'Close other programs to free RAM.'];
  return [
    'Lower the resolution or the batch size.',
    'Release the text encoders after encoding (memory policy "release").',
    'Close other programs that use the GPU (games, browsers with hardware acceleration, other AI tools).',
  ];
}

type ExitSource = { exitCode?: number | null; signal?: NodeJS.Signals | null; message?: string };
const isExit = (s: FailureSource): s is ExitSource =>
  typeof s === 'object' && !(s instanceof Error) && !('code' in s) && ('signal' in s || 'exitCode' in s);

/**
 * The OutOfMemory error for a classified failure: a message naming the request and the memory, advice as the hint.
 * @param inQueue true (default) for the app's queue, whose message adds that only this job failed and the engine was
 *   restarted; false for a one-shot run (the CLI), where the process ends instead.
 */
export function outOfMemoryError(c: OomClassification, ctx?: AdviceContext, inQueue = true): StudioError {
  const where = c.memory === 'ram' ? 'The computer ran out of memory (RAM)' : 'The GPU ran out of memory';
  const what = c.probable
    ? 'The engine process was killed by the system during the run, probably because memory ran out'
    : where;
  const req = ctx
    ? ` while generating ${ctx.request.width}×${ctx.request.height}${ctx.request.batch > 1 ? `, batch ${ctx.request.batch}` : ''}`
    : '';
  let figures = '';
  if (ctx?.prediction) {
    const predicted = predictVram(ctx.prediction).bytes;
    figures = ` (predicted ${formatGB(predicted)}${ctx.availableBytes !== undefined ? `, ${formatGB(ctx.availableBytes)} available` : ''})`;
  }
  return new StudioError(
    'OutOfMemory',
    `${what}${req}${figures}.${inQueue ? ' Only this job failed; the engine was restarted.' : ''}`,
    c.advice.join(' '),
  );
}

export interface JobFailure {
  error: StudioErrorData;
  /** Restart the engine host before the next job: after an OOM (frees its memory) or a crash. */
  restartHost: boolean;
  oom: OomClassification;
}

/**
 * Turns whatever ended a job (an error from the engine host, an exception, a process exit) into the job's failure.
 * An OOM anywhere (also one the engine labelled EngineCrashed or ModelInvalid, e.g. while copying weights to the GPU)
 * becomes OutOfMemory with advice and restartHost; EngineCrashed also restarts; other typed errors pass through.
 */
export function jobFailure(source: FailureSource, ctx?: AdviceContext): JobFailure {
  const typed =
    typeof source === 'object' && !(source instanceof Error) && 'code' in source
      ? (source as StudioErrorData)
      : undefined;
  const fromError = source instanceof StudioError ? source.toData() : typed;
  if (fromError?.code === 'Cancelled')
    return {
      error: fromError,
      restartHost: false,
      oom: { oom: false, probable: false, memory: 'unknown', advice: [] },
    };
  const oom = classifyOutOfMemory(source, ctx);
  if (oom.oom) return { error: outOfMemoryError(oom, ctx).toData(), restartHost: true, oom };
  if (fromError) return { error: fromError, restartHost: fromError.code === 'EngineCrashed', oom };
  if (isExit(source)) {
    const how = source.signal ? `signal ${source.signal}` : `exit code ${source.exitCode}`;
    return {
      error: { code: 'EngineCrashed', message: `The engine process stopped unexpectedly (${how}).` },
      restartHost: true,
      oom,
    };
  }
  return {
    error: { code: 'EngineCrashed', message: messageOf(source).split('\n')[0] || 'The engine failed.' },
    restartHost: true,
    oom,
  };
}

/**
 * An exit classifier for the engine host client (engine/host/client.ts `ExitClassifier`): our own kill is Cancelled,
 * everything else goes through jobFailure with the running job's context, so a SIGKILL carries fitting advice.
 */
export function oomAwareExitClassifier(
  context: () => AdviceContext | undefined,
): (code: number | null, signal: NodeJS.Signals | null, killedByUs: boolean) => StudioErrorData {
  return (code, signal, killedByUs) => {
    if (killedByUs) return { code: 'Cancelled', message: 'Generation cancelled (engine stopped).' };
    return jobFailure({ exitCode: code, signal }, context()).error;
  };
}
