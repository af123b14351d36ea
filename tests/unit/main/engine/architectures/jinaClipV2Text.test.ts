import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  JinaEncoder,
  buildJinaTextGraph,
  detectJinaLayout,
  jinaConfigFromWeights,
} from '../../../../../src/main/engine/architectures/jinaClipV2Text';
import { NO_BF16_KERNEL_OPS } from '../../../../../src/main/engine/onnx/types';
import '../../../../../src/main/engine/parity/jina';
import { runParityCase } from '../../../../../src/main/engine/parity/index';
import {
  WeightSet,
  f32ToBytes,
  readTensorBytes,
  readTensorInts,
  writeSafetensors,
} from '../../../../../src/main/engine/safetensors';
import { GOLDEN, ONNX_BFLOAT16, ONNX_FLOAT, haveGolden, maxAbs, typedGraph } from './gemmaJinaHelpers';

const have = haveGolden('jina-a');

it.runIf(!have && process.env.CI === 'true')('golden jina case is present (required under CI)', () => {
  expect.fail(`${GOLDEN}/jina-a is missing`);
});

const RAW = 'text_model.transformer.roberta.';
const ORIG = '.parametrizations.weight.original';

/**
 * Independent JS merge of LoRA task `t` (modeling_lora.py): Linear W' = W + s·B[t]@A[t]; Embedding W' = W + s·A[t]@B[t].
 * Writes the merged tower under ComfyUI names (no prefix).
 */
function mergeTask(raw: WeightSet, t: number, s: number, file: string): void {
  const out: Parameters<typeof writeSafetensors>[1] = [];
  for (const name of raw.names()) {
    if (name.includes('.lora_')) continue;
    const short = name.slice(RAW.length);
    if (!name.endsWith(ORIG)) {
      const i = raw.get(name);
      out.push({ name: short, dtype: i.dtype, shape: i.shape, data: readTensorBytes(i) });
      continue;
    }
    const module = name.slice(0, -ORIG.length);
    const W = raw.readF32(name);
    const [rows, cols] = raw.get(name).shape;
    const A = raw.readF32(`${module}.parametrizations.weight.0.lora_A`);
    const B = raw.readF32(`${module}.parametrizations.weight.0.lora_B`);
    const embedding = module.includes('embeddings');
    const r = raw.get(`${module}.parametrizations.weight.0.lora_A`).shape[embedding ? 2 : 1];
    const merged = Float64Array.from(W);
    for (let i = 0; i < rows; i++)
      for (let j = 0; j < cols; j++) {
        let acc = 0;
        for (let k = 0; k < r; k++) {
          // Embedding: A [T, rows, r], B [T, r, cols]. Linear: B [T, rows, r], A [T, r, cols].
          acc += embedding
            ? A[t * rows * r + i * r + k] * B[t * r * cols + k * cols + j]
            : B[t * rows * r + i * r + k] * A[t * r * cols + k * cols + j];
        }
        merged[i * cols + j] += s * acc;
      }
    out.push({
      name: `${module.slice(RAW.length)}.weight`,
      dtype: 'F32',
      shape: [rows, cols],
      data: f32ToBytes(merged, 'F32'),
    });
  }
  writeSafetensors(file, out);
}

