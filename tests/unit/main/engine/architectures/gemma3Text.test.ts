import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GemmaEncoder,
  buildGemma3TextGraph,
  detectGemmaPrefix,
  gemmaConfigFromWeights,
  gemmaEmbedScale,
} from '../../../../../src/main/engine/architectures/gemma3Text';
import { NO_BF16_KERNEL_OPS } from '../../../../../src/main/engine/onnx/types';
import '../../../../../src/main/engine/parity/gemma';
import { runParityCase } from '../../../../../src/main/engine/parity/index';
import {
  WeightSet,
  readTensorBytes,
  readTensorInts,
  writeSafetensors,
} from '../../../../../src/main/engine/safetensors';
import { StudioError } from '../../../../../src/shared/errors';
import {
  GOLDEN,
  ONNX_BFLOAT16,
  ONNX_FLOAT,
  ONNX_FLOAT16,
  haveGolden,
  maxAbs,
  typedGraph,
} from './gemmaJinaHelpers';

const have = haveGolden('gemma-a') && haveGolden('gemma-b');

it.runIf(!have && process.env.CI === 'true')('golden gemma cases are present (required under CI)', () => {
  expect.fail(`${GOLDEN}/gemma-a and gemma-b are missing`);
});

describe('Gemma3 embedding scale (conventions.md §3)', () => {
  it('is sqrt(hidden) rounded to the compute dtype', () => {
    expect(gemmaEmbedScale(2560, 'bfloat16')).toBe(50.5);
    expect(gemmaEmbedScale(2560, 'float32')).toBeCloseTo(50.596443, 5);
    // binary16 has a 10-bit mantissa: 50.596 = 32 · 1.58114 → 32 · 1619/1024.
    expect(gemmaEmbedScale(2560, 'float16')).toBe((32 * 1619) / 1024);
    expect(gemmaEmbedScale(64, 'bfloat16')).toBe(8);
  });
});

