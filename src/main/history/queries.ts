/**
 * Read queries of the history store. Every list is keyset-paginated on (created_at DESC, id DESC) so page N costs
 * the same as page 1 (no OFFSET); every filter has an index that ends in that key (see migrations.ts v1).
 */
import type { Database } from 'better-sqlite3';
import { StudioError } from '../../shared/errors';
import { ftsQuery } from './fts';
import {
  GENERATION_COLUMNS,
  IMAGE_COLUMNS,
  stmt,
  toHistoryEntry,
  toHistoryImage,
  type GenerationRow,
  type ImageRow,
} from './rows';
import type {
  GalleryItem,
  GalleryQuery,
  GenerationQuery,
  GenerationSummary,
  HistoryImage,
  Page,
} from './types';

export const DEFAULT_PAGE = 60;
export const MAX_PAGE = 500;

export interface Sql {
  sql: string;
  params: (string | number)[];
}

/**
 * The page size for a list query: DEFAULT_PAGE when absent.
 * @throws StudioError InvalidRequest when `limit` is not an integer in [1, MAX_PAGE].
 */
export function pageSize(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
    throw new StudioError(
      'InvalidRequest',
      `Page size must be an integer from 1 to ${MAX_PAGE}, got ${limit}.`,
    );
  }
  return limit;
}

/** Cursor text: `<createdAt>.<id>` of the last item of the previous page. */
export function encodeCursor(createdAt: number, id: number): string {
  return `${createdAt}.${id}`;
}

function decodeCursor(cursor: string): [number, number] {
  const m = /^(\d{1,16})\.(\d{1,16})$/.exec(cursor);
  if (!m)
    throw new StudioError(
      'InvalidRequest',
      `Not a page cursor: "${cursor}". Pass back the nextCursor of the previous page.`,
    );
  return [Number(m[1]), Number(m[2])];
}

const optInt = (name: string, v: number | undefined): number | undefined => {
  if (v === undefined) return undefined;
  if (!Number.isSafeInteger(v))
    throw new StudioError('InvalidRequest', `${name} must be an integer, got ${v}.`);
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
export const GALLERY_SELECT = `SELECT ${GALLERY_COLUMNS} FROM images i JOIN generations g ON g.id = i.generation_id`;

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
  return {
    sql: `${GALLERY_SELECT} WHERE ${f.sql}${keyset} ORDER BY i.created_at DESC, i.id DESC LIMIT ?`,
    params,
  };
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
export function chunkImagesSql(
  q: GalleryQuery,
  rowsJson: string,
  after: [number, number] | null,
  limit: number,
): Sql {
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
  if (!cursor.startsWith('s'))
    throw new StudioError(
      'InvalidRequest',
      'This cursor belongs to a page without search; start the search from its first page.',
    );
  return decodeCursor(cursor.slice(1));
}

/** Walks FTS matches newest-added first in chunks of growing size until `want` items are collected or matches end. */
function walkMatches<R>(
  db: Database,
  match: string,
  upper: number,
  want: number,
  collect: (rows: number[]) => R[],
): R[] {
  const out: R[] = [];
  let chunk = Math.max(2 * want, 64);
  for (;;) {
    const c = ftsChunkSql(match, upper, chunk);
    const rows = stmt(db, c.sql)
      .pluck()
      .all(...c.params) as number[];
    if (rows.length === 0) break;
    out.push(...collect(rows));
    if (out.length >= want || rows.length < chunk) break;
    upper = rows[rows.length - 1]! - 1;
    chunk = Math.min(chunk * 4, 20_000);
  }
  return out;
}

export type GalleryRow = ImageRow & {
  prompt_preview: string;
  model_identity: string | null;
  gen_row: number;
};

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

/** One gallery row as the contract's GalleryItem: the HistoryImage plus its prompt preview and model identity. */
export function toGalleryItem(r: GalleryRow): GalleryItem {
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

/**
 * The images of several generations in one query, keyed by generation row id (not uid), each list in batch order.
 * Ids with no images have no key; an empty `rowIds` runs no query.
 */
export function imagesOf(db: Database, rowIds: number[]): Map<number, HistoryImage[]> {
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
    rows = walkMatches(
      db,
      match,
      upper,
      limit + 1,
      (chunk) =>
        stmt(
          db,
          `SELECT ${GENERATION_COLUMNS} FROM generations g WHERE g.id IN (SELECT value FROM json_each(?))
         AND (? IS NULL OR g.status = ?) ORDER BY g.id DESC`,
        ).all(JSON.stringify(chunk), q.status ?? null, q.status ?? null) as GenerationRow[],
    );
    key = (g) => `s${encodeCursor(g.id, 0)}`;
  }
  const images = imagesOf(
    db,
    rows.slice(0, limit).map((r) => r.id),
  );
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

/** `EXPLAIN QUERY PLAN` details of a statement, one line per plan node. */
export function queryPlan(db: Database, q: Sql): string[] {
  const rows = db.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...q.params) as { detail: string }[];
  return rows.map((r) => r.detail);
}
