/**
 * The history store: SQLite rows + image files in the data dir (conventions.md §6), electron-free, opened by the main
 * process (or the CLI acting as main). Writes follow "file first, row second": every image and thumbnail is written
 * atomically and durably before the transaction that adds its rows commits, so a crash leaves either both or only a
 * file that `reconcile` reports.
 */
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import type { Database } from 'better-sqlite3';
import type { GenerationRequest } from '../../shared/dto';
import { StudioError } from '../../shared/errors';
import { dataPaths } from '../paths';
import { appVersion } from '../version';
import { isCorruptionError, openDatabase, unreadable } from './db';
import { ftsQuery } from './fts';
import { imageRelativePath, thumbnailRelativePath, toAbsolute, writeFileAtomic } from './files';
import * as lookups from './lookups';
import * as q from './queries';
import { QueueStore } from './queue';
import { insertGeneration, insertImage, newGenerationId, stmt, validateRequest } from './rows';
import { makeThumbnail } from './thumbnails';
import { emptyTrash, moveImages } from './trash';
import type {
  FailureDetails,
  GalleryItem,
  GalleryQuery,
  GenerationQuery,
  GenerationStatus,
  GenerationSummary,
  HistoryEntry,
  HistoryStats,
  LineageNode,
  Page,
  SavedGeneration,
  SavedImage,
  SaveGenerationInput,
} from './types';

export interface HistoryStoreOptions {
  /** better-sqlite3's `nativeBinding` (the Electron-ABI build under Electron). */
  nativeBinding?: string;
  /** Stop migrating at this schema version (upgrade-path tests only). */
  targetVersion?: number;
  /**
   * Called after all files of a generation are durable and before its rows are committed. Observability only; the
   * crash-safety test harness uses it to kill the process at exactly that point.
   */
  beforeCommit?: (generationId: string) => void | Promise<void>;
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** The history database and image files of one data dir (see the module comment for the write order). */
export class HistoryStore {
  readonly dataDir: string;
  readonly databaseFile: string;
  /** The persisted job queue. */
  readonly queue: QueueStore;
  /** @internal for reconcile and import, which live in sibling modules. */
  readonly db: Database;
  private readonly beforeCommit?: HistoryStoreOptions['beforeCommit'];
  private closed = false;
  /** Set once SQLite reported corruption: no further writes (not even statistics). */
  private damaged = false;

  private constructor(dataDir: string, db: Database, opts: HistoryStoreOptions) {
    this.dataDir = dataDir;
    this.databaseFile = dataPaths(dataDir).database;
    this.db = db;
    this.queue = new QueueStore(db, (fn) => this.guard(fn));
    this.beforeCommit = opts.beforeCommit;
  }

  /**
   * Opens (creating and migrating) `<dataDir>/history.sqlite3`.
   * @throws StudioError `DbUnreadable` (damaged or foreign file, left untouched), `DbFromFuture` (newer schema).
   */
  static open(dataDir: string, opts: HistoryStoreOptions = {}): HistoryStore {
    const paths = dataPaths(dataDir);
    const db = openDatabase(paths.database, {
      nativeBinding: opts.nativeBinding,
      targetVersion: opts.targetVersion,
    });
    return new HistoryStore(dataDir, db, opts);
  }

  /**
   * Runs `PRAGMA optimize` and closes the connection (WAL is checkpointed by SQLite on the last close).
   * After a corruption error nothing more is written: the damaged file is left as it is.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      if (!this.damaged) this.db.pragma('optimize');
    } catch {
      // Statistics are an optimisation; closing must still happen.
    } finally {
      this.db.close();
    }
  }

  /** Absolute path of a data-dir-relative path stored in the database. */
  absolutePath(relativePath: string): string {
    return toAbsolute(this.dataDir, relativePath);
  }

  /** Runs a database operation, turning SQLite corruption errors into `DbUnreadable`. */
  guard<T>(fn: () => T): T {
    if (this.damaged)
      throw unreadable(this.databaseFile, 'SQLite reported it damaged earlier in this session');
    try {
      return fn();
    } catch (e) {
      if (isCorruptionError(e)) {
        this.damaged = true;
        throw unreadable(this.databaseFile, (e as Error).message);
      }
      throw e;
    }
  }

