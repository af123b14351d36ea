/**
 * Preload (sandboxed, CJS): exposes `window.studio` built from the contract in src/shared/api.ts.
 * The renderer never sees ipcRenderer; only the listed channels can be invoked or subscribed.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { ipcName, isEventChannel, isInvokeChannel, typedStudioApi, type StudioApi } from '../shared/api';
import type { Result } from '../shared/errors';

/**
 * Builds the `window.studio` API over Electron IPC. Invoking an unknown channel resolves to an
 * `InvalidRequest` Result; subscribing to an unknown event channel throws (a programming error).
 * Returns an unsubscribe function from `on`. Exported so tests can drive it with a fake ipc.
 */
export function buildStudioApi(ipc: Pick<typeof ipcRenderer, 'invoke' | 'on' | 'removeListener'>): StudioApi {
  return typedStudioApi({
    invoke(channel, payload) {
      if (!isInvokeChannel(channel)) {
        return Promise.resolve<Result<unknown>>({
          ok: false,
          error: { code: 'InvalidRequest', message: `Unknown channel: ${String(channel)}` },
        });
      }
      return ipc.invoke(ipcName(channel), payload) as Promise<Result<unknown>>;
    },
    on(channel, listener) {
      if (!isEventChannel(channel)) throw new Error(`Unknown event channel: ${String(channel)}`);
      const wrapped = (_event: unknown, payload: unknown) => listener(payload);
      ipc.on(ipcName(channel), wrapped);
      return () => {
        ipc.removeListener(ipcName(channel), wrapped);
      };
    },
  });
}

contextBridge.exposeInMainWorld('studio', buildStudioApi(ipcRenderer));
