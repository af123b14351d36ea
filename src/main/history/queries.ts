/**
 * Read queries of the history store. Every list is keyset-paginated on (created_at DESC, id DESC) so page N costs
 * the same as page 1 (no OFFSET); every filter has an index that ends in that key (see migrations.ts v1).
 */
import type { Database } from 'better-sqlite3';
import { StudioError } from '../../shared/errors';
import { ftsQuery } from './fts';
import { GENERATION_COLUMNS, IMAGE_COLUMNS, stmt, toHistoryEntry, toHistoryImage, type GenerationRow, type ImageRow } from './rows';
import type {
  GalleryItem,
  GalleryQuery,
  GenerationQuery,
  GenerationStatus,
  GenerationSummary,
  HistoryEntry,
  HistoryImage,
  HistoryStats,
  LineageNode,
  Page,
} from './types';

export const DEFAULT_PAGE = 60;
export const MAX_PAGE = 500;

interface Sql {
  sql: string;
  params: (string | number)[];
}

function pageSize(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
    throw new StudioError('InvalidRequest', `Page size must be an integer from 1 to ${MAX_PAGE}, got ${limit}.`);
  }
  return limit;
}

/** Cursor text: `<createdAt>.<id>` of the last item of the previous page. */
export function encodeCursor(createdAt: number, id: number): string {
  return `${createdAt}.${id}`;
}

function decodeCursor(cursor: string): [number, number] {
  const m = /^(\d{1,16})\.(\d{1,16})$/.exec(cursor);
  if (!m) throw new StudioError('InvalidRequest', `Not a page cursor: "${cursor}". Pass back the nextCursor of the previous page.`);
  return [Number(m[1]), Number(m[2])];
}

const optInt = (name: string, v: number | undefined): number | undefined => {
  if (v === undefined) return undefined;
  if (!Number.isSafeInteger(v)) throw new StudioError('InvalidRequest', `${name} must be an integer, got ${v}.`);
  return v;
};

/** WHERE clauses of the gallery filters (not cursor, not search). */
function galleryFilters(q: GalleryQuery): Sql {
  const where = ['i.deleted_at IS NULL'];
  const params: (string | number)[] = [];
  const add = (clause: string, ...values: (string | number)[]) => {
    where.push(clause);
    params.push(...values);
  };
  if (q.favoritesOnly) add('i.favorite = 1');
  const width = optInt('width', q.width);
  const height = optInt('height', q.height);
  if (width !== undefined) add('i.width = ?', width);
  if (height !== undefined) add('i.height = ?', height);
  if (q.modelIdentity !== undefined) add('i.model_identity = ?', q.modelIdentity);
  if (q.minRating !== undefined) add('i.rating >= ?', optInt('minRating', q.minRating)!);
  if (q.from !== undefined) add('i.created_at >= ?', optInt('from', q.from)!);
  if (q.to !== undefined) add('i.created_at < ?', optInt('to', q.to)!);
  return { sql: where.join(' AND '), params };
}

const GALLERY_COLUMNS = `${IMAGE_COLUMNS}, substr(g.prompt, 1, 200) AS prompt_preview, i.model_identity, i.generation_id AS gen_row`;
const GALLERY_SELECT = `SELECT ${GALLERY_COLUMNS} FROM images i JOIN generations g ON g.id = i.generation_id`;

/** SQL of a gallery page without search (images, newest first by created_at, id). Exported for query-plan tests. */
export function gallerySql(q: GalleryQuery): Sql {
  const f = galleryFilters(q);
  const params = [...f.params];
  let keyset = '';
  if (q.cursor) {
    keyset = ' AND (i.created_at, i.id) < (?, ?)';
    params.push(...decodeCursor(q.cursor));
  }
  params.push(pageSize(q.limit) + 1);
  return { sql: `${GALLERY_SELECT} WHERE ${f.sql}${keyset} ORDER BY i.created_at DESC, i.id DESC LIMIT ?`, params };
}

/**
 * Search pages walk the FTS index from the most recently added generation down (FTS5 serves `rowid DESC` with a
 * limit without sorting), in growing chunks, applying the filters to each chunk's images; so a common tag costs one
 * small chunk and a rare one a short walk. Order: generation added DESC, then batch index. Cursor: `s<row>.<index>`.
 */
export function ftsChunkSql(match: string, upper: number, n: number): Sql {
  return {
    sql: 'SELECT rowid FROM generations_fts WHERE generations_fts MATCH ? AND rowid <= ? ORDER BY rowid DESC LIMIT ?',
    params: [match, upper, n],
  };
}

/**
 * Images of a chunk of generation rows (JSON array), filtered, at most `limit`; `after` skips what the cursor
 * already returned. Filters and limit apply before the join, so only kept images read their generation's prompt.
 */
