import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  detectGemmaPrefix,
  gemmaConfigFromWeights,
} from '../../../../../src/main/engine/architectures/gemma3TextConfig';
import {
  ropeInvFreq,
  ropeTables,
  roundToDtype,
  slidingWindowMask,
} from '../../../../../src/main/engine/architectures/textEncoderCommon';
import {
  WeightSet,
  readTensorBytes,
  readTensorInts,
  writeSafetensors,
} from '../../../../../src/main/engine/safetensors';
import { GOLDEN, haveGolden, maxAbs } from './gemmaJinaHelpers';

describe('text-encoder tables (pure)', () => {
  it('sliding band: each query sees itself and window−1 earlier keys', () => {
    const m = slidingWindowMask(6, 3);
    const rows = Array.from({ length: 6 }, (_, q) => Array.from(m.subarray(q * 6, q * 6 + 6)).join(''));
    expect(rows).toEqual(['100000', '110000', '111000', '011100', '001110', '000111']);
  });

  it('RoPE inverse frequencies follow 1/θ^(2k/D), divided by the linear factor', () => {
    const inv = ropeInvFreq(8, 10000);
    expect(Array.from(inv)).toEqual([1, 0.1, 0.01, 0.001].map(Math.fround));
    expect(Array.from(ropeInvFreq(8, 10000, 8))).toEqual(
      [1 / 8, 0.1 / 8, 0.01 / 8, 0.001 / 8].map(Math.fround),
    );
    const { cos, sin } = ropeTables(3, inv);
    expect(cos[2 * 4 + 1]).toBeCloseTo(Math.cos(0.2), 6);
    expect(sin[1 * 4 + 0]).toBeCloseTo(Math.sin(1), 6);
    expect(() => ropeInvFreq(7, 10000)).toThrow(/even head_dim/);
  });

  it('rounds constants to the compute dtype', () => {
    expect(roundToDtype(1 / 3, 'bfloat16')).toBe(0.333984375);
    expect(roundToDtype(1 / 3, 'float32')).toBe(Math.fround(1 / 3));
  });
});

const have = haveGolden('gemma-a');

/** The StudioError code `fn` throws, or 'no error'. */
function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
  return 'no error';
}

