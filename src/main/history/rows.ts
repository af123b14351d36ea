/**
 * Row shapes of the history tables and their mapping to the plain-data types of `types.ts`; generation ids; request
 * validation at the store's door.
 */
import { randomBytes } from 'node:crypto';
import type { Database, Statement } from 'better-sqlite3';
import { DEFAULTS, MAX_SEED, type GenerationRequest } from '../../shared/dto';
import { StudioError } from '../../shared/errors';
import { ftsDocument } from './fts';
import type { EntrySource, GenerationStatus, HistoryEntry, HistoryImage, ImportInfo } from './types';

const statementCache = new WeakMap<Database, Map<string, Statement>>();

/** A prepared statement for `sql`, compiled once per connection (preparing costs more than running small queries). */
export function stmt(db: Database, sql: string): Statement {
  let cache = statementCache.get(db);
  if (!cache) statementCache.set(db, (cache = new Map()));
  let s = cache.get(sql);
  if (!s) cache.set(sql, (s = db.prepare(sql)));
  return s;
}

/**
 * A time-ordered unique id (UUID version 7, RFC 9562 §5.7): 48-bit Unix ms, then random bits.
 * Used as the public generation id and in file names, so files of two databases never collide.
 */
export function newGenerationId(now = Date.now()): string {
  const b = randomBytes(16);
  b.writeUIntBE(now, 0, 6);
  b[6] = (b[6]! & 0x0f) | 0x70;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export const GENERATION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const isInt = (v: unknown, min: number, max = MAX_SEED): v is number =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max;
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * Checks a request before it is stored (conventions.md §1: seed 0..2^53−1, seed + batch − 1 within range).
 * @throws StudioError `InvalidRequest` naming the first bad field.
 */
export function validateRequest(r: GenerationRequest): void {
  const bad = (field: string, why: string): never => {
    throw new StudioError('InvalidRequest', `Generation request: ${field} ${why}.`);
  };
  if (typeof r !== 'object' || r === null) bad('request', 'must be an object');
  if (typeof r.prompt !== 'string') bad('prompt', 'must be text');
  if (typeof r.negativePrompt !== 'string') bad('negativePrompt', 'must be text');
  if (!isInt(r.width, 1, 65536)) bad('width', 'must be a positive integer');
  if (!isInt(r.height, 1, 65536)) bad('height', 'must be a positive integer');
  if (!isInt(r.steps, 1, 10000)) bad('steps', 'must be a positive integer');
  if (!isInt(r.batch, 1, 1024)) bad('batch', 'must be a positive integer');
  if (!isInt(r.seed, 0)) bad('seed', `must be an integer from 0 to ${MAX_SEED}`);
  if (r.seed + r.batch - 1 > MAX_SEED) bad('seed', `+ batch − 1 must not pass ${MAX_SEED}`);
  for (const k of ['guidance', 'shift', 'cfgTrunc', 'renormCfg'] as const)
    if (!isNum(r[k])) bad(k, 'must be a number');
  if (r.sampler !== 'euler' && r.sampler !== 'midpoint') bad('sampler', "must be 'euler' or 'midpoint'");
}

/** A request restored from foreign metadata, completed with the official defaults where a field is missing. */
export function completeRequest(
  partial: Partial<GenerationRequest>,
  size?: { width: number; height: number },
): GenerationRequest {
  return {
    prompt: partial.prompt ?? '',
    negativePrompt: partial.negativePrompt ?? '',
    width: partial.width ?? size?.width ?? DEFAULTS.width,
    height: partial.height ?? size?.height ?? DEFAULTS.height,
    steps: partial.steps ?? DEFAULTS.steps,
    guidance: partial.guidance ?? DEFAULTS.guidance,
    shift: partial.shift ?? DEFAULTS.shift,
    cfgTrunc: partial.cfgTrunc ?? DEFAULTS.cfgTrunc,
    renormCfg: partial.renormCfg ?? DEFAULTS.renormCfg,
    sampler: partial.sampler ?? DEFAULTS.sampler,
    seed: partial.seed ?? 0,
    batch: partial.batch ?? DEFAULTS.batch,
    precision: partial.precision ?? DEFAULTS.precision,
    ...(partial.memoryPolicy ? { memoryPolicy: partial.memoryPolicy } : {}),
    ...(partial.parentId ? { parentId: partial.parentId } : {}),
  };
}

export interface GenerationRow {
  id: number;
  uid: string;
  created_at: number;
  status: GenerationStatus;
  source: EntrySource;
  request_json: string;
  prompt: string;
  seed: number | null;
  width: number;
  height: number;
  steps: number;
  precision_gemma: string | null;
  precision_jina: string | null;
  precision_dit: string | null;
  precision_vae: string | null;
  provider: string | null;
  model_identity: string | null;
  model_name: string | null;
  app_version: string | null;
  error_code: string | null;
  error_message: string | null;
  load_ms: number | null;
  encode_ms: number | null;
  denoise_ms: number | null;
  decode_ms: number | null;
  total_ms: number | null;
  peak_vram_bytes: number | null;
  peak_ram_bytes: number | null;
  predicted_vram_bytes: number | null;
  parent_uid: string | null;
  import_json: string | null;
}

/** Columns of GenerationRow, selected from `generations g` (parent uid joined as a scalar subquery). */
export const GENERATION_COLUMNS = `g.id, g.uid, g.created_at, g.status, g.source, g.request_json, g.prompt, g.seed, g.width,
  g.height, g.steps, g.precision_gemma, g.precision_jina, g.precision_dit, g.precision_vae, g.provider, g.model_identity,
  g.model_name, g.app_version, g.error_code, g.error_message, g.load_ms, g.encode_ms, g.denoise_ms, g.decode_ms,
  g.total_ms, g.peak_vram_bytes, g.peak_ram_bytes, g.predicted_vram_bytes,
  (SELECT p.uid FROM generations p WHERE p.id = g.parent_id) AS parent_uid, g.import_json`;

export interface ImageRow {
  id: number;
  generation_uid: string;
  batch_index: number;
  seed: number | null;
  path: string;
  thumbnail_path: string | null;
  width: number;
  height: number;
  bytes: number;
  sha256: string;
  favorite: number;
  rating: number;
  deleted_at: number | null;
  created_at: number;
}

/** Columns of ImageRow from `images i` joined to `generations g`. */
export const IMAGE_COLUMNS = `i.id, g.uid AS generation_uid, i.batch_index, i.seed, i.path, i.thumbnail_path, i.width,
  i.height, i.bytes, i.sha256, i.favorite, i.rating, i.deleted_at, i.created_at`;

/** One `images` row (joined with its generation's uid) as the contract's HistoryImage; `favorite` 0/1 → boolean. */
export function toHistoryImage(r: ImageRow): HistoryImage {
  return {
    id: r.id,
    generationId: r.generation_uid,
    index: r.batch_index,
    seed: r.seed,
    path: r.path,
    thumbnailPath: r.thumbnail_path,
    width: r.width,
    height: r.height,
    bytes: r.bytes,
    sha256: r.sha256,
    favorite: r.favorite === 1,
    rating: r.rating,
    deletedAt: r.deleted_at,
    createdAt: r.created_at,
  };
}

/** Drops null fields; null when none is left. */
function definedOnly<V>(o: Record<string, V | null>): Record<string, V> | null {
  const out = Object.fromEntries(
    Object.entries(o).filter(([, v]) => v !== null && v !== undefined),
  ) as Record<string, V>;
  return Object.keys(out).length ? out : null;
}

/**
 * One `generations` row plus its images as the contract's HistoryEntry: `request_json` parsed, per-component
 * precision and timings (ms) collapsed to null when no column is set, error code/message as `{code, message}`.
 */
export function toHistoryEntry(g: GenerationRow, images: HistoryImage[]): HistoryEntry {
  return {
    id: g.uid,
    createdAt: g.created_at,
    status: g.status,
    source: g.source,
    request: JSON.parse(g.request_json) as GenerationRequest,
    precision: definedOnly({
      gemma: g.precision_gemma,
      jina: g.precision_jina,
      dit: g.precision_dit,
      vae: g.precision_vae,
    }) as HistoryEntry['precision'],
    provider: g.provider,
    modelIdentity: g.model_identity,
    modelName: g.model_name,
    appVersion: g.app_version,
    error: g.error_code ? { code: g.error_code, message: g.error_message ?? '' } : null,
    timings: definedOnly<number>({
      loadMs: g.load_ms,
      encodeMs: g.encode_ms,
      denoiseMs: g.denoise_ms,
      decodeMs: g.decode_ms,
      totalMs: g.total_ms,
    }),
    peakVram: g.peak_vram_bytes,
    peakRam: g.peak_ram_bytes,
    predictedVram: g.predicted_vram_bytes,
    parentId: g.parent_uid,
    importInfo: g.import_json ? (JSON.parse(g.import_json) as ImportInfo) : null,
    images,
  };
}

/** Everything `insertGeneration` writes besides the request's own fields. */
export interface GenerationInsert {
  uid: string;
  createdAt: number;
  status: GenerationStatus;
  source: EntrySource;
  request: GenerationRequest;
  /** null for imports without a known seed. */
  seed: number | null;
  precision?: Partial<Record<'gemma' | 'jina' | 'dit' | 'vae', string>>;
  provider?: string;
  modelIdentity?: string;
  modelName?: string;
  appVersion?: string;
  error?: { code: string; message: string };
  timings?: Partial<Record<'loadMs' | 'encodeMs' | 'denoiseMs' | 'decodeMs' | 'totalMs', number>>;
  peakVram?: number;
  peakRam?: number;
  predictedVram?: number;
  importInfo?: ImportInfo;
}

/**
 * Inserts a generation row and its FTS row; call inside a transaction.
 * The parent (request.parentId) is linked when it exists in this database, else dropped (an imported re-run).
 * @returns the integer row id.
 */
export function insertGeneration(db: Database, g: GenerationInsert): number {
  const r = g.request;
  const parentRow = r.parentId
    ? (stmt(db, 'SELECT id FROM generations WHERE uid = ?').pluck().get(r.parentId) as number | undefined)
    : undefined;
  const info = stmt(
    db,
    `INSERT INTO generations (uid, created_at, status, source, request_json, prompt, negative_prompt, width, height,
        steps, guidance, shift, cfg_trunc, renorm_cfg, sampler, seed, batch, precision_choice, precision_gemma,
        precision_jina, precision_dit, precision_vae, provider, model_identity, model_name, app_version, error_code,
        error_message, load_ms, encode_ms, denoise_ms, decode_ms, total_ms, peak_vram_bytes, peak_ram_bytes,
        predicted_vram_bytes, parent_id, import_json)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    g.uid,
    g.createdAt,
    g.status,
    g.source,
    JSON.stringify(r),
    r.prompt,
    r.negativePrompt,
    r.width,
    r.height,
    r.steps,
    r.guidance,
    r.shift,
    r.cfgTrunc,
    r.renormCfg,
    r.sampler,
    g.seed,
    r.batch,
    r.precision,
    g.precision?.gemma ?? null,
    g.precision?.jina ?? null,
    g.precision?.dit ?? null,
    g.precision?.vae ?? null,
    g.provider ?? null,
    g.modelIdentity ?? null,
    g.modelName ?? null,
    g.appVersion ?? null,
    g.error?.code ?? null,
    g.error?.message ?? null,
    g.timings?.loadMs ?? null,
    g.timings?.encodeMs ?? null,
    g.timings?.denoiseMs ?? null,
    g.timings?.decodeMs ?? null,
    g.timings?.totalMs ?? null,
    g.peakVram ?? null,
    g.peakRam ?? null,
    g.predictedVram ?? null,
    parentRow ?? null,
    g.importInfo ? JSON.stringify(g.importInfo) : null,
  );
  const id = Number(info.lastInsertRowid);
  const doc = ftsDocument(r.prompt);
  stmt(db, 'INSERT INTO generations_fts(rowid, prompt, words) VALUES (?, ?, ?)').run(
    id,
    doc.prompt,
    doc.words,
  );
  return id;
}

/** An image row to insert: the stored image's own fields, its generation's row id and the model it came from. */
export interface ImageInsert
  extends Pick<
    HistoryImage,
    'index' | 'seed' | 'path' | 'thumbnailPath' | 'width' | 'height' | 'bytes' | 'sha256' | 'createdAt'
  > {
  generationRow: number;
  modelIdentity: string | null;
}

/** Inserts one image row; call inside a transaction. @returns its id. */
export function insertImage(db: Database, im: ImageInsert): number {
  const info = stmt(
    db,
    `INSERT INTO images (generation_id, batch_index, seed, path, thumbnail_path, width, height, bytes, sha256,
        created_at, model_identity) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    im.generationRow,
    im.index,
    im.seed,
    im.path,
    im.thumbnailPath,
    im.width,
    im.height,
    im.bytes,
    im.sha256,
    im.createdAt,
    im.modelIdentity,
  );
  return Number(info.lastInsertRowid);
}
