import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { roundHalfEven, vaeImageToRgb8 } from '../../../../../src/main/engine/image/rgb';
import {
  FLUX_LATENT_RGB_BIAS,
  FLUX_LATENT_RGB_FACTORS,
  latentPreviewPng,
  latentPreviewRgb,
} from '../../../../../src/main/engine/image/preview';
import { gaussianNoise } from '../../../../../src/main/engine/noise/philox';
import { readSafetensorsHeader, readTensorF32 } from '../../../../../src/main/engine/safetensors';
import { StudioError } from '../../../../../src/shared/errors';

const SHARED = join(__dirname, '../../../../../../shared');
const VAE_CASE = join(SHARED, 'golden/vae-a/outputs.safetensors');
const CONVENTIONS = join(SHARED, 'docs/conventions.md');
const needShared = (p: string) => (existsSync(p) || process.env['CI'] === 'true' ? it : it.skip);

describe('vaeImageToRgb8', () => {
  it('maps [−1, 1] to 0..255 with (x+1)/2, clamp, ×255, round, CHW → HWC', () => {
    // 1×3 image, planes R = [−1, 0, 1], G = [−0.5, 2, −3], B = [0.25, −0.25, 0.999]
    const chw = new Float32Array([-1, 0, 1, -0.5, 2, -3, 0.25, -0.25, 0.999]);
    // Hand-computed: G −0.5 → 63.75 → 64; B 0.25 → 159.375 → 159; −0.25 → 95.625 → 96; 0.999 → 254.87 → 255.
    expect(Array.from(vaeImageToRgb8(chw, 1, 3))).toEqual([0, 64, 159, 128, 255, 96, 255, 0, 255]);
  });

  it('rounds ties to even like torch.round', () => {
    expect([0.5, 1.5, 2.5, 3.5, 254.5, 127.4, 127.6].map(roundHalfEven)).toEqual([0, 2, 2, 4, 254, 127, 128]);
  });

  it('fails with EngineCrashed on NaN and InvalidRequest on a size mismatch', () => {
    expect(() => vaeImageToRgb8(new Float32Array([0, Number.NaN, 0]), 1, 1)).toThrow(/non-finite/);
    try {
      vaeImageToRgb8(new Float32Array(5), 1, 2);
      throw new Error('expected an error');
    } catch (e) {
      expect((e as StudioError).code).toBe('InvalidRequest');
    }
  });

  needShared(VAE_CASE)(
    'agrees with the reference post-processing of golden vae-a (image = clamp((x+1)/2))',
    () => {
      const h = readSafetensorsHeader(VAE_CASE);
      const decoded = readTensorF32(h.tensors.get('decoded_scaled')!);
      const image = readTensorF32(h.tensors.get('image')!);
      const [H, W] = [48, 80];
      const rgb = vaeImageToRgb8(decoded, H, W);
      for (let c = 0; c < 3; c++) {
        for (let p = 0; p < H * W; p++) {
          expect(rgb[3 * p + c]).toBe(Math.round(Math.fround(image[c * H * W + p] * 255)));
        }
      }
    },
  );
});

/** The preview matrix as printed in conventions.md §2 (rows of 4 channels × RGB, then the bias). */
function conventionsMatrix(): { factors: number[][]; bias: number[] } {
  const text = readFileSync(CONVENTIONS, 'utf8');
  const start = text.indexOf('```', text.indexOf('Live preview'));
  const block = text.slice(start + 3, text.indexOf('```', start + 3));
  const factors: number[][] = [];
  let bias: number[] = [];
  for (const line of block.split('\n')) {
    if (line.includes('bias:')) bias = line.split('bias:')[1].trim().split(/\s+/).map(Number);
    else if (line.includes('|'))
      for (const group of line.split('|')) factors.push(group.trim().split(/\s+/).map(Number));
  }
  return { factors, bias };
}

describe('latent preview', () => {
  needShared(CONVENTIONS)('uses the conventions.md §2 FLUX factors and bias', () => {
    const { factors, bias } = conventionsMatrix();
    expect(factors.length).toBe(16);
    expect(FLUX_LATENT_RGB_FACTORS.map((r) => [...r])).toEqual(factors);
    expect([...FLUX_LATENT_RGB_BIAS]).toEqual(bias);
  });

  it('a zero latent shows the bias: round((b + 1)/2·255)', () => {
    // (−0.0329+1)/2·255 = 123.31, (−0.0718+1)/2·255 = 118.35, (−0.0851+1)/2·255 = 116.65
    expect(Array.from(latentPreviewRgb(new Float32Array(16 * 2), 1, 2))).toEqual([
      123, 118, 117, 123, 118, 117,
    ]);
  });

  it('one channel set to 1 at one cell adds that channel’s factor row there only', () => {
    const h = 2;
    const w = 3;
    const x0 = new Float32Array(16 * h * w);
    x0[9 * h * w + 4] = 1; // channel 9, row 1, column 1
    const rgb = latentPreviewRgb(x0, h, w);
    const expected = [0.1008 - 0.0329, 0.0755 - 0.0718, -0.0421 - 0.0851].map((v) =>
      Math.round(((v + 1) / 2) * 255),
    );
    expect(Array.from(rgb.subarray(12, 15))).toEqual(expected);
    expect(Array.from(rgb.subarray(0, 3))).toEqual([123, 118, 117]);
  });

  it('clamps to [−1, 1] and encodes a w×h RGB8 PNG with the same pixels, deterministically', () => {
    const h = 4;
    const w = 6;
    const x0 = gaussianNoise(3, 16 * h * w).map((v) => v * 40);
    const rgb = latentPreviewRgb(x0, h, w);
    expect(rgb.some((v) => v === 0) && rgb.some((v) => v === 255)).toBe(true);
    const png = latentPreviewPng(x0, h, w);
    const img = decode(png);
    expect([img.width, img.height, img.channels, img.depth]).toEqual([w, h, 3, 8]);
    expect(Array.from(img.data)).toEqual(Array.from(rgb));
    expect(Buffer.from(latentPreviewPng(x0, h, w)).equals(Buffer.from(png))).toBe(true);
    expect(() => latentPreviewRgb(new Float32Array(10), 1, 1)).toThrow(StudioError);
  });
});
