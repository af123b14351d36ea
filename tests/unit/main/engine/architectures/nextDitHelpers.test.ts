/**
 * Pure parts of the NewBie DiT: patchify/unpatchify, position ids, RoPE tables, timestep frequencies (checked
 * against the golden intermediates `img_patches`, `position_ids`, `rope_cos/sin`, `t_freq`), and the configuration
 * read from tensor shapes (golden weights + synthetic checkpoints written from the model spec table).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ditConfigFromWeights,
  ditPositionIds,
  ditRopeTables,
  patchify,
  timestepFrequencies,
  unpatchify,
} from '../../../../../src/main/engine/architectures/nextDit';
import { WeightSet, readTensorInts, writeSafetensors } from '../../../../../src/main/engine/safetensors';
import { nextDitTensorSpecs, type NextDitDims } from '../../../../../src/main/models/specs';
import { StudioError } from '../../../../../src/shared/errors';
import { GOLDEN, itWithGolden } from '../../../../fixtures/golden';

const goldenIt = itWithGolden(GOLDEN, 'nextDitHelpers');

const tmp = mkdtempSync(join(tmpdir(), 'nextdit-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function expectStudioError(fn: () => unknown, code: string, text: RegExp): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(StudioError);
    expect((e as StudioError).code).toBe(code);
    expect((e as StudioError).message).toMatch(text);
    return;
  }
  throw new Error('expected a StudioError');
}

const caseFiles = (name: string) => ({
  inputs: WeightSet.fromFile(join(GOLDEN, name, 'inputs.safetensors')),
  outputs: WeightSet.fromFile(join(GOLDEN, name, 'outputs.safetensors')),
});

describe('patchify / unpatchify', () => {
  it('orders each patch vector (py, px, c) and tokens row-major', () => {
    // C=2, h=2, w=4, p=2: value = 100·c + 10·y + x, so every element names its source.
    const C = 2, h = 2, w = 4;
    const lat = Float32Array.from({ length: C * h * w }, (_, i) => {
      const c = Math.floor(i / (h * w)), y = Math.floor((i % (h * w)) / w), x = i % w;
      return 100 * c + 10 * y + x;
    });
    const tok = patchify(lat, C, h, w, 2);
    // token 1 = (r 0, c 1): pixels x 2..3, y 0..1; vector (py, px, c).
    expect(Array.from(tok.subarray(8, 16))).toEqual([2, 102, 3, 103, 12, 112, 13, 113]);
    expect(Array.from(unpatchify(tok, C, h, w, 2))).toEqual(Array.from(lat));
  });

  it('refuses sizes that are not multiples of the patch size', () => {
    expectStudioError(() => patchify(new Float32Array(16 * 3 * 4), 16, 3, 4, 2), 'InvalidRequest', /multiples of the patch size/);
    expectStudioError(() => unpatchify(new Float32Array(10), 16, 4, 4, 2), 'InvalidRequest', /needs 256/);
  });

  goldenIt('matches the reference img_patches (dit-b, both samples)', () => {
    const { inputs, outputs } = caseFiles('dit-b');
    const [B, C, h, w] = inputs.get('x').shape;
    const x = inputs.readF32('x'), ref = outputs.readF32('img_patches');
    const per = C * h * w;
    for (let i = 0; i < B; i++) expect(maxDiff(patchify(x.slice(i * per, (i + 1) * per), C, h, w, 2), ref.slice(i * per, (i + 1) * per))).toBe(0);
  });
});

describe('position ids and RoPE tables', () => {
  for (const name of ['dit-a', 'dit-b']) {
    goldenIt(`match the reference position_ids and rope_cos/sin on valid rows (${name})`, () => {
      const { inputs, outputs } = caseFiles(name);
      const [B, , h, w] = inputs.get('x').shape;
      const [, S, half] = outputs.get('rope_cos').shape;
      const mask = readTensorInts(inputs.get('cap_mask'));
      const Lmax = inputs.get('cap_mask').shape[1];
      const ids = readTensorInts(outputs.get('position_ids'));
      const cosRef = outputs.readF32('rope_cos'), sinRef = outputs.readF32('rope_sin');
      const cfg = name === 'dit-a' ? { axesDims: [8, 8, 16], axesLens: [64, 32, 32], ropeTheta: 10000 } : { axesDims: [4, 4, 8], axesLens: [64, 32, 32], ropeTheta: 10000 };
      let worst = 0;
      for (let i = 0; i < B; i++) {
        const L = mask.slice(i * Lmax, (i + 1) * Lmax).reduce((a, v) => a + v, 0);
        const rows = L + (h / 2) * (w / 2);
        expect(Array.from(ditPositionIds(L, h / 2, w / 2))).toEqual(ids.slice(i * S * 3, i * S * 3 + rows * 3));
        const t = ditRopeTables(cfg, L, h / 2, w / 2);
        expect([t.rows, t.half]).toEqual([rows, half]);
        worst = Math.max(worst, maxDiff(t.cos, cosRef.slice(i * S * half, i * S * half + rows * half)));
        worst = Math.max(worst, maxDiff(t.sin, sinRef.slice(i * S * half, i * S * half + rows * half)));
        // The caption-only table is the first L rows of the joint one.
        expect(Array.from(ditRopeTables(cfg, L, 0, 0).cos)).toEqual(Array.from(t.cos.subarray(0, L * half)));
      }
      expect(worst).toBeLessThan(1e-6);
    });
  }

  it('refuses captions and grids past the RoPE limits', () => {
    const spec = { axesDims: [8, 8, 16], axesLens: [64, 32, 32], ropeTheta: 10000 };
    expect(() => ditRopeTables(spec, 63, 32, 32)).not.toThrow();
    expectStudioError(() => ditRopeTables(spec, 64, 4, 4), 'InvalidRequest', /supports 1 to 63/);
    expectStudioError(() => ditRopeTables(spec, 0, 4, 4), 'InvalidRequest', /0 tokens/);
    expectStudioError(() => ditRopeTables(spec, 8, 33, 4), 'InvalidRequest', /33×4 tokens/);
  });
});

describe('timestep embedding frequencies', () => {
  goldenIt('[cos(t·f), sin(t·f)] matches the reference t_freq (dit-b, t = 0.8 and 0.15)', () => {
    const { inputs, outputs } = caseFiles('dit-b');
    const t = inputs.readF32('t');
    const ref = outputs.readF32('t_freq');
    const f = timestepFrequencies(256);
    expect(f.length).toBe(128);
    const got: number[] = [];
    for (const ti of t) {
      const args = Array.from(f, (x) => Math.fround(ti * x));
      got.push(...args.map(Math.cos), ...args.map(Math.sin));
    }
    expect(maxDiff(got, ref)).toBeLessThan(1e-6);
  });
});

describe('ditConfigFromWeights', () => {
  goldenIt('reads the golden cases as their constructor arguments and derived values say', () => {
    for (const [name, heads, kv, hd, axes] of [
      ['dit-a', 3, 1, 32, [8, 8, 16]],
      ['dit-b', 6, 2, 16, [4, 4, 8]],
    ] as const) {
      const json = { constructor_kwargs: { axes_dims: axes, axes_lens: [64, 32, 32], patch_size: 2, n_heads: heads } };
      const c = ditConfigFromWeights(WeightSet.fromFile(join(GOLDEN, name, 'weights.safetensors')), '', json.constructor_kwargs);
      expect(c).toMatchObject({
        dim: 96,
        nHeads: heads,
        nKvHeads: kv,
        headDim: hd,
        axesDims: [...axes],
        nLayers: 2,
        nNoiseRefiner: 1,
        nContextRefiner: 1,
        capFeatDim: 32,
        clipTextDim: 48,
        adalnDim: 96,
        timestepFreqDim: 256,
        ffnDim: 512,
        patchSize: 2,
        inChannels: 16,
        normEps: 1e-5,
        capEmbedderEps: 1e-5,
        qkNormEps: 1e-6,
        clipPooledEps: 1e-6,
        finalEps: 1e-6,
      });
    }
  });

  goldenIt('refuses the published [32,32,32] RoPE split when head_dim is 32 (no config)', () => {
    const ws = WeightSet.fromFile(join(GOLDEN, 'dit-a', 'weights.safetensors'));
    expectStudioError(() => ditConfigFromWeights(ws), 'ModelInvalid', /axes_dims \[32, 32, 32\].*head_dim 32/);
  });

  const dims: NextDitDims = {
    dim: 48, nHeads: 4, nKvHeads: 2, headDim: 12, nLayers: 3, nNoiseRefiner: 2, nContextRefiner: 2,
    ffnDim: 256, adalnDim: 48, capFeatDim: 20, clipTextDim: 24, inChannels: 16, patchSize: 2,
  };
  function writeDit(file: string, opts: { prefix?: string; drop?: RegExp; reshape?: [string, number[]] } = {}): WeightSet {
    const specs = nextDitTensorSpecs(dims).filter((s) => !opts.drop?.test(s.name));
    writeSafetensors(
      join(tmp, file),
      specs.map((s) => {
        const shape = opts.reshape && s.name === opts.reshape[0] ? opts.reshape[1] : s.shape;
        return { name: (opts.prefix ?? '') + s.name, dtype: 'BF16' as const, shape, data: new Uint8Array(2 * shape.reduce((a, b) => a * b, 1)) };
      }),
    );
    return WeightSet.fromFile(join(tmp, file));
  }
  const axes = { axes_dims: [4, 4, 4] };

  it('derives every size from shapes and counts blocks, under a key prefix', () => {
    const c = ditConfigFromWeights(writeDit('ok.safetensors', { prefix: 'model.diffusion_model.' }), 'model.diffusion_model.', axes);
    expect(c).toMatchObject({ dim: 48, nHeads: 4, nKvHeads: 2, headDim: 12, nLayers: 3, nNoiseRefiner: 2, nContextRefiner: 2, ffnDim: 256, capFeatDim: 20, clipTextDim: 24, axesLens: [1024, 512, 512], ropeTheta: 10000 });
  });

  it('names a missing or mis-shaped tensor, a gap in block indices, and a config that disagrees', () => {
    expectStudioError(() => ditConfigFromWeights(writeDit('m.safetensors', { drop: /^layers\.2\.ffn_norm2/ }), '', axes), 'ModelInvalid', /layers\.2\.ffn_norm2\.weight is missing/);
    expectStudioError(
      () => ditConfigFromWeights(writeDit('s.safetensors', { reshape: ['noise_refiner.1.feed_forward.w2.weight', [48, 255]] }), '', axes),
      'ModelInvalid',
      /noise_refiner\.1\.feed_forward\.w2\.weight has shape \[48, 255\], expected \[48, 256\]/,
    );
    expectStudioError(() => ditConfigFromWeights(writeDit('g.safetensors', { drop: /^layers\.1\./ }), '', axes), 'ModelInvalid', /layers\.1\.\* is missing/);
    const ok = writeDit('c.safetensors');
    expectStudioError(() => ditConfigFromWeights(ok, '', { ...axes, n_heads: 8 }), 'ModelInvalid', /n_heads = 8 but the weights have 4/);
    expectStudioError(() => ditConfigFromWeights(ok, 'transformer.', axes), 'ModelInvalid', /transformer\.x_embedder\.weight is missing/);
    expectStudioError(() => ditConfigFromWeights(ok, '', { axes_dims: [4, 4] }), 'ModelInvalid', /3 entries/);
  });
});