describe.skipIf(!have)('Gemma3 text tower against the golden cases', () => {
  const dir = join(GOLDEN, 'gemma-a');
  const config = have ? JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) : {};
  const weights = have
    ? WeightSet.fromFile(join(dir, 'weights.safetensors'))
    : (undefined as unknown as WeightSet);
  const ids0 = have
    ? readTensorInts(WeightSet.fromFile(join(dir, 'inputs.safetensors')).get('input_ids')).slice(0, 10)
    : [];
  let fp32: GemmaEncoder;
  const tmp = mkdtempSync(join(tmpdir(), 'gemma-'));
  beforeAll(async () => {
    fp32 = await GemmaEncoder.create(weights, config, {
      prefix: 'model.',
      dtype: 'float32',
      provider: 'cpu',
    });
  });
  afterAll(async () => {
    await fp32?.release();
    rmSync(tmp, { recursive: true, force: true });
  });

  for (const name of ['gemma-a', 'gemma-b']) {
    it(`parity ${name}: hidden_states[-2] on valid rows within the case tolerance`, async () => {
      const results = await runParityCase(join(GOLDEN, name));
      expect(results).toHaveLength(1);
      for (const r of results) {
        console.log(
          `${r.case} ${r.variant} ${r.target}: max abs diff ${r.maxAbsDiff.toExponential(3)} (tolerance ${r.tolerance})`,
        );
        expect(r.maxAbsDiff).toBeLessThanOrEqual(r.tolerance);
        expect(r.pass).toBe(true);
      }
    });
  }

  it('one session serves every length: a prefix of the prompt gives the same rows (causal attention)', async () => {
    const full = await fp32.encode(ids0);
    const part = await fp32.encode(ids0.slice(0, 6));
    expect(full.length).toBe(10);
    expect(part.length).toBe(6);
    expect(full.hiddenSize).toBe(64);
    expect(maxAbs(part.hidden, full.hidden.subarray(0, 6 * 64))).toBeLessThan(1e-5);
  });

  it('applies the sliding-window band: a window wider than the prompt changes rows ≥ window only', async () => {
    const wide = structuredClone(config);
    wide.text_config.sliding_window = 10000;
    const enc = await GemmaEncoder.create(weights, wide, {
      prefix: 'model.',
      dtype: 'float32',
      provider: 'cpu',
    });
    try {
      const a = (await fp32.encode(ids0)).hidden;
      const b = (await enc.encode(ids0)).hidden;
      // Window 4: rows 0..3 see every earlier key either way.
      expect(maxAbs(a.subarray(0, 4 * 64), b.subarray(0, 4 * 64))).toBeLessThan(1e-5);
      expect(maxAbs(a.subarray(4 * 64), b.subarray(4 * 64))).toBeGreaterThan(0.1);
    } finally {
      await enc.release();
    }
  });

  it('fp16 compute on CPU stays close to fp32 (ORT runs it through inserted casts)', async () => {
    const fp16 = await GemmaEncoder.create(weights, config, {
      prefix: 'model.',
      dtype: 'float16',
      provider: 'cpu',
    });
    try {
      const a = (await fp32.encode(ids0)).hidden;
      const b = (await fp16.encode(ids0)).hidden;
      const diff = maxAbs(a, b);
      console.log(
        `gemma-a fp16 vs fp32: max abs diff ${diff.toExponential(3)} (max |h| ${Math.max(...Array.from(a, Math.abs)).toFixed(2)})`,
      );
      // Measured 7.2e-3 at |h| ≤ 15; a wrong dtype path (e.g. an fp16 residual overflow or a dropped norm) is ≫ 0.02.
      expect(diff).toBeLessThan(0.02);
      expect(diff).toBeGreaterThan(0); // the 16-bit path really rounds
    } finally {
      await fp16.release();
    }
  });

  for (const dtype of ['float16', 'bfloat16'] as const) {
    it(`a ${dtype} build keeps the residual stream and every RMSNorm in fp32 and Gathers the stored embedding`, () => {
      const bf16Weights = WeightSet.fromFile(join(GOLDEN, 'gemma-b', 'weights.safetensors'));
      const cfg = gemmaConfigFromWeights(bf16Weights, 'model.', config);
      const { bytes } = buildGemma3TextGraph(bf16Weights, cfg, dtype).toModel();
      const tg = typedGraph(bytes);
      const compute = dtype === 'float16' ? ONNX_FLOAT16 : ONNX_BFLOAT16;
      const residual = tg.nodes.filter((n) => n.name!.startsWith('n_residual'));
      expect(residual).toHaveLength(1 + 2 * (cfg.numLayers - 1));
      for (const n of residual) expect(tg.types.get(n.output![0])).toBe(ONNX_FLOAT);
      const norms = tg.nodes.filter((n) => n.opType === 'RMSNormalization');
      expect(norms).toHaveLength(6 * (cfg.numLayers - 1));
      for (const n of norms) expect(tg.inputTypes(n)).toEqual([ONNX_FLOAT, ONNX_FLOAT]);
      // The projections do run in the compute dtype.
      const gemms = tg.nodes.filter((n) => n.opType === 'Gemm');
      expect(gemms).toHaveLength(7 * (cfg.numLayers - 1));
      for (const n of gemms) expect(tg.inputTypes(n)).toEqual([compute, compute]);
      // Embedding: Gather on the stored bf16 initializer; the matrix itself is never Cast.
      const embed = 'w:model.embed_tokens.weight';
      const gather = tg.nodes.filter((n) => n.input!.includes(embed));
      expect(gather.map((n) => n.opType)).toEqual(['Gather']);
      expect(tg.types.get(embed)).toBe(ONNX_BFLOAT16);
      // Graph I/O never carries bf16 (it cannot cross into JS).
      for (const v of [...tg.model.graph!.input!, ...tg.model.graph!.output!])
        expect(v.type!.tensorType!.elemType).not.toBe(ONNX_BFLOAT16);
      expect(tg.types.get('hidden')).toBe(ONNX_FLOAT);
      for (const n of tg.nodes) {
        if (NO_BF16_KERNEL_OPS.has(n.opType!)) expect(tg.inputTypes(n)).not.toContain(ONNX_BFLOAT16);
      }
    });
  }

  it('bf16 on the CPU provider is a PrecisionUnsupported error', async () => {
    await expect(
      GemmaEncoder.create(weights, config, { prefix: 'model.', dtype: 'bfloat16', provider: 'cpu' }),
    ).rejects.toMatchObject({
      code: 'PrecisionUnsupported',
    });
  });

  for (const prefix of ['language_model.model.', 'model.language_model.']) {
    it(`reads the ${prefix}* layout (ignoring vision_tower) with identical results`, async () => {
      const file = join(tmp, `${prefix.replace(/\./g, '_')}.safetensors`);
      const tensors = weights.names().map((n) => {
        const info = weights.get(n);
        return {
          name: prefix + n.slice('model.'.length),
          dtype: info.dtype,
          shape: info.shape,
          data: readTensorBytes(info),
        };
      });
      tensors.push({
        name: 'vision_tower.vision_model.post_layernorm.weight',
        dtype: 'F32',
        shape: [2],
        data: new Uint8Array(8),
      });
      writeSafetensors(file, tensors);
      const renamed = WeightSet.fromFile(file);
      expect(detectGemmaPrefix(renamed)).toBe(prefix);
      const enc = await GemmaEncoder.create(renamed, config, { prefix, dtype: 'float32', provider: 'cpu' });
      try {
        expect(maxAbs((await enc.encode(ids0)).hidden, (await fp32.encode(ids0)).hidden)).toBe(0);
      } finally {
        await enc.release();
      }
    });
  }

  it('rejects empty prompts and ids outside the vocabulary with InvalidRequest', async () => {
    await expect(fp32.encode([])).rejects.toMatchObject({ code: 'InvalidRequest' });
    await expect(fp32.encode([2, 300])).rejects.toMatchObject({
      code: 'InvalidRequest',
      message: expect.stringContaining('position 1'),
    });
    await expect(fp32.encode([2, 1.5])).rejects.toBeInstanceOf(StudioError);
  });
});
