import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  cfgActive,
  combineCfg,
  evaluationTimes,
  evaluationsPerRun,
  float32Below,
  flowMatchConfig,
  predictedClean,
  sampleFlow,
  timeGrid,
  type FlowStep,
} from '../../../../../src/main/engine/schedulers/flowMatch';
import {
  readSafetensorsHeader,
  readTensorF32,
  readTensorInts,
} from '../../../../../src/main/engine/safetensors';
import { StudioError } from '../../../../../src/shared/errors';
import { GOLDEN, itWithGolden } from '../../../../fixtures/golden';

const CASE = join(GOLDEN, 'sampler-a');
const goldenIt = itWithGolden(join(CASE, 'outputs.safetensors'), 'flowMatch');

function golden() {
  const outputs = readSafetensorsHeader(join(CASE, 'outputs.safetensors'));
  const inputs = readSafetensorsHeader(join(CASE, 'inputs.safetensors'));
  const get = (h: typeof outputs, name: string) => {
    const info = h.tensors.get(name);
    if (!info) throw new Error(`missing ${name}`);
    return info;
  };
  return {
    f32: (name: string) => readTensorF32(get(outputs, name)),
    ints: (name: string) => readTensorInts(get(outputs, name)),
    has: (name: string) => outputs.tensors.has(name),
    noise: readTensorF32(get(inputs, 'noise')),
  };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('timeGrid', () => {
  it('follows t/(t + s − s·t) on i/steps, as float32 within one ulp, from 0 to 1', () => {
    const g = timeGrid(28, 6);
    expect(g).toBeInstanceOf(Float32Array);
    expect(g.length).toBe(29);
    expect(g[0]).toBe(0);
    expect(g[28]).toBe(1);
    // σ form of the same shift: σ' = sσ/(1 + (s−1)σ), t = 1 − σ' (newbie-model.md §2.6).
    for (let i = 0; i <= 28; i++) {
      const sigma = 1 - i / 28;
      const exact = 1 - (6 * sigma) / (1 + 5 * sigma);
      expect(Math.abs(g[i] - exact)).toBeLessThanOrEqual(exact * 2 ** -23 + 1e-15);
      expect(g[i]).toBeLessThanOrEqual(exact + 1e-15);
      if (i > 0) expect(g[i]).toBeGreaterThan(g[i - 1]);
    }
    // shift 1 is the plain linspace.
    expect(Array.from(timeGrid(4, 1))).toEqual([0, 0.25, 0.5, 0.75, 1]);
  });

  goldenIt('matches sampler-a t_grid within 1e-7 (float32 reference)', () => {
    const ref = golden().f32('t_grid');
    expect(maxAbsDiff(timeGrid(6, 6), ref)).toBeLessThanOrEqual(1e-7);
  });

  it('keeps the cfg_trunc tie at 0.25 on the reference side (CFG on) for any caller', () => {
    // 7 grid points, shift 6: t_4 is 0.25 exactly, 0.24999999999999997 in float64, 0.24999998 in torch float32.
    const g = timeGrid(6, 6);
    expect(g[4]).toBe(0.25 - 2 ** -26);
    expect(cfgActive(g[4], 0.25)).toBe(true);
    expect(cfgActive(Math.fround(g[4]), 0.25)).toBe(true);
    expect(cfgActive(0.25, 0.25)).toBe(false);
  });

  it('decides CFG as the float64 grid does for float32-representable cfg_trunc, at every step count', () => {
    const mismatches: string[] = [];
    let checked = 0;
    for (let steps = 1; steps <= 64; steps++) {
      const g = timeGrid(steps, 6);
      for (let i = 0; i <= steps; i++) {
        const t = i / steps;
        const t64 = t / (t + 6 - 6 * t);
        for (const c of [0.125, 0.25, 0.5, 0.75, 1]) {
          checked++;
          if (cfgActive(g[i], c) !== t64 < c) mismatches.push(`steps ${steps} i ${i} c ${c}`);
        }
      }
    }
    expect(checked).toBe(5 * ((64 * 65) / 2 + 64));
    expect(mismatches).toEqual([]);
  });

  it('float32Below rounds toward zero and keeps float32 values', () => {
    const below = float32Below(0.1);
    expect(below).toBeLessThanOrEqual(0.1);
    expect(Math.fround(0.1)).toBeGreaterThan(0.1); // so the result is one ulp below the nearest float32
    expect(below).toBe(Math.fround(0.1) - 2 ** -27);
    expect(float32Below(0.75)).toBe(0.75);
    expect(float32Below(0)).toBe(0);
  });

  it('rejects bad steps and shift with InvalidRequest', () => {
    for (const [steps, shift] of [
      [0, 6],
      [2.5, 6],
      [10, 0],
      [10, Number.NaN],
    ]) {
      expect(() => timeGrid(steps, shift)).toThrow(StudioError);
    }
  });
});

describe('flowMatchConfig', () => {
  it('takes the sampler fields of a request and rejects bad ones', () => {
    const ok = { steps: 28, shift: 6, guidance: 5, cfgTrunc: 1, renormCfg: 1, sampler: 'midpoint' as const };
    expect(flowMatchConfig(ok)).toEqual({
      steps: 28,
      shift: 6,
      guidance: 5,
      cfgTrunc: 1,
      renormCfg: 1,
      method: 'midpoint',
    });
    expect(JSON.parse(JSON.stringify(flowMatchConfig(ok)))).toEqual(flowMatchConfig(ok));
    for (const bad of [
      { steps: 0 },
      { shift: -1 },
      { guidance: Infinity },
      { renormCfg: -0.5 },
      { sampler: 'dpm' },
    ]) {
      expect(() => flowMatchConfig({ ...ok, ...bad } as typeof ok)).toThrow(StudioError);
    }
  });
});

describe('combineCfg against sampler-a (official forward_with_cfg)', () => {
  goldenIt('reproduces every guided velocity and the cfg/renorm flags', () => {
    const gd = golden();
    const cfgApplied = gd.ints('cfg_applied');
    const renormApplied = gd.ints('renorm_applied');
    for (let i = 0; i < 6; i++) {
      const t = gd.f32(`step.${i}.t`)[0];
      expect(cfgActive(t, 0.3)).toBe(cfgApplied[i] === 1);
      const vCond = gd.f32(`step.${i}.v_cond`);
      const expected = gd.f32(`step.${i}.velocity`);
      if (cfgApplied[i] === 1) {
        const r = combineCfg(vCond, gd.f32(`step.${i}.v_uncond`), 4.0, 1.0);
        expect(r.renormApplied).toBe(renormApplied[i] === 1);
        expect(maxAbsDiff(r.velocity, expected)).toBeLessThanOrEqual(1e-5);
      } else {
        expect(gd.has(`step.${i}.v_uncond`)).toBe(false);
        expect(maxAbsDiff(vCond, expected)).toBe(0);
      }
    }
  });
});

describe('combineCfg maths', () => {
  it('is v_u + g(v_c − v_u) without renorm and rescales to r·‖v_c‖ when the guided norm exceeds it', () => {
    const vc = new Float32Array([3, 4]); // ‖v_c‖ = 5
    const vu = new Float32Array([0, 0]);
    const plain = combineCfg(vc, vu, 2, 0);
    expect(Array.from(plain.velocity)).toEqual([6, 8]);
    expect(plain.renormApplied).toBe(false);
    const renorm = combineCfg(vc, vu, 2, 1.5); // ‖v‖ = 10 ≥ 7.5 → scale 0.75
    expect(renorm.renormApplied).toBe(true);
    expect(renorm.velocity[0]).toBeCloseTo(4.5, 6);
    expect(renorm.velocity[1]).toBeCloseTo(6, 6);
    const below = combineCfg(vc, vu, 2, 3); // 10 < 15: untouched
    expect(below.renormApplied).toBe(false);
    expect(Array.from(below.velocity)).toEqual([6, 8]);
  });
  it('rejects mismatched sizes', () => {
    expect(() => combineCfg(new Float32Array(2), new Float32Array(3), 5, 1)).toThrow(StudioError);
  });
});

describe('sampleFlow', () => {
  goldenIt(
    'Euler replay of the stored guided velocities reproduces trajectory and final_latent',
    async () => {
      const gd = golden();
      const grid = gd.f32('t_grid'); // the only output allowed as input (golden README)
      const velocities = Array.from({ length: 6 }, (_, i) => gd.f32(`step.${i}.velocity`));
      const traj = gd.f32('trajectory');
      const n = gd.noise.length;
      const seenT: number[] = [];
      const steps: number[] = [];
      const final = await sampleFlow({
        latent: gd.noise,
        timeGrid: grid,
        method: 'euler',
        evaluate: async (x, t) => {
          const i = seenT.length;
          seenT.push(t);
          // The latent the reference fed to call i.
          expect(maxAbsDiff(x, gd.f32(`step.${i}.x`))).toBeLessThanOrEqual(1e-5);
          return velocities[i];
        },
        onStep: (s: FlowStep) => {
          steps.push(s.step);
          expect(s.total).toBe(6);
          expect(maxAbsDiff(s.x, traj.subarray(s.step * n, (s.step + 1) * n))).toBeLessThanOrEqual(1e-5);
        },
      });
      expect(steps).toEqual([1, 2, 3, 4, 5, 6]);
      expect(seenT).toEqual(Array.from(grid.subarray(0, 6)));
      expect(maxAbsDiff(final, gd.f32('final_latent'))).toBeLessThanOrEqual(1e-5);
      // The input latent is not modified (fp32 master is a copy).
      expect(maxAbsDiff(gd.noise, traj.subarray(0, n))).toBe(0);
    },
  );

  // dx/dt = λx has x(1) = x(0)·e^λ: Euler's error is O(Δt), midpoint's O(Δt²) (independent of any golden).
  async function solveLinear(method: 'euler' | 'midpoint', steps: number, lambda: number) {
    const ts: number[] = [];
    const out = await sampleFlow({
      latent: new Float32Array([1]),
      timeGrid: timeGrid(steps, 1),
      method,
      evaluate: async (x, t) => {
        ts.push(t);
        return new Float32Array([lambda * x[0]]);
      },
    });
    return { value: out[0], ts };
  }

  it('midpoint is second order, Euler first order, on dx/dt = λx', async () => {
    const exact = Math.exp(0.5);
    const err = async (m: 'euler' | 'midpoint', k: number) =>
      Math.abs((await solveLinear(m, k, 0.5)).value - exact);
    const eulerRatio = (await err('euler', 8)) / (await err('euler', 16));
    const midRatio = (await err('midpoint', 8)) / (await err('midpoint', 16));
    expect(eulerRatio).toBeGreaterThan(1.8);
    expect(eulerRatio).toBeLessThan(2.2);
    expect(midRatio).toBeGreaterThan(3.6);
    expect(midRatio).toBeLessThan(4.4);
    // One midpoint step: x·(1 + λΔt + (λΔt)²/2).
    expect((await solveLinear('midpoint', 1, 0.5)).value).toBeCloseTo(1 + 0.5 + 0.125, 6);
  });

  it('midpoint evaluates at each grid point and each mid-point (2·steps evaluations)', async () => {
    const { ts } = await solveLinear('midpoint', 4, 1);
    expect(ts).toEqual([0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875]);
    expect(ts.length).toBe(evaluationsPerRun(4, 'midpoint'));
    expect(evaluationsPerRun(4, 'euler')).toBe(4);
  });

  it('evaluationTimes lists exactly the times sampleFlow evaluates (float32 mid-points), for CFG gating and the ETA', async () => {
    for (const [steps, shift] of [[28, 6], [7, 3.5], [50, 6]] as const) {
      const grid = timeGrid(steps, shift);
      for (const method of ['euler', 'midpoint'] as const) {
        const seen: number[] = [];
        await sampleFlow({ latent: new Float32Array(2), timeGrid: grid, method, evaluate: async (x, t) => (seen.push(t), new Float32Array(x.length)) });
        expect(evaluationTimes(grid, method)).toEqual(seen);
      }
    }
  });

  it('cancels between evaluations with StudioError Cancelled', async () => {
    const controller = new AbortController();
    let calls = 0;
    const run = sampleFlow({
      latent: new Float32Array(4),
      timeGrid: timeGrid(10, 6),
      method: 'midpoint',
      signal: controller.signal,
      evaluate: async () => {
        calls++;
        if (calls === 3) controller.abort(); // during the second step's first evaluation
        return new Float32Array(4).fill(1);
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'Cancelled' });
    expect(calls).toBe(3);
  });

  it('rejects a wrong-sized velocity and a non-increasing grid', async () => {
    const base = { latent: new Float32Array(4), method: 'euler' as const };
    await expect(
      sampleFlow({ ...base, timeGrid: [0, 1], evaluate: async () => new Float32Array(3) }),
    ).rejects.toMatchObject({ code: 'EngineCrashed' });
    await expect(
      sampleFlow({ ...base, timeGrid: [0, 0.5, 0.5, 1], evaluate: async () => new Float32Array(4) }),
    ).rejects.toMatchObject({ code: 'InvalidRequest' });
  });
});

describe('predictedClean', () => {
  it('is x + (1 − t)·v, and equals the pre-step estimate after an Euler step', () => {
    const x = new Float32Array([0.5, -1]);
    const v = new Float32Array([2, 4]);
    expect(Array.from(predictedClean(x, 0.25, v))).toEqual([0.5 + 0.75 * 2, -1 + 0.75 * 4]);
    // x1 = x + (t1 − t0)v ⇒ x1 + (1 − t1)v = x + (1 − t0)v
    const x1 = new Float32Array([0.5 + 0.25 * 2, -1 + 0.25 * 4]);
    expect(Array.from(predictedClean(x1, 0.5, v))).toEqual(Array.from(predictedClean(x, 0.25, v)));
  });
});
