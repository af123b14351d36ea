/**
 * Parent side of the engine host (architecture.md §1): spawns the host through an injected spawner (Electron
 * utilityProcess in the app, child_process.fork in the CLI and serve mode), relays progress, and turns a host that
 * dies mid-job into a typed error for that job only. A hard cancel kills the host; the next job spawns a fresh one.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { GenerationRequest } from '../../../shared/dto';
import { StudioError, type StudioErrorData } from '../../../shared/errors';
import { projectRoot } from '../../paths';
import type { ProviderProbe } from '../runtime/providers';
import type { HostEvent, HostLoadOptions, HostRequest, HostResult } from './protocol';

/** The minimal process surface the client needs (implemented by fork and by Electron's utilityProcess). */
export interface HostChild {
  readonly pid: number | undefined;
  send(msg: HostRequest): void;
  onMessage(fn: (msg: HostEvent) => void): void;
  onExit(fn: (code: number | null, signal: NodeJS.Signals | null) => void): void;
  kill(): void;
}

export type HostSpawner = () => HostChild;

/** Where the host entry is: the built bundle next to this file, else the TS source run through tsx (tests, dev). */
export function defaultHostEntry(): { entry: string; execArgv: string[] } {
  const built = join(__dirname, 'engineHost.js');
  if (existsSync(built)) return { entry: built, execArgv: [] };
  const builtFromRoot = join(projectRoot(), 'out', 'main', 'engineHost.js');
  const source = join(projectRoot(), 'src', 'main', 'engine', 'host', 'entry.ts');
  if (__filename.endsWith('.ts') && existsSync(source)) return { entry: source, execArgv: ['--import', 'tsx'] };
  return { entry: builtFromRoot, execArgv: [] };
}

/**
 * Lines Dawn (onnxruntime's WebGPU provider) prints natively while the provider probe runs on a machine without a
 * Vulkan loader: `Warning: Couldn't load Vulkan: …`, then a stack-frame-like `    at operator() (…/dawn-src/…)` and a
 * blank line. The probe already reports WebGPU as unavailable with its reason, so they are noise to a user.
 */
const DAWN_NOISE = [/^Warning: Couldn't load Vulkan\b/, /^\s+at .*[/\\]dawn-src[/\\]/];

/**
 * Filters the engine host's stderr line by line: drops the Dawn noise above (and the blank line after it), passes
 * everything else through unchanged. `push` returns the text to forward; `flush` returns a trailing partial line.
 */
export class HostStderrFilter {
  private partial = '';
  private droppedLast = false;

  push(chunk: string): string {
    const lines = (this.partial + chunk).split('\n');
    this.partial = lines.pop() ?? '';
    let out = '';
    for (const line of lines) {
      const noise = DAWN_NOISE.some((re) => re.test(line)) || (this.droppedLast && line.trim() === '');
      this.droppedLast = noise;
      if (!noise) out += `${line}\n`;
    }
    return out;
  }

  flush(): string {
    const rest = this.partial;
    this.partial = '';
    return DAWN_NOISE.some((re) => re.test(rest)) ? '' : rest;
  }
}

/** Spawner for the CLI and serve mode: child_process.fork with structured-clone messages. */
export function forkSpawner(opts: { entry?: string; execArgv?: string[]; env?: NodeJS.ProcessEnv } = {}): HostSpawner {
  return () => {
    const def = defaultHostEntry();
    const child: ChildProcess = fork(opts.entry ?? def.entry, [], {
      execArgv: opts.execArgv ?? def.execArgv,
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
      env: opts.env ?? process.env,
    });
    const filter = new HostStderrFilter();
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      const text = filter.push(chunk);
      if (text) process.stderr.write(text);
    });
    child.stderr?.on('end', () => {
      const rest = filter.flush();
      if (rest) process.stderr.write(rest);
    });
    return {
      get pid() {
        return child.pid;
      },
      send: (msg) => child.send(msg),
      onMessage: (fn) => child.on('message', (m) => fn(m as HostEvent)),
      onExit: (fn) => child.on('exit', fn),
      kill: () => child.kill('SIGKILL'),
    };
  };
}

export interface GenerateHandlers {
  onProgress?: (e: Extract<HostEvent, { type: 'progress' }>) => void;
  onWarning?: (message: string) => void;
  onNotice?: (message: string) => void;
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: StudioError) => void;
  handlers?: GenerateHandlers;
  kind: 'probe' | 'generate' | 'unload';
}

