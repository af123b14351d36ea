/**
 * Live VRAM monitor: one long-lived `nvidia-smi --query-gpu=… -lms 1000` child (plus one for `--query-compute-apps`,
 * our processes' own VRAM), parsed line by line (runtime-notes.md §4), and the RSS of our processes. Emits a
 * `sample` (dto VramSample) about once a second: on each complete nvidia-smi batch, or from a watchdog tick when the
 * child is silent, restarting or absent (CPU-only machines still get RSS samples at 1 Hz).
 * Robust to `[N/A]`, several GPUs, garbage lines and the child dying (LineChild restarts it with backoff).
 */
import { EventEmitter } from 'node:events';
import type { GpuMemorySample, ProcessMemorySample, VramSample } from '../../shared/dto';
import { LineChild, type ChildStatus } from './lineChild';
import {
  COMPUTE_APP_FIELDS,
  MONITOR_FIELDS,
  csvArgs,
  parseComputeAppLine,
  parseMonitorLine,
} from './nvidiaSmi';
import { defaultRssReader, type RssReader } from './processMemory';

export interface VramMonitorOptions {
  /** Environment of the nvidia-smi children (PATH picks which one runs). */
  env?: NodeJS.ProcessEnv;
  /** Executable; default `nvidia-smi`. */
  command?: string;
  /** Sampling interval in ms (nvidia-smi `-lms`). Default 1000. */
  intervalMs?: number;
  /** Also run the `--query-compute-apps` child for per-process VRAM. Default true. */
  perProcess?: boolean;
  /** RSS reader; default /proc (Linux), ps (macOS), own process only elsewhere. */
  readRss?: RssReader;
  /** Restart backoff of the children. Default 1 s doubling to 30 s. */
  backoff?: { initialMs: number; maxMs: number };
  /** A child silent this long is killed and restarted. Default 5 × intervalMs. */
  stallMs?: number;
  /** Quiet time after the last GPU line that closes a batch (all GPUs of one loop arrive together). Default 150 ms. */
  batchSettleMs?: number;
  /** Track this process as "main". Default true. */
  trackSelf?: boolean;
}

export interface MonitorStatus {
  gpu: ChildStatus;
  apps?: ChildStatus;
  /** Lines that were not data, so far (error text, truncated lines). */
  garbageLines: number;
}

interface AppUse {
  pid: number;
  gpuUuid: string;
  usedBytes: number | null;
  seenAt: number;
}

export interface VramMonitorEvents {
  sample: [VramSample];
  status: [MonitorStatus];
}

export class VramMonitor extends EventEmitter<VramMonitorEvents> {
  private readonly intervalMs: number;
  private readonly settleMs: number;
  private readonly readRss: RssReader;
  private readonly tracked = new Map<number, string>();
  private readonly gpuChild: LineChild;
  private readonly appsChild: LineChild | null;
  private pending: GpuMemorySample[] = [];
  private settleTimer: NodeJS.Timeout | null = null;
  private tickTimer: NodeJS.Timeout | null = null;
  private lastGpus: GpuMemorySample[] = [];
  private lastGpuAt = 0;
  private lastEmitAt = 0;
  /** Keyed by `pid:gpuUuid`: one process may hold memory on several GPUs. */
  private apps = new Map<string, AppUse>();
  private gpuStatus: ChildStatus = { state: 'stopped', restarts: 0 };
  private appsStatus: ChildStatus | undefined;
  private garbage = 0;
  private started = false;
  private latestSample: VramSample | undefined;
  private emitChain: Promise<void> = Promise.resolve();

  constructor(opts: VramMonitorOptions = {}) {
    super();
    this.intervalMs = opts.intervalMs ?? 1000;
    this.settleMs = opts.batchSettleMs ?? 150;
    this.readRss = opts.readRss ?? defaultRssReader();
    if (opts.trackSelf ?? true) this.tracked.set(process.pid, 'main');
    const common = {
      command: opts.command ?? 'nvidia-smi',
      env: opts.env,
      backoff: opts.backoff,
      stallMs: opts.stallMs ?? 5 * this.intervalMs,
      healthyAfterMs: 10 * this.intervalMs,
    };
    const loop = ['-lms', String(this.intervalMs)];
    this.gpuChild = new LineChild({
      ...common,
      args: [...csvArgs('--query-gpu', MONITOR_FIELDS), ...loop],
      onLine: (line) => this.onGpuLine(line),
      onStatus: (s) => {
        this.gpuStatus = s;
        this.emit('status', this.status());
      },
    });
    this.appsChild =
      opts.perProcess === false
        ? null
        : new LineChild({
            ...common,
            // An idle GPU prints no compute-app lines at all, so silence is normal here: no stall detection.
            stallMs: 0,
            args: [...csvArgs('--query-compute-apps', COMPUTE_APP_FIELDS), ...loop],
            onLine: (line) => this.onAppLine(line),
            onStatus: (s) => {
              this.appsStatus = s;
              this.emit('status', this.status());
            },
          });
  }

