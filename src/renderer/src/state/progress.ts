/**
 * Live progress of running jobs from `generation.progress`: the last step report and a blob URL of the latest
 * latent preview PNG (1/8 of the image size, conventions.md §2; upscaled by CSS). Old preview URLs are revoked.
 */
import { create } from 'zustand';
import type { GenerationProgressEvent } from '../../../shared/api';

export interface LiveProgress {
  image: number;
  step: number;
  total: number;
  elapsedMs: number;
  etaMs: number;
  seed: number;
  previewUrl: string | null;
}

interface ProgressState {
  byJob: Record<string, LiveProgress>;
  update(e: GenerationProgressEvent): void;
  clear(jobId: string): void;
}

export const useProgress = create<ProgressState>((set, get) => ({
  byJob: {},
  update(e) {
    const prev = get().byJob[e.jobId];
    let previewUrl = prev?.previewUrl ?? null;
    if (e.preview && e.preview.byteLength > 0) {
      if (previewUrl) URL.revokeObjectURL(previewUrl);
      // Copy into a fresh ArrayBuffer-backed array: Blob wants an ArrayBuffer, not a view of a shared buffer.
      previewUrl = URL.createObjectURL(new Blob([new Uint8Array(e.preview)], { type: 'image/png' }));
    }
    const entry: LiveProgress = {
      image: e.image,
      step: e.step,
      total: e.total,
      elapsedMs: e.elapsedMs,
      etaMs: e.etaMs,
      seed: e.seed,
      previewUrl,
    };
    set((s) => ({ byJob: { ...s.byJob, [e.jobId]: entry } }));
  },
  clear(jobId) {
    const prev = get().byJob[jobId];
    if (!prev) return;
    if (prev.previewUrl) URL.revokeObjectURL(prev.previewUrl);
    set((s) => {
      const next = { ...s.byJob };
      delete next[jobId];
      return { byJob: next };
    });
  },
}));
