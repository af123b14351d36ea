/**
 * PNG files with generation metadata: fast-png writes the pixels, this module adds and reads the text chunks
 * (PNG spec, W3C 2nd/3rd edition §11.3.3: tEXt, zTXt, iTXt) with node:zlib for CRC32 and inflate.
 * Output bytes depend only on the inputs (no tIME chunk, keys of the JSON sorted): identical requests give
 * byte-identical files (conventions.md §6).
 */
import { crc32, inflateSync } from 'node:zlib';
import { encode } from 'fast-png';
import { StudioError } from '../../../shared/errors';

export type PngTextType = 'tEXt' | 'iTXt' | 'zTXt';

export interface PngTextChunk {
  keyword: string;
  text: string;
  type: PngTextType;
}

export interface PngMetadata {
  /** A1111 infotext: tEXt when Latin-1 encodable, else iTXt with the same keyword. */
  parameters?: string;
  /** Written as an iTXt chunk `newbie` holding JSON with sorted keys. */
  newbie?: object;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** zlib level for full images: fflate's default-like trade-off; any level gives deterministic bytes. */
const IMAGE_ZLIB_LEVEL = 6;
/**
 * Decompressed text larger than this, per file (all zTXt / compressed iTXt chunks together), is refused: a zip bomb
 * in a dropped file must not exhaust memory, and many small bombs are as bad as one big one.
 */
const MAX_TEXT_BYTES = 32 * 1024 * 1024;
/** Latin-1 without NUL: what a tEXt chunk can hold. */
function isLatin1WithoutNul(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0 || c > 0xff) return false;
  }
  return true;
}

/** JSON with object keys sorted at every level: the same value always gives the same bytes. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const sorted: Record<string, unknown> = {};
      for (const k of Object.keys(v as Record<string, unknown>).sort())
        sorted[k] = (v as Record<string, unknown>)[k];
      return sorted;
    }
    return v;
  });
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const typeBytes = Buffer.from(type, 'latin1');
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  typeBytes.copy(out, 4);
  out.set(data, 8);
  out.writeUInt32BE(crc32(data, crc32(typeBytes)), 8 + data.length);
  return out;
}

function textChunk(keyword: string, text: string): Uint8Array {
  if (text.includes('\u0000')) {
    throw new StudioError(
      'InvalidRequest',
      `PNG text "${keyword}" contains a NUL character, which PNG text cannot hold.`,
    );
  }
  if (isLatin1WithoutNul(text)) {
    return chunk(
      'tEXt',
      Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0]), Buffer.from(text, 'latin1')]),
    );
  }
  return internationalChunk(keyword, text);
}

/** iTXt: keyword, NUL, compression flag 0, method 0, empty language tag + NUL, empty translated keyword + NUL, UTF-8. */
function internationalChunk(keyword: string, text: string): Uint8Array {
  return chunk(
    'iTXt',
    Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0, 0, 0, 0, 0]), Buffer.from(text, 'utf8')]),
  );
}

/**
 * Encodes an 8-bit RGB image as PNG with metadata chunks placed right after IHDR (before the pixels, so readers
 * that stop at IDAT still see them).
 * @param rgb8 Uint8Array [height, width, 3] (HWC)
 * @param width, height pixels
 * @returns PNG file bytes (deterministic)
 * @throws StudioError InvalidRequest for a size mismatch or text with NUL characters
 */
export function encodePng(
  rgb8: Uint8Array,
  width: number,
  height: number,
  meta: PngMetadata = {},
): Uint8Array {
  if (
    !Number.isInteger(width) ||
    !Number.isInteger(height) ||
    width <= 0 ||
    height <= 0 ||
    rgb8.length !== width * height * 3
  ) {
    throw new StudioError(
      'InvalidRequest',
      `RGB8 buffer of ${rgb8.length} bytes does not match ${width}×${height}×3.`,
    );
  }
  const png = encode(
    { width, height, data: rgb8, channels: 3, depth: 8 },
    { zlib: { level: IMAGE_ZLIB_LEVEL } },
  );
  const extra: Uint8Array[] = [];
  if (meta.parameters !== undefined) extra.push(textChunk('parameters', meta.parameters));
  if (meta.newbie !== undefined) extra.push(internationalChunk('newbie', stableJson(meta.newbie)));
  if (extra.length === 0) return png;
  const afterIhdr = 8 + 12 + 13; // signature + IHDR (length, type, 13 data bytes, CRC)
  return Buffer.concat([png.subarray(0, afterIhdr), ...extra, png.subarray(afterIhdr)]);
}

