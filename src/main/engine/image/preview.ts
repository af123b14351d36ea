/**
 * Live preview: a fixed linear map of the predicted clean latent (16 FLUX channels, model space) to RGB, then
 * clamp [−1, 1] → [0, 255] (conventions.md §2). Factors: ComfyUI `comfy/latent_formats.py`, class Flux
 * (`latent_rgb_factors`, `latent_rgb_factors_bias`). One pixel per latent cell: the UI upscales.
 */
import { encode } from 'fast-png';
import { StudioError } from '../../../shared/errors';

/** Rows = latent channels 0..15, columns = R, G, B. */
export const FLUX_LATENT_RGB_FACTORS: ReadonlyArray<readonly [number, number, number]> = [
  [-0.0346, 0.0244, 0.0681],
  [0.0034, 0.021, 0.0687],
  [0.0275, -0.0668, -0.0433],
  [-0.0174, 0.016, 0.0617],
  [0.0859, 0.0721, 0.0329],
  [0.0004, 0.0383, 0.0115],
  [0.0405, 0.0861, 0.0915],
  [-0.0236, -0.0185, -0.0259],
  [-0.0245, 0.025, 0.118],
  [0.1008, 0.0755, -0.0421],
  [-0.0515, 0.0201, 0.0011],
  [0.0428, -0.0012, -0.0036],
  [0.0817, 0.0765, 0.0749],
  [-0.1264, -0.0522, -0.1103],
  [-0.028, -0.0881, -0.0499],
  [-0.1262, -0.0982, -0.0778],
];
export const FLUX_LATENT_RGB_BIAS: readonly [number, number, number] = [-0.0329, -0.0718, -0.0851];

const CHANNELS = FLUX_LATENT_RGB_FACTORS.length;

/** clamp(v, −1, 1) → 0..255, rounded half up (a preview needs no float32 parity; this is the cheap form). */
function toByte(v: number): number {
  if (!(v > -1)) return 0; // also NaN: a black pixel in a preview, the final image reports NaN as an error
  if (v >= 1) return 255;
  return ((v + 1) * 127.5 + 0.5) | 0;
}

/**
 * Latent → preview pixels.
 * @param x0 predicted clean latent, Float32Array [16, h, w] (C-order, model space)
 * @param h, w latent rows and columns (image size / 8)
 * @returns Uint8Array [h, w, 3] RGB8, rgb = clamp(bias + Σ_c x0[c]·F[c], −1, 1) mapped to 0..255
 * @throws StudioError InvalidRequest when the length is not 16·h·w
 */
export function latentPreviewRgb(x0: Float32Array, h: number, w: number): Uint8Array {
  const plane = h * w;
  if (!Number.isInteger(plane) || plane <= 0 || x0.length !== CHANNELS * plane) {
    throw new StudioError('InvalidRequest', `Preview latent has ${x0.length} values, expected 16×${h}×${w}.`);
  }
  // Channel-outer accumulation over contiguous planes (one pass per channel; ~5× faster than pixel-outer).
  const r = new Float64Array(plane).fill(FLUX_LATENT_RGB_BIAS[0]);
  const g = new Float64Array(plane).fill(FLUX_LATENT_RGB_BIAS[1]);
  const b = new Float64Array(plane).fill(FLUX_LATENT_RGB_BIAS[2]);
  for (let c = 0; c < CHANNELS; c++) {
    const [kr, kg, kb] = FLUX_LATENT_RGB_FACTORS[c];
    const base = c * plane;
    for (let p = 0; p < plane; p++) {
      const v = x0[base + p];
      r[p] += v * kr;
      g[p] += v * kg;
      b[p] += v * kb;
    }
  }
  const out = new Uint8Array(3 * plane);
  for (let p = 0; p < plane; p++) {
    out[3 * p] = toByte(r[p]);
    out[3 * p + 1] = toByte(g[p]);
    out[3 * p + 2] = toByte(b[p]);
  }
  return out;
}

/**
 * Latent → small PNG for progress events: stored (zlib level 0) because preview latents are noise-like and barely
 * compress (128×128: 47.8 kB at level 1 vs 49.3 kB stored) while level 1 costs ~4× the time; no metadata.
 * @param x0 Float32Array [16, h, w]; @param h, w latent size
 * @returns PNG file bytes, RGB8, w×h pixels
 */
export function latentPreviewPng(x0: Float32Array, h: number, w: number): Uint8Array {
  return encode(
    { width: w, height: h, data: latentPreviewRgb(x0, h, w), channels: 3, depth: 8 },
    { zlib: { level: 0 } },
  );
}
