/**
 * Where things live, computed the same way in Electron, the CLI and tests (conventions.md §6-7).
 * Both `src/main/paths.ts` (tests, tsx) and `out/main/*.js` (built) sit two folders below the project root.
 */
import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { StudioError } from '../shared/errors';

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

/**
 * Makes sure `dir` is a folder this process can write, creating it and its parents (a first run has no data dir yet).
 * Used for the data dir and `generate --out` before any work starts, so a bad folder fails fast with exit 2.
 * @param what how the message names the folder ("data folder", "--out folder").
 * @param hint what the person can do instead.
 * @returns the absolute path.
 * @throws StudioError InvalidRequest when a file is in the way, or the folder cannot be created or written.
 */
export function ensureWritableDir(
  dir: string,
  what = 'data folder',
  hint = 'Pass --data-dir (or set NEWBIE_STUDIO_DATA_DIR) with a folder you can write.',
): string {
  const abs = resolve(dir);
  const fail = (why: string) => new StudioError('InvalidRequest', `The ${what} ${abs} ${why}.`, hint);
  try {
    mkdirSync(abs, { recursive: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR') throw fail('is a file (or lies under one), not a folder');
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') throw fail('cannot be created (permission denied)');
    throw fail(`cannot be created (${code ?? (e as Error).message})`);
  }
  if (!statSync(abs).isDirectory()) throw fail('is not a folder');
  try {
    accessSync(abs, constants.W_OK);
  } catch (e) {
    throw fail(`is not writable (${(e as NodeJS.ErrnoException).code ?? 'permission denied'})`);
  }
  return abs;
}
