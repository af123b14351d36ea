/**
 * The renderer's one way to the main process: `window.studio` (Electron preload) when present, else the WebSocket
 * bridge of serve mode, with the same typed StudioApi and Result shapes. Import `studio` and `imageUrl` from here;
 * nothing else in the renderer talks to the transport.
 *
 *   const r = await studio.invoke('generation.enqueue', { request: { prompt } });
 *   if (!r.ok) showError(r.error);        // r.error: { code, message, hint? }
 *   const off = studio.on('generation.progress', (p) => setStep(p.step));
 */
import type { StudioApi } from '../../shared/api';
import { createWebSocketStudio, type ConnectionStatus } from '../../shared/wsClient';

declare global {
  interface Window {
    studio?: StudioApi;
  }
}

/** `ipc` inside Electron, `websocket` in a browser against `newbie-studio serve`. */
export const transport: 'ipc' | 'websocket' =
  typeof window !== 'undefined' && window.studio ? 'ipc' : 'websocket';

const statusListeners = new Set<(s: ConnectionStatus) => void>();
let connection: ConnectionStatus = transport === 'ipc' ? 'open' : 'connecting';

function pick(): StudioApi {
  if (transport === 'ipc') return window.studio!;
  const { protocol, host } = window.location;
  return createWebSocketStudio({
    url: `${protocol === 'https:' ? 'wss' : 'ws'}://${host}/ws`,
    onStatus: (s) => {
      connection = s;
      for (const l of statusListeners) l(s);
    },
  });
}

export const studio: StudioApi = pick();

/** Current connection state (always `open` in Electron). */
export function connectionStatus(): ConnectionStatus {
  return connection;
}

/** Called on every connection change (reconnects in serve mode); returns the unsubscribe function. */
export function onConnectionStatus(listener: (s: ConnectionStatus) => void): () => void {
  statusListeners.add(listener);
  return () => {
    statusListeners.delete(listener);
  };
}

/**
 * URL of a data-dir-relative image or thumbnail path as stored in the history (`images/2026/05/01/<id>-0.png`,
 * `thumbnails/….webp`): `studio-image://data/…` in Electron, `/studio-image/…` (same origin, cookie auth) in serve
 * mode. Both serve only `images/` and `thumbnails/` of the data dir.
 */
export function imageUrl(relativePath: string): string {
  const encoded = relativePath.split('/').map(encodeURIComponent).join('/');
  return transport === 'ipc' ? `studio-image://data/${encoded}` : `/studio-image/${encoded}`;
}
