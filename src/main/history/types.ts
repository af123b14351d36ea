/**
 * Plain data in and out of the history store (structured-clone safe, so IPC can pass it as is).
 * Units: times are ms since the Unix epoch (createdAt) or ms durations (timings); memory in bytes;
 * paths are relative to the data dir with forward slashes (`images/2026/05/01/<id>-0.png`) unless named `absolute…`.
 */
import type { GenerationRequest, JobState, PrecisionPlan, ProviderName, StageTimings } from '../../shared/dto';
import type { EntrySource, GenerationStatus, HistoryImage, SavedImage } from '../../shared/history';

// What the renderer also reads (HistoryEntry, GalleryItem, pages …) is defined once in src/shared/history.ts;
// this module re-exports it next to the main-only types, so `../history` stays the one import for main code.
export type * from '../../shared/history';

/** One decoded image of a finished job, already encoded as PNG (with its metadata chunks) by main. */
export interface FinishedImage {
  /** Index in the batch, 0-based. */
  index: number;
  /** Seed of this image (request.seed + index). */
  seed: number;
  png: Uint8Array;
  width: number;
  height: number;
}

/** What the pipeline reports for a finished job. */
export interface GenerationResult {
  images: FinishedImage[];
  /** Resolved dtype per component. */
  precision: PrecisionPlan;
  provider: ProviderName;
  /** Hash of the safetensors headers + sizes and the graph builder's version. */
  modelIdentity: string;
  /** Human name of the model folder, for display. */
  modelName?: string;
  timings: StageTimings;
  peakVram?: number;
  peakRam?: number;
  predictedVram?: number;
}

export interface SaveGenerationInput {
  request: GenerationRequest;
  result: GenerationResult;
  /** Queue job this came from: removed from the queue in the same transaction as the history rows. */
  jobId?: string;
  /** Default: now. */
  createdAt?: number;
}

export interface SavedGeneration {
  generationId: string;
  images: SavedImage[];
  /** Non-fatal problems (a thumbnail that could not be made). */
  warnings: string[];
}

/** Optional details of a failed job (for OOM diagnosis: what was predicted and what was used). */
export interface FailureDetails {
  jobId?: string;
  createdAt?: number;
  precision?: PrecisionPlan;
  provider?: ProviderName;
  modelIdentity?: string;
  modelName?: string;
  timings?: Partial<StageTimings>;
  peakVram?: number;
  peakRam?: number;
  predictedVram?: number;
}

/** Generation list filters (CLI `history list`). */
export interface GenerationQuery {
  limit?: number;
  cursor?: string | null;
  search?: string;
  status?: GenerationStatus;
}

/** A generation in a list: the essentials and its images. */
export interface GenerationSummary {
  id: string;
  createdAt: number;
  status: GenerationStatus;
  source: EntrySource;
  prompt: string;
  seed: number | null;
  width: number;
  height: number;
  steps: number;
  modelIdentity: string | null;
  error: { code: string; message: string } | null;
  parentId: string | null;
  images: HistoryImage[];
}

export interface HistoryStats {
  generations: Record<GenerationStatus, number>;
  images: number;
  favorites: number;
  inTrash: number;
  imageBytes: number;
  firstAt: number | null;
  lastAt: number | null;
  models: { modelIdentity: string | null; images: number }[];
  providers: { provider: string; generations: number; meanTotalMs: number | null }[];
  /** Database file + WAL, bytes. */
  databaseBytes: number;
}

/** The persisted queue's job states: the same set the contract calls JobState. */
export type QueueState = JobState;

export interface QueuedJob {
  id: string;
  /** 0-based place in the queue. */
  position: number;
  state: QueueState;
  request: GenerationRequest;
  createdAt: number;
  updatedAt: number;
}

export interface ReconcileReport {
  /** Live rows whose image file is absent (and not in the trash either). */
  missingFiles: { imageId: number; generationId: string; path: string }[];
  /** Rows whose thumbnail is absent (regenerated with `repair`). */
  missingThumbnails: { imageId: number; path: string }[];
  /** Files whose row says they are elsewhere (a crash between a trash move and its commit); fixed with `repair`. */
  misplaced: { imageId: number; expected: string; found: string }[];
  /** Image files without a row. `importable` when they carry generation metadata. */
  orphanFiles: { path: string; importable: boolean; source: EntrySource; imported?: string }[];
  /** Thumbnails without a row. */
  orphanThumbnails: string[];
  /** Leftover temp files of interrupted writes (safe to delete). */
  tempFiles: string[];
  /** `PRAGMA quick_check` result: 'ok' or the problems found. */
  integrity: string;
  repaired: number;
}
