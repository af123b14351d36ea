/**
 * The VAE decoder graph against a float64 JS reference of diffusers' Decoder.forward on synthetic decoders written
 * from AutoencoderKL-style configs: BF16/F32 mixed weights, FLUX's 3 resnets per up block, post_quant_conv, a
 * prefix with encoder junk, legacy 1×1-conv attention weights, no attention; several latent sizes through one
 * session (symbolic dims); the DiT-latent scaling; bad input.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { vaeConfigFromWeights } from '../../../../../src/main/engine/architectures/fluxVaeConfig';
import { VaeDecoder, ditLatentToVae } from '../../../../../src/main/engine/architectures/fluxVaeDecoder';
import { WeightSet } from '../../../../../src/main/engine/safetensors';
import { maxDiff, rand, referenceDecode, writeTinyVae, type TinyVaeSpec } from './vaeReference';

const tmp = mkdtempSync(join(tmpdir(), 'vae-decoder-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// fp32 graph vs float64 reference through ~20 convs and a softmax: measured ≤ 2e-6 on |y| ≤ ~5.
const TOL = 1e-4;

const cases: Array<{ name: string; spec: TinyVaeSpec; sizes: Array<[number, number]> }> = [
  {
    name: 'FLUX layout (3 resnets per up block, 4 levels), BF16 weights with F32 biases, post_quant_conv, prefix',
    spec: { blockOut: [4, 8, 16, 16], layersPerBlock: 2, latent: 16, groups: 4, attention: true, attnKeys: 'modern', postQuantConv: true, root: 'vae.', dtype: 'BF16', seed: 11 },
    sizes: [[3, 5], [2, 2], [4, 1]],
  },
  {
    name: 'legacy 1×1-conv attention weights, F16 weights, 3 levels',
    spec: { blockOut: [8, 8, 16], layersPerBlock: 1, latent: 4, groups: 8, attention: true, attnKeys: 'legacy-conv', postQuantConv: false, root: '', dtype: 'F16', seed: 23 },
    sizes: [[5, 3]],
  },
  {
    name: 'no mid-block attention',
    spec: { blockOut: [4, 8], layersPerBlock: 1, latent: 4, groups: 2, attention: false, attnKeys: 'modern', postQuantConv: false, root: '', dtype: 'F32', seed: 31 },
    sizes: [[3, 4]],
  },
];

describe('VaeDecoder vs a float64 reference of diffusers Decoder.forward', () => {
  cases.forEach(({ name, spec, sizes }, ci) => {
    it(name, async () => {
      const file = join(tmp, `case-${ci}.safetensors`);
      writeTinyVae(file, spec);
      const weights = WeightSet.fromFile(file);
      const config = vaeConfigFromWeights(weights, undefined, { norm_num_groups: spec.groups });
      const up = 2 ** (spec.blockOut.length - 1);
      const dec = await VaeDecoder.create(weights, config);
      try {
        let worst = 0;
        // One session, several sizes, in an order that returns to an earlier size.
        for (const [h, w] of [...sizes, sizes[0]]) {
          const latent = rand(spec.latent * h * w, 1000 + h * 7 + w, 2);
          const got = await dec.decode(latent, h, w);
          expect(got.length).toBe(3 * h * up * w * up);
          const ref = referenceDecode((k) => weights.readF32(k), spec, latent, h, w);
          const d = maxDiff(got, ref);
          worst = Math.max(worst, d);
          expect(d).toBeLessThan(TOL);
          // The output is not trivially small (the check would otherwise be weak).
          expect(Math.max(...Array.from(ref, Math.abs))).toBeGreaterThan(0.1);
        }
        console.log(`vae tiny case ${ci}: max abs diff vs float64 reference ${worst.toExponential(2)}`);
      } finally {
        await dec.release();
      }
    });
  });

  it('decodeDitLatent applies z = x / scaling + shift (from config.json) before decoding', async () => {
    const spec = cases[2].spec;
    const file = join(tmp, 'scaled.safetensors');
    writeTinyVae(file, spec);
    const weights = WeightSet.fromFile(file);
    const config = vaeConfigFromWeights(weights, undefined, { norm_num_groups: 2, scaling_factor: 0.5, shift_factor: -0.25 });
    const dec = await VaeDecoder.create(weights, config);
    const [h, w] = [2, 3];
    const x = rand(spec.latent * h * w, 5, 1);
    const got = await dec.decodeDitLatent(x, h, w);
    const ref = referenceDecode((k) => weights.readF32(k), spec, x.map((v) => v / 0.5 - 0.25), h, w);
    expect(maxDiff(got, ref)).toBeLessThan(TOL);
    await dec.release();
    const z = ditLatentToVae(Float32Array.of(0.3611, 0, -1), 0.3611, 0.1159);
    expect(maxDiff(z, [1 + 0.1159, 0.1159, -1 / 0.3611 + 0.1159])).toBeLessThan(3e-7);
  });

  it('refuses a latent that does not match its size, and use after release', async () => {
    const spec = cases[2].spec;
    const file = join(tmp, 'bad.safetensors');
    writeTinyVae(file, spec);
    const weights = WeightSet.fromFile(file);
    const dec = await VaeDecoder.create(weights, vaeConfigFromWeights(weights, undefined, { norm_num_groups: 2 }));
    await expect(dec.decode(new Float32Array(4 * 3 * 3), 3, 4)).rejects.toMatchObject({ code: 'InvalidRequest', message: expect.stringMatching(/\[4, 3, 4\]/) });
    await expect(dec.decode(new Float32Array(0), 0, 0)).rejects.toMatchObject({ code: 'InvalidRequest' });
    await dec.release();
    await expect(dec.decode(new Float32Array(4 * 3 * 4), 3, 4)).rejects.toMatchObject({ code: 'InvalidRequest', message: expect.stringMatching(/release/) });
  });

  it('a prefix option different from the config re-reads the structure under that prefix', async () => {
    const spec: TinyVaeSpec = { ...cases[2].spec, root: 'model.' };
    const file = join(tmp, 'prefix.safetensors');
    writeTinyVae(file, spec);
    const weights = WeightSet.fromFile(file);
    const config = vaeConfigFromWeights(weights, undefined, { norm_num_groups: 2 });
    expect(config.prefix).toBe('model.decoder.');
    await expect(VaeDecoder.create(weights, config, { prefix: 'decoder.' })).rejects.toMatchObject({ code: 'ModelInvalid' });
    const dec = await VaeDecoder.create(weights, config, { prefix: 'model.decoder.' });
    const latent = rand(4 * 2 * 2, 3, 1);
    expect(maxDiff(await dec.decode(latent, 2, 2), referenceDecode((k) => weights.readF32(k), spec, latent, 2, 2))).toBeLessThan(TOL);
    await dec.release();
  });
});
