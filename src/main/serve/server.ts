/**
 * Serve mode (architecture.md §1, conventions.md §7): node:http serves the built renderer (`out/renderer`) and the
 * data dir's images, and a `ws` WebSocket at `/ws` carries the same contract as Electron's IPC (shared/wire.ts
 * frames), so the same React bundle runs in a browser against the same StudioService. Loopback with a random token
 * by default; a non-loopback host needs `allowRemote`. Electron-free.
 */
import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { isEventChannel, type EventChannel } from '../../shared/api';
import { StudioError, type Result } from '../../shared/errors';
import { CONTENT_SECURITY_POLICY } from '../../shared/security';
import { decodeWire, encodeWire, type WireInvoke } from '../../shared/wire';
import { hostAllowed, hostPort, isLoopbackHost, newToken, originAllowed, presentedToken, tokenCookie, tokenMatches, type HostPolicy } from './auth';
import { resolveDataImage } from './imagePath';
import { resolveStaticFile } from './static';

/** What serve needs of StudioService. */
export interface ServedService {
  invoke(channel: unknown, payload: unknown): Promise<Result<unknown>>;
  events: { onAny(listener: (channel: EventChannel, payload: unknown) => void): () => void };
}

export interface ServeOptions {
  service: ServedService;
  dataDir: string;
  /** Built renderer folder (index.html + assets); null serves only the API and the images. */
  rendererDir: string | null;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 7878; 0 picks a free port. */
  port?: number;
  /** Needed for a non-loopback host. */
  allowRemote?: boolean;
  /** Default: 32 random bytes. */
  token?: string;
}

export interface ServeHandle {
  /** `http://HOST:PORT/?token=TOKEN`: what the user opens. */
  url: string;
  origin: string;
  host: string;
  port: number;
  token: string;
  /** True when bound to a non-loopback host. */
  remote: boolean;
  close(): Promise<void>;
}

export const DEFAULT_PORT = 7878;
/** A client this far behind gets no more previews until it catches up (progress still flows). */
const PREVIEW_BACKLOG_BYTES = 8 * 1024 * 1024;
/** A client this far behind (a frozen tab) is dropped rather than buffered without end; it reconnects and re-syncs. */
const DROP_BACKLOG_BYTES = 64 * 1024 * 1024;

const SECURITY_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  // Other origins (another localhost port is the same site, so the cookie goes along) may not embed our images or scripts.
  'cross-origin-resource-policy': 'same-origin',
};

function plain(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(`${text}\n`);
}

