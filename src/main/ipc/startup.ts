/**
 * Start-up decisions of the Electron main process that do not need Electron: the data dir (`--data-dir` >
 * NEWBIE_STUDIO_DATA_DIR > userData, conventions.md §6) and the Electron-ABI better-sqlite3 binding that
 * `scripts/prepare-electron-sqlite.mjs` (the `prestart` step) writes.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defaultDataDir, projectRoot } from '../paths';

/** The `--data-dir DIR` / `--data-dir=DIR` argument, if given. */
export function dataDirArg(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--data-dir' && argv[i + 1]) return resolve(argv[i + 1]!);
    if (a.startsWith('--data-dir=') && a.length > '--data-dir='.length) return resolve(a.slice('--data-dir='.length));
  }
  return undefined;
}

/** The data dir of this run: `--data-dir` > NEWBIE_STUDIO_DATA_DIR > the platform's userData for "NewBie Studio". */
export function resolveDataDir(argv: readonly string[], env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  return dataDirArg(argv) ?? defaultDataDir(env, platform);
}

/**
 * Path of better-sqlite3 built for this Electron's ABI (`.cache/electron-sqlite/electron-<v>-better-sqlite3-<v>/…`),
 * or undefined when absent (a packaged app whose node_modules was rebuilt for Electron uses its own build).
 */
export function electronSqliteBinding(electronVersion: string, root = projectRoot()): string | undefined {
  let sqliteVersion: string;
  try {
    sqliteVersion = (JSON.parse(readFileSync(join(root, 'node_modules', 'better-sqlite3', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return undefined;
  }
  const file = join(root, '.cache', 'electron-sqlite', `electron-${electronVersion}-better-sqlite3-${sqliteVersion}`, 'build', 'Release', 'better_sqlite3.node');
  return existsSync(file) ? file : undefined;
}
