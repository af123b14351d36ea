/**
 * Engine host supervision (architecture.md §1): one engine host process, spawned on first use through the injected
 * spawner (Electron utilityProcess in the app, child_process.fork in the CLI and serve mode), kept warm between jobs
 * (the host caches the loaded model), restarted after a crash or an out-of-memory, killed on a hard cancel. Every way
 * a job can end badly becomes one typed error for that job (system/oom.ts `jobFailure`); the next job gets a fresh host.
 */
import type { GenerationRequest } from '../../shared/dto';
import { StudioError, type StudioErrorData } from '../../shared/errors';
import { EngineHostClient, type GenerateHandlers, type HostSpawner } from '../engine/host/client';
import type { HostLoadOptions, HostResult } from '../engine/host/protocol';
import type { ProviderProbe } from '../engine/runtime/providers';
import { jobFailure, oomAwareExitClassifier, type AdviceContext } from '../system';

export interface SupervisorOptions {
  spawner: HostSpawner;
  /** Called when the host process changes (spawned: its pid; gone: undefined), e.g. to track it in the VRAM monitor. */
  onHostChange?: (pid: number | undefined) => void;
}

export interface RunHandlers extends GenerateHandlers {
  /** Cooperative cancel: the host stops between steps. */
  signal?: AbortSignal;
  /** Send a latent preview PNG with each step. */
  previews?: boolean;
}

/** A job's failure as the queue records it, and whether the host was restarted for the next job. */
export interface SupervisedFailure {
  error: StudioErrorData;
  restarted: boolean;
}

export class EngineSupervisor {
  private readonly client: EngineHostClient;
  private context: AdviceContext | undefined;
  /** Resolves when the current host process has exited (undefined while none was spawned). */
  private exited: Promise<void> | undefined;
  private alive = false;
  private hostPid: number | undefined;
  private killing = false;
  private busy = false;

  constructor(private readonly options: SupervisorOptions) {
    // Wrap the spawner to learn when each host starts and ends (pid tracking, and waiting for a killed host to be
    // gone before the next job, so that job never lands in the dying process).
    const spawn: HostSpawner = () => {
      const child = options.spawner();
      this.alive = true;
      const report = (pid: number | undefined) => {
        if (pid === this.hostPid) return;
        this.hostPid = pid;
        options.onHostChange?.(pid);
      };
      this.exited = new Promise<void>((resolve) =>
        child.onExit(() => {
          this.alive = false;
          report(undefined);
          resolve();
        }),
      );
      // fork knows the pid at once; a utilityProcess only once it has started: its `ready` message carries it.
      child.onMessage((m) => {
        if (m.type === 'ready' && this.alive) report(m.pid);
      });
      report(child.pid);
      return child;
    };
    // A host that dies during a job is classified with that job's request (advice sized to it); our own kill is Cancelled.
    this.client = new EngineHostClient(spawn, oomAwareExitClassifier(() => this.context));
  }

  /** PID of the running host, if one is up. */
  get pid(): number | undefined {
    return this.alive ? this.hostPid : undefined;
  }

  /** Whether a job is in the host now. */
  get running(): boolean {
    return this.busy;
  }

  /** Waits until a host we killed has exited (at most `timeoutMs`), so the next request never lands in it. */
  private async settled(timeoutMs = 10_000): Promise<void> {
    if (!this.killing) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.exited, new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
    this.killing = false;
  }

  /**
   * Runs one generation in the host (spawning it if needed). One at a time: the queue never overlaps jobs.
   * @returns the host's RGB8 images, resolved precision, provider, model identity and timings.
   * @throws StudioError as classified by `failure()`: Cancelled (cooperative or hard cancel), OutOfMemory (allocator
   *   message, or the host killed by the OS), EngineCrashed (host died), or the engine's typed error
   *   (ModelInvalid, ModelIncomplete, PrecisionUnsupported, InvalidRequest…). After OOM or a crash the host is
   *   stopped, so the next job starts a fresh one with its memory freed.
   */
  async run(load: HostLoadOptions, request: GenerationRequest, handlers: RunHandlers = {}): Promise<HostResult> {
    if (this.busy) throw new StudioError('InvalidRequest', 'The engine is already running a job.');
    this.busy = true;
    try {
      await this.settled();
      this.context = { request, ...(load.provider ? { provider: load.provider } : {}) };
      return await this.client.generate(load, request, handlers);
    } catch (e) {
      const f = this.failure(e);
      throw new StudioError(f.error.code, f.error.message, f.error.hint);
    } finally {
      this.busy = false;
    }
  }

  /**
   * Classifies whatever ended a job and stops the host when its state is suspect (OOM, crash), so the next job
   * starts a fresh one. @returns the typed error to record.
   */
  failure(e: unknown): SupervisedFailure {
    const source = e instanceof StudioError ? e.toData() : e instanceof Error ? e : String(e);
    const f = jobFailure(source, this.context);
    let restarted = false;
    if (f.restartHost && this.alive) {
      this.kill();
      restarted = true;
    }
    return { error: f.error, restarted };
  }

  /** Hard cancel: kills the host; the running job fails with Cancelled and the next job spawns a new host. */
  kill(): void {
    if (!this.alive) return;
    this.killing = true;
    this.client.kill();
  }

  /** Execution providers that load in the host (probed there; spawns the host if needed). */
  async probe(): Promise<ProviderProbe[]> {
    await this.settled();
    return this.client.probe();
  }

  /** Stops the host and waits for it to exit (shutdown). */
  async stop(): Promise<void> {
    this.kill();
    await this.settled();
  }
}
