import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { studioError } from '../../../fixtures/studioError';
import { HistoryStore } from '../../../../src/main/history/store';
import { ftsDocument } from '../../../../src/main/history/fts';
import { APPLICATION_ID, LATEST_VERSION, MIGRATIONS, migrate } from '../../../../src/main/history/migrations';
import { cleanupDirs, request, result, tempDir } from './helpers';

afterEach(cleanupDirs);

const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');

/**
 * A generation + image row as a database at `version` holds them: plain SQL for v1 (no FTS yet); from v2 on the
 * writer also indexes the prompt, as that version's code does.
 */
function insertAt(version: number, db: BetterSqlite3.Database, uid: string, prompt: string): void {
  const r = request({ prompt });
  const g = db
    .prepare(
      `INSERT INTO generations (uid, created_at, status, source, request_json, prompt, negative_prompt, width, height, steps,
        guidance, shift, cfg_trunc, renorm_cfg, sampler, seed, batch, precision_choice)
       VALUES (?, 1000, 'finished', 'studio', ?, ?, '', 64, 48, 28, 5.0, 6.0, 1.0, 1.0, 'euler', 77, 1, 'auto')`,
    )
    .run(uid, JSON.stringify(r), prompt);
  db.prepare(
    `INSERT INTO images (generation_id, batch_index, seed, path, width, height, bytes, sha256, created_at)
     VALUES (?, 0, 77, ?, 64, 48, 10, 'abc', 1000)`,
  ).run(g.lastInsertRowid, `images/1970/01/01/${uid}-0.png`);
  if (version >= 2) {
    const doc = ftsDocument(prompt);
    db.prepare('INSERT INTO generations_fts(rowid, prompt, words) VALUES (?, ?, ?)').run(
      g.lastInsertRowid,
      doc.prompt,
      doc.words,
    );
  }
}

