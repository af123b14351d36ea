/**
 * Opening the history database safely (conventions.md §6, §7): a file we cannot read is reported and left exactly as
 * it is (never moved, replaced or "reset"); a file from a newer app is refused with `DbFromFuture`.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { StudioError } from '../../shared/errors';
import { APPLICATION_ID, LATEST_VERSION, migrate } from './migrations';

const SQLITE_HEADER = 'SQLite format 3\u0000';

export interface OpenDatabaseOptions {
  /** better-sqlite3's `nativeBinding`: the Electron-ABI build under Electron (conventions.md §6). */
  nativeBinding?: string;
  /** Stop migrating at this version (tests of the upgrade path only). */
  targetVersion?: number;
}

const CORRUPTION_CODES = new Set([
  'SQLITE_CORRUPT',
  'SQLITE_NOTADB',
  'SQLITE_CORRUPT_INDEX',
  'SQLITE_CORRUPT_VTAB',
  'SQLITE_CORRUPT_SEQUENCE',
]);

/** True for SQLite errors that mean the file content is damaged or not a database. */
export function isCorruptionError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (CORRUPTION_CODES.has(code) || code.startsWith('SQLITE_CORRUPT'));
}

/** The `DbUnreadable` error for `file`, with the hint that nothing was changed. */
export function unreadable(file: string, why: string): StudioError {
  return new StudioError(
    'DbUnreadable',
    `The history database ${file} cannot be read: ${why}. It was left untouched.`,
    'Restore it from a backup, or move it away yourself to start a new history; NewBie Studio never deletes or replaces it.',
  );
}

/** SQLite errors that mean "cannot open or write here" (permissions, read-only file system), not damage. */
function isAccessError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^SQLITE_(READONLY|CANTOPEN|PERM|AUTH)/.test(code);
}

/** The error for a database that cannot be opened for writing: the file is fine, its folder or mode is not. */
function cannotWrite(file: string, why: string): StudioError {
  return new StudioError(
    'InvalidRequest',
    `The history database ${file} cannot be opened for writing: ${why}.`,
    'Check the permissions of the data folder and of history.sqlite3 in it, or choose another folder with --data-dir (or NEWBIE_STUDIO_DATA_DIR).',
  );
}

/** Reads the first 16 bytes: an existing non-empty file must start with the SQLite header. */
function checkHeader(file: string): void {
  let size: number;
  try {
    const st = statSync(file);
    if (st.isDirectory()) throw unreadable(file, 'it is a folder, not a database file');
    size = st.size;
  } catch (e) {
    if (e instanceof StudioError) throw e;
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw unreadable(file, (e as Error).message);
  }
  if (size === 0) return;
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(16);
    const n = readSync(fd, buf, 0, 16, 0);
    if (n < 16 || buf.toString('latin1') !== SQLITE_HEADER)
      throw unreadable(file, 'it is not an SQLite database (bad header)');
  } finally {
    closeSync(fd);
  }
}

/**
 * Opens (creating if absent) and migrates the history database at `file`.
 * Pragmas: WAL, synchronous=FULL, foreign_keys=ON, busy_timeout 5 s (the CLI may read while the app writes).
 *
 * @throws StudioError `DbUnreadable` for a damaged file, a non-SQLite file, or an SQLite file of another application;
 *         `DbFromFuture` when its schema version is above LATEST_VERSION. In both cases the file is not modified.
 *         `InvalidRequest` when its folder is missing or it cannot be opened for writing (permissions, read-only disk).
 */
export function openDatabase(file: string, opts: OpenDatabaseOptions = {}): Database {
  checkHeader(file);
  if (!existsSync(dirname(file))) {
    throw cannotWrite(file, `its folder ${dirname(file)} does not exist`);
  }
  let db: Database;
  try {
    db = new BetterSqlite3(file, opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {});
  } catch (e) {
    if (isCorruptionError(e)) throw unreadable(file, (e as Error).message);
    if (isAccessError(e)) throw cannotWrite(file, (e as Error).message);
    throw e;
  }
  try {
    db.pragma('busy_timeout = 5000');
    // Read-only checks first: nothing below writes to a file we are about to refuse.
    const version = Number(db.pragma('user_version', { simple: true }));
    const appId = Number(db.pragma('application_id', { simple: true }));
    const objects = Number(
      db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'").pluck().get(),
    );
    const ours = appId === APPLICATION_ID || (appId === 0 && version === 0 && objects === 0);
    if (!ours)
      throw unreadable(file, 'it is an SQLite database of another application, not a NewBie Studio history');
    if (version > LATEST_VERSION) {
      throw new StudioError(
        'DbFromFuture',
        `The history database ${file} was written by a newer NewBie Studio (schema version ${version}; this version knows up to ${LATEST_VERSION}). It was left untouched.`,
        'Update NewBie Studio to open this history, or point --data-dir at another folder.',
      );
    }
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    migrate(db, opts.targetVersion ?? LATEST_VERSION);
    return db;
  } catch (e) {
    db.close();
    if (e instanceof StudioError) throw e;
    if (isCorruptionError(e)) throw unreadable(file, (e as Error).message);
    if (isAccessError(e)) throw cannotWrite(file, (e as Error).message);
    throw e;
  }
}
