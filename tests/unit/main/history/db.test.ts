/**
 * Opening the history where a CLI user points it: a folder that does not exist yet, `history.sqlite3` being a folder,
 * a database file this user may not write. Each is a typed error that names the path, never "unexpected error".
 */
import { chmodSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StudioError } from '../../../../src/shared/errors';
import { studioError } from '../../../fixtures/studioError';
import { openDatabase } from '../../../../src/main/history/db';
import { HistoryStore } from '../../../../src/main/history/store';
import { cleanupDirs, request, result, tempDir } from './helpers';

afterEach(cleanupDirs);

const isRoot = process.getuid?.() === 0;

describe('openDatabase: where the file cannot be', () => {
  it('a missing data folder is InvalidRequest naming it (better-sqlite3 alone throws an untyped TypeError)', () => {
    const missing = join(tempDir(), 'not-created-yet');
    const e = studioError(() => openDatabase(join(missing, 'history.sqlite3')));
    expect(e.code).toBe('InvalidRequest');
    expect(e.message).toContain(`its folder ${missing} does not exist`);
  });

  it('history.sqlite3 that is a folder is DbUnreadable, and the folder is left as it is', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'history.sqlite3', 'inside'), { recursive: true });
    const e = studioError(() => HistoryStore.open(dir));
    expect(e.code).toBe('DbUnreadable');
    expect(e.message).toContain('it is a folder, not a database file');
    expect(readdirSync(join(dir, 'history.sqlite3'))).toEqual(['inside']);
  });

  // root writes through file modes, so only a normal user can see SQLITE_READONLY here.
  it.skipIf(isRoot)('a database file this user cannot write is InvalidRequest with a permissions hint', () => {
    const dir = tempDir();
    HistoryStore.open(dir).close();
    const file = join(dir, 'history.sqlite3');
    chmodSync(file, 0o444);
    chmodSync(dir, 0o555);
    try {
      const e = studioError(() => HistoryStore.open(dir));
      expect(e.code).toBe('InvalidRequest');
      expect(e.message).toContain(file);
      expect(e.hint).toMatch(/permissions/);
    } finally {
      chmodSync(dir, 0o755);
      chmodSync(file, 0o644);
    }
  });
});

describe('HistoryStore.saveGeneration when the commit fails after the files are written', () => {
  it('keeps the PNG and names it in the error, with the reconcile command to record it', async () => {
    const dir = tempDir();
    const store = HistoryStore.open(dir, {
      beforeCommit: () => {
        throw new StudioError('DbUnreadable', 'The history database is damaged.', 'Restore it from a backup.');
      },
    });
    const req = request({ batch: 2, seed: 70 });
    try {
      const e = await store.saveGeneration({ request: req, result: await result(req) }).then(
        () => null,
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(StudioError);
      const se = e as StudioError;
      expect(se.code).toBe('DbUnreadable');
      const named = [...se.message.matchAll(/(\/\S+?\.png)/g)].map((m) => m[1]);
      expect(named).toHaveLength(2);
      for (const f of named) expect(statSync(f).isFile()).toBe(true);
      expect(se.message).toContain('not recorded in the history');
      expect(se.hint).toContain('Restore it from a backup.');
      expect(se.hint).toContain('history reconcile --import');
      expect(store.listGenerations({ limit: 10 }).items).toEqual([]);
    } finally {
      store.close();
    }
  });
});