describe.skipIf(!have)('Gemma3 config from weights + config.json (gemma-a)', () => {
  const dir = join(GOLDEN, 'gemma-a');
  const config = have ? JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) : {};
  const weights = have
    ? WeightSet.fromFile(join(dir, 'weights.safetensors'))
    : (undefined as unknown as WeightSet);
  const outputs = have
    ? WeightSet.fromFile(join(dir, 'outputs.safetensors'))
    : (undefined as unknown as WeightSet);
  const tmp = mkdtempSync(join(tmpdir(), 'gemma-cfg-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const expectedTypes = [0, 1, 2, 3, 4, 5, 6].map((i) => (i === 5 ? 'full_attention' : 'sliding_attention'));

  it('takes sizes from shapes and the rest from the new config form', () => {
    expect(detectGemmaPrefix(weights)).toBe('model.');
    const c = gemmaConfigFromWeights(weights, 'model.', config);
    expect(c).toMatchObject({
      numLayers: 7,
      hiddenSize: 64,
      intermediateSize: 128,
      vocabSize: 300,
      numHeads: 4,
      numKvHeads: 2,
      headDim: 16,
    });
    expect(c).toMatchObject({
      rmsNormEps: 1e-6,
      queryPreAttnScalar: 16,
      slidingWindow: 4,
      activation: 'tanh',
    });
    expect(c.layerTypes).toEqual(expectedTypes);
    expect(c.rope).toEqual({
      sliding_attention: { theta: 10000, linearFactor: 1 },
      full_attention: { theta: 1e6, linearFactor: 8 },
    });
  });

  it('reads the old config form (rope_theta / rope_local_base_freq / rope_scaling, sliding_window_pattern) the same way', () => {
    const tc = structuredClone(config.text_config);
    delete tc.rope_parameters;
    delete tc.layer_types;
    const c = gemmaConfigFromWeights(weights, 'model.', tc); // a flat Gemma3TextConfig
    expect(c.layerTypes).toEqual(expectedTypes);
    expect(c.rope).toEqual({
      sliding_attention: { theta: 10000, linearFactor: 1 },
      full_attention: { theta: 1e6, linearFactor: 8 },
    });
    tc.rope_scaling = null;
    expect(gemmaConfigFromWeights(weights, 'model.', tc).rope.full_attention.linearFactor).toBe(1);
  });

  it('falls back to the published Gemma3-4B-it values without a config', () => {
    const c = gemmaConfigFromWeights(weights, 'model.');
    expect(c).toMatchObject({ slidingWindow: 1024, queryPreAttnScalar: 256, rmsNormEps: 1e-6 });
    expect(c.rope).toEqual({
      sliding_attention: { theta: 10000, linearFactor: 1 },
      full_attention: { theta: 1e6, linearFactor: 8 },
    });
    expect(c.layerTypes).toEqual(expectedTypes);
  });

  it('refuses configs it cannot honour with ModelInvalid', () => {
    const bad = (patch: Record<string, unknown>) => () =>
      gemmaConfigFromWeights(weights, 'model.', { text_config: { ...config.text_config, ...patch } });
    expect(bad({ layer_types: ['full_attention'] })).toThrow(
      /layer_types lists 1 layers but the weights have 7/,
    );
    expect(bad({ rope_parameters: undefined, rope_scaling: { rope_type: 'yarn', factor: 8 } })).toThrow(
      /RoPE type "yarn"/,
    );
    expect(bad({ hidden_activation: 'relu' })).toThrow(/hidden_activation "relu"/);
    expect(bad({ attn_logit_softcapping: 50 })).toThrow(/softcapping/);
    for (const patch of [
      { sliding_window: 'wide' },
      { sliding_window: 0 },
      { layer_types: ['global', ...expectedTypes.slice(1)] },
    ]) {
      expect(codeOf(bad(patch))).toBe('ModelInvalid');
    }
  });

  it('names a missing layer and a wrong shape', () => {
    const keep = (drop: (n: string) => boolean, file: string) => {
      writeSafetensors(
        join(tmp, file),
        weights
          .names()
          .filter((n) => !drop(n))
          .map((n) => {
            const i = weights.get(n);
            return { name: n, dtype: i.dtype, shape: i.shape, data: readTensorBytes(i) };
          }),
      );
      return WeightSet.fromFile(join(tmp, file));
    };
    const noLayer3 = keep((n) => n.startsWith('model.layers.3.'), 'gap.safetensors');
    expect(() => gemmaConfigFromWeights(noLayer3, 'model.', config)).toThrow(
      /model\.layers\.3\.self_attn\.q_proj\.weight is missing/,
    );
    const noNorm = keep(
      (n) => n === 'model.layers.2.post_feedforward_layernorm.weight',
      'nonorm.safetensors',
    );
    expect(() => gemmaConfigFromWeights(noNorm, 'model.', config)).toThrow(
      /post_feedforward_layernorm\.weight is missing/,
    );
    expect(() =>
      detectGemmaPrefix(WeightSet.fromFile(join(GOLDEN, 'jina-a', 'weights_merged.safetensors'))),
    ).toThrow(/not a Gemma3 text encoder/);
  });

  it('RoPE tables and the sliding band equal the ones the reference layers received', () => {
    const L = 10;
    const c = gemmaConfigFromWeights(weights, 'model.', config);
    for (const [t, golden] of [
      ['sliding_attention', 'sliding'],
      ['full_attention', 'full'],
    ] as const) {
      const { cos, sin } = ropeTables(L, ropeInvFreq(16, c.rope[t].theta, c.rope[t].linearFactor));
      // The reference stores cat(f, f) [1, L, 16]; our tables are the first half [1, L, 8].
      const half = (name: string) => {
        const all = outputs.readF32(name);
        return Float32Array.from({ length: L * 8 }, (_, i) => all[Math.floor(i / 8) * 16 + (i % 8)]);
      };
      expect(maxAbs(cos, half(`rope_cos.${golden}`))).toBeLessThan(1e-6);
      expect(maxAbs(sin, half(`rope_sin.${golden}`))).toBeLessThan(1e-6);
    }
    const refMask = readTensorInts(outputs.get('mask_sliding')).slice(0, L * L); // sample 0: no padding
    expect(Array.from(slidingWindowMask(L, c.slidingWindow))).toEqual(refMask);
  });
});
