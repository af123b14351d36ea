/**
 * Plain data of the history store that crosses to the renderer (structured-clone and JSON safe, so IPC and the serve
 * WebSocket pass it as is). The single definition: `src/main/history/types.ts` re-exports these next to its main-only
 * types, and `./apiTypes` re-exports them for the contract. Units: times are ms since the Unix epoch; memory in bytes;
 * paths are relative to the data dir with forward slashes (`images/2026/05/01/<id>-0.png`; show them through
 * `studio-image://` or the serve image route).
 */
import type { GenerationRequest, PrecisionPlan, StageTimings } from './dto';
import type { ErrorCode } from './errors';

export type GenerationStatus = 'finished' | 'failed' | 'cancelled' | 'interrupted' | 'imported';

/** Where an entry came from: generated here, or imported from a PNG written by us or by another tool. */
export type EntrySource =
  'studio' | 'newbie' | 'a1111' | 'fooocus' | 'novelai' | 'invokeai' | 'comfyui' | 'none';

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

export interface ImportInfo {
  fileName: string;
  restored: string[];
  notes: string[];
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
  /** Stage durations in ms. */
  timings: Partial<StageTimings> | null;
  peakVram: number | null;
  peakRam: number | null;
  predictedVram: number | null;
  parentId: string | null;
  /** For imports: original file name, fields restored from metadata, notes. */
  importInfo: ImportInfo | null;
  images: HistoryImage[];
}

/** Gallery / list filters. All optional; `cursor` continues from the previous page's `nextCursor`. */
export interface GalleryQuery {
  /** Page size, 1..500, default 60. */
  limit?: number;
  cursor?: string | null;
  /** Words and danbooru tags (quoted for FTS by the store's `ftsQuery`). */
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

export interface LineageNode {
  id: string;
  parentId: string | null;
  /** 0 for the root of the lineage. */
  depth: number;
  createdAt: number;
  status: GenerationStatus;
  seed: number | null;
}

export interface SavedImage {
  id: number;
  index: number;
  seed: number;
  path: string;
  thumbnailPath: string | null;
  sha256: string;
}

/** What `history.import` says about one file. */
export interface ImportOutcome {
  /** File name as given (no folder). */
  file: string;
  /** `restored`: restoreOnly was set, nothing was written; `failed`: see `error` (the other files still go on). */
  status: 'imported' | 'skipped' | 'restored' | 'failed';
  generationId?: string;
  imageId?: number;
  source: EntrySource;
  /** The request read from the metadata, completed with defaults (drag-and-drop restore). */
  request?: GenerationRequest;
  /** Fields that came from the file. */
  restored?: string[];
  notes: string[];
  error?: { code: ErrorCode; message: string; hint?: string };
}
