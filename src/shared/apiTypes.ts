/**
 * Plain data the contract returns from the history store and the model check (structured-clone and JSON safe).
 * These mirror `src/main/history/types.ts` and `src/main/models/check.ts` field by field for the renderer, which may
 * import only `src/shared`; the service returns the main-side values typed as these, so the compiler checks that
 * both stay in step. Units: times in ms since the Unix epoch, memory in bytes, paths relative to the data dir with
 * forward slashes (`images/2026/05/01/<id>-0.png`; show them through `studio-image://` or the serve image route).
 */
import type { GenerationRequest, PrecisionPlan, StageTimings } from './dto';
import type { ErrorCode } from './errors';

export type GenerationStatus = 'finished' | 'failed' | 'cancelled' | 'interrupted' | 'imported';
export type EntrySource = 'studio' | 'newbie' | 'a1111' | 'fooocus' | 'novelai' | 'invokeai' | 'comfyui' | 'none';

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

/** One generation with everything the history knows about it. */
export interface HistoryEntry {
  id: string;
  createdAt: number;
  status: GenerationStatus;
  source: EntrySource;
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
  importInfo: ImportInfo | null;
  images: HistoryImage[];
}

/** Gallery filters; `cursor` continues from the previous page's `nextCursor`. */
export interface GalleryQuery {
  /** Page size, 1..500, default 60. */
  limit?: number;
  cursor?: string | null;
  /** Words and danbooru tags (quoted for FTS by the store). */
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

export interface ModelCheckProblem {
  component: 'transformer' | 'text_encoder' | 'clip_model' | 'vae' | 'tokenizers' | 'model';
  code: ErrorCode;
  message: string;
  hint?: string;
}

export interface ModelComponentReport {
  id: 'transformer' | 'text_encoder' | 'clip_model' | 'vae';
  status: 'found' | 'missing' | 'invalid';
  source?: string;
  keyConvention?: string;
  dtypes: Record<string, number>;
  parameterCount: number;
  tensorCount: number;
  ignoredTensors: number;
  sizeOnDisk: number;
  files: Array<{ path: string; size: number }>;
  dims?: Record<string, unknown>;
}

/** Result of `models.check` (the same report as `newbie-studio models check --json`). */
export interface ModelCheckReport {
  folder: string;
  root: string;
  ok: boolean;
  /** A generator-made random model (it produces noise). */
  testModel: boolean;
  components: ModelComponentReport[];
  tokenizers: { gemma?: string; jina?: string };
  dit?: {
    expectedCount: number;
    foundCount: number;
    missing: string[];
    unexpected: string[];
    shapeMismatches: Array<{ name: string; expected: number[]; found: number[] }>;
  };
  problems: ModelCheckProblem[];
  notes: string[];
  identity?: string;
}
