/**
 * The one typed contract between the renderer and the main process (architecture.md §1).
 * Invoke channels return `Promise<Result<…>>`; event channels carry plain payloads.
 * The Electron IPC adapter, the preload and the serve WebSocket bridge are all generated from these lists.
 */
import type { Result } from './errors';

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
] as const;

export const EVENT_CHANNELS = [
  'queue.changed',
  'generation.progress',
  'generation.finished',
  'generation.failed',
  'vram.sample',
  'history.added',
] as const;

export type InvokeChannel = (typeof INVOKE_CHANNELS)[number];
export type EventChannel = (typeof EVENT_CHANNELS)[number];

export function isInvokeChannel(v: unknown): v is InvokeChannel {
  return typeof v === 'string' && (INVOKE_CHANNELS as readonly string[]).includes(v);
}
export function isEventChannel(v: unknown): v is EventChannel {
  return typeof v === 'string' && (EVENT_CHANNELS as readonly string[]).includes(v);
}

/** What `window.studio` (preload) and the WebSocket bridge both expose to the renderer. */
export interface StudioApi {
  invoke(channel: InvokeChannel, payload?: unknown): Promise<Result<unknown>>;
  /** Subscribe to an event channel; returns the unsubscribe function. */
  on(channel: EventChannel, listener: (payload: unknown) => void): () => void;
}

/** The IPC channel name used on the wire for an invoke channel (one namespace for the app). */
export const ipcName = (channel: InvokeChannel | EventChannel): string => `studio:${channel}`;
