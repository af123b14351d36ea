/**
 * Per-job memory figures: peak VRAM of the device and of our processes, and peak RAM (RSS), between a job's begin
 * and end, from the monitor's samples. Stored with the generation (history columns peak_vram_bytes, peak_ram_bytes,
 * predicted_vram_bytes) so predictions can be calibrated against what was used.
 * Samples come at ~1 Hz, so a spike shorter than a second can be missed; `begin`/`end` take a fresh snapshot each
 * (VramMonitor.snapshot) to bracket short jobs.
 */
import type { VramSample } from '../../shared/dto';

export interface JobMemoryFigures {
  /** Highest memory.used of the job's GPU (whole device, every process), bytes. */
  peakVramDevice?: number;
  /** memory.used of that GPU when the job began, bytes (what was already taken). */
  baselineVramDevice?: number;
  /** Highest sum over the job's processes of their VRAM on that GPU (--query-compute-apps), bytes. */
  peakVramProcess?: number;
  /** Highest sum of the job's processes' RSS, bytes. */
  peakRam?: number;
  /** Samples seen between begin and end. */
  samples: number;
  durationMs: number;
}

export interface JobScope {
  /** GPU the job runs on (nvidia-smi index); default 0. Ignored on CPU runs. */
  gpuIndex?: number;
  /** Processes that belong to the job (engine host, and main in the CLI); default every tracked process. */
  pids?: number[];
}

interface Open {
  scope: JobScope;
  startedAt: number;
  figures: JobMemoryFigures;
}

/** Tracks peaks for jobs in flight; feed it every monitor sample with `observe` (or `attach`). */
export class PeakTracker {
  private readonly open = new Map<string, Open>();

  /** Starts tracking a job; `sample` (a fresh snapshot) seeds the baseline and the peaks. */
  begin(jobId: string, scope: JobScope = {}, sample?: VramSample): void {
    const o: Open = { scope, startedAt: Date.now(), figures: { samples: 0, durationMs: 0 } };
    this.open.set(jobId, o);
    if (sample) {
      const used = this.deviceUsed(sample, scope);
      if (used !== undefined) o.figures.baselineVramDevice = used;
      this.fold(o, sample);
    }
  }

  /** Folds one sample into every job in flight. */
  observe(sample: VramSample): void {
    for (const o of this.open.values()) this.fold(o, sample);
  }

  /** Ends a job and returns its figures (undefined for an unknown job id). */
  end(jobId: string, sample?: VramSample): JobMemoryFigures | undefined {
    const o = this.open.get(jobId);
    if (!o) return undefined;
    if (sample) this.fold(o, sample);
    this.open.delete(jobId);
    return { ...o.figures, durationMs: Date.now() - o.startedAt };
  }

  /** Subscribes to a monitor's samples; returns the unsubscribe function. */
  attach(monitor: {
    on(e: 'sample', l: (s: VramSample) => void): unknown;
    off(e: 'sample', l: (s: VramSample) => void): unknown;
  }): () => void {
    const l = (s: VramSample): void => this.observe(s);
    monitor.on('sample', l);
    return () => void monitor.off('sample', l);
  }

  private deviceUsed(sample: VramSample, scope: JobScope): number | undefined {
    if (sample.gpuStatus !== 'ok') return undefined;
    const g = sample.gpus.find((x) => x.index === (scope.gpuIndex ?? 0));
    return g?.usedBytes ?? undefined;
  }

  private fold(o: Open, sample: VramSample): void {
    const f = o.figures;
    f.samples++;
    const gpu = o.scope.gpuIndex ?? 0;
    const used = this.deviceUsed(sample, o.scope);
    if (used !== undefined) f.peakVramDevice = Math.max(f.peakVramDevice ?? 0, used);
    const procs = sample.processes.filter((p) => !o.scope.pids || o.scope.pids.includes(p.pid));
    let vram = 0;
    let vramKnown = false;
    let ram = 0;
    let ramKnown = false;
    for (const p of procs) {
      const v = p.vramBytes[gpu];
      if (v !== undefined && sample.gpuStatus === 'ok') {
        vram += v;
        vramKnown = true;
      }
      if (p.rssBytes !== null) {
        ram += p.rssBytes;
        ramKnown = true;
      }
    }
    if (vramKnown) f.peakVramProcess = Math.max(f.peakVramProcess ?? 0, vram);
    if (ramKnown) f.peakRam = Math.max(f.peakRam ?? 0, ram);
  }
}

/**
 * The three history columns for a job. peakVram is our processes' peak when nvidia-smi reports per-process use,
 * else the device peak (which includes other programs); predictedVram is stored next to it for calibration.
 */
export function historyMemoryFigures(
  figures: JobMemoryFigures | undefined,
  predictedBytes?: number,
): { peakVram?: number; peakRam?: number; predictedVram?: number } {
  const peakVram = figures?.peakVramProcess ?? figures?.peakVramDevice;
  return {
    ...(peakVram !== undefined ? { peakVram } : {}),
    ...(figures?.peakRam !== undefined ? { peakRam: figures.peakRam } : {}),
    ...(predictedBytes !== undefined ? { predictedVram: predictedBytes } : {}),
  };
}