  /**
   * Persists a finished job: for each image, the PNG (`images/YYYY/MM/DD/<generationId>-<index>.png`) and its WebP
   * thumbnail are written atomically (temp, fsync, rename, fsync dir); then one transaction inserts the generation,
   * its images and FTS row and removes `jobId` from the queue. If the commit fails the files stay (a finished image
   * is never deleted), the error (same code) names them, and `reconcile` reports them.
   *
   * @returns the new generation id and, per image, its row id, relative paths and sha256.
   * @throws StudioError `InvalidRequest` for an invalid request, no images, or an image index/seed that does not
   *         match the batch; filesystem errors (ENOSPC…) as thrown by Node.
   */
  async saveGeneration(input: SaveGenerationInput): Promise<SavedGeneration> {
    const { request, result } = input;
    validateRequest(request);
    if (result.images.length === 0)
      throw new StudioError('InvalidRequest', 'A finished generation needs at least one image.');
    for (const im of result.images) {
      if (!Number.isInteger(im.index) || im.index < 0 || im.index >= request.batch) {
        throw new StudioError(
          'InvalidRequest',
          `Image index ${im.index} is outside the batch of ${request.batch}.`,
        );
      }
      if (im.seed !== request.seed + im.index) {
        throw new StudioError(
          'InvalidRequest',
          `Image ${im.index} has seed ${im.seed}; batch image i must use seed + i = ${request.seed + im.index}.`,
        );
      }
    }
    const createdAt = input.createdAt ?? Date.now();
    const generationId = newGenerationId(createdAt);
    const warnings: string[] = [];
    const files: {
      index: number;
      seed: number;
      path: string;
      thumb: string | null;
      sha: string;
      bytes: number;
      w: number;
      h: number;
    }[] = [];
    for (const im of result.images) {
      const path = imageRelativePath(createdAt, generationId, im.index);
      await writeFileAtomic(this.absolutePath(path), im.png);
      let thumb: string | null = thumbnailRelativePath(path);
      try {
        await writeFileAtomic(this.absolutePath(thumb), await makeThumbnail(im.png));
      } catch (e) {
        warnings.push(
          `Thumbnail of image ${im.index} not made (${(e as Error).message}); reconcile --repair can make it later.`,
        );
        thumb = null;
      }
      files.push({
        index: im.index,
        seed: im.seed,
        path,
        thumb,
        sha: sha256(im.png),
        bytes: im.png.byteLength,
        w: im.width,
        h: im.height,
      });
    }
    // From here the PNGs exist on disk: a failure to record them must say where they are (never lost, §6).
    let ids: number[];
    try {
      await this.beforeCommit?.(generationId);
      ids = this.guard(() =>
        this.db
          .transaction(() => {
            const row = insertGeneration(this.db, {
              uid: generationId,
              createdAt,
              status: 'finished',
              source: 'studio',
              request,
              seed: request.seed,
              precision: result.precision,
              provider: result.provider,
              modelIdentity: result.modelIdentity,
              modelName: result.modelName,
              appVersion: appVersion(),
              timings: result.timings,
              peakVram: result.peakVram,
              peakRam: result.peakRam,
              predictedVram: result.predictedVram,
            });
            const imageIds = files.map((f) =>
              insertImage(this.db, {
                generationRow: row,
                index: f.index,
                seed: f.seed,
                path: f.path,
                thumbnailPath: f.thumb,
                width: f.w,
                height: f.h,
                bytes: f.bytes,
                sha256: f.sha,
                createdAt,
                modelIdentity: result.modelIdentity,
              }),
            );
            if (input.jobId) this.queue.remove(input.jobId);
            return imageIds;
          })
          .immediate(),
      );
    } catch (e) {
      throw notRecorded(e, files.map((f) => this.absolutePath(f.path)));
    }
    const images: SavedImage[] = files.map((f, i) => ({
      id: ids[i]!,
      index: f.index,
      seed: f.seed,
      path: f.path,
      thumbnailPath: f.thumb,
      sha256: f.sha,
    }));
    return { generationId, images, warnings };
  }

  /**
   * Records a job that produced no image: status `cancelled` for `Cancelled`, `interrupted` for `Interrupted`, else
   * `failed`, with the error code and message (and memory figures, for OOM diagnosis). Removes `details.jobId` from
   * the queue in the same transaction. @returns the generation id.
   */
  recordFailure(
    request: GenerationRequest,
    error: { code: string; message: string },
    details: FailureDetails = {},
  ): string {
    validateRequest(request);
    const status: GenerationStatus =
      error.code === 'Cancelled' ? 'cancelled' : error.code === 'Interrupted' ? 'interrupted' : 'failed';
    const createdAt = details.createdAt ?? Date.now();
    const uid = newGenerationId(createdAt);
    this.guard(() =>
      this.db
        .transaction(() => {
          insertGeneration(this.db, {
            uid,
            createdAt,
            status,
            source: 'studio',
            request,
            seed: request.seed,
            precision: details.precision,
            provider: details.provider,
            modelIdentity: details.modelIdentity,
            modelName: details.modelName,
            appVersion: appVersion(),
            error: { code: error.code, message: error.message },
            timings: details.timings,
            peakVram: details.peakVram,
            peakRam: details.peakRam,
            predictedVram: details.predictedVram,
          });
          if (details.jobId) this.queue.remove(details.jobId);
        })
        .immediate(),
    );
    return uid;
  }

  /** One gallery page (images, newest first) with optional search and filters. */
  page(query: GalleryQuery = {}): Page<GalleryItem> {
    return this.guard(() => q.galleryPage(this.db, query));
  }

  /** One page of generations (with their images), newest first. */
  listGenerations(query: GenerationQuery = {}): Page<GenerationSummary> {
    return this.guard(() => q.generationsPage(this.db, query));
  }

