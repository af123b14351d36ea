/**
 * The `studio-image://` protocol (conventions.md §6, architecture.md §5): the renderer shows history images and
 * thumbnails as `studio-image://data/<data-dir-relative path>`; only regular files under the data dir's `images/` and
 * `thumbnails/` are served (serve/imagePath.ts decides), everything else is 403/404.
 */
import { readFile } from 'node:fs/promises';
import { resolveDataImage } from '../serve/imagePath';

export const IMAGE_SCHEME = 'studio-image';
/** The fixed host of image URLs: `studio-image://data/images/…`. */
export const IMAGE_HOST = 'data';

export interface ProtocolLike {
  registerSchemesAsPrivileged(schemes: Array<{ scheme: string; privileges: Record<string, boolean> }>): void;
  handle(scheme: string, handler: (request: Request) => Promise<Response>): void;
}

/** Before `app.ready`: a standard, secure scheme (so `<img>` and fetch accept it), no CORS bypass, no service workers. */
export function registerImageScheme(protocol: Pick<ProtocolLike, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: IMAGE_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
  ]);
}

/**
 * The response for one `studio-image://` URL: the file's bytes with its content type, or 403/404 (plain text,
 * no path in it).
 */
export async function imageResponse(dataDir: string, url: string): Promise<Response> {
  const prefix = `${IMAGE_SCHEME}://${IMAGE_HOST}/`;
  if (!url.toLowerCase().startsWith(prefix)) return new Response('Not found', { status: 404 });
  // Keep the path as it arrived (percent-encoded): imagePath decodes and checks every segment itself.
  const rawPath = url.slice(prefix.length);
  const found = await resolveDataImage(dataDir, rawPath);
  if (!found.ok) return new Response(found.status === 403 ? 'Forbidden' : 'Not found', { status: found.status });
  const bytes = await readFile(found.path);
  return new Response(bytes, { status: 200, headers: { 'content-type': found.contentType, 'cache-control': 'private, max-age=3600' } });
}

/** After `app.ready`: serve `studio-image://` from `dataDir`. */
export function handleImageProtocol(protocol: Pick<ProtocolLike, 'handle'>, dataDir: string): void {
  protocol.handle(IMAGE_SCHEME, (request) => imageResponse(dataDir, request.url));
}
