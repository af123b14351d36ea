/**
 * The queue runner (architecture.md §3): takes pending jobs from the persisted queue (history store) one at a time,
 * runs each in the supervised engine host, saves the result (PNG files first, rows second, queue row removed in the
 * same transaction) or records the failure, and reports everything as contract events.
 *
 * Cancel: a waiting job is removed and never touches the running one; the running job stops after its current step
 * (cooperative), or at once with `hard` (the host is killed), and a cooperative cancel that takes longer than
 * `cancelGraceMs` becomes a hard one. Shutdown leaves the running job `interrupted` (retry = resume).
 */
import type { GenerationRequest, JobProgress, QueueItem, QueueSnapshot, Settings } from '../../shared/dto';
import { StudioError, type StudioErrorData } from '../../shared/errors';
import type { CancelOutcome, EventChannel, EventPayload } from '../../shared/api';
import type { HistoryStore } from '../history/store';
import type { QueuedJob } from '../history/types';
import { PeakTracker, historyMemoryFigures } from '../system';
import type { VramSample } from '../../shared/dto';
import { basename } from 'node:path';
import { persistResult } from './persist';
import type { EngineSupervisor } from './supervisor';

export type Emit = <E extends EventChannel>(channel: E, payload: EventPayload<E>) => void;

/** What the runner needs of the VRAM monitor (system/vramMonitor.ts): samples for per-job peaks. */
export interface SampleSource {
  latest(): VramSample | undefined;
  /** A fresh sample (RSS now, latest GPU data): brackets jobs shorter than the sampling interval. */
  snapshot?(): Promise<VramSample>;
  on(e: 'sample', l: (s: VramSample) => void): unknown;
  off(e: 'sample', l: (s: VramSample) => void): unknown;
}

export interface RunnerOptions {
  store: HistoryStore;
  supervisor: EngineSupervisor;
  /** Current settings (model folder, provider, memory policy, previews). */
  settings: () => Settings;
  /** Model folder that wins over the settings (serve --model). */
  modelDir?: string;
  emit: Emit;
  monitor?: SampleSource;
  /** CUDA compute capability of device 0 when known (picks the bf16 plan). */
  computeCapability?: () => Promise<number | undefined>;
  /** Cooperative cancel becomes a kill after this long. Default 15 000 ms. */
  cancelGraceMs?: number;
  /** Start with the queue paused. */
  paused?: boolean;
}

interface Running {
  id: string;
  request: GenerationRequest;
  controller: AbortController;
  progress?: JobProgress;
  cancelling: boolean;
  graceTimer?: NodeJS.Timeout;
}

/** Runs the persisted queue's jobs one at a time in the supervised engine host (see the module comment). */
export class QueueRunner {
  private paused: boolean;
  private stopping = false;
  private running: Running | undefined;
  private loop: Promise<void> | undefined;
  private readonly peaks = new PeakTracker();
  private readonly detachPeaks: (() => void) | undefined;

  constructor(private readonly o: RunnerOptions) {
    this.paused = o.paused ?? false;
    this.detachPeaks = o.monitor ? this.peaks.attach(o.monitor) : undefined;
  }

  /** Queue state for `queue.list` and `queue.changed`. */
  snapshot(): QueueSnapshot {
    const r = this.running;
    const items: QueueItem[] = this.o.store.queue.list().map((j: QueuedJob) => ({
      ...j,
      ...(r && r.id === j.id ? { ...(r.progress ? { progress: { ...r.progress } } : {}), ...(r.cancelling ? { cancelling: true } : {}) } : {}),
    }));
    return { paused: this.paused, runningId: r?.id ?? null, items };
  }

  private changed(): void {
    this.o.emit('queue.changed', this.snapshot());
  }

  /** Starts the loop if there is something to run. */
  kick(): void {
    if (this.loop || this.paused || this.stopping) return;
    this.loop = this.drain().catch((e: unknown) => {
      // Only the database can fail outside a job's own handling; stop taking jobs rather than spin.
      this.paused = true;
      console.error('newbie-studio: the queue stopped:', e);
    }).finally(() => {
      this.loop = undefined;
      if (this.next()) this.kick();
    });
  }

