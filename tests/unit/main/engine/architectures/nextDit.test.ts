/**
 * The NewBie DiT graphs on ORT (CPU): golden parity of `dit-a` (F32 weights, B=1) and `dit-b` (BF16 weights, B=2
 * with caption padding, run one sample at a time), the fp16 compute variant against fp32, the bf16 build (no op
 * without a bf16 CUDA kernel receives bf16), and the runner's input checks.
 */
import { join } from 'node:path';
import { onnx } from 'onnx-proto';
import { describe, expect } from 'vitest';
import {
  DitRunner,
  buildDitCaptionGraph,
  buildDitMainGraph,
  ditConfigFromWeights,
} from '../../../../../src/main/engine/architectures/nextDit';
import { NO_BF16_KERNEL_OPS } from '../../../../../src/main/engine/onnx/types';
import { maxAbsDiff, readParityCase } from '../../../../../src/main/engine/parity/case';
import { ditCaseConfigJson, runDitCase } from '../../../../../src/main/engine/parity/dit';
import { runParityCase } from '../../../../../src/main/engine/parity/runners';
import { WeightSet } from '../../../../../src/main/engine/safetensors';
import { StudioError } from '../../../../../src/shared/errors';
import { GOLDEN, itWithGolden } from '../../../../fixtures/golden';

const goldenIt = itWithGolden(GOLDEN, 'nextDit');

/**
 * fp16 compute on CPU vs fp32: measured max abs diff 2.1e-3 (dit-a) and 1.9e-3 (dit-b) on |velocity| ≤ 3.9; the
 * golden READMEs expect ≈1e-2. Accept 1e-2.
 */
const FP16_TOLERANCE = 1e-2;

describe('NextDiT golden parity (fp32, CPU)', () => {
  for (const name of ['dit-a', 'dit-b']) {
    goldenIt(`${name}: velocity within the case tolerance`, async () => {
      const results = await runParityCase(join(GOLDEN, name));
      expect(results.map((r) => r.target)).toEqual(['velocity']);
      for (const r of results) {
        console.info(`${name} ${r.target}: max abs diff ${r.maxAbsDiff.toExponential(2)} (tolerance ${r.tolerance})`);
        expect(r.pass).toBe(true);
        expect(r.maxAbsDiff).toBeLessThanOrEqual(1e-4);
      }
    });
  }
});

describe('NextDiT fp16 compute on CPU', () => {
  for (const name of ['dit-a', 'dit-b']) {
    goldenIt(`${name}: fp16 stays within ${FP16_TOLERANCE} of fp32 and really differs from it`, async () => {
      const c = readParityCase(join(GOLDEN, name));
      const v32 = await runDitCase(c, c.variants[0], 'float32');
      const v16 = await runDitCase(c, c.variants[0], 'float16');
      const d = maxAbsDiff(v16, v32);
      console.info(`${name} fp16 vs fp32: max abs diff ${d.toExponential(2)}`);
      expect(d).toBeLessThan(FP16_TOLERANCE);
      // Identical outputs would mean the fp16 graph never computed in fp16.
      expect(d).toBeGreaterThan(1e-5);
    });
  }
});

/** Element type of every value in a decoded model, propagated node by node from inputs, initializers and Casts. */
function valueTypes(model: onnx.ModelProto): Map<string, number> {
  const F = onnx.TensorProto.DataType;
  const types = new Map<string, number>();
  for (const i of model.graph!.input!) types.set(i.name!, i.type!.tensorType!.elemType!);
  for (const t of model.graph!.initializer!) types.set(t.name!, t.dataType!);
  const isFloat = (t: number | undefined) => t === F.FLOAT || t === F.FLOAT16 || t === F.BFLOAT16;
  for (const n of model.graph!.node!) {
    const ins = n.input!.filter((x) => x !== '').map((x) => types.get(x));
    let out: number | undefined;
    if (n.opType === 'Cast') out = Number(n.attribute!.find((a) => a.name === 'to')!.i);
    else if (n.opType === 'Shape') out = F.INT64;
    else out = ins.find(isFloat) ?? ins[0];
    for (const o of n.output!) types.set(o, out!);
  }
  return types;
}