/** Maps a host that died mid-job to an error: our own kill is Cancelled, SIGKILL otherwise is probable OOM. */
export type ExitClassifier = (code: number | null, signal: NodeJS.Signals | null, killedByUs: boolean) => StudioErrorData;

/** The ExitClassifier used unless one is injected: Cancelled, OutOfMemory (SIGKILL) or EngineCrashed. */
export const defaultExitClassifier: ExitClassifier = (code, signal, killedByUs) => {
  if (killedByUs) return { code: 'Cancelled', message: 'Generation cancelled (engine stopped).' };
  if (signal === 'SIGKILL') {
    return {
      code: 'OutOfMemory',
      message: 'The engine process was killed during the run (probably out of memory).',
      hint: 'Try a lower resolution, batch 1, or release the text encoders before denoising.',
    };
  }
  return { code: 'EngineCrashed', message: `The engine process stopped unexpectedly (${signal ?? `exit code ${code}`}).` };
};

export class EngineHostClient {
  private child?: HostChild;
  private readonly pending = new Map<string, Pending>();
  private killedByUs = false;

  constructor(
    private readonly spawn: HostSpawner = forkSpawner(),
    private readonly classifyExit: ExitClassifier = defaultExitClassifier,
  ) {}

  /** PID of the running host, if any. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  private ensure(): HostChild {
    if (this.child) return this.child;
    const child = this.spawn();
    this.killedByUs = false;
    child.onMessage((m) => this.onMessage(m));
    child.onExit((code, signal) => {
      if (this.child !== child) return;
      this.child = undefined;
      const err = this.classifyExit(code, signal, this.killedByUs);
      for (const [id, p] of this.pending) {
        this.pending.delete(id);
        p.reject(new StudioError(err.code, err.message, err.hint));
      }
    });
    this.child = child;
    return child;
  }

  private onMessage(m: HostEvent): void {
    if (m.type === 'ready') return;
    const p = this.pending.get(m.id);
    if (!p) return;
    switch (m.type) {
      case 'progress':
        p.handlers?.onProgress?.(m);
        return;
      case 'warning':
        p.handlers?.onWarning?.(m.message);
        return;
      case 'notice':
        p.handlers?.onNotice?.(m.message);
        return;
      case 'probed':
        this.pending.delete(m.id);
        p.resolve(m.providers);
        return;
      case 'result':
        this.pending.delete(m.id);
        p.resolve(m.result);
        return;
      case 'unloaded':
        this.pending.delete(m.id);
        p.resolve(undefined);
        return;
      case 'error':
        this.pending.delete(m.id);
        p.reject(new StudioError(m.error.code, m.error.message, m.error.hint));
        return;
    }
  }

  private request<T>(msg: HostRequest, kind: Pending['kind'], handlers?: GenerateHandlers): Promise<T> {
    const child = this.ensure();
    return new Promise<T>((resolve, reject) => {
      this.pending.set(msg.id, { resolve: resolve as (v: unknown) => void, reject, handlers, kind });
      child.send(msg);
    });
  }

  /** Execution providers that load in the host (probed there, never guessed). */
  probe(): Promise<ProviderProbe[]> {
    return this.request({ type: 'probe', id: randomUUID() }, 'probe');
  }

  /**
   * Runs one generation in the host. `signal` cancels cooperatively between steps.
   * @throws StudioError from the engine, Cancelled, or OutOfMemory/EngineCrashed when the host dies.
   */
  generate(
    load: HostLoadOptions,
    request: GenerationRequest,
    handlers: GenerateHandlers & { signal?: AbortSignal; previews?: boolean } = {},
  ): Promise<HostResult> {
    const id = randomUUID();
    const onAbort = () => this.child?.send({ type: 'cancel', id });
    handlers.signal?.addEventListener('abort', onAbort, { once: true });
    return this.request<HostResult>({ type: 'generate', id, load, request, previews: handlers.previews }, 'generate', handlers).finally(
      () => handlers.signal?.removeEventListener('abort', onAbort),
    );
  }

  /** Frees the sessions in the host without stopping it. */
  unload(): Promise<void> {
    if (!this.child) return Promise.resolve();
    return this.request({ type: 'unload', id: randomUUID() }, 'unload');
  }

  /** Hard cancel: kills the host (the running job fails with Cancelled); the next call starts a fresh host. */
  kill(): void {
    if (!this.child) return;
    this.killedByUs = true;
    this.child.kill();
  }

  /** Stops the host. */
  dispose(): void {
    this.kill();
  }
}
