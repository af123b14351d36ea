/**
 * Serve mode over a real StudioService (temp data dir, no engine run): token → cookie, 401 without it, Host and
 * Origin checks, image and asset traversal refused, and the contract round-tripping over the WebSocket through the
 * renderer's own bridge (bytes included), with reconnects.
 */
import { request as httpRequest } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { QueueSnapshot } from '../../../../src/shared/dto';
import { forkSpawner } from '../../../../src/main/engine/host/client';
import { encodePng } from '../../../../src/main/engine/image/png';
import { startServer, type ServeHandle } from '../../../../src/main/serve/server';
import { StudioService } from '../../../../src/main/service';
import { createWebSocketStudio, type SocketLike } from '../../../../src/shared/wsClient';

const root = mkdtempSync(join(tmpdir(), 'serve-'));
const dataDir = join(root, 'data');
const rendererDir = join(root, 'renderer');
const png = encodePng(new Uint8Array(16 * 16 * 3).fill(7), 16, 16, {});
let service: StudioService;
let serve: ServeHandle;

beforeAll(async () => {
  mkdirSync(join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>studio</title>');
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(root, 'secret.js'), 'secret');
  mkdirSync(join(dataDir, 'images', '2026', '01', '02'), { recursive: true });
  writeFileSync(join(dataDir, 'images', '2026', '01', '02', 'g-0.png'), png);
  service = StudioService.open({ dataDir, spawner: forkSpawner(), monitor: null });
  serve = await startServer({ service, dataDir, rendererDir, port: 0 });
});
afterAll(async () => {
  await serve.close();
  await service.shutdown();
  rmSync(root, { recursive: true, force: true });
});

/** Raw HTTP GET (the path is sent as is, no normalisation; any Host header). */
function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: serve.port, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}
const bearer = () => ({ authorization: `Bearer ${serve.token}` });
const origin = () => serve.origin;

