/**
 * Durable file operations for the images folder: atomic writes (temp, fsync, rename, fsync dir), moves that keep the
 * folder structure, and the date-based layout of conventions.md §6 (`images/YYYY/MM/DD/<generationId>-<index>.png`).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';

/** Prefix of in-flight temp files; `reconcile` reports leftovers of a crash with it. */
export const TEMP_PREFIX = '.tmp-';

/** fsync a directory so a rename or a new entry in it survives power loss. No-op where directories cannot be opened (Windows). */
export async function fsyncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** mkdir -p, then fsync each parent of a newly created directory so the new entries are durable too. */
export async function ensureDir(dir: string): Promise<void> {
  const first = await mkdir(dir, { recursive: true });
  if (first === undefined) return;
  // Directories from `first` down to `dir` are new: each one's parent must be synced.
  const chain: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    chain.push(d);
    if (d === first || dirname(d) === d) break;
  }
  for (const d of chain.reverse()) await fsyncDir(dirname(d));
}

/**
 * Writes `bytes` to `file` so that after a crash the file is either absent or complete: write a temp file in the same
 * folder, fsync it, rename over `file`, fsync the folder. A failure removes the temp file and rethrows.
 */
export async function writeFileAtomic(file: string, bytes: Uint8Array): Promise<void> {
  const dir = dirname(file);
  await ensureDir(dir);
  const tmp = join(dir, `${TEMP_PREFIX}${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}`);
  const fh = await open(tmp, 'wx', 0o644);
  try {
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  await fsyncDir(dir);
}

/** Moves `from` to `to` (same volume: the data dir), creating folders and syncing both directories. */
export async function moveDurably(from: string, to: string): Promise<void> {
  await ensureDir(dirname(to));
  await rename(from, to);
  await fsyncDir(dirname(to));
  if (dirname(from) !== dirname(to)) await fsyncDir(dirname(from));
}

/** `images/YYYY/MM/DD/<generationId>-<index>.<ext>` relative to the data dir (forward slashes), local date. */
export function imageRelativePath(
  createdAt: number,
  generationId: string,
  index: number,
  ext = 'png',
): string {
  const d = new Date(createdAt);
  const yyyy = String(d.getFullYear()).padStart(4, '0');
  const mm = String(d.getMonth() + 1).padStart(2, '0');
  const dd = String(d.getDate()).padStart(2, '0');
  return `images/${yyyy}/${mm}/${dd}/${generationId}-${index}.${ext}`;
}

/** The thumbnail of an image: same relative path under `thumbnails/`, `.webp`. */
export function thumbnailRelativePath(imageRelative: string): string {
  return imageRelative.replace(/^images\//, 'thumbnails/').replace(/\.[A-Za-z0-9]+$/, '.webp');
}

/** Where a deleted file waits in the trash: `trash/<its relative path>`. */
export function trashRelativePath(relativePath: string): string {
  return `trash/${relativePath}`;
}

/** Data-dir-relative path (forward slashes) to an absolute path. */
export function toAbsolute(dataDir: string, relativePath: string): string {
  return join(dataDir, ...relativePath.split('/'));
}

/** Absolute path inside the data dir to its relative form (forward slashes). */
export function toRelative(dataDir: string, absolutePath: string): string {
  return relative(dataDir, absolutePath).split(sep).join('/');
}
