/**
 * The one typed contract between the renderer and the main process (architecture.md §1).
 * Invoke channels take one payload (validated at the boundary by `INVOKE_SCHEMAS`) and return
 * `Promise<Result<InvokeResults[channel]>>`; event channels carry `EventPayloads[channel]`.
 * The Electron IPC adapter, the preload and the serve WebSocket bridge are all generated from these lists, and
 * `StudioService` (src/main/service.ts) is the one implementation. The payload schemas and `parsePayload` live in
 * `./apiSchemas` so this module stays free of runtime dependencies: the sandboxed preload imports it and can
 * `require` nothing but electron.
 */
import type { z } from 'zod';
import type { Result, StudioErrorData } from './errors';
import type { INVOKE_SCHEMAS } from './apiSchemas';
export type { RequestDraft, SettingsPatch } from './apiSchemas';
import type {
  DeviceInfo,
  JobProgress,
  PrecisionPlan,
  ProviderName,
  QueueItem,
  QueueSnapshot,
  Settings,
  StageTimings,
  VramSample,
} from './dto';
import type { PromptCheck } from './prompt/types';
import type { TagMatch } from './prompt/tagIndex';
import type { GalleryItem, HistoryEntry, ImportOutcome, LineageNode, ModelCheckReport, Page, SavedImage } from './apiTypes';
import type { HfCacheFindResult, ModelDownloadFinishedEvent, ModelDownloadProgressEvent, ModelDownloadStarted, ModelUseResult } from './modelTypes';

export const INVOKE_CHANNELS = [
  'generation.enqueue',
  'generation.cancel',
  'generation.cancelAll',
  'generation.reorder',
  'generation.pause',
  'generation.resume',
  'queue.list',
  'history.page',
  'history.search',
  'history.get',
  'history.lineage',
  'history.favorite',
  'history.rate',
  'history.delete',
  'history.undoDelete',
  'history.import',
  'prompt.check',
  'prompt.format',
  'prompt.completeTags',
  'devices.get',
  'settings.get',
  'settings.set',
  'models.check',
  'models.find',
  'models.download',
  'models.cancelDownload',
  'models.makeTiny',
  'models.use',
  'models.pickFolder',
] as const;

export const EVENT_CHANNELS = [
  'queue.changed',
  'generation.progress',
  'generation.finished',
  'generation.failed',
  'generation.notice',
  'vram.sample',
  'history.added',
  'settings.changed',
  'app.command',
  'models.downloadProgress',
  'models.downloadFinished',
] as const;

export type InvokeChannel = (typeof INVOKE_CHANNELS)[number];
export type EventChannel = (typeof EVENT_CHANNELS)[number];

/** Type guard: `v` is one of INVOKE_CHANNELS (used by preload and serve to refuse unknown channels). */
export function isInvokeChannel(v: unknown): v is InvokeChannel {
  return typeof v === 'string' && (INVOKE_CHANNELS as readonly string[]).includes(v);
}
/** Type guard: `v` is one of EVENT_CHANNELS (subscriptions to anything else are refused). */
export function isEventChannel(v: unknown): v is EventChannel {
  return typeof v === 'string' && (EVENT_CHANNELS as readonly string[]).includes(v);
}

/** The IPC channel name used on the wire for an invoke channel (one namespace for the app). */
export const ipcName = (channel: InvokeChannel | EventChannel): string => `studio:${channel}`;

export type InvokePayloads = { [C in InvokeChannel]: z.infer<(typeof INVOKE_SCHEMAS)[C]> };
export type InvokePayload<C extends InvokeChannel> = InvokePayloads[C];

// ───────────── results and events ─────────────

export interface CancelOutcome {
  id: string;
  /** removed: it was waiting; stopping: the running job stops after this step; killed: the engine host was stopped. */
  outcome: 'removed' | 'stopping' | 'killed';
}