describe('HTTP', () => {
  it('prints a loopback URL with a 43-character token', () => {
    expect(serve.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/);
    expect(serve.remote).toBe(false);
  });

  it('answers 401 without the token, trades ?token= for an HttpOnly SameSite=Strict cookie, accepts cookie or Bearer', async () => {
    const none = await get('/');
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer');
    expect((await get('/?token=wrong')).status).toBe(401);
    expect((await get('/assets/app.js', { authorization: 'Bearer wrong' })).status).toBe(401);
    const traded = await get(`/?token=${serve.token}`);
    expect(traded.status).toBe(303);
    expect(traded.headers['location']).toBe('/');
    const cookie = String(traded.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const page = await get('/', { cookie: cookie.split(';')[0]! });
    expect(page.status).toBe(200);
    expect(page.body.toString()).toContain('<title>studio</title>');
    expect(page.headers['content-security-policy']).toMatch(/default-src 'self'/);
    const js = await get('/assets/app.js', bearer());
    expect([js.status, js.headers['content-type']]).toEqual([200, 'text/javascript; charset=utf-8']);
  });

  it('refuses a Host that is not a loopback name of this port (DNS rebinding)', async () => {
    expect((await get('/', { ...bearer(), host: `evil.example:${serve.port}` })).status).toBe(403);
    expect((await get('/', { ...bearer(), host: `localhost:${serve.port}` })).status).toBe(200);
  });

  it('serves data-dir images by relative path and refuses traversal (403) or anything else (404)', async () => {
    const ok = await get('/studio-image/images/2026/01/02/g-0.png', bearer());
    expect(ok.status).toBe(200);
    expect(ok.headers['content-type']).toBe('image/png');
    expect(new Uint8Array(ok.body)).toEqual(png);
    expect((await get('/studio-image/images/2026/01/02/g-0.png')).status).toBe(401);
    for (const p of ['/studio-image/images/../history.sqlite3', '/studio-image/images/%2e%2e/%2e%2e/secret.js', '/studio-image/images/..%2f..%2fhistory.sqlite3', '/../secret.js', '/assets/%2e%2e/%2e%2e/secret.js']) {
      expect((await get(p, bearer())).status, p).toBe(403);
    }
    for (const p of ['/studio-image/history.sqlite3', '/studio-image/settings.json', '/studio-image/images/2026/01/02/missing.png', '/nope.js']) {
      expect((await get(p, bearer())).status, p).toBe(404);
    }
  });
});

/** Opens a raw WebSocket and resolves to its HTTP outcome: 'open' or the refusal status. */
function wsOutcome(headers: Record<string, string>): Promise<'open' | number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${serve.port}/ws`, { headers });
    ws.on('open', () => {
      ws.close();
      resolve('open');
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => undefined);
  });
}

describe('WebSocket', () => {
  it('needs the token and an Origin of the page itself', async () => {
    expect(await wsOutcome({ origin: origin() })).toBe(401);
    expect(await wsOutcome({ ...bearer() })).toBe(403);
    expect(await wsOutcome({ ...bearer(), origin: 'http://evil.example' })).toBe(403);
    expect(await wsOutcome({ ...bearer(), origin: `http://localhost:${serve.port}` })).toBe(403); // Host says 127.0.0.1
    expect(await wsOutcome({ ...bearer(), origin: origin() })).toBe('open');
    expect(await wsOutcome({ cookie: `newbie_studio_token_${serve.port}=${serve.token}`, origin: origin() })).toBe('open');
  });

  it('round-trips the contract through the renderer bridge: results, errors, bytes, events, reconnects', async () => {
    const sockets: WebSocket[] = [];
    const statuses: string[] = [];
    const studio = createWebSocketStudio({
      url: `ws://127.0.0.1:${serve.port}/ws`,
      connect: (url) => {
        const ws = new WebSocket(url, { headers: { ...bearer(), origin: origin() } });
        sockets.push(ws);
        return ws as unknown as SocketLike;
      },
      retry: { initialMs: 20, maxMs: 100 },
      onStatus: (s) => statuses.push(s),
    });
    try {
      const settings = await studio.invoke('settings.get');
      expect(settings).toMatchObject({ ok: true, value: { provider: 'auto', modelDir: null } });
      expect(await studio.invoke('history.rate', { imageId: 1, rating: 7 })).toMatchObject({ ok: false, error: { code: 'InvalidRequest' } });
      const unknown = await (studio.invoke as (c: string) => Promise<unknown>)('fs.read');
      expect(unknown).toMatchObject({ ok: false, error: { code: 'InvalidRequest' } });

      // Bytes cross as bytes: an A1111 infotext PNG restores its request on the other side.
      const withMeta = encodePng(new Uint8Array(32 * 32 * 3), 32, 32, { parameters: '1girl, solo\nSteps: 12, Sampler: Euler, CFG scale: 4.5, Seed: 99, Size: 32x32' });
      const restored = await studio.invoke('history.import', { files: [{ name: 'x.png', bytes: withMeta }], restoreOnly: true });
      expect(restored).toMatchObject({ ok: true, value: { outcomes: [{ status: 'restored', source: 'a1111', request: { seed: 99, steps: 12, guidance: 4.5 } }] } });

      const changes: QueueSnapshot[] = [];
      const off = studio.on('queue.changed', (q) => changes.push(q));
      expect(await studio.invoke('generation.pause')).toMatchObject({ ok: true, value: { paused: true } });
      await expect.poll(() => changes.length).toBe(1);
      expect(changes[0]!.paused).toBe(true);

      // The socket drops with an answer outstanding: that invoke is Interrupted; the bridge reconnects, resyncs the
      // queue view, and works again.
      const lost = studio.invoke('queue.list');
      sockets[0]!.terminate();
      expect(await lost).toMatchObject({ ok: false, error: { code: 'Interrupted' } });
      await expect.poll(() => statuses.filter((s) => s === 'open').length).toBe(2);
      await expect.poll(() => changes.length).toBe(2);
      expect(await studio.invoke('generation.resume')).toMatchObject({ ok: true, value: { paused: false } });
      off();
    } finally {
      studio.close();
    }
    expect(studio.status).toBe('closed');
    expect(await studio.invoke('settings.get')).toMatchObject({ ok: false, error: { code: 'Interrupted' } });
  });
});

describe('binding', () => {
  it('needs allowRemote for a non-loopback host, and says when the port is taken', async () => {
    await expect(startServer({ service, dataDir, rendererDir, host: '0.0.0.0', port: 0 })).rejects.toMatchObject({ code: 'InvalidRequest', message: expect.stringMatching(/network/) });
    const remote = await startServer({ service, dataDir, rendererDir, host: '0.0.0.0', port: 0, allowRemote: true });
    expect(remote.remote).toBe(true);
    await remote.close();
    await expect(startServer({ service, dataDir, rendererDir, port: serve.port })).rejects.toMatchObject({ code: 'InvalidRequest', message: expect.stringMatching(/in use/) });
  });
});
