import { beforeEach, describe, expect, it, vi } from 'vitest';

// `electron` is absent here (no binary): mock the process boundary.
const exposed: Record<string, unknown> = {};
const invoke = vi.fn(async (channel: string, payload: unknown) => ({ ok: true, value: { channel, payload } }));
const listeners = new Map<string, (e: unknown, p: unknown) => void>();
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (exposed[key] = api) },
  ipcRenderer: {
    invoke,
    on: (ch: string, fn: (e: unknown, p: unknown) => void) => listeners.set(ch, fn),
    removeListener: (ch: string) => listeners.delete(ch),
  },
  BrowserWindow: class {},
  session: {},
  shell: {},
}));

describe('window options', () => {
  it('creates a sandboxed, isolated window without Node integration', async () => {
    const { windowOptions } = await import('../../../../src/main/window');
    const opts = windowOptions('/x/preload.js');
    expect(opts.webPreferences).toMatchObject({
      preload: '/x/preload.js',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      webviewTag: false,
    });
  });
});

describe('preload', () => {
  beforeEach(() => invoke.mockClear());
  it('exposes window.studio built from the contract, and nothing else', async () => {
    await import('../../../../src/preload/index');
    expect(Object.keys(exposed)).toEqual(['studio']);
    const studio = exposed['studio'] as {
      invoke: (c: string, p?: unknown) => Promise<unknown>;
      on: (c: string, fn: (p: unknown) => void) => () => void;
    };
    expect(Object.keys(studio).sort()).toEqual(['invoke', 'on']);
    await expect(studio.invoke('queue.list')).resolves.toEqual({
      ok: true,
      value: { channel: 'studio:queue.list', payload: undefined },
    });
    const unknown = (await studio.invoke('fs.readFile', '/etc/passwd')) as { ok: boolean; error: { code: string } };
    expect(unknown.ok).toBe(false);
    expect(unknown.error.code).toBe('InvalidRequest');
    expect(invoke).toHaveBeenCalledTimes(1);
    const got: unknown[] = [];
    const off = studio.on('queue.changed', (p) => got.push(p));
    listeners.get('studio:queue.changed')!({}, { n: 1 });
    expect(got).toEqual([{ n: 1 }]);
    off();
    expect(listeners.has('studio:queue.changed')).toBe(false);
    expect(() => studio.on('not.a.channel', () => {})).toThrow();
  });
});
