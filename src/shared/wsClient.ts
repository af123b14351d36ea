/**
 * The StudioApi over a WebSocket (serve mode, architecture.md §1): the same contract and Result shapes as
 * `window.studio`, for the same React bundle running in a browser. Reconnects with backoff; invokes made while
 * disconnected wait for the connection; invokes in flight when it drops resolve to an `Interrupted` error (the
 * main side may or may not have applied them). Auth is the HttpOnly cookie set by `?token=` (or a Bearer header
 * that a non-browser `connect` adds); the server also checks the Origin. Platform-free: the renderer uses it through
 * src/renderer/src/api.ts; Node clients (tests, scripts) pass a `connect` built on the `ws` package.
 */
import {
  isEventChannel,
  isInvokeChannel,
  typedStudioApi,
  type EventChannel,
  type StudioApi,
} from './api';
import type { Result } from './errors';
import { decodeWire, encodeWire, type WireInvoke, type WireServerMessage } from './wire';

/** The part of the WHATWG WebSocket the bridge uses (the browser's, or the `ws` package's in Node tests). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export type ConnectionStatus = 'connecting' | 'open' | 'closed';

export interface BridgeOptions {
  /** `ws://host:port/ws`. */
  url: string;
  /** Opens a socket; default `new WebSocket(url)`. */
  connect?: (url: string) => SocketLike;
  /** Reconnect backoff in ms: doubles from `initialMs` up to `maxMs`. Default 250 → 5000. */
  retry?: { initialMs: number; maxMs: number };
  onStatus?: (status: ConnectionStatus) => void;
}

export interface WebSocketStudio extends StudioApi {
  readonly status: ConnectionStatus;
  /** Closes for good (no reconnect); pending invokes resolve to `Interrupted`. */
  close(): void;
}

const OPEN = 1;

/** The platform's WHATWG WebSocket (browsers; Node 22+). */
function browserSocket(url: string): SocketLike {
  const Ctor = (globalThis as { WebSocket?: new (url: string) => SocketLike }).WebSocket;
  if (!Ctor) throw new Error('No WebSocket in this runtime: pass `connect` (e.g. with the ws package).');
  return new Ctor(url);
}

const interrupted = (channel: string): Result<never> => ({
  ok: false,
  error: {
    code: 'Interrupted',
    message: `The connection to the studio closed before ${channel} answered; it may or may not have been applied.`,
    hint: 'Check the queue and the history, then retry if needed.',
  },
});

/** Creates the WebSocket StudioApi and starts connecting. */
export function createWebSocketStudio(options: BridgeOptions): WebSocketStudio {
  const connect = options.connect ?? browserSocket;
  const retry = options.retry ?? { initialMs: 250, maxMs: 5000 };
  const listeners = new Map<EventChannel, Set<(payload: unknown) => void>>();
  const inFlight = new Map<number, { channel: string; resolve: (r: Result<unknown>) => void }>();
  let outbox: WireInvoke[] = [];
  let nextId = 1;
  let socket: SocketLike | undefined;
  let status: ConnectionStatus = 'connecting';
  let delay = retry.initialMs;
  let everOpened = false;
  let closedForGood = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const setStatus = (s: ConnectionStatus) => {
    status = s;
    options.onStatus?.(s);
  };
  const deliver = (channel: EventChannel, payload: unknown) => {
    for (const l of listeners.get(channel) ?? []) l(payload);
  };
  const send = (m: WireInvoke) => {
    if (socket && socket.readyState === OPEN) socket.send(encodeWire(m));
    else outbox.push(m);
  };

  function open(): void {
    setStatus('connecting');
    const s = connect(options.url);
    socket = s;
    s.onopen = () => {
      const reconnected = everOpened;
      everOpened = true;
      delay = retry.initialMs;
      setStatus('open');
      const waiting = outbox;
      outbox = [];
      for (const m of waiting) s.send(encodeWire(m));
      // Events were missed while away: bring the live queue view back in step.
      if (reconnected) void api.invoke('queue.list').then((r) => r.ok && deliver('queue.changed', r.value));
    };
    s.onmessage = (ev) => {
      let msg: WireServerMessage;
      try {
        msg = decodeWire(String(ev.data)) as WireServerMessage;
      } catch {
        return;
      }
      if (msg.type === 'result') {
        const p = inFlight.get(msg.id);
        inFlight.delete(msg.id);
        p?.resolve(msg.result);
      } else if (msg.type === 'event' && isEventChannel(msg.channel)) deliver(msg.channel, msg.payload);
    };
    s.onerror = () => undefined; // a close follows; handled there
    s.onclose = () => {
      if (socket !== s) return;
      socket = undefined;
      for (const [id, p] of inFlight) {
        if (outbox.some((m) => m.id === id)) continue;
        inFlight.delete(id);
        p.resolve(interrupted(p.channel));
      }
      setStatus('closed');
      if (closedForGood) return;
      timer = setTimeout(open, delay);
      delay = Math.min(retry.maxMs, delay * 2);
    };
  }

  const raw = typedStudioApi({
    invoke(channel, payload) {
      if (!isInvokeChannel(channel)) {
        return Promise.resolve<Result<unknown>>({
          ok: false,
          error: { code: 'InvalidRequest', message: `Unknown channel: ${String(channel)}` },
        });
      }
      if (closedForGood) return Promise.resolve(interrupted(channel));
      return new Promise<Result<unknown>>((resolve) => {
        const id = nextId++;
        inFlight.set(id, { channel, resolve });
        send({ type: 'invoke', id, channel, ...(payload === undefined ? {} : { payload }) });
      });
    },
    on(channel, listener) {
      if (!isEventChannel(channel)) throw new Error(`Unknown event channel: ${String(channel)}`);
      let set = listeners.get(channel);
      if (!set) listeners.set(channel, (set = new Set()));
      set.add(listener);
      return () => {
        set.delete(listener);
      };
    },
  });

  const api: WebSocketStudio = {
    invoke: raw.invoke,
    on: raw.on,
    get status() {
      return status;
    },
    close() {
      closedForGood = true;
      if (timer) clearTimeout(timer);
      const s = socket;
      socket = undefined;
      for (const [, p] of inFlight) p.resolve(interrupted(p.channel));
      inFlight.clear();
      outbox = [];
      s?.close(1000, 'closed by the page');
      setStatus('closed');
    },
  };
  open();
  return api;
}
