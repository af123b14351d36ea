/**
 * The Electron IPC adapter over a real StudioService (temp data dir, queue paused): one handler per contract channel,
 * payloads validated into Result errors, senders that are not the studio page refused, events fanned out to windows.
 * Electron itself is absent here: the ipcMain and webContents are plain objects of the shape the adapter uses.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INVOKE_CHANNELS, ipcName } from '../../../../src/shared/api';
import type { Result } from '../../../../src/shared/errors';
import { forkSpawner } from '../../../../src/main/engine/host/client';
import { forwardEvents, registerIpc, studioSenderCheck, type InvokeEventLike } from '../../../../src/main/ipc/adapter';
import { StudioService } from '../../../../src/main/service';

type Handler = (event: InvokeEventLike, payload: unknown) => Promise<unknown>;

const dataDir = mkdtempSync(join(tmpdir(), 'ipc-'));
const rendererIndex = join(dataDir, 'out', 'renderer', 'index.html');
let service: StudioService;
const handlers = new Map<string, Handler>();
const ipcMain = {
  handle: (channel: string, fn: Handler) => {
    if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    handlers.set(channel, fn);
  },
  removeHandler: (channel: string) => void handlers.delete(channel),
};
const ourContents = { id: 1 };
const otherContents = { id: 2 };
const check = studioSenderCheck({ rendererIndex, isOurWebContents: (s) => s === ourContents });
const goodEvent: InvokeEventLike = { sender: ourContents, senderFrame: { url: `${pathToFileURL(rendererIndex).href}#/gallery`, parent: null } };
let unregister: () => void;

beforeAll(async () => {
  service = StudioService.open({ dataDir, spawner: forkSpawner(), monitor: null });
  await service.invoke('settings.set', { autoStartQueue: false });
  unregister = registerIpc(ipcMain, service, check);
});
afterAll(async () => {
  await service.shutdown();
  rmSync(dataDir, { recursive: true, force: true });
});

const call = (channel: string, payload: unknown, event: InvokeEventLike = goodEvent) => handlers.get(channel)!(event, payload) as Promise<Result<unknown>>;

describe('registerIpc', () => {
  it('registers exactly one handler per contract channel, under the studio: namespace', () => {
    expect([...handlers.keys()].sort()).toEqual(INVOKE_CHANNELS.map(ipcName).sort());
  });

  it('answers valid payloads with ok Results and invalid ones with InvalidRequest, never a stack', async () => {
    const settings = await call('studio:settings.get', undefined);
    expect(settings).toMatchObject({ ok: true, value: { autoStartQueue: false, provider: 'auto' } });
    const bad = await call('studio:history.rate', { imageId: -1, rating: 2 });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.error.code).toBe('InvalidRequest');
    expect(bad.error.message).toMatch(/imageId/);
    expect(Object.keys(bad.error).sort()).toEqual(['code', 'message']);
    const notObject = await call('studio:prompt.check', 'just a string');
    expect(notObject).toMatchObject({ ok: false, error: { code: 'InvalidRequest' } });
  });

  it('refuses other windows, subframes and foreign pages with Unauthorized, before the service sees them', async () => {
    const before = (await service.invoke('queue.list', undefined)) as Result<{ paused: boolean }>;
    expect(before).toMatchObject({ ok: true, value: { paused: false } });
    const cases: InvokeEventLike[] = [
      { sender: otherContents, senderFrame: goodEvent.senderFrame },
      { sender: ourContents, senderFrame: { url: goodEvent.senderFrame!.url, parent: {} } },
      { sender: ourContents, senderFrame: { url: 'https://evil.example/index.html', parent: null } },
      { sender: ourContents, senderFrame: { url: pathToFileURL(join(dataDir, 'other.html')).href, parent: null } },
      { sender: ourContents, senderFrame: null },
    ];
    for (const event of cases) {
      const r = await call('studio:generation.pause', undefined, event);
      expect(r).toMatchObject({ ok: false, error: { code: 'Unauthorized' } });
    }
    const after = (await service.invoke('queue.list', undefined)) as Result<{ paused: boolean }>;
    expect(after).toMatchObject({ ok: true, value: { paused: false } });
  });

  it('trusts the dev server origin only when one is configured', () => {
    const dev = studioSenderCheck({ rendererIndex, devUrl: 'http://localhost:5173/', isOurWebContents: () => true });
    const at = (url: string) => dev({ sender: ourContents, senderFrame: { url, parent: null } });
    expect(at('http://localhost:5173/#/queue')).toBe(true);
    expect(at('http://localhost:5174/')).toBe(false);
    expect(check({ sender: ourContents, senderFrame: { url: 'http://localhost:5173/', parent: null } })).toBe(false);
  });

  it('fans events out to live windows only', async () => {
    const sent: Array<[string, unknown]> = [];
    const live = { isDestroyed: () => false, send: (c: string, p: unknown) => sent.push([c, p]) };
    const dead = { isDestroyed: () => true, send: () => sent.push(['dead', null]) };
    const stop = forwardEvents(service.events, () => [live, dead]);
    const r = await call('studio:generation.pause', undefined);
    expect(r.ok).toBe(true);
    expect(sent.map(([c]) => c)).toEqual(['studio:queue.changed']);
    expect(sent[0]![1]).toMatchObject({ paused: true, items: [] });
    stop();
    await call('studio:generation.resume', undefined);
    expect(sent.length).toBe(1);
  });

  it('removes its handlers', () => {
    unregister();
    expect(handlers.size).toBe(0);
  });
});
