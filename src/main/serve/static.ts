/**
 * Files of the built renderer (`out/renderer`) for serve mode: `/` is `index.html`; every other path must name a
 * regular file inside the folder (segments checked like image paths, symlinks resolved and kept inside).
 */
import { realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import type { ImageLookup } from './imagePath';

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  json: 'application/json',
  map: 'application/json',
  svg: 'image/svg+xml',
  png: 'image/png',
  webp: 'image/webp',
  ico: 'image/x-icon',
  ttf: 'font/ttf',
  woff: 'font/woff',
  woff2: 'font/woff2',
  wasm: 'application/wasm',
  txt: 'text/plain; charset=utf-8',
};

/**
 * @param rendererDir  the built renderer folder
 * @param rawPath      request path, percent-encoded, starting with `/`
 * @returns the file to send, or 403 (traversal) / 404
 */
export async function resolveStaticFile(rendererDir: string, rawPath: string): Promise<ImageLookup> {
  const rel = rawPath === '/' || rawPath === '' ? 'index.html' : rawPath.replace(/^\/+/, '');
  const segments: string[] = [];
  for (const raw of rel.split('/')) {
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      return { ok: false, status: 404, reason: 'malformed percent-encoding' };
    }
    if (seg === '' || seg === '.' || seg === '..' || /[/\\\0]/.test(seg) || /^[A-Za-z]:/.test(seg)) {
      return { ok: false, status: 403, reason: 'path segment not allowed' };
    }
    segments.push(seg);
  }
  const ext = /\.([A-Za-z0-9]+)$/.exec(segments[segments.length - 1]!)?.[1]?.toLowerCase() ?? '';
  const contentType = TYPES[ext];
  if (!contentType) return { ok: false, status: 404, reason: 'unknown file type' };
  let root: string;
  let real: string;
  try {
    root = await realpath(rendererDir);
    real = await realpath(join(rendererDir, ...segments));
  } catch {
    return { ok: false, status: 404, reason: 'no such file' };
  }
  if (!real.startsWith(root + sep)) return { ok: false, status: 403, reason: 'outside the renderer folder' };
  const st = await stat(real).catch(() => undefined);
  if (!st?.isFile()) return { ok: false, status: 404, reason: 'no such file' };
  return { ok: true, path: real, contentType, size: st.size };
}