  /** Starts the children and the 1 Hz watchdog. Idempotent. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.gpuChild.start();
    this.appsChild?.start();
    this.tickTimer = setInterval(() => this.onTick(), Math.max(20, Math.floor(this.intervalMs / 2)));
  }

  /** Stops for good (app quit): kills the children, no more samples. */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    if (this.tickTimer) clearInterval(this.tickTimer);
    if (this.settleTimer) clearTimeout(this.settleTimer);
    this.tickTimer = this.settleTimer = null;
    await Promise.all([this.gpuChild.stop(), this.appsChild?.stop()]);
    await this.emitChain;
  }

  /** Includes a process (the engine host) in RSS and per-process VRAM figures. */
  trackProcess(pid: number, label: string): void {
    this.tracked.set(pid, label);
  }

  untrackProcess(pid: number): void {
    this.tracked.delete(pid);
  }

  status(): MonitorStatus {
    return {
      gpu: this.gpuStatus,
      ...(this.appsStatus ? { apps: this.appsStatus } : {}),
      garbageLines: this.garbage,
    };
  }

  /** The last emitted sample. */
  latest(): VramSample | undefined {
    return this.latestSample;
  }

  /** A sample taken now (fresh RSS, latest GPU data), also emitted: for job begin/end. */
  snapshot(): Promise<VramSample> {
    return this.emitSample();
  }

  private onGpuLine(line: string): boolean {
    const s = parseMonitorLine(line);
    if (!s) {
      this.garbage++;
      return false;
    }
    // A GPU index that does not increase starts the next loop iteration: the pending batch is complete.
    if (this.pending.length && s.index <= this.pending[this.pending.length - 1].index) this.flushBatch();
    this.pending.push(s);
    if (this.settleTimer) clearTimeout(this.settleTimer);
    this.settleTimer = setTimeout(() => this.flushBatch(), this.settleMs);
    return true;
  }

  private flushBatch(): void {
    if (this.settleTimer) clearTimeout(this.settleTimer);
    this.settleTimer = null;
    if (!this.pending.length) return;
    this.lastGpus = this.pending;
    this.lastGpuAt = Date.now();
    this.pending = [];
    if (this.started) void this.emitSample();
  }

  private onAppLine(line: string): boolean {
    const a = parseComputeAppLine(line);
    if (!a) {
      // "No running processes found" and similar are not data but not errors either.
      if (!/no running/i.test(line)) this.garbage++;
      return false;
    }
    this.apps.set(`${a.pid}:${a.gpuUuid}`, {
      pid: a.pid,
      gpuUuid: a.gpuUuid,
      usedBytes: a.usedBytes,
      seenAt: Date.now(),
    });
    return true;
  }

  private onTick(): void {
    if (this.started && Date.now() - this.lastEmitAt >= this.intervalMs * 1.5) void this.emitSample();
  }

  private gpuFreshness(now: number): VramSample['gpuStatus'] {
    if (this.lastGpuAt === 0) return 'unavailable';
    return now - this.lastGpuAt <= this.intervalMs * 2.5 ? 'ok' : 'stale';
  }

  private emitSample(): Promise<VramSample> {
    const run = async (): Promise<VramSample> => {
      const now = Date.now();
      this.lastEmitAt = now;
      // An app line is current while its process keeps appearing; nvidia-smi prints nothing for a process that left.
      const horizon = this.intervalMs * 2.5 + this.settleMs;
      for (const [key, a] of this.apps) if (now - a.seenAt > horizon) this.apps.delete(key);
      const byUuid = new Map(this.lastGpus.filter((g) => g.uuid).map((g) => [g.uuid!, g.index]));
      const processes: ProcessMemorySample[] = await Promise.all(
        [...this.tracked].map(async ([pid, label]) => {
          const vramBytes: Record<number, number> = {};
          for (const a of this.apps.values()) {
            const idx = a.pid === pid ? byUuid.get(a.gpuUuid) : undefined;
            if (a.usedBytes !== null && idx !== undefined) vramBytes[idx] = a.usedBytes;
          }
          return { pid, label, rssBytes: await this.readRss(pid).catch(() => null), vramBytes };
        }),
      );
      const gpuStatus = this.gpuFreshness(now);
      const sample: VramSample = {
        time: now,
        gpuStatus,
        gpus: gpuStatus === 'unavailable' ? [] : this.lastGpus,
        processes,
      };
      this.latestSample = sample;
      this.emit('sample', sample);
      return sample;
    };
    const p = this.emitChain.then(run);
    this.emitChain = p.then(
      () => undefined,
      () => undefined,
    );
    return p;
  }
}
