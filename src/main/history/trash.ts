/**
 * Delete, undo and purge of images: files move to `trash/<relative path>` and back; rows carry `deleted_at`.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { moveDurably, trashRelativePath } from './files';
import { stmt } from './rows';
import type { HistoryStore } from './store';

/**
 * Moves images (and their thumbnails) to the trash (`delete`, rows marked `deleted_at = now`) or back (`restore`).
 * Files first, then the row, one image at a time; no transaction is held across the awaits, so other writes keep
 * going. A failed move puts back what already moved and rethrows; a crash between the moves and the update is
 * `misplaced` in reconcile. @returns the ids moved (unknown ids and ids already in the target state are skipped).
 */
export async function moveImages(
  store: HistoryStore,
  imageIds: number[],
  op: 'delete' | 'restore',
  now: number,
): Promise<number[]> {
  const done: number[] = [];
  for (const id of imageIds) {
    const row = store.guard(() =>
      stmt(store.db, 'SELECT path, thumbnail_path, deleted_at FROM images WHERE id = ?').get(id),
    ) as { path: string; thumbnail_path: string | null; deleted_at: number | null } | undefined;
    if (!row || (op === 'delete') !== (row.deleted_at === null)) continue;
    const moves = [row.path, row.thumbnail_path]
      .filter((p): p is string => p !== null)
      .map((p) => {
        const [from, to] = op === 'delete' ? [p, trashRelativePath(p)] : [trashRelativePath(p), p];
        return { from: store.absolutePath(from), to: store.absolutePath(to) };
      });
    const moved: { from: string; to: string }[] = [];
    try {
      for (const m of moves) {
        if (!existsSync(m.from)) continue;
        await moveDurably(m.from, m.to);
        moved.push(m);
      }
    } catch (e) {
      for (const m of moved.reverse()) await moveDurably(m.to, m.from).catch(() => undefined);
      throw e;
    }
    store.guard(() =>
      stmt(store.db, 'UPDATE images SET deleted_at = ? WHERE id = ?').run(op === 'delete' ? now : null, id),
    );
    done.push(id);
  }
  return done;
}

/**
 * Permanently removes trashed images deleted before `before`: each row first, then its files in `trash/` (a crash in
 * between leaves only trash files, which never surface as history). @returns the number of images purged.
 */
export async function emptyTrash(store: HistoryStore, before: number): Promise<number> {
  const rows = store.guard(() =>
    stmt(
      store.db,
      'SELECT id, path, thumbnail_path FROM images WHERE deleted_at IS NOT NULL AND deleted_at < ?',
    ).all(before),
  ) as { id: number; path: string; thumbnail_path: string | null }[];
  for (const r of rows) {
    store.guard(() => stmt(store.db, 'DELETE FROM images WHERE id = ?').run(r.id));
    for (const p of [r.path, r.thumbnail_path])
      if (p) await rm(store.absolutePath(trashRelativePath(p)), { force: true });
  }
  return rows.length;
}