export interface InvokeResults {
  'generation.enqueue': QueueItem;
  'generation.cancel': CancelOutcome;
  'generation.cancelAll': { removed: number; running: CancelOutcome | null };
  'generation.reorder': QueueSnapshot;
  'generation.pause': QueueSnapshot;
  'generation.resume': QueueSnapshot;
  'queue.list': QueueSnapshot;
  'history.page': Page<GalleryItem>;
  'history.search': Page<GalleryItem>;
  /** null when no generation has that id. */
  'history.get': HistoryEntry | null;
  'history.lineage': LineageNode[];
  'history.favorite': null;
  'history.rate': null;
  /** Ids actually moved to the trash / restored (unknown ones are skipped). */
  'history.delete': { imageIds: number[] };
  'history.undoDelete': { imageIds: number[] };
  'history.import': { outcomes: ImportOutcome[] };
  'prompt.check': PromptCheck;
  'prompt.format': { text: string };
  'prompt.completeTags': TagMatch[];
  'devices.get': DeviceInfo;
  'settings.get': Settings;
  'settings.set': Settings;
  'models.check': ModelCheckReport;
  'models.find': HfCacheFindResult;
  'models.download': ModelDownloadStarted;
  /** cancelled false: no running download has that id (it already ended). */
  'models.cancelDownload': { downloadId: string; cancelled: boolean };
  /** The tiny random model's folder (`<dataDir>/models/tiny-random`); not yet active (see models.use). */
  'models.makeTiny': { dir: string };
  'models.use': ModelUseResult;
  /** The chosen folder; null when cancelled, and always null in serve mode (no native dialog there). */
  'models.pickFolder': string | null;
}
export type InvokeResult<C extends InvokeChannel> = InvokeResults[C];

/** After each denoising step of the running job; `preview` is a PNG of the predicted clean latent (1/8 size). */
export interface GenerationProgressEvent extends JobProgress {
  jobId: string;
  seed: number;
  preview?: Uint8Array;
}

export interface GenerationFinishedEvent {
  jobId: string;
  generationId: string;
  images: SavedImage[];
  timings: StageTimings;
  precision: PrecisionPlan;
  provider: ProviderName;
  /** Engine warnings (e.g. prompt truncated) and non-fatal save problems. */
  warnings: string[];
}

export interface GenerationFailedEvent {
  jobId: string;
  /** History row recording the failure (status failed / cancelled), when one was written. */
  generationId: string | null;
  error: StudioErrorData;
}

/** Something the user must see while a job runs: a provider fallback (notice) or an engine warning. */
export interface GenerationNoticeEvent {
  jobId: string;
  level: 'notice' | 'warning';
  message: string;
}

export interface HistoryAddedEvent {
  generationId: string;
  entry: HistoryEntry | null;
}

/** Menu shortcuts forwarded to the renderer, which decides what they mean in its current state. */
export type AppCommand = 'generate' | 'cancelCurrent';

export interface EventPayloads {
  'queue.changed': QueueSnapshot;
  'generation.progress': GenerationProgressEvent;
  'generation.finished': GenerationFinishedEvent;
  'generation.failed': GenerationFailedEvent;
  'generation.notice': GenerationNoticeEvent;
  'vram.sample': VramSample;
  'history.added': HistoryAddedEvent;
  'settings.changed': Settings;
  'app.command': { command: AppCommand };
  'models.downloadProgress': ModelDownloadProgressEvent;
  'models.downloadFinished': ModelDownloadFinishedEvent;
}
export type EventPayload<E extends EventChannel> = EventPayloads[E];

/** Channels whose payload may be left out. */
export type PayloadArgs<C extends InvokeChannel> = undefined extends InvokePayload<C> ? [payload?: InvokePayload<C>] : [payload: InvokePayload<C>];

/** What `window.studio` (preload) and the WebSocket bridge both expose to the renderer. */
export interface StudioApi {
  invoke<C extends InvokeChannel>(channel: C, ...args: PayloadArgs<C>): Promise<Result<InvokeResult<C>>>;
  /** Subscribe to an event channel; returns the unsubscribe function. */
  on<E extends EventChannel>(channel: E, listener: (payload: EventPayload<E>) => void): () => void;
}

/** The untyped transport an adapter implements; `typedStudioApi` gives it the contract's types. */
export interface RawStudioApi {
  invoke(channel: InvokeChannel, payload?: unknown): Promise<Result<unknown>>;
  on(channel: EventChannel, listener: (payload: unknown) => void): () => void;
}

/** Types a transport with the contract (the main side validates every payload, so this is a typing step only). */
export function typedStudioApi(raw: RawStudioApi): StudioApi {
  return raw as StudioApi;
}
