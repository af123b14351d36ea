import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GraphBuilder, GraphBuildError } from '../../../../../src/main/engine/onnx/graph';
import { attention, linear, rmsNorm, rmsNormOnePlus } from '../../../../../src/main/engine/onnx/layers';
import { EngineSession, f32 } from '../../../../../src/main/engine/runtime';
import { WeightSet, bf16BitsToF32, f32ToBf16Bits, f32ToBytes, writeSafetensors } from '../../../../../src/main/engine/safetensors';

const dir = mkdtempSync(join(tmpdir(), 'graph-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Deterministic pseudo-random values for test tensors (LCG).
function rand(n: number, seed: number, scale = 1): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return ((s / 2 ** 32) * 2 - 1) * scale;
  });
}
const bf = (v: number) => bf16BitsToF32(f32ToBf16Bits(v));

describe('graph builder + external safetensors weights', () => {
  const S = 5, IN = 6, OUT = 4;
  const W = rand(OUT * IN, 1), B = rand(OUT, 2), NW = rand(OUT, 3, 0.5);
  const file = join(dir, 'w.safetensors');
  writeSafetensors(
    file,
    [
      { name: 'lin.weight', dtype: 'BF16', shape: [OUT, IN], data: f32ToBytes(W, 'BF16') },
      { name: 'lin.bias', dtype: 'F32', shape: [OUT], data: f32ToBytes(B, 'F32') },
      { name: 'norm.weight', dtype: 'BF16', shape: [OUT], data: f32ToBytes(NW, 'BF16') },
    ],
    undefined,
    5, // unaligned data offsets
  );
  const ws = WeightSet.fromFile(file);
  const x = rand(S * IN, 4);

  function reference(onePlus: boolean): number[] {
    const out: number[] = [];
    for (let s = 0; s < S; s++) {
      const y = Array.from({ length: OUT }, (_, o) => {
        let acc = B[o];
        for (let i = 0; i < IN; i++) acc += x[s * IN + i] * bf(W[o * IN + i]);
        return acc;
      });
      const ms = y.reduce((a, v) => a + v * v, 0) / OUT;
      const r = 1 / Math.sqrt(ms + 1e-6);
      y.forEach((v, o) => out.push(v * r * (onePlus ? 1 + bf(NW[o]) : bf(NW[o]))));
    }
    return out;
  }

  for (const onePlus of [false, true]) {
    it(`linear (Gemm transB) + RMSNorm${onePlus ? ' (1+w)' : ''} matches a JS reference`, async () => {
      const g = new GraphBuilder('t');
      const ctx = { g, dtype: 'float32' as const };
      const xin = g.input('x', 'float32', ['S', IN]);
      const y = linear(ctx, xin, ws.get('lin.weight'), ws.get('lin.bias'));
      const n = onePlus ? rmsNormOnePlus(ctx, y, ws.get('norm.weight'), 1e-6) : rmsNorm(ctx, y, ws.get('norm.weight'), 1e-6);
      g.output(n, 'y');
      const { bytes, externalDataFolder } = g.toModel();
      expect(externalDataFolder).toBe(dir);
      const s = await EngineSession.create('t', bytes, externalDataFolder, { provider: 'cpu' });
      const out = await s.run({ x: f32(Float32Array.from(x), [S, IN]) });
      const got = Array.from(out['y'].data as Float32Array);
      const ref = reference(onePlus);
      expect(Math.max(...got.map((v, i) => Math.abs(v - ref[i])))).toBeLessThan(1e-5);
      await s.release();
    });
  }

  it('refuses bf16 inputs to ops without a bf16 CUDA kernel', () => {
    const g = new GraphBuilder('t');
    const x = g.input('x', 'float32', [2]);
    expect(() => g.op1('Cos', [g.cast(x, 'bfloat16')])).toThrow(GraphBuildError);
    expect(() => g.op1('Cos', [x])).not.toThrow();
  });
});

describe('attention block (GQA + interleaved RoPE)', () => {
  it('matches a float64 JS reference', async () => {
    const S = 4, Hq = 6, Hk = 2, D = 8;
    const q = rand(S * Hq * D, 11), k = rand(S * Hk * D, 12), v = rand(S * Hk * D, 13);
    const ang = rand(S * (D / 2), 14, 3);
    const cos = ang.map(Math.cos), sin = ang.map(Math.sin);
    const g = new GraphBuilder('att');
    const ctx = { g, dtype: 'float32' as const };
    const qi = g.input('q', 'float32', ['S', Hq * D]);
    const ki = g.input('k', 'float32', ['S', Hk * D]);
    const vi = g.input('v', 'float32', ['S', Hk * D]);
    const ci = g.input('cos', 'float32', [1, 'S', D / 2]);
    const si = g.input('sin', 'float32', [1, 'S', D / 2]);
    const o = attention(ctx, { q: qi, k: ki, v: vi, numHeads: Hq, numKvHeads: Hk, headDim: D, rope: { cos: ci, sin: si, interleaved: true } });
    g.output(o, 'o');
    const s = await EngineSession.create('att', g.toModel().bytes, null, { provider: 'cpu' });
    const out = await s.run({
      q: f32(Float32Array.from(q), [S, Hq * D]),
      k: f32(Float32Array.from(k), [S, Hk * D]),
      v: f32(Float32Array.from(v), [S, Hk * D]),
      cos: f32(Float32Array.from(cos), [1, S, D / 2]),
      sin: f32(Float32Array.from(sin), [1, S, D / 2]),
    });
    const got = out['o'].data as Float32Array;
    const rot = (x: number[], heads: number) => {
      const r = x.slice();
      for (let s2 = 0; s2 < S; s2++)
        for (let h = 0; h < heads; h++)
          for (let p = 0; p < D / 2; p++) {
            const i = s2 * heads * D + h * D + 2 * p;
            const c = cos[s2 * (D / 2) + p], sn = sin[s2 * (D / 2) + p];
            r[i] = x[i] * c - x[i + 1] * sn;
            r[i + 1] = x[i] * sn + x[i + 1] * c;
          }
      return r;
    };
    const qr = rot(q, Hq), kr = rot(k, Hk);
    let maxErr = 0;
    for (let s2 = 0; s2 < S; s2++)
      for (let h = 0; h < Hq; h++) {
        const kh = Math.floor(h / (Hq / Hk));
        const scores = Array.from({ length: S }, (_, t) => {
          let acc = 0;
          for (let d = 0; d < D; d++) acc += qr[s2 * Hq * D + h * D + d] * kr[t * Hk * D + kh * D + d];
          return acc / Math.sqrt(D);
        });
        const m = Math.max(...scores);
        const e = scores.map((x) => Math.exp(x - m));
        const z = e.reduce((a, b) => a + b, 0);
        for (let d = 0; d < D; d++) {
          let acc = 0;
          for (let t = 0; t < S; t++) acc += (e[t] / z) * v[t * Hk * D + kh * D + d];
          maxErr = Math.max(maxErr, Math.abs(acc - got[s2 * Hq * D + h * D + d]));
        }
      }
    expect(maxErr).toBeLessThan(1e-5);
    await s.release();
  });
});