function refuseUpgrade(socket: Duplex, status: 401 | 403 | 404, text: string): void {
  if (socket.writable) socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

const isInvoke = (m: unknown): m is WireInvoke =>
  typeof m === 'object' && m !== null && (m as WireInvoke).type === 'invoke' && Number.isSafeInteger((m as WireInvoke).id) && typeof (m as WireInvoke).channel === 'string';

/**
 * Refuses a non-loopback bind address unless remote serving was asked for. @returns whether `host` is remote.
 * @throws StudioError InvalidRequest for a non-loopback host without `allowRemote`.
 */
export function checkServeHost(host: string, allowRemote: boolean | undefined): boolean {
  const remote = !isLoopbackHost(host);
  if (remote && !allowRemote) {
    throw new StudioError('InvalidRequest', `Serving on ${host} would expose the studio to the network.`, 'Add --allow-remote if you mean it (anyone with the token can then use it).');
  }
  return remote;
}

/**
 * Starts the server. @returns its URL (with the token), and `close()`.
 * @throws StudioError InvalidRequest for a non-loopback host without `allowRemote`, or a port in use.
 */
export async function startServer(o: ServeOptions): Promise<ServeHandle> {
  const host = o.host ?? '127.0.0.1';
  const remote = checkServeHost(host, o.allowRemote);
  const token = o.token ?? newToken();
  const policy: HostPolicy = { port: 0, remote };

  const server = createServer((req, res) =>
    void handle(req, res).catch((e: unknown) => {
      console.error('newbie-studio: serve request failed:', e);
      if (res.headersSent) res.destroy();
      else plain(res, 500, 'Internal error');
    }),
  );
  const wss = new WebSocketServer({ noServer: true, maxPayload: 256 * 1024 * 1024 });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!hostAllowed(policy, req.headers.host)) return plain(res, 403, 'Forbidden: unknown Host.');
    if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, 'Method not allowed', { allow: 'GET, HEAD' });
    const url = new URL(req.url ?? '/', 'http://serve.invalid');
    const queryToken = url.searchParams.get('token');
    if (queryToken !== null) {
      if (!tokenMatches(token, queryToken)) return plain(res, 401, 'Unauthorized: wrong token.');
      // Trade the URL token for the cookie and drop it from the address bar (and the history). One leading slash only:
      // `//host` in Location would send the browser to another site (open redirect).
      url.searchParams.delete('token');
      const location = `${url.pathname.replace(/^\/+/, '/')}${url.search}`;
      res.writeHead(303, { ...SECURITY_HEADERS, 'set-cookie': tokenCookie(token, policy.port), location, 'cache-control': 'no-store' });
      res.end();
      return;
    }
    if (!tokenMatches(token, presentedToken(req.headers, policy.port))) {
      return plain(res, 401, 'Unauthorized: open the URL printed by `newbie-studio serve` (it carries the token).', { 'www-authenticate': 'Bearer' });
    }
    const rawPath = (req.url ?? '/').replace(/[?#].*$/s, '');
    if (rawPath === '/ws') return plain(res, 426, 'Upgrade required', { upgrade: 'websocket' });
    const found = rawPath.startsWith('/studio-image/')
      ? await resolveDataImage(o.dataDir, rawPath.slice('/studio-image/'.length))
      : o.rendererDir
        ? await resolveStaticFile(o.rendererDir, rawPath)
        : ({ ok: false, status: 404, reason: 'the UI is not built' } as const);
    if (!found.ok) return plain(res, found.status, found.status === 403 ? 'Forbidden' : 'Not found');
    const immutable = rawPath.startsWith('/assets/');
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': found.contentType,
      'content-length': String(found.size),
      'cache-control': immutable ? 'private, max-age=31536000, immutable' : 'private, no-cache',
    });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(found.path).on('error', () => res.destroy()).pipe(res);
  }

  server.on('upgrade', (req, socket, head) => {
    // node:http hands the socket over without its error listener: a peer that resets now must not crash the process.
    socket.on('error', () => socket.destroy());
    const path = (req.url ?? '').replace(/[?#].*$/s, '');
    if (path !== '/ws') return refuseUpgrade(socket, 404, 'Not Found');
    if (!tokenMatches(token, presentedToken(req.headers, policy.port))) return refuseUpgrade(socket, 401, 'Unauthorized');
    if (!originAllowed(policy, req.headers)) return refuseUpgrade(socket, 403, 'Forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('connection', (ws: WebSocket) => {
    // Protocol errors (oversized or malformed frames, invalid UTF-8) arrive as 'error'; ws then closes the socket with
    // the matching code. Without a listener they would crash the server.
    ws.on('error', () => undefined);
    ws.on('message', (data, isBinary) => {
      let msg: unknown;
      try {
        msg = isBinary ? undefined : decodeWire(data.toString());
      } catch {
        msg = undefined;
      }
      if (!isInvoke(msg)) return ws.close(1007, 'expected {type:"invoke", id, channel, payload}');
      void o.service
        .invoke(msg.channel, msg.payload)
        .then((result) => {
          if (ws.readyState === ws.OPEN) ws.send(encodeWire({ type: 'result', id: msg.id, result }));
        })
        .catch((e: unknown) => {
          console.error(`newbie-studio: answering ${msg.channel} failed:`, e);
          const error = { code: 'EngineCrashed', message: `Internal error in ${msg.channel.slice(0, 100)}: the result could not be sent.` };
          if (ws.readyState === ws.OPEN) ws.send(encodeWire({ type: 'result', id: msg.id, result: { ok: false, error } }));
        });
    });
  });

  const unsubscribe = o.service.events.onAny((channel, payload) => {
    if (!isEventChannel(channel)) return;
    let frame: string | undefined;
    let lean: string | undefined;
    for (const ws of wss.clients) {
      if (ws.readyState !== ws.OPEN) continue;
      if (ws.bufferedAmount > DROP_BACKLOG_BYTES) {
        ws.terminate();
        continue;
      }
      const behind = ws.bufferedAmount > PREVIEW_BACKLOG_BYTES;
      if (behind && channel === 'generation.progress') {
        lean ??= encodeWire({ type: 'event', channel, payload: { ...(payload as object), preview: undefined } });
        ws.send(lean);
      } else ws.send((frame ??= encodeWire({ type: 'event', channel, payload })));
    }
  });

  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      reject(
        e.code === 'EADDRINUSE'
          ? new StudioError('InvalidRequest', `Port ${o.port ?? DEFAULT_PORT} on ${host} is in use.`, 'Pick another with --port (0 = any free port).')
          : e.code === 'EADDRNOTAVAIL'
            ? new StudioError('InvalidRequest', `${host} is not an address of this machine.`)
            : e,
      );
    });
    server.listen(o.port ?? DEFAULT_PORT, host, () => {
      const a = server.address();
      resolve(typeof a === 'object' && a ? a.port : 0);
    });
  }).catch((e: unknown) => {
    unsubscribe();
    throw e;
  });
  policy.port = port;
  const origin = `http://${hostPort(host, port)}`;

  return {
    url: `${origin}/?token=${token}`,
    origin,
    host,
    port,
    token,
    remote,
    close: async () => {
      unsubscribe();
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