describe('history schema migrations', () => {
  it('creates the latest schema from an empty data dir with the required pragmas and STRICT tables', () => {
    const dir = tempDir();
    const store = HistoryStore.open(dir);
    const db = store.db;
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
    expect(db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    const tables = db
      .prepare(
        "SELECT name, strict FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%fts_%'",
      )
      .all() as { name: string; strict: number }[];
    expect(tables.map((t) => t.name).sort()).toEqual(['generations', 'images', 'queue']);
    expect(tables.every((t) => t.strict === 1)).toBe(true);
    expect(db.prepare("SELECT sql FROM sqlite_schema WHERE name = 'generations_fts'").pluck().get()).toMatch(
      /fts5/,
    );
    store.close();
  });

  for (let from = 1; from < LATEST_VERSION; from++) {
    it(`upgrades a database at version ${from} with data to version ${LATEST_VERSION}, keeping and indexing its rows`, async () => {
      const dir = tempDir();
      const old = HistoryStore.open(dir, { targetVersion: from });
      expect(old.db.pragma('user_version', { simple: true })).toBe(from);
      insertAt(
        from,
        old.db,
        '00000000-0000-7000-8000-000000000001',
        '<character_1><n>rem_(re:zero)</n></character_1> blue_hair',
      );
      old.close();

      const store = HistoryStore.open(dir);
      expect(store.db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
      const entry = store.get('00000000-0000-7000-8000-000000000001');
      expect(entry?.request.prompt).toContain('rem_(re:zero)');
      expect(entry?.images).toHaveLength(1);
      // Found by search: back-filled by migration 2 (from v1) or indexed when written (from v2).
      expect(store.listGenerations({ search: 'rem_(re:zero)' }).items.map((g) => g.id)).toEqual([
        '00000000-0000-7000-8000-000000000001',
      ]);
      expect(store.listGenerations({ search: 'hair' }).items).toHaveLength(1);
      // Later tables work.
      expect(store.queue.enqueue(request()).position).toBe(0);
      await store.saveGeneration({ request: request(), result: await result(request()) });
      expect(store.stats().generations.finished).toBe(2);
      store.close();
    });
  }

  it('applies all pending migrations in one transaction: a failing one leaves the file at its old version', () => {
    const dir = tempDir();
    const db = new BetterSqlite3(join(dir, 'x.sqlite3'));
    const failing = {
      version: LATEST_VERSION + 1,
      description: 'fails',
      up: () => {
        db.exec('CREATE TABLE partial (a INTEGER) STRICT');
        throw new Error('boom');
      },
    };
    expect(() => migrate(db, LATEST_VERSION + 1, [...MIGRATIONS, failing])).toThrow('boom');
    expect(db.pragma('user_version', { simple: true })).toBe(0);
    expect(db.prepare('SELECT count(*) FROM sqlite_schema').pluck().get()).toBe(0);
    expect(migrate(db)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(migrate(db)).toEqual([]);
    db.close();
  });

  it('refuses a database from a newer version with DbFromFuture and leaves it untouched', () => {
    const dir = tempDir();
    HistoryStore.open(dir).close();
    const file = join(dir, 'history.sqlite3');
    const raw = new BetterSqlite3(file);
    raw.pragma(`user_version = ${LATEST_VERSION + 5}`);
    raw.close();
    const before = sha(file);
    const e = studioError(() => HistoryStore.open(dir));
    expect(e.code).toBe('DbFromFuture');
    expect(e.message).toContain(`schema version ${LATEST_VERSION + 5}`);
    expect(sha(file)).toBe(before);
  });

  it('reports a file that is not a database as DbUnreadable and does not replace, move or modify it', () => {
    const dir = tempDir();
    const file = join(dir, 'history.sqlite3');
    writeFileSync(file, Buffer.from('this is not a database, but it is somebody\u2019s file'.repeat(100)));
    const before = sha(file);
    const e = studioError(() => HistoryStore.open(dir));
    expect(e.code).toBe('DbUnreadable');
    expect(e.message).toContain(file);
    expect(e.hint).toMatch(/never deletes or replaces/);
    expect(sha(file)).toBe(before);
    expect(readdirSync(dir)).toEqual(['history.sqlite3']);
  });

  it('reports damaged pages as DbUnreadable on open or on first use, and writes nothing after', async () => {
    const dir = tempDir();
    const store = HistoryStore.open(dir);
    for (let i = 0; i < 40; i++)
      store.recordFailure(request({ prompt: `prompt number ${i} `.repeat(40), seed: i }), {
        code: 'OutOfMemory',
        message: 'x',
      });
    store.close();
    const file = join(dir, 'history.sqlite3');
    const bytes = readFileSync(file);
    const pageSize = bytes.readUInt16BE(16);
    // Keep page 1 (header + schema root), scribble over everything after it.
    for (let i = pageSize; i < bytes.length; i++) bytes[i] = (i * 7919) & 0xff;
    writeFileSync(file, bytes);
    const before = sha(file);
    const e = studioError(() => {
      const s = HistoryStore.open(dir);
      try {
        s.listGenerations({ limit: 500 });
        s.stats();
      } finally {
        s.close();
      }
    });
    expect(e.code).toBe('DbUnreadable');
    expect(sha(file)).toBe(before);
  });

  it("opens through better-sqlite3's nativeBinding option (the Electron-ABI build under Electron)", () => {
    const binding = require.resolve('better-sqlite3/build/Release/better_sqlite3.node');
    const store = HistoryStore.open(tempDir(), { nativeBinding: binding });
    expect(store.db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
    store.close();
    expect(() => HistoryStore.open(tempDir(), { nativeBinding: join(tempDir(), 'missing.node') })).toThrow();
  });

  it('refuses an SQLite file of another application', () => {
    const dir = tempDir();
    const raw = new BetterSqlite3(join(dir, 'history.sqlite3'));
    raw.exec('CREATE TABLE notes (body TEXT)');
    raw.close();
    expect(studioError(() => HistoryStore.open(dir)).code).toBe('DbUnreadable');
  });
});
