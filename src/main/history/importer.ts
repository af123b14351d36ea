/**
 * Import (conventions.md §10): an image with our `newbie` metadata or another tool's parameters becomes a history
 * entry, or, for drag-and-drop, just a restored request. Metadata is read by engine/image/metadata.ts; a file with no
 * usable metadata restores nothing and says so (not an error). Foreign images are marked `imported` without a model
 * identity (not re-runnable bit-for-bit).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { GenerationRequest } from '../../shared/dto';
import { StudioError } from '../../shared/errors';
import { readImageMetadata } from '../engine/image/metadata';
import { imageRelativePath, thumbnailRelativePath, writeFileAtomic } from './files';
import {
  GENERATION_ID,
  completeRequest,
  insertGeneration,
  insertImage,
  newGenerationId,
  stmt,
  validateRequest,
} from './rows';
import type { HistoryStore } from './store';
import { imageInfo, makeThumbnail } from './thumbnails';
import type { EntrySource } from './types';

/** Containers whose metadata engine/image/metadata.ts reads. */
const EXTENSIONS: Record<string, string> = { png: 'png', jpeg: 'jpg' };

export interface RestoredRequest {
  /** Which metadata the request came from; 'none' when nothing usable was found. */
  source: EntrySource;
  /** The restored request, completed with the official defaults (seed 0 when unknown: see `restored`). */
  request: GenerationRequest;
  /** Fields that came from the file (everything else is a default). */
  restored: string[];
  notes: string[];
  /** From our own `newbie` chunk only: what reproduces the image bit-for-bit. */
  modelIdentity?: string;
  modelName?: string;
  precision?: Partial<Record<'gemma' | 'jina' | 'dit' | 'vae', string>>;
  provider?: string;
  appVersion?: string;
}

/**
 * Restores the request stored in an image's metadata, without touching the history (drag-and-drop onto the editor).
 * @param size  pixel size of the image, used when the metadata has none.
 * @throws StudioError `InvalidRequest` for an empty or truncated file (from readImageMetadata).
 */
export function restoreRequest(
  bytes: Uint8Array,
  fileName: string,
  size?: { width: number; height: number },
): RestoredRequest {
  const meta = readImageMetadata(bytes, fileName);
  const partial: Partial<GenerationRequest> = { ...meta.request };
  // readImageMetadata already says "no generation metadata found" for source 'none'.
  const notes = [...meta.notes];
  if (meta.source !== 'newbie') delete partial.parentId;
  const restored = Object.keys(partial).filter((k) => partial[k as keyof GenerationRequest] !== undefined);
  const own = meta.source === 'newbie' ? meta.newbie : undefined;
  return {
    source: meta.source,
    request: completeRequest(partial, size),
    restored,
    notes,
    ...(own
      ? {
          modelIdentity: own.model.identity,
          modelName: own.model.name,
          precision: own.precision,
          provider: own.provider,
          appVersion: own.versions.app,
        }
      : {}),
  };
}

export interface ImportResult {
  file: string;
  status: 'imported' | 'skipped';
  generationId?: string;
  imageId?: number;
  source: EntrySource;
  notes: string[];
}

export interface ImportOptions {
  /**
   * The file already lies in the images folder at this data-dir-relative path (an orphan found by reconcile): it is
   * recorded where it is, not copied; a `<generationId>-<index>` name keeps that id and index.
   */
  inPlace?: string;
  now?: number;
}

/**
 * Imports one image file into the history: its bytes are copied unchanged into `images/YYYY/MM/DD/<id>-0.<ext>`
 * (atomic write), a thumbnail is made, then one transaction adds the generation (status `imported`) and image rows.
 * @returns `skipped` with a note when the file has no usable metadata or the same bytes are already in the history.
 * @throws StudioError `InvalidRequest` naming the file when it is empty, truncated, not an image, or its metadata
 *         holds values outside the request's ranges.
 */
