/**
 * Which file an image URL may serve (conventions.md §6, architecture.md §5): only regular image files under the data
 * dir's `images/` and `thumbnails/`, addressed by their data-dir-relative path. Shared by Electron's
 * `studio-image://data/<path>` protocol and serve mode's `/studio-image/<path>` route. Electron-free.
 *
 * Refused: encoded or plain `..`/`.` segments, empty segments, backslashes, NUL, drive letters (403); other top
 * folders, other file types, missing files (404); a path whose real location (symlinks resolved) is outside the real
 * `images/` or `thumbnails/` folder (403).
 */
import { realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';

export const IMAGE_ROOTS = ['images', 'thumbnails'] as const;

const CONTENT_TYPES: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', webp: 'image/webp' };

export type ImageLookup = { ok: true; path: string; contentType: string; size: number } | { ok: false; status: 403 | 404; reason: string };

const refuse = (status: 403 | 404, reason: string): ImageLookup => ({ ok: false, status, reason });

/**
 * Resolves a request path to a file to serve.
 * @param dataDir   absolute data dir
 * @param rawPath   the path after the route prefix, still percent-encoded, e.g. `images/2026/05/01/<id>-0.png`
 *                  (a leading `/` and a query or fragment are ignored)
 * @returns the absolute real path and content type, or the HTTP status to answer (403 traversal, 404 not served).
 */
export async function resolveDataImage(dataDir: string, rawPath: string): Promise<ImageLookup> {
  const pathOnly = rawPath.replace(/[?#].*$/s, '').replace(/^\/+/, '');
  const segments: string[] = [];
  for (const raw of pathOnly.split('/')) {
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      return refuse(404, 'malformed percent-encoding');
    }
    if (seg === '' || seg === '.' || seg === '..' || /[/\\\0]/.test(seg) || /^[A-Za-z]:/.test(seg)) {
      return refuse(403, `path segment "${raw}" is not allowed`);
    }
    segments.push(seg);
  }
  const root = segments[0];
  if (segments.length < 2 || !(IMAGE_ROOTS as readonly string[]).includes(root ?? '')) return refuse(404, 'only images/ and thumbnails/ are served');
  const ext = /\.([A-Za-z0-9]+)$/.exec(segments[segments.length - 1]!)?.[1]?.toLowerCase() ?? '';
  const contentType = CONTENT_TYPES[ext];
  if (!contentType) return refuse(404, 'not an image file type');
  let real: string;
  let realRoot: string;
  try {
    realRoot = await realpath(join(dataDir, root!));
    real = await realpath(join(dataDir, ...segments));
  } catch {
    return refuse(404, 'no such image');
  }
  if (!real.startsWith(realRoot + sep)) return refuse(403, 'the file lies outside the image folders');
  const st = await stat(real).catch(() => undefined);
  if (!st?.isFile()) return refuse(404, 'no such image');
  return { ok: true, path: real, contentType, size: st.size };
}
