/**
 * The Electron entry (src/main/index.ts) with `electron` mocked (the binary is absent here): data dir from
 * --data-dir, the instance lock, the studio-image scheme, IPC handlers checked against the window, menu shortcuts
 * forwarded to the renderer as app.command events, and the clean shutdown held before quitting.
 */
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import { INVOKE_CHANNELS } from '../../../../src/shared/api';

const dataDir = mkdtempSync(join(tmpdir(), 'lifecycle-'));
const appEvents = new EventEmitter();
const calls = { setPath: [] as unknown[][], quit: 0, exit: [] as number[], schemes: [] as unknown[], errors: [] as string[] };
const handlers = new Map<string, (e: unknown, p: unknown) => Promise<unknown>>();
let protocolHandler: ((r: Request) => Promise<Response>) | undefined;
let menu: MenuItemConstructorOptions[] = [];
const windows: FakeWindow[] = [];

class FakeWindow extends EventEmitter {
  sent: Array<[string, unknown]> = [];
  loaded = '';
  webContents = {
    on: () => undefined,
    setWindowOpenHandler: () => undefined,
    isDestroyed: () => false,
    send: (c: string, p: unknown) => this.sent.push([c, p]),
    mainFrame: { url: '', parent: null },
  };
  constructor() {
    super();
    windows.push(this);
  }
  loadFile(f: string) {
    this.loaded = f;
    return Promise.resolve();
  }
  loadURL() {
    return Promise.resolve();
  }
  static getAllWindows = () => windows;
}

vi.mock('electron', () => ({
  app: {
    isPackaged: true,
    setPath: (...a: unknown[]) => calls.setPath.push(a),
    requestSingleInstanceLock: () => true,
    on: (e: string, fn: (...a: unknown[]) => void) => appEvents.on(e, fn),
    whenReady: () => Promise.resolve(),
    quit: () => {
      calls.quit++;
      appEvents.emit('before-quit', { preventDefault: () => undefined });
    },
    exit: (code: number) => calls.exit.push(code),
  },
  BrowserWindow: FakeWindow,
  dialog: { showErrorBox: (_t: string, m: string) => calls.errors.push(m) },
  ipcMain: { handle: (c: string, fn: (e: unknown, p: unknown) => Promise<unknown>) => handlers.set(c, fn), removeHandler: (c: string) => handlers.delete(c) },
  Menu: { buildFromTemplate: (t: MenuItemConstructorOptions[]) => (menu = t), setApplicationMenu: () => undefined },
  protocol: {
    registerSchemesAsPrivileged: (s: unknown[]) => calls.schemes.push(...s),
    handle: (_s: string, fn: (r: Request) => Promise<Response>) => (protocolHandler = fn),
  },
  utilityProcess: { fork: () => new Error('no engine run in this test') },
  session: { defaultSession: { webRequest: { onHeadersReceived: () => undefined } } },
  shell: { openExternal: () => undefined },
}));

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(cond()).toBe(true);
};

describe('Electron entry', () => {
  it('starts on --data-dir, wires IPC, protocol and menu, and shuts down before quitting', async () => {
    const argv = process.argv;
    process.argv = [...argv, '--data-dir', dataDir];
    try {
      await import('../../../../src/main/index');
    } finally {
      process.argv = argv;
    }
    await until(() => windows.length === 1 && handlers.size === INVOKE_CHANNELS.length);
    expect(calls.errors).toEqual([]);
    expect(calls.setPath).toEqual([['userData', dataDir]]);
    expect(calls.schemes).toEqual([expect.objectContaining({ scheme: 'studio-image', privileges: expect.objectContaining({ standard: true, secure: true }) })]);

    // IPC: the window's own page is served; anything else is refused.
    const win = windows[0]!;
    const index = resolve(join(__dirname, '../../../../src/renderer/index.html'));
    const page = { sender: win.webContents, senderFrame: { url: pathToFileURL(index).href, parent: null } };
    expect(await handlers.get('studio:settings.get')!(page, undefined)).toMatchObject({ ok: true, value: { provider: 'auto' } });
    const foreign = { sender: {}, senderFrame: page.senderFrame };
    expect(await handlers.get('studio:settings.get')!(foreign, undefined)).toMatchObject({ ok: false, error: { code: 'Unauthorized' } });

    // studio-image:// serves only images/ and thumbnails/ of the data dir.
    expect((await protocolHandler!(new Request('studio-image://data/history.sqlite3'))).status).toBe(404);
    expect((await protocolHandler!(new Request('studio-image://data/images/2026/01/01/x.png'))).status).toBe(404);

    // Menu shortcuts reach the renderer as app.command events.
    const items = menu.flatMap((m) => (Array.isArray(m.submenu) ? m.submenu : []));
    const generate = items.find((i) => i.accelerator === 'CmdOrCtrl+Enter')!;
    const cancel = items.find((i) => i.accelerator === 'Escape')!;
    (generate.click as () => void)();
    (cancel.click as () => void)();
    expect(win.sent.filter(([c]) => c === 'studio:app.command').map(([, p]) => p)).toEqual([{ command: 'generate' }, { command: 'cancelCurrent' }]);

    // Quit is held until the service has shut down; then the app quits for real.
    let prevented = false;
    appEvents.emit('before-quit', { preventDefault: () => (prevented = true) });
    expect(prevented).toBe(true);
    await until(() => calls.quit === 1);
    expect(await handlers.get('studio:settings.get')!(page, undefined)).toMatchObject({ ok: false, error: { code: 'Interrupted' } });
  });
});
