/**
 * Where things live, computed the same way in Electron, the CLI and tests (conventions.md §6-7).
 * Both `src/main/paths.ts` (tests, tsx) and `out/main/*.js` (built) sit two folders below the project root.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export const APP_NAME = 'NewBie Studio';

/** Project root in a checkout (holds resources/, out/, package.json). */
export function projectRoot(): string {
  return resolve(__dirname, '..', '..');
}

/** Folder with shipped resources (danbooru tags, presets); in a packaged app, Electron's resourcesPath. */
export function resourcesDir(): string {
  const packaged = (process as NodeJS.Process & { resourcesPath?: string }).resourcesPath;
  if (packaged && !packaged.includes('node_modules')) {
    const candidate = join(packaged, 'resources');
    if (existsSync(candidate)) return candidate;
  }
  return join(projectRoot(), 'resources');
}

/**
 * The data dir: `--data-dir` > NEWBIE_STUDIO_DATA_DIR > Electron's userData for "NewBie Studio"
 * (Linux ~/.config/NewBie Studio, Windows %APPDATA%\NewBie Studio, macOS ~/Library/Application Support/NewBie Studio).
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  const override = env['NEWBIE_STUDIO_DATA_DIR'];
  if (override) return resolve(override);
  if (platform === 'win32') return join(env['APPDATA'] ?? join(homedir(), 'AppData', 'Roaming'), APP_NAME);
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', APP_NAME);
  return join(env['XDG_CONFIG_HOME'] ?? join(homedir(), '.config'), APP_NAME);
}

/** Layout inside the data dir (conventions.md §6). */
export function dataPaths(dataDir: string) {
  return {
    root: dataDir,
    database: join(dataDir, 'history.sqlite3'),
    images: join(dataDir, 'images'),
    thumbnails: join(dataDir, 'thumbnails'),
    trash: join(dataDir, 'trash'),
    settings: join(dataDir, 'settings.json'),
    logs: join(dataDir, 'logs'),
  };
}
