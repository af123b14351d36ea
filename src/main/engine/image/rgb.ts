/**
 * VAE output → 8-bit RGB, as the official demo: (x + 1)/2, clamp to [0, 1], ×255, round
 * (newbie-model.md §2.10; NewBie-image-Exp0.1 demo.py). Float32 arithmetic op by op, ties to even (torch.round).
 */
import { StudioError } from '../../../shared/errors';

const f = Math.fround;

/** Round half to even, as torch.round / numpy.round. */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Maps a value in [−1, 1] (clamped) to 0..255: round(clamp((v + 1)/2, 0, 1)·255) in float32. */
export function unitToByte(v: number): number {
  let y = f(f(f(v) + 1) * 0.5);
  if (y < 0) y = 0;
  else if (y > 1) y = 1;
  return roundHalfEven(f(y * 255));
}

/**
 * Planar VAE image → interleaved RGB8.
 * @param image Float32Array [3, height, width] (C-order), values nominally in [−1, 1]
 * @param height, width pixels
 * @returns Uint8Array [height, width, 3] (HWC, row-major)
 * @throws StudioError InvalidRequest when the length is not 3·height·width; EngineCrashed when the decoder produced
 *   NaN or ±Inf (numerical overflow; fp32 precision avoids it)
 */
export function vaeImageToRgb8(image: Float32Array, height: number, width: number): Uint8Array {
  const plane = height * width;
  if (!Number.isInteger(plane) || plane <= 0 || image.length !== 3 * plane) {
    throw new StudioError(
      'InvalidRequest',
      `VAE image has ${image.length} values, expected 3×${height}×${width}.`,
    );
  }
  const out = new Uint8Array(3 * plane);
  let bad = 0;
  for (let c = 0; c < 3; c++) {
    const base = c * plane;
    for (let p = 0; p < plane; p++) {
      const v = image[base + p];
      if (!Number.isFinite(v)) bad++;
      out[3 * p + c] = unitToByte(v);
    }
  }
  if (bad > 0) {
    throw new StudioError(
      'EngineCrashed',
      `The VAE decoder produced ${bad} non-finite values (NaN/Inf): numerical overflow.`,
      'Run the VAE in fp32 (--precision fp32).',
    );
  }
  return out;
}
