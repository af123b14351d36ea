/**
 * Electron IPC adapter over StudioService (architecture.md §1, §5): one `ipcMain.handle` per invoke channel of the
 * contract, each refusing senders that are not the studio's own top-level page, handing the payload to the service
 * (which validates it) and returning its Result, never a stack; and a fan-out of the service's events to every
 * studio window. The Electron objects are passed in (typed by the small surfaces used), so tests mock them.
 */
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { INVOKE_CHANNELS, ipcName, type EventChannel, type InvokeChannel } from '../../shared/api';
import type { Result } from '../../shared/errors';

/** The frame an invoke came from (Electron's WebFrameMain, as far as it is used). */
export interface SenderFrameLike {
  readonly url: string;
  readonly parent: unknown;
}

export interface InvokeEventLike {
  readonly senderFrame: SenderFrameLike | null | undefined;
  readonly sender: unknown;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, payload: unknown) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

export interface WebContentsLike {
  isDestroyed(): boolean;
  send(channel: string, payload: unknown): void;
}

/** What the adapter needs of the service. */
export interface InvokeTarget {
  invoke(channel: InvokeChannel, payload: unknown): Promise<Result<unknown>>;
}

export interface EventSource {
  onAny(listener: (channel: EventChannel, payload: unknown) => void): () => void;
}

/**
 * A sender check for the studio's page: the top-level frame of one of our windows, showing the built renderer file
 * (`out/renderer/index.html`) or, in `electron-vite dev`, a page of the dev server's origin.
 * @param isOurWebContents  whether `event.sender` belongs to a window the app created (BrowserWindow.fromWebContents)
 */
export function studioSenderCheck(opts: {
  rendererIndex: string;
  devUrl?: string;
  isOurWebContents: (sender: unknown) => boolean;
}): (event: InvokeEventLike) => boolean {
  const index = resolve(opts.rendererIndex);
  const devOrigin = opts.devUrl ? new URL(opts.devUrl).origin : undefined;
  return (event) => {
    const frame = event.senderFrame;
    if (!frame || frame.parent !== null || !opts.isOurWebContents(event.sender)) return false;
    let url: URL;
    try {
      url = new URL(frame.url);
    } catch {
      return false;
    }
    if (url.protocol === 'file:') {
      url.search = '';
      url.hash = '';
      try {
        return resolve(fileURLToPath(url)) === index;
      } catch {
        return false;
      }
    }
    return devOrigin !== undefined && url.origin === devOrigin;
  };
}

/**
 * Registers one handler per invoke channel. A refused sender gets an `Unauthorized` Result; the service gets the
 * payload as it came (it validates). @returns a function that removes the handlers.
 */
export function registerIpc(ipcMain: IpcMainLike, service: InvokeTarget, isTrustedSender: (event: InvokeEventLike) => boolean): () => void {
  for (const channel of INVOKE_CHANNELS) {
    ipcMain.handle(ipcName(channel), async (event, payload): Promise<Result<unknown>> => {
      if (!isTrustedSender(event)) {
        return { ok: false, error: { code: 'Unauthorized', message: `Refused ${channel}: the request did not come from the studio window.` } };
      }
      return service.invoke(channel, payload);
    });
  }
  return () => {
    for (const channel of INVOKE_CHANNELS) ipcMain.removeHandler(ipcName(channel));
  };
}

/** Sends every service event to every live studio window. @returns the unsubscribe function. */
export function forwardEvents(events: EventSource, targets: () => WebContentsLike[]): () => void {
  return events.onAny((channel, payload) => {
    for (const wc of targets()) {
      if (!wc.isDestroyed()) wc.send(ipcName(channel), payload);
    }
  });
}