  /** Resolves when no job is running (tests, shutdown). */
  async whenIdle(): Promise<void> {
    while (this.loop) await this.loop;
  }

  private next(): QueuedJob | undefined {
    if (this.paused || this.stopping) return undefined;
    return this.o.store.queue.list().find((j) => j.state === 'pending');
  }

  private async drain(): Promise<void> {
    for (let job = this.next(); job; job = this.next()) await this.runOne(job);
  }

  /** Appends a resolved request (seed already a number) to the queue. @throws StudioError InvalidRequest */
  enqueue(request: GenerationRequest): QueueItem {
    const job = this.o.store.queue.enqueue(request);
    this.changed();
    this.kick();
    return job;
  }

  /**
   * Cancels one job: a waiting one is removed; the running one stops after its step, or at once with `hard`.
   * @throws StudioError InvalidRequest for an id that is not queued.
   */
  cancel(id: string, hard = false): CancelOutcome {
    const r = this.running;
    if (r && r.id === id) {
      if (hard) {
        r.cancelling = true;
        this.o.supervisor.kill();
        this.changed();
        return { id, outcome: 'killed' };
      }
      if (!r.cancelling) {
        r.cancelling = true;
        r.controller.abort();
        r.graceTimer = setTimeout(() => this.o.supervisor.kill(), this.o.cancelGraceMs ?? 15_000);
        this.changed();
      }
      return { id, outcome: 'stopping' };
    }
    if (!this.o.store.queue.remove(id)) throw new StudioError('InvalidRequest', `Job ${id} is not in the queue (it may have finished already).`);
    this.changed();
    return { id, outcome: 'removed' };
  }

  /** Removes every waiting job and cancels the running one. */
  cancelAll(hard = false): { removed: number; running: CancelOutcome | null } {
    let removed = 0;
    for (const j of this.o.store.queue.list()) {
      if (j.id !== this.running?.id && this.o.store.queue.remove(j.id)) removed++;
    }
    const running = this.running ? this.cancel(this.running.id, hard) : null;
    if (!running) this.changed();
    return { removed, running };
  }

  /** New order: every queued id once, or one job moved. @throws StudioError InvalidRequest */
  reorder(order: { ids: string[] } | { id: string; toIndex: number }): QueueSnapshot {
    if ('ids' in order) this.o.store.queue.reorder(order.ids);
    else this.o.store.queue.move(order.id, order.toIndex);
    this.changed();
    return this.snapshot();
  }

  /** Pauses the queue (no id; the running job goes on) or holds one waiting job. @throws StudioError InvalidRequest */
  pause(id?: string): QueueSnapshot {
    if (id === undefined) this.paused = true;
    else {
      const job = this.o.store.queue.get(id);
      if (!job) throw new StudioError('InvalidRequest', `Job ${id} is not in the queue.`);
      if (job.state === 'running') throw new StudioError('InvalidRequest', 'The running job cannot be held; cancel it instead.');
      if (job.state === 'pending') this.o.store.queue.setState(id, 'paused');
    }
    this.changed();
    return this.snapshot();
  }

  /** Resumes the queue (no id), or releases a held job, or retries an interrupted one. @throws StudioError InvalidRequest */
  resume(id?: string): QueueSnapshot {
    if (id === undefined) this.paused = false;
    else {
      const job = this.o.store.queue.get(id);
      if (!job) throw new StudioError('InvalidRequest', `Job ${id} is not in the queue.`);
      if (job.state === 'paused' || job.state === 'interrupted') this.o.store.queue.setState(id, 'pending');
    }
    this.changed();
    this.kick();
    return this.snapshot();
  }