export function chunkImagesSql(q: GalleryQuery, rowsJson: string, after: [number, number] | null, limit: number): Sql {
  const f = galleryFilters(q);
  const params: (string | number)[] = [rowsJson, ...f.params];
  let skip = '';
  if (after) {
    skip = ' AND NOT (i.generation_id = ? AND i.batch_index <= ?)';
    params.push(...after);
  }
  params.push(limit);
  // The chunk is small and known: look its images up by generation (a filter index would scan far more).
  return {
    sql: `SELECT ${GALLERY_COLUMNS.replace(/\bi\./g, 'kept.')} FROM (
            SELECT i.* FROM images i INDEXED BY images_generation
            WHERE i.generation_id IN (SELECT value FROM json_each(?)) AND ${f.sql}${skip}
            ORDER BY i.generation_id DESC, i.batch_index LIMIT ?) kept
          JOIN generations g ON g.id = kept.generation_id ORDER BY kept.generation_id DESC, kept.batch_index`,
    params,
  };
}

function decodeSearchCursor(cursor: string): [number, number] {
  if (!cursor.startsWith('s')) throw new StudioError('InvalidRequest', 'This cursor belongs to a page without search; start the search from its first page.');
  return decodeCursor(cursor.slice(1));
}

/** Walks FTS matches newest-added first in chunks of growing size until `want` items are collected or matches end. */
function walkMatches<R>(db: Database, match: string, upper: number, want: number, collect: (rows: number[]) => R[]): R[] {
  const out: R[] = [];
  let chunk = Math.max(2 * want, 64);
  for (;;) {
    const c = ftsChunkSql(match, upper, chunk);
    const rows = stmt(db, c.sql).pluck().all(...c.params) as number[];
    if (rows.length === 0) break;
    out.push(...collect(rows));
    if (out.length >= want || rows.length < chunk) break;
    upper = rows[rows.length - 1]! - 1;
    chunk = Math.min(chunk * 4, 20_000);
  }
  return out;
}

type GalleryRow = ImageRow & { prompt_preview: string; model_identity: string | null; gen_row: number };

function toPage<R, T>(rows: R[], limit: number, map: (r: R) => T, key: (r: R) => string): Page<T> {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  const last = kept[kept.length - 1];
  return { items: kept.map(map), nextCursor: more && last ? key(last) : null };
}

/** One gallery page. @throws StudioError `InvalidRequest` for a bad cursor, page size or search. */
export function galleryPage(db: Database, q: GalleryQuery): Page<GalleryItem> {
  const limit = pageSize(q.limit);
  const match = q.search ? ftsQuery(q.search) : null;
  if (!match) {
    const { sql, params } = gallerySql(q);
    const rows = stmt(db, sql).all(...params) as GalleryRow[];
    return toPage(rows, limit, toGalleryItem, (r) => encodeCursor(r.created_at, r.id));
  }
  const after = q.cursor ? decodeSearchCursor(q.cursor) : null;
  const rows = walkMatches(db, match, after ? after[0] : Number.MAX_SAFE_INTEGER, limit + 1, (chunk) => {
    const c = chunkImagesSql(q, JSON.stringify(chunk), after, limit + 1);
    return stmt(db, c.sql).all(...c.params) as GalleryRow[];
  });
  return toPage(rows, limit, toGalleryItem, (r) => `s${encodeCursor(r.gen_row, r.batch_index)}`);
}

function toGalleryItem(r: GalleryRow): GalleryItem {
  const { prompt_preview, model_identity } = r;
  return { ...toHistoryImage(r), promptPreview: prompt_preview, modelIdentity: model_identity };
}

/** Deleted images, most recently deleted first (the trash view, for undo). */
export function trashPage(db: Database, q: { limit?: number; cursor?: string | null }): Page<GalleryItem> {
  const limit = pageSize(q.limit);
  const params: number[] = [];
  let keyset = '';
  if (q.cursor) {
    keyset = 'AND (i.deleted_at, i.id) < (?, ?)';
    params.push(...decodeCursor(q.cursor));
  }
  const rows = stmt(
    db,
    `${GALLERY_SELECT} WHERE i.deleted_at IS NOT NULL ${keyset} ORDER BY i.deleted_at DESC, i.id DESC LIMIT ?`,
  ).all(...params, limit + 1) as GalleryRow[];
  return toPage(rows, limit, toGalleryItem, (r) => encodeCursor(r.deleted_at ?? 0, r.id));
}

/** SQL of a page of generations without search (CLI `history list`), newest first. */
export function generationsSql(q: GenerationQuery): Sql {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (q.status) {
    where.push('g.status = ?');
    params.push(q.status);
  }
  if (q.cursor) {
    where.push('(g.created_at, g.id) < (?, ?)');
    params.push(...decodeCursor(q.cursor));
  }
  params.push(pageSize(q.limit) + 1);
  return {
    sql: `SELECT ${GENERATION_COLUMNS} FROM generations g ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
          ORDER BY g.created_at DESC, g.id DESC LIMIT ?`,
    params,
  };
}

