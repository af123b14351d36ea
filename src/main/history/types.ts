/**
 * Plain data in and out of the history store (structured-clone safe, so IPC can pass it as is).
 * Units: times are ms since the Unix epoch (createdAt) or ms durations (timings); memory in bytes;
 * paths are relative to the data dir with forward slashes (`images/2026/05/01/<id>-0.png`) unless named `absolute…`.
 */
import type { ErrorCode } from '../../shared/errors';
import type { GenerationRequest, PrecisionPlan, ProviderName, StageTimings } from '../../shared/dto';

export type GenerationStatus = 'finished' | 'failed' | 'cancelled' | 'interrupted' | 'imported';

/** Where an entry came from: generated here, or imported from a PNG written by us or by another tool. */
export type EntrySource =
  'studio' | 'newbie' | 'a1111' | 'fooocus' | 'novelai' | 'invokeai' | 'comfyui' | 'none';

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

export interface SavedImage {
  id: number;
  index: number;
  seed: number;
  path: string;
  thumbnailPath: string | null;
  sha256: string;
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

export interface HistoryImage {
  id: number;
  generationId: string;
  index: number;
  seed: number | null;
  path: string;
  thumbnailPath: string | null;
  width: number;
  height: number;
  bytes: number;
  sha256: string;
  favorite: boolean;
  /** 0 (unrated) to 5. */
  rating: number;
  deletedAt: number | null;
  createdAt: number;
}

/** A gallery tile: the image plus the start of its prompt. */
export interface GalleryItem extends HistoryImage {
  promptPreview: string;
  modelIdentity: string | null;
}

/** One generation with everything the store knows about it. */
export interface HistoryEntry {
  id: string;
  createdAt: number;
  status: GenerationStatus;
  source: EntrySource;
  /** The snapshotted request; for imports, the restored request completed with defaults. */
  request: GenerationRequest;
  precision: Partial<PrecisionPlan> | null;
  provider: string | null;
  modelIdentity: string | null;
  modelName: string | null;
  appVersion: string | null;
  error: { code: ErrorCode | string; message: string } | null;
  timings: Partial<StageTimings> | null;
  peakVram: number | null;
  peakRam: number | null;
  predictedVram: number | null;
  parentId: string | null;
  /** For imports: original file name, fields restored from metadata, notes. */
  importInfo: ImportInfo | null;
  images: HistoryImage[];
}

export interface ImportInfo {
  fileName: string;
  restored: string[];
  notes: string[];
}

/** Gallery / list filters. All optional; `cursor` continues from the previous page's `nextCursor`. */
export interface GalleryQuery {
  /** Page size, 1..500, default 60. */
  limit?: number;
  cursor?: string | null;
  /** Words and danbooru tags; see `ftsQuery`. */
  search?: string;
  favoritesOnly?: boolean;
  /** Minimum rating 1..5. */
  minRating?: number;
  /** Inclusive start, ms since epoch. */
  from?: number;
  /** Exclusive end, ms since epoch. */
  to?: number;
  width?: number;
  height?: number;
  modelIdentity?: string;
}

export interface Page<T> {
  items: T[];
  /** Pass back as `cursor` for the next page; null at the end. */
  nextCursor: string | null;
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

export interface LineageNode {
  id: string;
  parentId: string | null;
  /** 0 for the root of the lineage. */
  depth: number;
  createdAt: number;
  status: GenerationStatus;
  seed: number | null;
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

export type QueueState = 'pending' | 'running' | 'paused' | 'interrupted';

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
