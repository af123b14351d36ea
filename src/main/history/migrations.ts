/**
 * Ordered schema migrations of the history database (`PRAGMA user_version` = number of migrations applied).
 *
 * Rules: migrations only ever append to this list; all pending ones run in one transaction together with the
 * `user_version` bump (so a failure leaves the file exactly as it was); a file from a newer app is refused, never
 * downgraded (see `openDatabase`).
 */
import type { Database } from 'better-sqlite3';
import { ftsDocument } from './fts';

/** `PRAGMA application_id` of our history files ("NBST"), to tell them from any other SQLite file. */
export const APPLICATION_ID = 0x4e425354;

export interface Migration {
  /** The `user_version` after this migration. */
  version: number;
  description: string;
  up(db: Database): void;
}

const v1Core: Migration = {
  version: 1,
  description: 'generations and images',
  up(db) {
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.exec(`
      -- Small columns first, long texts last: reading a row's filter columns never walks its overflow pages.
      CREATE TABLE generations (
        id INTEGER PRIMARY KEY,
        uid TEXT NOT NULL UNIQUE,
        created_at INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('finished', 'failed', 'cancelled', 'interrupted', 'imported')),
        source TEXT NOT NULL,
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        steps INTEGER NOT NULL,
        guidance REAL NOT NULL,
        shift REAL NOT NULL,
        cfg_trunc REAL NOT NULL,
        renorm_cfg REAL NOT NULL,
        sampler TEXT NOT NULL,
        seed INTEGER,
        batch INTEGER NOT NULL,
        precision_choice TEXT NOT NULL,
        precision_gemma TEXT,
        precision_jina TEXT,
        precision_dit TEXT,
        precision_vae TEXT,
        provider TEXT,
        model_identity TEXT,
        model_name TEXT,
        app_version TEXT,
        error_code TEXT,
        error_message TEXT,
        load_ms REAL,
        encode_ms REAL,
        denoise_ms REAL,
        decode_ms REAL,
        total_ms REAL,
        peak_vram_bytes INTEGER,
        peak_ram_bytes INTEGER,
        predicted_vram_bytes INTEGER,
        parent_id INTEGER REFERENCES generations(id) ON DELETE SET NULL,
        prompt TEXT NOT NULL,
        negative_prompt TEXT NOT NULL,
        request_json TEXT NOT NULL CHECK (json_valid(request_json)),
        import_json TEXT CHECK (import_json IS NULL OR json_valid(import_json))
      ) STRICT;
      CREATE INDEX generations_created ON generations(created_at, id);
      CREATE INDEX generations_parent ON generations(parent_id) WHERE parent_id IS NOT NULL;
      CREATE INDEX generations_seed ON generations(seed) WHERE seed IS NOT NULL;
      -- Covering indexes for stats (counting by status, mean time by provider) without reading the long rows.
      CREATE INDEX generations_status ON generations(status);
      CREATE INDEX generations_provider ON generations(provider, total_ms) WHERE provider IS NOT NULL;

      CREATE TABLE images (
        id INTEGER PRIMARY KEY,
        generation_id INTEGER NOT NULL REFERENCES generations(id) ON DELETE CASCADE,
        batch_index INTEGER NOT NULL,
        seed INTEGER,
        path TEXT NOT NULL UNIQUE,
        thumbnail_path TEXT,
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        bytes INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        favorite INTEGER NOT NULL DEFAULT 0 CHECK (favorite IN (0, 1)),
        rating INTEGER NOT NULL DEFAULT 0 CHECK (rating BETWEEN 0 AND 5),
        deleted_at INTEGER,
        created_at INTEGER NOT NULL,
        model_identity TEXT
      ) STRICT;
      CREATE UNIQUE INDEX images_generation ON images(generation_id, batch_index);
      -- Gallery keyset order is (created_at DESC, id DESC); each filter gets an index ending in that key.
      CREATE INDEX images_gallery ON images(created_at, id) WHERE deleted_at IS NULL;
      CREATE INDEX images_favorite ON images(favorite, created_at, id) WHERE deleted_at IS NULL;
      CREATE INDEX images_size ON images(width, height, created_at, id) WHERE deleted_at IS NULL;
      CREATE INDEX images_model ON images(model_identity, created_at, id) WHERE deleted_at IS NULL;
      CREATE INDEX images_seed ON images(seed) WHERE seed IS NOT NULL;
      CREATE INDEX images_trash ON images(deleted_at, id) WHERE deleted_at IS NOT NULL;
      CREATE INDEX images_sha256 ON images(sha256);
      -- Covering index of stats() (counts, bytes, per-model totals without reading image rows). It leads with
      -- bytes, which no gallery query filters on, so the planner never prefers it over the gallery indexes.
      CREATE INDEX images_stats ON images(bytes, deleted_at, model_identity, favorite);
    `);
  },
};

const v2Fts: Migration = {
  version: 2,
  description: 'full-text index over prompts (contentless, rowid = generations.id)',
  up(db) {
    db.exec(`
      CREATE VIRTUAL TABLE generations_fts USING fts5(
        prompt, words,
        content = '', contentless_delete = 1,
        tokenize = "unicode61 remove_diacritics 2 tokenchars '_'"
      );
    `);
    // Index what earlier versions stored, in batches (a connection cannot write while iterating a read).
    const insert = db.prepare('INSERT INTO generations_fts(rowid, prompt, words) VALUES (?, ?, ?)');
    const batch = db.prepare('SELECT id, prompt FROM generations WHERE id > ? ORDER BY id LIMIT 1000');
    for (let last = 0; ;) {
      const rows = batch.all(last) as { id: number; prompt: string }[];
      if (rows.length === 0) break;
      for (const row of rows) {
        const doc = ftsDocument(row.prompt);
        insert.run(row.id, doc.prompt, doc.words);
      }
      last = rows[rows.length - 1]!.id;
    }
  },
};

const v3Queue: Migration = {
  version: 3,
  description: 'persistent job queue',
  up(db) {
    db.exec(`
      CREATE TABLE queue (
        id TEXT PRIMARY KEY,
        position INTEGER NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'running', 'paused', 'interrupted')),
        request_json TEXT NOT NULL CHECK (json_valid(request_json)),
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX queue_position ON queue(position);
    `);
  },
};

/** Every migration, in order; `MIGRATIONS[i].version === i + 1`. */
export const MIGRATIONS: readonly Migration[] = [v1Core, v2Fts, v3Queue];

/** Schema version this build writes. */
export const LATEST_VERSION = MIGRATIONS.length;

/**
 * Brings `db` from its `user_version` to `target` in one transaction (all or nothing).
 * The caller has already refused versions above LATEST_VERSION.
 *
 * @param target  version to stop at (tests build every earlier version with it); default LATEST_VERSION.
 * @returns the versions applied, e.g. [2, 3].
 * @throws whatever a migration throws; the transaction is rolled back and `user_version` is unchanged.
 */
export function migrate(
  db: Database,
  target = LATEST_VERSION,
  migrations: readonly Migration[] = MIGRATIONS,
): number[] {
  const current = Number(db.pragma('user_version', { simple: true }));
  const pending = migrations.filter((m) => m.version > current && m.version <= target);
  if (pending.length === 0) return [];
  db.transaction(() => {
    for (const m of pending) {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    }
  }).immediate();
  return pending.map((m) => m.version);
}