function damaged(source: string, what: string): StudioError {
  return new StudioError(
    'InvalidRequest',
    `${source}: ${what}`,
    'The file is damaged or incomplete: use an intact copy.',
  );
}

/** Bytes of decompressed text a file may still produce. */
interface InflateBudget {
  left: number;
}

function inflateText(data: Uint8Array, source: string, keyword: string, type: PngTextType, budget: InflateBudget): Buffer {
  let out: Buffer;
  try {
    out = inflateSync(data, { maxOutputLength: Math.max(1, budget.left) });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw damaged(source, `its compressed text chunks unpack to more than ${MAX_TEXT_BYTES / 1024 / 1024} MB (a decompression bomb?)`);
    }
    throw damaged(source, `the ${type} chunk "${keyword}" cannot be decompressed`);
  }
  budget.left -= out.length;
  return out;
}

/** Whether bytes start with the PNG signature. */
export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && SIGNATURE.every((b, i) => bytes[i] === b);
}

/**
 * Every text chunk of a PNG, in file order, wherever it sits (also after IDAT).
 * zTXt and compressed iTXt are inflated; tEXt/zTXt are Latin-1, iTXt UTF-8.
 * @param bytes the whole file; @param source name for messages (the file name)
 * @throws StudioError InvalidRequest for an empty file, a non-PNG, a truncated file (chunk past the end, no IEND),
 *   or a text chunk with a bad CRC or undecompressable data
 */
export function readPngTextChunks(bytes: Uint8Array, source = 'PNG data'): PngTextChunk[] {
  if (bytes.length === 0) throw damaged(source, 'the file is empty');
  if (!isPng(bytes)) throw new StudioError('InvalidRequest', `${source} is not a PNG file.`);
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: PngTextChunk[] = [];
  const budget: InflateBudget = { left: MAX_TEXT_BYTES };
  let pos = 8;
  for (;;) {
    if (pos + 12 > buf.length) throw damaged(source, 'the file is truncated (no IEND chunk)');
    const length = buf.readUInt32BE(pos);
    const type = buf.toString('latin1', pos + 4, pos + 8);
    const end = pos + 12 + length;
    if (length > 0x7fffffff || end > buf.length)
      throw damaged(source, `the file is truncated inside a ${type} chunk`);
    if (type === 'IEND') return out;
    if (type === 'tEXt' || type === 'zTXt' || type === 'iTXt') {
      const data = buf.subarray(pos + 8, pos + 8 + length);
      if (crc32(data, crc32(buf.subarray(pos + 4, pos + 8))) !== buf.readUInt32BE(pos + 8 + length)) {
        throw damaged(source, `the ${type} chunk at byte ${pos} has a bad CRC`);
      }
      out.push(decodeTextChunk(type, data, source, budget));
    }
    pos = end;
  }
}

function decodeTextChunk(type: PngTextType, data: Buffer, source: string, budget: InflateBudget): PngTextChunk {
  const nul = data.indexOf(0);
  if (nul < 1) throw damaged(source, `a ${type} chunk has no keyword`);
  const keyword = data.toString('latin1', 0, nul);
  if (type === 'tEXt') return { keyword, type, text: data.toString('latin1', nul + 1) };
  if (type === 'zTXt') {
    return {
      keyword,
      type,
      text: inflateText(data.subarray(nul + 2), source, keyword, type, budget).toString('latin1'),
    };
  }
  const compressed = data[nul + 1] === 1;
  const langEnd = data.indexOf(0, nul + 3);
  const translatedEnd = langEnd < 0 ? -1 : data.indexOf(0, langEnd + 1);
  if (translatedEnd < 0) throw damaged(source, `the iTXt chunk "${keyword}" is malformed`);
  const body = data.subarray(translatedEnd + 1);
  const text = compressed ? inflateText(body, source, keyword, type, budget) : body;
  return { keyword, type, text: new TextDecoder('utf-8').decode(text) };
}