describe('NextDiT bf16 build', () => {
  goldenIt('both graphs build in bf16 and no op without a bf16 CUDA kernel receives a bf16 input', () => {
    const ws = WeightSet.fromFile(join(GOLDEN, 'dit-b', 'weights.safetensors'));
    const c = readParityCase(join(GOLDEN, 'dit-b'));
    const cfg = ditConfigFromWeights(ws, '', ditCaseConfigJson(c.config, c.dir));
    const BF16 = onnx.TensorProto.DataType.BFLOAT16, FLOAT = onnx.TensorProto.DataType.FLOAT;
    for (const build of [buildDitCaptionGraph, buildDitMainGraph]) {
      const model = onnx.ModelProto.decode(build(ws, cfg, { prefix: '', dtype: 'bfloat16' }).toModel().bytes);
      const types = valueTypes(model);
      const nodes = model.graph!.node!;
      const bad = nodes.filter((n) => NO_BF16_KERNEL_OPS.has(n.opType!) && n.input!.some((x) => types.get(x) === BF16));
      expect(bad.map((n) => n.name)).toEqual([]);
      // It really computes in bf16: every Gemm (all Linear layers) takes bf16 activations.
      const gemms = nodes.filter((n) => n.opType === 'Gemm');
      expect(gemms.length).toBeGreaterThan(0);
      expect(gemms.every((n) => types.get(n.input![0]) === BF16)).toBe(true);
      // Graph outputs stay float32.
      expect(model.graph!.output!.map((o) => o.type!.tensorType!.elemType)).toEqual([FLOAT]);
    }
    // Time embedding Sin/Cos are in the main graph, in fp32.
    const main = onnx.ModelProto.decode(buildDitMainGraph(ws, cfg, { prefix: '', dtype: 'bfloat16' }).toModel().bytes);
    const types = valueTypes(main);
    const trig = main.graph!.node!.filter((n) => n.opType === 'Sin' || n.opType === 'Cos');
    expect(trig.length).toBe(2);
    expect(trig.every((n) => types.get(n.input![0]) === FLOAT)).toBe(true);
  });

  goldenIt('a bf16 runner on the CPU provider is PrecisionUnsupported', async () => {
    const ws = WeightSet.fromFile(join(GOLDEN, 'dit-b', 'weights.safetensors'));
    const c = readParityCase(join(GOLDEN, 'dit-b'));
    const cfg = ditConfigFromWeights(ws, '', ditCaseConfigJson(c.config, c.dir));
    await expect(DitRunner.create(ws, cfg, { dtype: 'bfloat16', provider: 'cpu' })).rejects.toMatchObject({ code: 'PrecisionUnsupported' });
  });
});

describe('DitRunner', () => {
  goldenIt('one session pair serves other sizes between identical calls, and checks its inputs', async () => {
    const c = readParityCase(join(GOLDEN, 'dit-a'));
    const ws = WeightSet.fromFile(join(GOLDEN, 'dit-a', 'weights.safetensors'));
    const cfg = ditConfigFromWeights(ws, '', ditCaseConfigJson(c.config, c.dir));
    const runner = await DitRunner.create(ws, cfg, { dtype: 'float32', provider: 'cpu' });
    try {
      const x = c.inputs.readF32('x'), t = c.inputs.readF32('t')[0];
      const cap = c.inputs.readF32('cap_feats'), pooled = c.inputs.readF32('clip_text_pooled');
      const capRefined = await runner.refineCaption(cap, 7);
      const ref = c.outputs.readF32('cap_refined');
      expect(maxAbsDiff(capRefined, ref)).toBeLessThan(1e-4);
      const v1 = await runner.velocity(x, 8, 12, t, capRefined, 7, pooled);
      expect(maxAbsDiff(v1, c.outputs.readF32('velocity'))).toBeLessThan(1e-4);
      // Another caption length and resolution through the same sessions.
      const short = await runner.refineCaption(cap.slice(0, 3 * 32), 3);
      const other = await runner.velocity(new Float32Array(16 * 4 * 6).fill(0.25), 4, 6, 0.6, short, 3, pooled);
      expect(other.length).toBe(16 * 4 * 6);
      expect(other.every(Number.isFinite)).toBe(true);
      const v2 = await runner.velocity(x, 8, 12, t, capRefined, 7, pooled);
      expect(maxAbsDiff(v2, v1)).toBe(0);

      const bad = async (p: Promise<unknown>, re: RegExp) => {
        const e = await p.then(() => null, (err: unknown) => err);
        expect(e).toBeInstanceOf(StudioError);
        expect((e as StudioError).code).toBe('InvalidRequest');
        expect((e as StudioError).message).toMatch(re);
      };
      await bad(runner.velocity(x, 8, 12, t, capRefined, 7, pooled.slice(1)), /Pooled text vector has 47 values/);
      await bad(runner.velocity(x, 8, 12, t, capRefined, 6, pooled), /6 tokens × 96/);
      await bad(runner.velocity(x, 7, 12, t, capRefined, 7, pooled), /multiples of the patch size/);
      await bad(runner.velocity(x, 8, 12, Number.NaN, capRefined, 7, pooled), /not a finite number/);
      await bad(runner.refineCaption(cap, 6), /6 tokens × 32/);
    } finally {
      await runner.release();
    }
  });
});