  private async runOne(job: QueuedJob): Promise<void> {
    const settings = this.o.settings();
    const modelDir = this.o.modelDir ?? settings.modelDir;
    const r: Running = { id: job.id, request: job.request, controller: new AbortController(), cancelling: false };
    this.running = r;
    this.o.store.queue.setState(job.id, 'running');
    this.changed();
    const sample = () => (this.o.monitor?.snapshot ? this.o.monitor.snapshot().catch(() => this.o.monitor?.latest()) : Promise.resolve(this.o.monitor?.latest()));
    this.peaks.begin(job.id, {}, await sample());
    try {
      if (!modelDir) throw new StudioError('ModelIncomplete', 'No model folder is set.', 'Choose the model folder in Settings, then retry the job.');
      const cc = await this.o.computeCapability?.().catch(() => undefined);
      // A cancel that came while the job was being prepared: the host never sees an already-aborted signal.
      if (r.controller.signal.aborted) throw new StudioError('Cancelled', 'Generation cancelled before it started.');
      const result = await this.o.supervisor.run(
        {
          modelDir,
          ...(settings.provider !== 'auto' ? { provider: settings.provider } : {}),
          ...(cc !== undefined ? { computeCapability: cc } : {}),
          memoryPolicy: job.request.memoryPolicy ?? settings.memoryPolicy,
        },
        job.request,
        {
          signal: r.controller.signal,
          previews: settings.previews,
          onProgress: (e) => {
            r.progress = { image: e.image, step: e.step, total: e.total, elapsedMs: e.elapsedMs, etaMs: e.etaMs };
            this.o.emit('generation.progress', { jobId: job.id, seed: e.seed, ...r.progress, ...(e.preview ? { preview: e.preview } : {}) });
          },
          onNotice: (message) => this.o.emit('generation.notice', { jobId: job.id, level: 'notice', message }),
          onWarning: (message) => this.o.emit('generation.notice', { jobId: job.id, level: 'warning', message }),
        },
      );
      const memory = historyMemoryFigures(this.peaks.end(job.id, await sample()));
      const saved = await persistResult(this.o.store, job.request, result, modelDir, { jobId: job.id, ...memory });
      this.o.emit('generation.finished', {
        jobId: job.id,
        generationId: saved.generationId,
        images: saved.images,
        timings: result.timings,
        precision: result.precision,
        provider: result.provider,
        warnings: [...result.warnings, ...saved.warnings],
      });
      this.o.emit('history.added', { generationId: saved.generationId, entry: this.o.store.get(saved.generationId) ?? null });
    } catch (e) {
      const memory = historyMemoryFigures(this.peaks.end(job.id, await sample()));
      if (this.stopping) {
        // Quitting mid-job: the job is not a failure; it stays queued as interrupted for a retry.
        this.o.store.queue.setState(job.id, 'interrupted');
        return;
      }
      // Host failures arrive typed (the supervisor classified them); anything else failed here in main (saving).
      const error: StudioErrorData =
        e instanceof StudioError ? e.toData() : { code: 'EngineCrashed', message: `Saving the result failed: ${String((e as Error)?.message ?? e).split('\n')[0]}` };
      let generationId: string | null = null;
      try {
        generationId = this.o.store.recordFailure(job.request, error, { jobId: job.id, ...(modelDir ? { modelName: basename(modelDir) } : {}), ...memory });
      } catch {
        // The database refuses writes (damaged, disk full): keep the job, out of the way, for a retry.
        try {
          this.o.store.queue.setState(job.id, 'interrupted');
        } catch {
          /* nothing more can be recorded */
        }
      }
      this.o.emit('generation.failed', { jobId: job.id, generationId, error });
      if (generationId) this.o.emit('history.added', { generationId, entry: this.o.store.get(generationId) ?? null });
    } finally {
      clearTimeout(r.graceTimer);
      this.running = undefined;
      this.changed();
    }
  }

  /**
   * Stops taking jobs, kills the host (a running job stays queued as `interrupted`) and waits for the loop to end.
   * Idempotent.
   */
  async shutdown(): Promise<void> {
    this.stopping = true;
    if (this.running) this.o.supervisor.kill();
    await this.whenIdle();
    await this.o.supervisor.stop();
    this.detachPeaks?.();
  }
}
