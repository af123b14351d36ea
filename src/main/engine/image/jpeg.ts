/**
 * The EXIF UserComment of a JPEG, where A1111 (via piexif) and Fooocus store generation parameters.
 * Structure: JPEG markers (ITU-T T.81 Annex B) → APP1 "Exif\0\0" → TIFF header → IFD0 → tag 0x8769 (Exif IFD)
 * → tag 0x9286 UserComment, type UNDEFINED: an 8-byte character code ("ASCII\0\0\0", "UNICODE\0", "JIS\0…",
 * or 8 NULs) followed by the text (EXIF 2.32 §4.6.5, Table 9).
 */
import { StudioError } from '../../../shared/errors';

const EXIF_IFD_POINTER = 0x8769;
const USER_COMMENT = 0x9286;

/** Whether bytes start with a JPEG SOI marker. */
export function isJpeg(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

function truncated(source: string, what: string): StudioError {
  return new StudioError(
    'InvalidRequest',
    `${source}: ${what}`,
    'The file is damaged or incomplete: use an intact copy.',
  );
}

/**
 * Reads the UserComment text of a JPEG's EXIF block.
 * @param bytes the whole file; @param source file name for messages
 * @returns the comment text, or undefined when the file has no EXIF UserComment
 * @throws StudioError InvalidRequest when the file is empty, not a JPEG, or truncated (a segment past the end, no
 *   end-of-image marker after the scan)
 */
export function readJpegUserComment(bytes: Uint8Array, source = 'JPEG data'): string | undefined {
  if (bytes.length === 0) throw truncated(source, 'the file is empty');
  if (!isJpeg(bytes)) throw new StudioError('InvalidRequest', `${source} is not a JPEG file.`);
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let comment: string | undefined;
  let pos = 2;
  for (;;) {
    if (pos + 4 > buf.length) throw truncated(source, 'the file is truncated before the image data');
    if (buf[pos] !== 0xff) throw truncated(source, `no JPEG marker at byte ${pos}`);
    const marker = buf[pos + 1];
    if (marker === 0xff) {
      pos++; // fill byte
      continue;
    }
    if (marker === 0xd9) throw truncated(source, 'the file ends before the image data');
    const length = buf.readUInt16BE(pos + 2);
    const end = pos + 2 + length;
    if (length < 2 || end > buf.length)
      throw truncated(source, `the file is truncated inside a segment at byte ${pos}`);
    if (
      marker === 0xe1 &&
      comment === undefined &&
      buf.toString('latin1', pos + 4, pos + 10) === 'Exif\u0000\u0000'
    ) {
      comment = exifUserComment(buf.subarray(pos + 10, end));
    }
    if (marker === 0xda) {
      // Entropy-coded data: 0xFF is always followed by 0x00 or a restart marker, so FF D9 is the real end.
      if (buf.indexOf(Buffer.from([0xff, 0xd9]), end) < 0)
        throw truncated(source, 'the image data is cut off (no end marker)');
      return comment;
    }
    pos = end;
  }
}

/** UserComment from a TIFF block; undefined when absent or malformed (a bad EXIF block is not a bad image). */
function exifUserComment(tiff: Buffer): string | undefined {
  if (tiff.length < 8) return undefined;
  const order = tiff.toString('latin1', 0, 2);
  if (order !== 'II' && order !== 'MM') return undefined;
  const le = order === 'II';
  const u16 = (o: number) => (le ? tiff.readUInt16LE(o) : tiff.readUInt16BE(o));
  const u32 = (o: number) => (le ? tiff.readUInt32LE(o) : tiff.readUInt32BE(o));
  const findTag = (ifd: number, tag: number): { count: number; valueAt: number } | undefined => {
    if (ifd + 2 > tiff.length) return undefined;
    const n = u16(ifd);
    for (let i = 0; i < n; i++) {
      const e = ifd + 2 + 12 * i;
      if (e + 12 > tiff.length) return undefined;
      if (u16(e) !== tag) continue;
      const count = u32(e + 4);
      const valueAt = count <= 4 ? e + 8 : u32(e + 8);
      return valueAt + count <= tiff.length ? { count, valueAt } : undefined;
    }
    return undefined;
  };
  const exifPtr = findTag(u32(4), EXIF_IFD_POINTER);
  if (!exifPtr) return undefined;
  const uc = findTag(u32(exifPtr.valueAt), USER_COMMENT);
  if (!uc || uc.count < 8) return undefined;
  return decodeUserComment(tiff.subarray(uc.valueAt, uc.valueAt + uc.count));
}

function decodeUserComment(raw: Buffer): string {
  const code = raw.toString('latin1', 0, 8);
  const body = raw.subarray(8);
  if (code === 'UNICODE\u0000') {
    // UTF-16 without a stated byte order: piexif (A1111) writes big-endian; pick the order whose high bytes are
    // mostly zero (text is mostly ASCII), honouring a BOM when present.
    if (body[0] === 0xff && body[1] === 0xfe) return new TextDecoder('utf-16le').decode(body.subarray(2));
    if (body[0] === 0xfe && body[1] === 0xff) return decodeUtf16Be(body.subarray(2));
    let evenZeros = 0;
    let oddZeros = 0;
    for (let i = 0; i + 1 < body.length; i += 2) {
      if (body[i] === 0) evenZeros++;
      if (body[i + 1] === 0) oddZeros++;
    }
    return evenZeros >= oddZeros ? decodeUtf16Be(body) : new TextDecoder('utf-16le').decode(body);
  }
  if (code.startsWith('JIS')) return new TextDecoder('shift_jis').decode(body);
  // ASCII or undefined code: UTF-8 is a superset of ASCII and what most writers use for the undefined code.
  const text = new TextDecoder('utf-8').decode(body);
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 0) end--; // NUL padding
  return text.slice(0, end);
}

function decodeUtf16Be(body: Buffer): string {
  const swapped = Buffer.from(body.subarray(0, body.length & ~1));
  swapped.swap16();
  return new TextDecoder('utf-16le').decode(swapped);
}
