/**
 * Reconcile: compares the rows with the files of the data dir and reports every drift (peer-apps.md §2: InvokeAI's
 * database and files drifting apart). Reports by default; `repair` fixes what is safe (files in the wrong place after
 * a crash, missing thumbnails); `importOrphans` records image files without a row where they lie.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StudioError } from '../../shared/errors';
import {
  TEMP_PREFIX,
  moveDurably,
  thumbnailRelativePath,
  toRelative,
  trashRelativePath,
  writeFileAtomic,
} from './files';
import { importImage, restoreRequest } from './importer';
import { stmt } from './rows';
import type { HistoryStore } from './store';
import { makeThumbnail } from './thumbnails';
import type { EntrySource, ReconcileReport } from './types';

export interface ReconcileOptions {
  /** Move misplaced files back and remake missing thumbnails. */
  repair?: boolean;
  /** Import orphan image files that carry generation metadata, in place. */
  importOrphans?: boolean;
}

/** Every file under `dir` (recursive), as absolute paths; an absent folder has none. */
async function walk(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

interface Row {
  id: number;
  uid: string;
  path: string;
  thumbnail_path: string | null;
  deleted_at: number | null;
}

/**
 * Checks the database (`PRAGMA quick_check`) and every image row against the files, then every file against the rows.
 * Never deletes anything.
 * @returns the report (see ReconcileReport); `repaired` counts fixes made with `repair`/`importOrphans`.
 */
export async function reconcile(store: HistoryStore, opts: ReconcileOptions = {}): Promise<ReconcileReport> {
  const checks = store.guard(() => store.db.pragma('quick_check') as { quick_check: string }[]);
  const integrity = checks.map((c) => c.quick_check).join('; ');
  const rows = store.guard(
    () =>
      stmt(
        store.db,
        'SELECT i.id, g.uid, i.path, i.thumbnail_path, i.deleted_at FROM images i JOIN generations g ON g.id = i.generation_id',
      ).all() as Row[],
  );
  const report: ReconcileReport = {
    missingFiles: [],
    missingThumbnails: [],
    misplaced: [],
    orphanFiles: [],
    orphanThumbnails: [],
    tempFiles: [],
    integrity,
    repaired: 0,
  };
  const known = new Set<string>();
  const abs = (rel: string) => store.absolutePath(rel);

  for (const r of rows) {
    const deleted = r.deleted_at !== null;
    const place = (rel: string) => (deleted ? trashRelativePath(rel) : rel);
    const other = (rel: string) => (deleted ? rel : trashRelativePath(rel));
    known.add(r.path);
    if (r.thumbnail_path) known.add(r.thumbnail_path);
    let imagePresent = true;
    if (!existsSync(abs(place(r.path)))) {
      if (existsSync(abs(other(r.path)))) {
        report.misplaced.push({ imageId: r.id, expected: place(r.path), found: other(r.path) });
        if (opts.repair) {
          await moveDurably(abs(other(r.path)), abs(place(r.path)));
          if (r.thumbnail_path && existsSync(abs(other(r.thumbnail_path))))
            await moveDurably(abs(other(r.thumbnail_path)), abs(place(r.thumbnail_path)));
          report.repaired++;
        } else imagePresent = false;
      } else {
        report.missingFiles.push({ imageId: r.id, generationId: r.uid, path: place(r.path) });
        imagePresent = false;
      }
    }
    const thumb = r.thumbnail_path ?? thumbnailRelativePath(r.path);
    if (!existsSync(abs(place(thumb)))) {
      report.missingThumbnails.push({ imageId: r.id, path: place(thumb) });
      if (opts.repair && imagePresent) {
        await writeFileAtomic(abs(place(thumb)), await makeThumbnail(await readFile(abs(place(r.path)))));
        store.guard(() =>
          stmt(store.db, 'UPDATE images SET thumbnail_path = ? WHERE id = ?').run(thumb, r.id),
        );
        known.add(thumb);
        report.repaired++;
      }
    }
  }

  const dataDir = store.dataDir;
  for (const folder of ['images', 'thumbnails', 'trash']) {
    for (const file of await walk(join(dataDir, folder))) {
      const rel = toRelative(dataDir, file);
      const name = rel.slice(rel.lastIndexOf('/') + 1);
      if (name.startsWith(TEMP_PREFIX)) {
        report.tempFiles.push(rel);
        continue;
      }
      if (folder === 'trash' || known.has(rel)) continue;
      if (folder === 'thumbnails') {
        report.orphanThumbnails.push(rel);
        continue;
      }
      let source: EntrySource = 'none';
      try {
        source = restoreRequest(await readFile(file), name).source;
      } catch (e) {
        if (!(e instanceof StudioError)) throw e;
      }
      const orphan: ReconcileReport['orphanFiles'][number] = {
        path: rel,
        importable: source !== 'none',
        source,
      };
      if (opts.importOrphans && orphan.importable) {
        const res = await importImage(store, file, { inPlace: rel });
        if (res.generationId) {
          orphan.imported = res.generationId;
          known.add(thumbnailRelativePath(rel));
          report.repaired++;
        }
      }
      report.orphanFiles.push(orphan);
    }
  }
  return report;
}
