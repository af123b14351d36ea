/**
 * Electron entry (composition root, architecture.md §1): data dir, single-instance lock (per data dir), the
 * `studio-image://` protocol, StudioService with the engine host in a utilityProcess and the Electron-ABI SQLite
 * binding, the IPC adapter, the menu, the window; and a clean shutdown (queue state saved, host stopped, VRAM
 * monitor stopped, database closed with PRAGMA optimize) before the app quits.
 */
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, utilityProcess } from 'electron';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { StudioError } from '../shared/errors';
import { forwardEvents, registerIpc, studioSenderCheck } from './ipc/adapter';
import { electronFolderPicker } from './ipc/folderPicker';
import { handleImageProtocol, registerImageScheme } from './ipc/imageProtocol';
import { electronSqliteBinding, resolveDataDir } from './ipc/startup';
import { utilityProcessSpawner } from './ipc/utilityHost';
import { menuTemplate } from './menu';
import { StudioService } from './service';
import { createMainWindow, installCsp } from './window';

const dataDir = resolveDataDir(process.argv);
mkdirSync(dataDir, { recursive: true });
// The instance lock lives in userData: one studio per data dir (tests with their own --data-dir run side by side).
app.setPath('userData', dataDir);
registerImageScheme(protocol);

let service: StudioService | undefined;
let quitting = false;

function showMainWindow(): void {
  const win = BrowserWindow.getAllWindows()[0];
  if (!win) {
    createMainWindow();
    return;
  }
  if (win.isMinimized()) win.restore();
  win.focus();
}

function openService(): StudioService {
  const nativeBinding = app.isPackaged ? undefined : electronSqliteBinding(process.versions.electron ?? '');
  if (!app.isPackaged && !nativeBinding) {
    throw new StudioError(
      'DbUnreadable',
      'better-sqlite3 for this Electron version is missing.',
      'Start the app with `npm start` (its prestart step fetches it), or run `node scripts/prepare-electron-sqlite.mjs`.',
    );
  }
  const pickFolder = electronFolderPicker(dialog, () => BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0]);
  return StudioService.open({ dataDir, spawner: utilityProcessSpawner(utilityProcess), pickFolder, ...(nativeBinding ? { nativeBinding } : {}) });
}

async function start(): Promise<void> {
  installCsp();
  handleImageProtocol(protocol, dataDir);
  try {
    service = openService();
  } catch (e) {
    const hint = e instanceof StudioError && e.hint ? `\n\n${e.hint}` : '';
    dialog.showErrorBox('NewBie Studio cannot start', `${e instanceof Error ? e.message : String(e)}${hint}`);
    app.exit(2);
    return;
  }
  const s = service;
  const devUrl = process.env['ELECTRON_RENDERER_URL'];
  registerIpc(
    ipcMain,
    s,
    studioSenderCheck({
      rendererIndex: join(__dirname, '../renderer/index.html'),
      ...(devUrl ? { devUrl } : {}),
      isOurWebContents: (sender) => BrowserWindow.getAllWindows().some((w) => w.webContents === sender),
    }),
  );
  forwardEvents(s.events, () => BrowserWindow.getAllWindows().map((w) => w.webContents));
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      menuTemplate({ platform: process.platform, dev: Boolean(devUrl), command: (command) => s.events.emit('app.command', { command }) }),
    ),
  );
  createMainWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createMainWindow();
  });
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', showMainWindow);
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-attach-webview', (e) => e.preventDefault());
  });
  void app.whenReady().then(start);
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('before-quit', (event) => {
    if (quitting || !service) return;
    // Hold the quit until the queue, the engine host, the monitor and the database are closed.
    event.preventDefault();
    quitting = true;
    const s = service;
    void s
      .shutdown()
      .catch((e: unknown) => console.error('newbie-studio: shutdown:', e))
      .finally(() => app.quit());
  });
}
