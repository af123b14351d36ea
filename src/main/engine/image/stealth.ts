/**
 * "Stealth pnginfo": A1111 parameters hidden in the least significant bits of the pixels
 * (ashen-sensored/sd_webui_stealth_pnginfo `stealth_pnginfo.py` `read_info_from_image_stealth`).
 * Bits are read column by column (x outer, y inner): alpha mode takes alpha & 1 of each pixel, RGB mode takes
 * r & 1, g & 1, b & 1. Layout: 15-byte signature ("stealth_pnginfo" / "stealth_pngcomp" in alpha mode,
 * "stealth_rgbinfo" / "stealth_rgbcomp" in RGB mode), a 32-bit big-endian payload length in bits, the payload
 * (UTF-8, gzip-compressed for the "comp" signatures).
 */
import { gunzipSync } from 'node:zlib';
import { decode } from 'fast-png';

const MAX_TEXT_BYTES = 32 * 1024 * 1024;
/**
 * Images with more pixels than this are not decoded to look for hidden text: the IHDR size is the attacker's word,
 * and a 1 MB file of zeros can claim 16384×16384 RGBA (1 GiB of pixels, ~15 s of blocked main process).
 */
export const MAX_STEALTH_PIXELS = 40_000_000;

export interface StealthText {
  text: string;
  mode: 'alpha' | 'rgb';
  compressed: boolean;
}

/**
 * Looks for stealth parameters in the pixels of a PNG (8-bit RGB or RGBA only).
 * @param png the whole PNG file
 * @returns the hidden text, or undefined when there is none (or it cannot be decoded, or the IHDR claims more than
 *   MAX_STEALTH_PIXELS pixels)
 */
export function readStealthText(png: Uint8Array): StealthText | undefined {
  // IHDR is the first chunk: width and height at bytes 16 and 20 (big-endian).
  if (png.length < 24) return undefined;
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  if (view.getUint32(16) * view.getUint32(20) > MAX_STEALTH_PIXELS) return undefined;
  let image: ReturnType<typeof decode>;
  try {
    image = decode(png);
  } catch {
    return undefined;
  }
  const { width, height, channels, depth, data } = image;
  if (depth !== 8 || image.palette || (channels !== 3 && channels !== 4)) return undefined;
  const modes: Array<'alpha' | 'rgb'> = channels === 4 ? ['alpha', 'rgb'] : ['rgb'];
  for (const mode of modes) {
    const perPixel = mode === 'alpha' ? 1 : 3;
    const totalBits = width * height * perPixel;
    const bit = (i: number): number => {
      const pixel = Math.floor(i / perPixel);
      const x = Math.floor(pixel / height);
      const y = pixel % height;
      const channel = mode === 'alpha' ? 3 : i % perPixel;
      return data[(y * width + x) * channels + channel] & 1;
    };
    const readBytes = (fromBit: number, n: number): Buffer => {
      const out = Buffer.alloc(n);
      for (let k = 0; k < n; k++) {
        let v = 0;
        for (let b = 0; b < 8; b++) v = (v << 1) | bit(fromBit + 8 * k + b);
        out[k] = v;
      }
      return out;
    };
    if (totalBits < 152) continue;
    const signature = readBytes(0, 15).toString('latin1');
    const prefix = mode === 'alpha' ? 'stealth_png' : 'stealth_rgb';
    if (signature !== `${prefix}info` && signature !== `${prefix}comp`) continue;
    const lengthBits = readBytes(120, 4).readUInt32BE(0);
    if (lengthBits % 8 !== 0 || 152 + lengthBits > totalBits) return undefined;
    const payload = readBytes(152, lengthBits / 8);
    const compressed = signature.endsWith('comp');
    try {
      const bytes = compressed ? gunzipSync(payload, { maxOutputLength: MAX_TEXT_BYTES }) : payload;
      return { text: new TextDecoder('utf-8').decode(bytes), mode, compressed };
    } catch {
      return undefined;
    }
  }
  return undefined;
}