describe.skipIf(!have)('Jina CLIP v2 text tower against the golden case', () => {
  const dir = join(GOLDEN, 'jina-a');
  const config = have ? JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) : {};
  const raw = have
    ? WeightSet.fromFile(join(dir, 'weights.safetensors'))
    : (undefined as unknown as WeightSet);
  const merged = have
    ? WeightSet.fromFile(join(dir, 'weights_merged.safetensors'))
    : (undefined as unknown as WeightSet);
  const ids = have
    ? readTensorInts(WeightSet.fromFile(join(dir, 'inputs.safetensors')).get('input_ids'))
    : [];
  const row0 = ids.slice(0, 11);
  const row1 = ids.slice(11, 18); // 7 real tokens, then 4 pads
  const tmp = mkdtempSync(join(tmpdir(), 'jina-'));
  let rawFp32: JinaEncoder;
  beforeAll(async () => {
    rawFp32 = await JinaEncoder.create(raw, config, {
      prefix: RAW,
      form: 'raw',
      dtype: 'float32',
      provider: 'cpu',
    });
  });
  afterAll(async () => {
    await rawFp32?.release();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('parity jina-a: raw LoRA and merged variants within 1e-5', async () => {
    const results = await runParityCase(dir);
    expect(results.map((r) => r.target)).toEqual(['pooled', 'pooled_merged_weights']);
    for (const r of results) {
      console.log(
        `${r.case} ${r.variant} ${r.target}: max abs diff ${r.maxAbsDiff.toExponential(3)} (tolerance ${r.tolerance})`,
      );
      expect(r.maxAbsDiff).toBeLessThanOrEqual(r.tolerance);
    }
  });

  it('detects prefix and form from the keys; reads the config nesting of jina-clip-v2', () => {
    expect(detectJinaLayout(raw)).toEqual({ prefix: RAW, form: 'raw' });
    expect(detectJinaLayout(merged)).toEqual({ prefix: '', form: 'merged' });
    const c = jinaConfigFromWeights(raw, RAW, 'raw', config);
    expect(c).toMatchObject({
      numLayers: 2,
      hiddenSize: 32,
      numHeads: 2,
      headDim: 16,
      intermediateSize: 64,
      vocabSize: 64,
    });
    expect(c).toMatchObject({ layerNormEps: 1e-5, rotaryBase: 20000, activation: 'none', padTokenId: 1 });
    expect(c.lora).toEqual({ taskIndex: 0, numTasks: 2, rank: 4, alpha: 1, scaling: 0.25 });
    const clipV2 = {
      text_config: {
        default_lora_task: 'retrieval.passage',
        hf_model_config_kwargs: config.hf_model_config_kwargs,
      },
    };
    expect(jinaConfigFromWeights(raw, RAW, 'raw', clipV2).lora!.taskIndex).toBe(1);
    expect(jinaConfigFromWeights(merged, '', 'merged').lora).toBeNull();
    expect(() => jinaConfigFromWeights(raw, RAW, 'merged', config)).toThrow(
      /Wqkv\.weight is missing|word_embeddings\.weight is missing/,
    );
    const noTask = { ...clipV2, text_config: { ...clipV2.text_config, default_lora_task: 'classification' } };
    expect(() => jinaConfigFromWeights(raw, RAW, 'raw', noTask)).toThrow(
      /"classification" is not in lora_adaptations/,
    );
  });

  it('applies the configured LoRA task in the graph exactly like a JS merge of that task', async () => {
    const file = join(tmp, 'task1-merged.safetensors');
    mergeTask(raw, 1, 0.25, file);
    const mergedCfg = { hf_model_config_kwargs: config.hf_model_config_kwargs };
    const task1Cfg = {
      hf_model_config_kwargs: config.hf_model_config_kwargs,
      hf_text_encoder_kwargs: { default_lora_task: 'retrieval.passage' },
    };
    const viaMerge = await JinaEncoder.create(WeightSet.fromFile(file), mergedCfg, {
      prefix: '',
      form: 'merged',
      dtype: 'float32',
      provider: 'cpu',
    });
    const viaGraph = await JinaEncoder.create(raw, task1Cfg, {
      prefix: RAW,
      form: 'raw',
      dtype: 'float32',
      provider: 'cpu',
    });
    try {
      for (const row of [row0, row1]) {
        const a = await viaMerge.encode(row);
        const b = await viaGraph.encode(row);
        expect(maxAbs(a, b)).toBeLessThan(1e-5);
        // Task 1 is not task 0: the task index reaches the graph.
        expect(maxAbs(b, await rawFp32.encode(row))).toBeGreaterThan(1e-2);
      }
    } finally {
      await viaMerge.release();
      await viaGraph.release();
    }
  });

  for (const form of ['raw', 'merged'] as const) {
    it(`fp16 compute on CPU (${form}) stays close to fp32`, async () => {
      const ws = form === 'raw' ? raw : merged;
      const prefix = form === 'raw' ? RAW : '';
      const e32 =
        form === 'raw'
          ? rawFp32
          : await JinaEncoder.create(ws, config, { prefix, form, dtype: 'float32', provider: 'cpu' });
      const e16 = await JinaEncoder.create(ws, config, { prefix, form, dtype: 'float16', provider: 'cpu' });
      try {
        let diff = 0;
        for (const row of [row0, row1])
          diff = Math.max(diff, maxAbs(await e32.encode(row), await e16.encode(row)));
        console.log(`jina-a ${form} fp16 vs fp32: max abs diff ${diff.toExponential(3)} (|pooled| ≤ 2)`);
        // Measured ≈1.1e-3; fp16 rounding of ~1 values is 5e-4 per op.
        expect(diff).toBeLessThan(5e-3);
        expect(diff).toBeGreaterThan(0);
      } finally {
        await e16.release();
        if (e32 !== rawFp32) await e32.release();
      }
    });
  }

  it('a bf16 build pools in fp32, keeps graph I/O fp32 and feeds no bf16 to ops without a bf16 kernel', () => {
    const cfg = jinaConfigFromWeights(raw, RAW, 'raw', config);
    const tg = typedGraph(buildJinaTextGraph(raw, cfg, 'bfloat16').toModel().bytes);
    const reduce = tg.nodes.filter((n) => n.opType === 'ReduceMean');
    expect(reduce).toHaveLength(1);
    expect(tg.inputTypes(reduce[0])[0]).toBe(ONNX_FLOAT);
    expect(tg.types.get('pooled')).toBe(ONNX_FLOAT);
    for (const v of [...tg.model.graph!.input!, ...tg.model.graph!.output!])
      expect(v.type!.tensorType!.elemType).not.toBe(ONNX_BFLOAT16);
    for (const n of tg.nodes)
      if (NO_BF16_KERNEL_OPS.has(n.opType!)) expect(tg.inputTypes(n)).not.toContain(ONNX_BFLOAT16);
    const gemms = tg.nodes.filter((n) => n.opType === 'Gemm');
    expect(gemms.length).toBe(2 * 4 * 3 + 2); // 2 layers × 4 linears × (base + x·Aᵀ + ·Bᵀ), + 1 per LoRA embedding
    for (const n of gemms) expect(new Set(tg.inputTypes(n))).toEqual(new Set([ONNX_BFLOAT16]));
    // LoRA factors are sliced from the mmapped initializers, never merged copies.
    const a = `w:${RAW}embeddings.word_embeddings.parametrizations.weight.0.lora_A`;
    expect(tg.nodes.filter((n) => n.input!.includes(a)).map((n) => n.opType)).toEqual(['Gather']);
    expect(tg.model.graph!.initializer!.filter((i) => i.externalData?.length).length).toBe(
      raw.names().length,
    );
  });

  it('rejects bf16 on CPU, pads, empty prompts and out-of-vocabulary ids with typed errors', async () => {
    await expect(
      JinaEncoder.create(raw, config, { prefix: RAW, form: 'raw', dtype: 'bfloat16', provider: 'cpu' }),
    ).rejects.toMatchObject({
      code: 'PrecisionUnsupported',
    });
    await expect(rawFp32.encode(ids.slice(11, 22))).rejects.toMatchObject({
      code: 'InvalidRequest',
      message: expect.stringContaining('pad id 1 at position 7'),
    });
    await expect(rawFp32.encode([])).rejects.toMatchObject({ code: 'InvalidRequest' });
    await expect(rawFp32.encode([0, 64, 2])).rejects.toMatchObject({ code: 'InvalidRequest' });
  });
});