  /** A generation by id or unique id prefix (≥ 8 characters); undefined when absent. */
  get(id: string): HistoryEntry | undefined {
    return this.guard(() => lookups.getEntry(this.db, id));
  }

  /** All re-runs related to a generation (its root and every descendant). */
  lineage(id: string): LineageNode[] {
    return this.guard(() => lookups.lineage(this.db, id));
  }

  /** Live images made with `seed`, newest first. */
  sameSeed(seed: number, limit?: number): GalleryItem[] {
    return this.guard(() => lookups.sameSeed(this.db, seed, limit));
  }

  stats(): HistoryStats {
    const s = this.guard(() => lookups.stats(this.db));
    const size = (f: string) => (existsSync(f) ? statSync(f).size : 0);
    return { ...s, databaseBytes: size(this.databaseFile) + size(`${this.databaseFile}-wal`) };
  }

  /** Deleted images, most recently deleted first. */
  trash(query: { limit?: number; cursor?: string | null } = {}): Page<GalleryItem> {
    return this.guard(() => q.trashPage(this.db, query));
  }

  /**
   * `EXPLAIN QUERY PLAN` lines of the statements behind a query (diagnostics, tests, bench): `gallery` (no search),
   * `search` (the FTS chunk walk, then the chunk's images with the filters), `generations`, `sameSeed`.
   */
  queryPlan(
    kind: 'gallery' | 'search' | 'generations' | 'sameSeed',
    query: GalleryQuery & GenerationQuery & { seed?: number } = {},
  ): string[] {
    if (kind === 'search') {
      const match = ftsQuery(query.search ?? '') ?? '""';
      return [
        ...q.queryPlan(this.db, q.ftsChunkSql(match, Number.MAX_SAFE_INTEGER, 64)),
        ...q.queryPlan(this.db, q.chunkImagesSql(query, '[1]', [1, 0], q.DEFAULT_PAGE)),
      ];
    }
    const sql =
      kind === 'gallery'
        ? q.gallerySql(query)
        : kind === 'generations'
          ? q.generationsSql(query)
          : lookups.sameSeedSql(query.seed ?? 0, q.DEFAULT_PAGE);
    return q.queryPlan(this.db, sql);
  }

  /** Marks or unmarks an image as favorite. @throws StudioError `InvalidRequest` for an unknown image. */
  setFavorite(imageId: number, favorite: boolean): void {
    this.updateImage('UPDATE images SET favorite = ? WHERE id = ?', favorite ? 1 : 0, imageId);
  }

  /** Rates an image 0 (unrated) to 5. @throws StudioError `InvalidRequest` for a bad rating or unknown image. */
  setRating(imageId: number, rating: number): void {
    if (!Number.isInteger(rating) || rating < 0 || rating > 5)
      throw new StudioError('InvalidRequest', `A rating is 0 to 5, got ${rating}.`);
    this.updateImage('UPDATE images SET rating = ? WHERE id = ?', rating, imageId);
  }

  private updateImage(sql: string, value: number, imageId: number): void {
    const n = this.guard(() => stmt(this.db, sql).run(value, imageId).changes);
    if (n === 0) throw new StudioError('InvalidRequest', `No image with id ${imageId} in the history.`);
  }

  /**
   * Deletes images the recoverable way: their files (and thumbnails) move to `trash/` keeping their relative path,
   * then the rows get `deleted_at`. Undo with `undoDelete`. A failed move puts the files back and throws; a crash
   * between a move and the row update is found by `reconcile` as `misplaced` (fixed by its `repair`).
   * @returns the ids actually moved (unknown or already deleted ids are skipped).
   */
  async deleteImages(imageIds: number[], now = Date.now()): Promise<number[]> {
    return moveImages(this, imageIds, 'delete', now);
  }

  /** Restores deleted images to their place. @returns the ids restored. */
  async undoDelete(imageIds: number[]): Promise<number[]> {
    return moveImages(this, imageIds, 'restore', 0);
  }

  /**
   * Permanently removes trashed images deleted before `before` (default: all): rows, then files in `trash/`.
   * A generation whose images are all gone keeps its row (the request stays re-runnable). @returns images purged.
   */
  async emptyTrash(before = Number.MAX_SAFE_INTEGER): Promise<number> {
    return emptyTrash(this, before);
  }
}

/**
 * A commit that failed after the image files were written: same error code, plus where the files are and how to
 * record them once the database is usable again. Errors that are not StudioErrors pass through unchanged.
 */
function notRecorded(e: unknown, files: string[]): unknown {
  if (!(e instanceof StudioError)) return e;
  const where = files.length === 1 ? `The image was saved as ${files[0]}` : `The images were saved as ${files.join(', ')}`;
  return new StudioError(
    e.code,
    `${e.message} ${where} but not recorded in the history.`,
    `${e.hint ? `${e.hint} ` : ''}Once the database is usable, \`newbie-studio history reconcile --import\` records ${files.length === 1 ? 'it' : 'them'}.`,
  );
}