export async function importImage(
  store: HistoryStore,
  file: string,
  opts: ImportOptions = {},
): Promise<ImportResult> {
  const fileName = basename(file);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    throw new StudioError('InvalidRequest', `Cannot read ${file}: ${(e as Error).message}.`);
  }
  if (bytes.byteLength === 0) throw new StudioError('InvalidRequest', `${file} is empty.`);
  let info: { width: number; height: number; format: string };
  try {
    info = await imageInfo(bytes);
  } catch (e) {
    throw new StudioError('InvalidRequest', `${file} is not a readable image: ${(e as Error).message}.`);
  }
  const ext = EXTENSIONS[info.format];
  if (!ext)
    throw new StudioError(
      'InvalidRequest',
      `${file} is a ${info.format} image; import takes PNG or JPEG files.`,
    );
  const restored = restoreRequest(bytes, fileName, { width: info.width, height: info.height });
  if (restored.source === 'none') return { file, status: 'skipped', source: 'none', notes: restored.notes };
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (!opts.inPlace) {
    const twin = store.guard(
      () =>
        stmt(
          store.db,
          'SELECT g.uid FROM images i JOIN generations g ON g.id = i.generation_id WHERE i.sha256 = ? AND i.deleted_at IS NULL',
        )
          .pluck()
          .get(sha256) as string | undefined,
    );
    if (twin)
      return {
        file,
        status: 'skipped',
        generationId: twin,
        source: restored.source,
        notes: [`${fileName} is already in the history as ${twin}.`],
      };
  }

  // Each imported file is one single-image entry; its seed is the image's own seed.
  const request: GenerationRequest = { ...restored.request, batch: 1 };
  try {
    validateRequest(request);
  } catch (e) {
    throw new StudioError('InvalidRequest', `${file}: metadata out of range: ${(e as Error).message}`);
  }
  const notes = [...restored.notes];
  if ((restored.request.batch ?? 1) > 1)
    notes.push(`Image of a batch of ${restored.request.batch}; imported as a single image.`);
  if (restored.source !== 'newbie')
    notes.push(`Imported from ${restored.source} metadata: no model identity, not re-runnable bit-for-bit.`);

  const now = opts.now ?? Date.now();
  const named = opts.inPlace ? /([0-9a-f-]{36})-(\d+)\.[a-z]+$/.exec(opts.inPlace) : null;
  const uid = named && GENERATION_ID.test(named[1]!) ? named[1]! : newGenerationId(now);
  const index = named ? Number(named[2]) : 0;
  const path = opts.inPlace ?? imageRelativePath(now, uid, 0, ext);
  if (!opts.inPlace) await writeFileAtomic(store.absolutePath(path), bytes);
  let thumb: string | null = thumbnailRelativePath(path);
  try {
    await writeFileAtomic(store.absolutePath(thumb), await makeThumbnail(bytes));
  } catch (e) {
    notes.push(`No thumbnail: ${(e as Error).message}`);
    thumb = null;
  }
  const modelIdentity = restored.source === 'newbie' ? (restored.modelIdentity ?? null) : null;
  const known = restored.restored.includes('seed');
  const imageId = store.guard(() =>
    store.db
      .transaction(() => {
        // Orphans of one batch (same id in their names) come back as one generation.
        let row = stmt(store.db, 'SELECT id FROM generations WHERE uid = ?').pluck().get(uid) as
          number | undefined;
        if (row === undefined) {
          row = insertGeneration(store.db, {
            uid,
            createdAt: now,
            status: 'imported',
            source: restored.source,
            request,
            seed: known ? request.seed : null,
            precision: restored.precision,
            provider: restored.provider,
            modelIdentity: modelIdentity ?? undefined,
            modelName: restored.modelName,
            appVersion: restored.appVersion,
            importInfo: { fileName, restored: restored.restored, notes },
          });
        }
        return insertImage(store.db, {
          generationRow: row,
          index,
          seed: known ? request.seed : null,
          path,
          thumbnailPath: thumb,
          width: info.width,
          height: info.height,
          bytes: bytes.byteLength,
          sha256,
          createdAt: now,
          modelIdentity,
        });
      })
      .immediate(),
  );
  return { file, status: 'imported', generationId: uid, imageId, source: restored.source, notes };
}
