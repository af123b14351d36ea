/**
 * Gallery thumbnails: WebP made with sharp (libvips), so the gallery never decodes full-size PNGs.
 */
import sharp from 'sharp';

/** Longest side of a thumbnail in pixels (a 1024² image → 384², ~15-30 KB). */
export const THUMBNAIL_SIZE = 384;

/**
 * Encodes a WebP thumbnail of an image file's bytes (PNG, JPEG or WebP), fitted inside THUMBNAIL_SIZE², never enlarged.
 * @throws sharp's error for bytes it cannot decode.
 */
export async function makeThumbnail(image: Uint8Array): Promise<Buffer> {
  return sharp(image)
    .resize({ width: THUMBNAIL_SIZE, height: THUMBNAIL_SIZE, fit: 'inside', withoutEnlargement: true })
    .webp({ quality: 80, effort: 2 })
    .toBuffer();
}

/** Pixel size and container format of image bytes, read from the header only. */
export async function imageInfo(
  image: Uint8Array,
): Promise<{ width: number; height: number; format: string }> {
  const meta = await sharp(image).metadata();
  return { width: meta.width ?? 0, height: meta.height ?? 0, format: meta.format ?? 'unknown' };
}
