/**
 * Single-entry lookups of the history store: one generation (by id or prefix), its lineage, same-seed images, and
 * the whole-history stats.
 */
import type { Database } from 'better-sqlite3';
import { StudioError } from '../../shared/errors';
import {
  DEFAULT_PAGE,
  GALLERY_SELECT,
  imagesOf,
  pageSize,
  toGalleryItem,
  type GalleryRow,
  type Sql,
} from './queries';
import { GENERATION_COLUMNS, stmt, toHistoryEntry, type GenerationRow } from './rows';
import type { GalleryItem, GenerationStatus, HistoryEntry, HistoryStats, LineageNode } from './types';

/** Row id of a generation by its id, or a unique prefix of at least 8 characters (typed at the CLI). */
export function resolveGeneration(db: Database, idOrPrefix: string): number | undefined {
  const exact = stmt(db, 'SELECT id FROM generations WHERE uid = ?').pluck().get(idOrPrefix) as
    number | undefined;
  if (exact !== undefined || idOrPrefix.length < 8 || !/^[0-9a-f-]+$/.test(idOrPrefix)) return exact;
  const hits = stmt(db, "SELECT id FROM generations WHERE uid >= ? AND uid < ? || '~' LIMIT 2")
    .pluck()
    .all(idOrPrefix, idOrPrefix) as number[];
  if (hits.length > 1)
    throw new StudioError(
      'InvalidRequest',
      `"${idOrPrefix}" matches several generations; give more characters.`,
    );
  return hits[0];
}

/** A full history entry by generation id (or unique prefix); undefined when absent. */
export function getEntry(db: Database, idOrPrefix: string): HistoryEntry | undefined {
  const row = resolveGeneration(db, idOrPrefix);
  if (row === undefined) return undefined;
  const g = stmt(db, `SELECT ${GENERATION_COLUMNS} FROM generations g WHERE g.id = ?`).get(
    row,
  ) as GenerationRow;
  return toHistoryEntry(g, imagesOf(db, [row]).get(row) ?? []);
}

/**
 * The lineage of a generation: its root ancestor and every re-run below it (depth-first order by time).
 * @returns [] when the id is unknown.
 */
export function lineage(db: Database, idOrPrefix: string): LineageNode[] {
  const start = resolveGeneration(db, idOrPrefix);
  if (start === undefined) return [];
  const root = stmt(
    db,
    `WITH RECURSIVE up(id, parent_id) AS (
       SELECT id, parent_id FROM generations WHERE id = ?
       UNION SELECT g.id, g.parent_id FROM generations g JOIN up ON g.id = up.parent_id)
     SELECT id FROM up WHERE parent_id IS NULL`,
  )
    .pluck()
    .get(start) as number;
  const rows = stmt(
    db,
    `WITH RECURSIVE down(id, depth) AS (
       SELECT ?, 0
       UNION ALL SELECT g.id, down.depth + 1 FROM generations g JOIN down ON g.parent_id = down.id)
     SELECT g.uid, (SELECT p.uid FROM generations p WHERE p.id = g.parent_id) AS parent_uid, down.depth,
            g.created_at, g.status, g.seed
     FROM down JOIN generations g ON g.id = down.id ORDER BY g.created_at, g.id`,
  ).all(root) as {
    uid: string;
    parent_uid: string | null;
    depth: number;
    created_at: number;
    status: GenerationStatus;
    seed: number | null;
  }[];
  return rows.map((r) => ({
    id: r.uid,
    parentId: r.parent_uid,
    depth: r.depth,
    createdAt: r.created_at,
    status: r.status,
    seed: r.seed,
  }));
}

/** SQL of the same-seed lookup (images of any generation with this seed, newest first). */
export function sameSeedSql(seed: number, limit: number): Sql {
  return {
    sql: `${GALLERY_SELECT}
          WHERE i.seed = ? AND i.deleted_at IS NULL ORDER BY i.created_at DESC, i.id DESC LIMIT ?`,
    params: [seed, limit],
  };
}

/** Images made with `seed` (any prompt), newest first. */
export function sameSeed(db: Database, seed: number, limit = DEFAULT_PAGE): GalleryItem[] {
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new StudioError('InvalidRequest', `A seed is an integer ≥ 0, got ${seed}.`);
  const { sql, params } = sameSeedSql(seed, pageSize(limit));
  return (stmt(db, sql).all(...params) as GalleryRow[]).map(toGalleryItem);
}

/** Counts and sums over the whole history (databaseBytes is filled in by the store, which knows the file). */
export function stats(db: Database): Omit<HistoryStats, 'databaseBytes'> {
  const generations: Record<GenerationStatus, number> = {
    finished: 0,
    failed: 0,
    cancelled: 0,
    interrupted: 0,
    imported: 0,
  };
  for (const r of stmt(db, 'SELECT status, count(*) AS n FROM generations GROUP BY status').all() as {
    status: GenerationStatus;
    n: number;
  }[]) {
    generations[r.status] = r.n;
  }
  // One pass over the small covering index instead of the image rows.
  const img = stmt(
    db,
    `SELECT count(*) FILTER (WHERE deleted_at IS NULL) AS images,
            count(*) FILTER (WHERE deleted_at IS NULL AND favorite = 1) AS favorites,
            count(*) FILTER (WHERE deleted_at IS NOT NULL) AS in_trash,
            coalesce(sum(bytes), 0) AS bytes
     FROM images INDEXED BY images_stats`,
  ).get() as { images: number; favorites: number; in_trash: number; bytes: number };
  // Two statements: min() and max() together would scan the index, each alone is one seek.
  const span = {
    first: stmt(db, 'SELECT min(created_at) FROM generations').pluck().get() as number | null,
    last: stmt(db, 'SELECT max(created_at) FROM generations').pluck().get() as number | null,
  };
  const models = stmt(
    db,
    `SELECT model_identity, count(*) AS n FROM images INDEXED BY images_stats WHERE deleted_at IS NULL
     GROUP BY model_identity ORDER BY n DESC LIMIT 20`,
  ).all() as { model_identity: string | null; n: number }[];
  const providers = stmt(
    db,
    `SELECT provider, count(*) AS n, avg(total_ms) AS mean FROM generations WHERE provider IS NOT NULL GROUP BY provider ORDER BY n DESC`,
  ).all() as { provider: string; n: number; mean: number | null }[];
  return {
    generations,
    images: img.images,
    favorites: img.favorites,
    inTrash: img.in_trash,
    imageBytes: img.bytes,
    firstAt: span.first,
    lastAt: span.last,
    models: models.map((m) => ({ modelIdentity: m.model_identity, images: m.n })),
    providers: providers.map((p) => ({ provider: p.provider, generations: p.n, meanTotalMs: p.mean })),
  };
}
