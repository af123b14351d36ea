/**
 * Plain data of the model-management channels (`models.find`, `models.download`, `models.use` …) and their events
 * (structured-clone and JSON safe: no Infinity, no class instances). Used by the service (src/main/modelsService.ts)
 * and the first-run screen (src/renderer/src/features/firstRun). Units: bytes, bytes per second, seconds.
 */
import type { ModelCheckReport } from './apiTypes';
import type { Settings } from './dto';
import type { StudioErrorData } from './errors';

/** A model package found in the Hugging Face cache (`models.find`), checked. */
export interface HfCacheModelInfo {
  /** `org/name`, from the cache folder's name. */
  repo: string;
  /** The `models--org--name` folder: what `models.use` should get, so a newer snapshot is picked up (refs/main). */
  folder: string;
  /** The snapshot the check used, and its revision (commit hash). */
  snapshot: string;
  revision: string;
  ok: boolean;
  /** A generator-made random model (it produces noise). */
  testModel: boolean;
  /** Problem messages of the check (empty when ok). */
  problems: string[];
}

export interface HfCacheFindResult {
  /** The hub cache folder that was searched (HF_HUB_CACHE, $HF_HOME/hub, $XDG_CACHE_HOME/huggingface/hub or ~/.cache/huggingface/hub). */
  cacheDir: string;
  /** Official repo first. */
  models: HfCacheModelInfo[];
}

/** `models.download`: the download that was started, or the one already running into the same folder. */
export interface ModelDownloadStarted {
  downloadId: string;
  repo: string;
  /** Absolute target folder. */
  dir: string;
  /** True when a download into that folder was already running (its id is returned; no second one starts). */
  attached: boolean;
}

export type ModelDownloadFileState = 'queued' | 'downloading' | 'verifying' | 'done' | 'reused' | 'failed';

/** `models.downloadProgress`: at most about five per second while bytes arrive, and on every file state change. */
export interface ModelDownloadProgressEvent {
  downloadId: string;
  repo: string;
  dir: string;
  /** Bytes on disk for the planned files (resumed partial files count), of `bytesTotal`. */
  bytesDone: number;
  bytesTotal: number;
  /** Bytes per second over the last few seconds. */
  speedBps: number;
  /** Seconds left at that speed; null before any data arrived. */
  etaS: number | null;
  filesDone: number;
  filesTotal: number;
  files: Array<{
    dest: string;
    state: ModelDownloadFileState;
    bytesDone: number;
    size: number;
    error?: string;
  }>;
}

/** `models.downloadFinished`: once per download, done or not (a cancel ends with error code `Cancelled`). */
export type ModelDownloadFinishedEvent =
  | {
      downloadId: string;
      repo: string;
      dir: string;
      ok: true;
      /** Bytes fetched over the network in this run (0 when every file was already there). */
      bytesDownloaded: number;
      filesTotal: number;
      /** The check of the downloaded folder. */
      report: ModelCheckReport;
      /** The folder became the active model (`activate` was set and the check passed). */
      activated: boolean;
    }
  | { downloadId: string; repo: string; dir: string; ok: false; error: StudioErrorData };

/** `models.use`: the folder passed the check and is now the model folder in the settings. */
export interface ModelUseResult {
  settings: Settings;
  report: ModelCheckReport;
  /** Set when this session was started with a model folder that wins over the settings (serve --model). */
  notice?: string;
}
