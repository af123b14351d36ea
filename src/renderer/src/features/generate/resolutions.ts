/**
 * Image sizes: the official preset list and the rules for custom sizes.
 *
 * Presets: the NewBie-image-Exp0.1 demo list (newbie-model.md §4, [EXP] README.md / demo.py): 1024×1024 and the
 * portrait sizes 960×1088 … 512×2048 with their landscape transposes; every side a multiple of 64, area ≤ 1024²,
 * aspect ratio ≤ 4. Custom sizes: sides multiples of 16 (the VAE's 8× downsampling times the DiT's 2×2 patchify),
 * 16 … 4096 px (the contract's range).
 */

export interface SizePreset {
  width: number;
  height: number;
  label: string;
}

const PORTRAIT: ReadonlyArray<readonly [number, number]> = [
  [960, 1088],
  [896, 1152],
  [832, 1216],
  [768, 1344],
  [704, 1408],
  [640, 1536],
  [576, 1792],
  [512, 2048],
];

/** Reduced aspect ratio "w:h" (e.g. 832×1216 → "13:19"). */
export function aspectLabel(width: number, height: number): string {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  const g = gcd(width, height);
  return `${width / g}:${height / g}`;
}

const preset = (width: number, height: number): SizePreset => ({
  width,
  height,
  label: `${width}×${height} (${aspectLabel(width, height)})`,
});

/** The official presets: square first, then portrait and landscape pairs, closest to square first. */
export const SIZE_PRESETS: readonly SizePreset[] = [
  preset(1024, 1024),
  ...PORTRAIT.flatMap(([w, h]) => [preset(w, h), preset(h, w)]),
];

export const SIDE_MULTIPLE = 16;
export const SIDE_MIN = 16;
export const SIDE_MAX = 4096;

/** The preset with exactly this size, or undefined (then the size is custom). */
export function findPreset(width: number, height: number): SizePreset | undefined {
  return SIZE_PRESETS.find((p) => p.width === width && p.height === height);
}

/**
 * Why a custom side is not usable, or null when it is: an integer multiple of 16 in [16, 4096].
 * `name` is "Width" or "Height" (used in the message).
 */
export function sideProblem(name: string, value: number): string | null {
  if (!Number.isInteger(value)) return `${name} must be a whole number of pixels.`;
  if (value < SIDE_MIN || value > SIDE_MAX) return `${name} must be between ${SIDE_MIN} and ${SIDE_MAX} px.`;
  if (value % SIDE_MULTIPLE !== 0) {
    const down = Math.max(SIDE_MIN, Math.floor(value / SIDE_MULTIPLE) * SIDE_MULTIPLE);
    return `${name} must be a multiple of ${SIDE_MULTIPLE} px (try ${down} or ${down + SIDE_MULTIPLE}).`;
  }
  return null;
}

/** Nearest usable side for a typed value (rounded to a multiple of 16 and clamped). */
export function snapSide(value: number): number {
  if (!Number.isFinite(value)) return SIDE_MIN;
  return Math.min(SIDE_MAX, Math.max(SIDE_MIN, Math.round(value / SIDE_MULTIPLE) * SIDE_MULTIPLE));
}
