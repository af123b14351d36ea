/**
 * Typed calls over the studio contract (src/shared/api.ts). Every call goes through `studio` from ../api (the
 * preload's `window.studio` in Electron, the WebSocket bridge in serve mode); failures become StudioError.
 */
import { useEffect, useRef } from 'react';
import type {
  EventChannel,
  EventPayload,
  InvokeChannel,
  InvokeResult,
  PayloadArgs,
} from '../../../shared/api';
import { StudioError, isErrorCode } from '../../../shared/errors';
import { studio } from '../api';

/**
 * Invokes a channel and unwraps its Result.
 * @throws StudioError with the service's code, message and hint when the result is not ok; a transport failure
 *   (bridge closed, IPC error) rejects with what the transport threw.
 */
export async function call<C extends InvokeChannel>(
  channel: C,
  ...args: PayloadArgs<C>
): Promise<InvokeResult<C>> {
  const result = await studio.invoke(channel, ...args);
  if (result.ok) return result.value;
  const { code, message, hint } = result.error;
  throw new StudioError(isErrorCode(code) ? code : 'InvalidRequest', message, hint);
}

/** Subscribes to an event channel for the life of the component; the latest listener is always the one called. */
export function useStudioEvent<E extends EventChannel>(
  channel: E,
  listener: (payload: EventPayload<E>) => void,
): void {
  const ref = useRef(listener);
  ref.current = listener;
  useEffect(() => studio.on(channel, (payload) => ref.current(payload)), [channel]);
}

/** A person-readable line for any thrown value (StudioError keeps its hint). */
export function errorText(e: unknown): string {
  if (e instanceof StudioError) return e.hint ? `${e.message} ${e.hint}` : e.message;
  return e instanceof Error ? e.message : String(e);
}