function imagesOf(db: Database, rowIds: number[]): Map<number, HistoryImage[]> {
  const out = new Map<number, HistoryImage[]>();
  if (rowIds.length === 0) return out;
  const rows = stmt(
    db,
    `SELECT ${IMAGE_COLUMNS}, i.generation_id FROM images i JOIN generations g ON g.id = i.generation_id
     WHERE i.generation_id IN (SELECT value FROM json_each(?)) ORDER BY i.generation_id, i.batch_index`,
  ).all(JSON.stringify(rowIds)) as (ImageRow & { generation_id: number })[];
  for (const r of rows) {
    const list = out.get(r.generation_id) ?? [];
    list.push(toHistoryImage(r));
    out.set(r.generation_id, list);
  }
  return out;
}

/**
 * One page of generations with their images: newest first by (created_at, id), or with `search`, most recently
 * added first (walking the FTS index, see galleryPage).
 */
export function generationsPage(db: Database, q: GenerationQuery): Page<GenerationSummary> {
  const limit = pageSize(q.limit);
  const match = q.search ? ftsQuery(q.search) : null;
  let rows: GenerationRow[];
  let key: (g: GenerationRow) => string;
  if (!match) {
    const { sql, params } = generationsSql(q);
    rows = stmt(db, sql).all(...params) as GenerationRow[];
    key = (g) => encodeCursor(g.created_at, g.id);
  } else {
    const upper = q.cursor ? decodeSearchCursor(q.cursor)[0] - 1 : Number.MAX_SAFE_INTEGER;
    rows = walkMatches(db, match, upper, limit + 1, (chunk) =>
      stmt(
        db,
        `SELECT ${GENERATION_COLUMNS} FROM generations g WHERE g.id IN (SELECT value FROM json_each(?))
         AND (? IS NULL OR g.status = ?) ORDER BY g.id DESC`,
      ).all(JSON.stringify(chunk), q.status ?? null, q.status ?? null) as GenerationRow[],
    );
    key = (g) => `s${encodeCursor(g.id, 0)}`;
  }
  const images = imagesOf(db, rows.slice(0, limit).map((r) => r.id));
  return toPage(
    rows,
    limit,
    (g): GenerationSummary => {
      const entry = toHistoryEntry(g, images.get(g.id) ?? []);
      return {
        id: entry.id,
        createdAt: entry.createdAt,
        status: entry.status,
        source: entry.source,
        prompt: g.prompt,
        seed: g.seed,
        width: g.width,
        height: g.height,
        steps: g.steps,
        modelIdentity: g.model_identity,
        error: entry.error,
        parentId: entry.parentId,
        images: entry.images,
      };
    },
    key,
  );
}

/** Row id of a generation by its id, or a unique prefix of at least 8 characters (typed at the CLI). */
export function resolveGeneration(db: Database, idOrPrefix: string): number | undefined {
  const exact = stmt(db, 'SELECT id FROM generations WHERE uid = ?').pluck().get(idOrPrefix) as number | undefined;
  if (exact !== undefined || idOrPrefix.length < 8 || !/^[0-9a-f-]+$/.test(idOrPrefix)) return exact;
  const hits = stmt(db, "SELECT id FROM generations WHERE uid >= ? AND uid < ? || '~' LIMIT 2").pluck().all(idOrPrefix, idOrPrefix) as number[];
  if (hits.length > 1) throw new StudioError('InvalidRequest', `"${idOrPrefix}" matches several generations; give more characters.`);
  return hits[0];
}

/** A full history entry by generation id (or unique prefix); undefined when absent. */
export function getEntry(db: Database, idOrPrefix: string): HistoryEntry | undefined {
  const row = resolveGeneration(db, idOrPrefix);
  if (row === undefined) return undefined;
  const g = stmt(db, `SELECT ${GENERATION_COLUMNS} FROM generations g WHERE g.id = ?`).get(row) as GenerationRow;
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
  ).all(root) as { uid: string; parent_uid: string | null; depth: number; created_at: number; status: GenerationStatus; seed: number | null }[];
  return rows.map((r) => ({ id: r.uid, parentId: r.parent_uid, depth: r.depth, createdAt: r.created_at, status: r.status, seed: r.seed }));
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
  if (!Number.isSafeInteger(seed) || seed < 0) throw new StudioError('InvalidRequest', `A seed is an integer ≥ 0, got ${seed}.`);
  const { sql, params } = sameSeedSql(seed, pageSize(limit));
  return (stmt(db, sql).all(...params) as GalleryRow[]).map(toGalleryItem);
}

/** Counts and sums over the whole history (databaseBytes is filled in by the store, which knows the file). */
export function stats(db: Database): Omit<HistoryStats, 'databaseBytes'> {
  const generations: Record<GenerationStatus, number> = { finished: 0, failed: 0, cancelled: 0, interrupted: 0, imported: 0 };
  for (const r of stmt(db, 'SELECT status, count(*) AS n FROM generations GROUP BY status').all() as { status: GenerationStatus; n: number }[]) {
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

/** `EXPLAIN QUERY PLAN` details of a statement, one line per plan node. */
export function queryPlan(db: Database, q: Sql): string[] {
  const rows = db.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...q.params) as { detail: string }[];
  return rows.map((r) => r.detail);
}
