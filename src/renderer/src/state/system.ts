/**
 * What the status bar shows about the machine: the last `vram.sample`, the peak VRAM seen while the current job
 * runs, the provider and dtypes of the last finished generation, and the model check of the configured folder.
 */
import { create } from 'zustand';
import type { ModelCheckReport } from '../../../shared/apiTypes';
import type { PrecisionPlan, ProviderName, VramSample } from '../../../shared/dto';

interface SystemState {
  sample: VramSample | null;
  /** Largest GPU memory in use (bytes) seen while `peakJobId` ran. */
  jobPeak: number | null;
  peakJobId: string | null;
  lastRun: { provider: ProviderName; precision: PrecisionPlan } | null;
  model: ModelCheckReport | null;
  /** The model check failed (folder unset or unreadable): the message. */
  modelProblem: string | null;
  addSample(sample: VramSample, runningId: string | null): void;
  setLastRun(run: { provider: ProviderName; precision: PrecisionPlan }): void;
  setModel(report: ModelCheckReport | null, problem: string | null): void;
}

/** GPU memory in use across the GPUs of a sample (bytes), or null when nvidia-smi gave none. */
export function usedVram(sample: VramSample | null): number | null {
  if (!sample || sample.gpuStatus === 'unavailable') return null;
  const used = sample.gpus.map((g) => g.usedBytes).filter((b): b is number => b !== null);
  return used.length ? used.reduce((a, b) => a + b, 0) : null;
}

export const useSystem = create<SystemState>((set) => ({
  sample: null,
  jobPeak: null,
  peakJobId: null,
  lastRun: null,
  model: null,
  modelProblem: null,
  addSample(sample, runningId) {
    set((s) => {
      const used = usedVram(sample);
      if (runningId === null) return { sample };
      const same = s.peakJobId === runningId;
      const base = same ? s.jobPeak : null;
      const jobPeak = used === null ? base : Math.max(base ?? 0, used);
      return { sample, jobPeak, peakJobId: runningId };
    });
  },
  setLastRun(lastRun) {
    set({ lastRun });
  },
  setModel(model, modelProblem) {
    set({ model, modelProblem });
  },
}));
