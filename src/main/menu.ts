/**
 * The application menu. Generation shortcuts are forwarded to the renderer as `app.command` events (it decides what
 * they mean in its state, e.g. Esc first closes an open popup): Ctrl/Cmd+Enter = generate, Esc = cancel the current
 * job. Standard roles give the edit shortcuts (copy/paste/undo in Monaco on macOS) and window handling.
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { AppCommand } from '../shared/api';

export interface MenuOptions {
  platform: NodeJS.Platform;
  /** Forwards a shortcut to the renderer. */
  command: (command: AppCommand) => void;
  /** Developer entries (reload, devtools) only in `electron-vite dev`. */
  dev: boolean;
}

/** The menu template (pure data, so a test can read the accelerators). */
export function menuTemplate(o: MenuOptions): MenuItemConstructorOptions[] {
  const mac = o.platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [];
  if (mac) template.push({ role: 'appMenu' });
  template.push(
    { label: 'File', submenu: [mac ? { role: 'close' } : { role: 'quit' }] },
    { role: 'editMenu' },
    {
      label: 'Generation',
      submenu: [
        { label: 'Generate', accelerator: 'CmdOrCtrl+Enter', click: () => o.command('generate') },
        { label: 'Cancel Current Job', accelerator: 'Escape', click: () => o.command('cancelCurrent') },
      ],
    },
    {
      label: 'View',
      submenu: [
        ...(o.dev ? ([{ role: 'reload' }, { role: 'toggleDevTools' }, { type: 'separator' }] as MenuItemConstructorOptions[]) : []),
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
  );
  return template;
}
