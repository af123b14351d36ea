/**
 * Regression tests for what an adversary on this machine broke in serve mode (all traffic on 127.0.0.1):
 * a peer resetting a refused WebSocket upgrade and a client sending a malformed frame each crashed the process; the
 * `?token=` trade redirected `/.//evil.example` off-site; the cookie was shared by every studio on the host; a client
 * that stops reading was buffered without end; cross-origin embedding was allowed. Real StudioService, temp data dir.
 */
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Settings } from '../../../../src/shared/dto';
import { forkSpawner } from '../../../../src/main/engine/host/client';
import { encodePng } from '../../../../src/main/engine/image/png';
import { startServer, type ServeHandle } from '../../../../src/main/serve/server';
import { StudioService } from '../../../../src/main/service';

const root = mkdtempSync(join(tmpdir(), 'serve-hard-'));
const dataDir = join(root, 'data');
const rendererDir = join(root, 'renderer');
let service: StudioService;
let serve: ServeHandle;
/** Errors nobody handled: each one would have ended a real serve process. */
const uncaught: unknown[] = [];
const recordUncaught = (e: unknown) => void uncaught.push(e);

beforeAll(async () => {
  mkdirSync(rendererDir, { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>studio</title>');
  mkdirSync(join(dataDir, 'images'), { recursive: true });
  writeFileSync(join(dataDir, 'images', 'a.png'), encodePng(new Uint8Array(16 * 16 * 3), 16, 16, {}));
  service = StudioService.open({ dataDir, spawner: forkSpawner(), monitor: null });
  serve = await startServer({ service, dataDir, rendererDir, port: 0 });
  process.on('uncaughtException', recordUncaught);
});
afterAll(async () => {
  process.off('uncaughtException', recordUncaught);
  await serve.close();
  await service.shutdown();
  rmSync(root, { recursive: true, force: true });
});

type Reply = { status: number; headers: Record<string, string | string[] | undefined> };
function get(path: string, headers: Record<string, string> = {}, port = serve.port): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}
const bearer = () => ({ authorization: `Bearer ${serve.token}` });
const wsHeaders = () => ({ ...bearer(), origin: serve.origin });

function openSocket(): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${serve.port}/ws`, { headers: wsHeaders() });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}
const closed = (ws: WebSocket) => new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));

describe('the process survives', () => {
  it('peers that send a WebSocket upgrade and reset the connection before the refusal is written', async () => {
    for (let i = 0; i < 30; i++) {
      await new Promise<void>((resolve) => {
        const s = connect(serve.port, '127.0.0.1', () => {
          s.write(`GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${serve.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`);
          s.resetAndDestroy();
          resolve();
        });
        s.on('error', () => resolve());
      });
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(uncaught).toEqual([]);
    expect((await get('/', bearer())).status).toBe(200);
  });

  it('a text frame of invalid UTF-8 and a frame with a reserved opcode: the client is closed, the server goes on', async () => {
    const utf8 = await openSocket();
    const utf8Closed = closed(utf8);
    utf8.send(Buffer.from([0xff, 0xfe, 0xfd]), { binary: false });
    expect(await utf8Closed).toBe(1007);

    const opcode = await openSocket();
    const opcodeClosed = closed(opcode);
    // FIN + reserved opcode 0x3, masked, empty payload, written under the ws library.
    (opcode as unknown as { _socket: Socket })._socket.write(Buffer.from([0x83, 0x80, 0, 0, 0, 0]));
    expect(await opcodeClosed).toBe(1002);

    const ws = await openSocket();
    const answer = new Promise<string>((resolve) => ws.once('message', (d: Buffer) => resolve(d.toString())));
    ws.send(JSON.stringify({ type: 'invoke', id: 1, channel: 'settings.get' }));
    expect(JSON.parse(await answer)).toMatchObject({ type: 'result', id: 1, result: { ok: true } });
    ws.close();
    expect(uncaught).toEqual([]);
  });
});

describe('token trade, cookie and headers', () => {
  it('redirects to this server only, whatever slashes the path starts with', async () => {
    for (const [path, location] of [
      ['/.//evil.example', '/evil.example'],
      ['/%2e//evil.example/x', '/evil.example/x'],
      ['/assets/?a=1', '/assets/?a=1'],
    ] as const) {
      const r = await get(`${path}${path.includes('?') ? '&' : '?'}token=${serve.token}`);
      expect(r.status, path).toBe(303);
      expect(r.headers['location'], path).toBe(location);
    }
  });

  it('names the cookie after the port, so studios on other ports keep theirs', async () => {
    const second = await startServer({ service, dataDir, rendererDir, port: 0 });
    try {
      const a = String((await get(`/?token=${serve.token}`)).headers['set-cookie']);
      const b = String((await get(`/?token=${second.token}`, {}, second.port)).headers['set-cookie']);
      expect(a).toMatch(new RegExp(`^newbie_studio_token_${serve.port}=${serve.token}; HttpOnly; SameSite=Strict; Path=/$`));
      expect(b.startsWith(`newbie_studio_token_${second.port}=${second.token};`)).toBe(true);
      // A browser sends both cookies to both ports: each server picks its own.
      const both = `${a.split(';')[0]}; ${b.split(';')[0]}`;
      expect((await get('/', { cookie: both })).status).toBe(200);
      expect((await get('/', { cookie: both }, second.port)).status).toBe(200);
      expect((await get('/', { cookie: `newbie_studio_token=${serve.token}` })).status).toBe(401);
    } finally {
      await second.close();
    }
  });

  it('forbids cross-origin embedding and shared caching of pages and images', async () => {
    for (const path of ['/', '/studio-image/images/a.png']) {
      const r = await get(path, bearer());
      expect(r.status, path).toBe(200);
      expect(r.headers['cross-origin-resource-policy'], path).toBe('same-origin');
      expect(r.headers['x-content-type-options'], path).toBe('nosniff');
      expect(r.headers['cache-control'], path).toBe('private, no-cache');
      expect(r.headers['content-security-policy'], path).toMatch(/frame-ancestors 'none'/);
    }
  });
});

describe('a client that stops reading', () => {
  it('is dropped once 64 MB are waiting for it, and the others keep their events', async () => {
    const stuck = await openSocket();
    const live = await openSocket();
    const socket = (stuck as unknown as { _socket: Socket })._socket;
    socket.pause();
    let liveCount = 0;
    live.on('message', () => liveCount++);
    const settings = await service.invoke('settings.get');
    if (!settings.ok) throw new Error('settings.get failed');
    // Real settings with a large ui value (4 MB per event; emit does not validate, the schema would cap it).
    const big = { ...(settings.value as Settings), ui: { note: 'x'.repeat(4 * 1024 * 1024) } };
    for (let i = 0; i < 24; i++) {
      service.events.emit('settings.changed', big);
      await new Promise((r) => setImmediate(r));
    }
    await expect.poll(() => liveCount, { timeout: 20_000 }).toBe(24);
    service.events.emit('settings.changed', settings.value as Settings);
    let stuckCount = 0;
    stuck.on('message', () => stuckCount++);
    const code = closed(stuck);
    socket.resume();
    const outcome = await Promise.race([code, new Promise((r) => setTimeout(() => r('still open'), 15_000))]);
    expect(outcome).toBe(1006); // terminated: no close frame
    expect(stuckCount).toBeLessThan(24);
    await expect.poll(() => liveCount).toBe(25);
    live.close();
  });
});
