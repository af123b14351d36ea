/**
 * Flow-matching sampler of NewBie-image-Exp0.1: time grid with shift, Euler / midpoint on a fixed grid, CFG with
 * truncation and renormalisation. Pure math over Float32Array; the caller runs the DiT.
 *
 * Model time t: 0 = pure noise, 1 = clean data (conventions.md §1); the velocity v points towards the data.
 * Sources: NewBieAI-Lab/NewBie-image-Exp0.1 @709e9a4 `transport/integrators.py` (`ode`: grid and shift),
 * `transport/transport.py` (`Sampler.sample_ode`), `models/model.py` (`NextDiT_CLIP.forward_with_cfg`);
 * rtqichen/torchdiffeq v0.2.5 `fixed_grid.py` (Euler, Midpoint). Float32 arithmetic is reproduced op by op with
 * `Math.fround` so a replay of the reference's velocities gives the reference's latents bit for bit.
 *
 * The cfg_trunc tie (golden/sampler-a/README.md): with 7 grid points and shift 6, t₄ is 0.25 in exact arithmetic,
 * 0.24999999999999997 in float64 and 0.24999998 in the reference's float32, so CFG is on at the demo default
 * cfg_trunc 0.25. Rounding the float64 value to the nearest float32 would give exactly 0.25 and turn CFG off.
 * `timeGrid` therefore rounds each float64 value *down* to float32: then for every float32-representable cfg_trunc
 * (0.25, 0.5, 1, …) `t32 < cfg_trunc` ⟺ `t64 < cfg_trunc`, whatever the caller compares, and the grid stays within
 * one float32 ulp of the float64 formula (the reference's own float32 grid is ~1e-7 off it too).
 */
import { StudioError } from '../../../shared/errors';
import type { GenerationRequest, Sampler } from '../../../shared/dto';

const f = Math.fround;

/** JSON-able sampler settings (the request's fields, conventions.md §1-2). */
export interface FlowMatchConfig {
  /** Integration intervals (Euler: one DiT evaluation each; midpoint: two). */
  steps: number;
  /** Time-shift factor s (official 6). */
  shift: number;
  /** CFG scale g. */
  guidance: number;
  /** CFG applies while t < cfgTrunc (model time); 1.0 = always, 0 = never. */
  cfgTrunc: number;
  /** Renorm factor r; 0 disables renormalisation. */
  renormCfg: number;
  method: Sampler;
}

/**
 * The sampler settings of a request, checked: steps integer 1..10000, shift > 0, guidance / cfgTrunc finite,
 * renormCfg finite ≥ 0.
 * @throws StudioError InvalidRequest naming the first bad field
 */
export function flowMatchConfig(
  request: Pick<GenerationRequest, 'steps' | 'shift' | 'guidance' | 'cfgTrunc' | 'renormCfg' | 'sampler'>,
): FlowMatchConfig {
  const { steps, shift, guidance, cfgTrunc, renormCfg, sampler } = request;
  checkSteps(steps, shift);
  for (const [name, v] of [
    ['guidance', guidance],
    ['cfgTrunc', cfgTrunc],
    ['renormCfg', renormCfg],
  ] as const) {
    if (!Number.isFinite(v) || (name === 'renormCfg' && v < 0)) {
      throw new StudioError(
        'InvalidRequest',
        `${name} ${v} must be a finite number${name === 'renormCfg' ? ' ≥ 0' : ''}.`,
      );
    }
  }
  if (sampler !== 'euler' && sampler !== 'midpoint') {
    throw new StudioError('InvalidRequest', `Unknown sampler "${String(sampler)}": use euler or midpoint.`);
  }
  return { steps, shift, guidance, cfgTrunc, renormCfg, method: sampler };
}

function checkSteps(steps: number, shift: number): void {
  if (!Number.isInteger(steps) || steps < 1 || steps > 10_000) {
    throw new StudioError('InvalidRequest', `Steps ${steps} must be an integer between 1 and 10000.`);
  }
  if (!Number.isFinite(shift) || shift <= 0) {
    throw new StudioError(
      'InvalidRequest',
      `Shift ${shift} must be a positive number (6 is the official value).`,
    );
  }
}

const bits32 = new Float32Array(1);
const bitsU32 = new Uint32Array(bits32.buffer);

/** Largest float32 ≤ x, for x ≥ 0 (round toward zero). */
export function float32Below(x: number): number {
  const r = Math.fround(x);
  if (r <= x) return r;
  bits32[0] = r; // r > x ≥ 0, so r > 0: one ulp down is the previous bit pattern
  bitsU32[0] -= 1;
  return bits32[0];
}

/**
 * The official shifted time grid: t_i = i/steps, t'_i = t_i / (t_i + s − s·t_i), computed in float64 and rounded
 * down to float32 (see the module note on the cfg_trunc tie). The DiT input, the CFG decision and Δt all use these.
 * @param steps integer ≥ 1 (grid points = steps + 1); @param shift s > 0 (1 = no shift)
 * @returns Float32Array [steps + 1], t_0 = 0 … t_steps = 1, increasing
 * @throws StudioError InvalidRequest for a non-integer or non-positive step count or shift
 * Source: NewBie-image-Exp0.1 `transport/integrators.py` `ode.__init__` (time_shifting_factor).
 */
export function timeGrid(steps: number, shift: number): Float32Array {
  checkSteps(steps, shift);
  const grid = new Float32Array(steps + 1);
  for (let i = 0; i <= steps; i++) {
    const t = i / steps;
    grid[i] = float32Below(t / (t + shift - shift * t));
  }
  return grid;
}

/** Whether CFG runs at model time t: strictly t < cfgTrunc (official `forward_with_cfg`). */
export function cfgActive(t: number, cfgTrunc: number): boolean {
  return t < cfgTrunc;
}

/** DiT evaluations a run makes (per batch row pair), for ETA: Euler `steps`, midpoint `2·steps`. */
export function evaluationsPerRun(steps: number, method: Sampler): number {
  return method === 'midpoint' ? 2 * steps : steps;
}

/**
 * Model times at which `sampleFlow` evaluates the DiT, in order, with the same float32 arithmetic: every grid point
 * but the last, and for midpoint also `t_i + f32(0.5·f32(t_{i+1} − t_i))` (torchdiffeq fixed-grid midpoint).
 * @param grid increasing model times (float32 values), length steps + 1
 * @returns float32-valued numbers, length `evaluationsPerRun(steps, method)`
 */
export function evaluationTimes(grid: ArrayLike<number>, method: Sampler): number[] {
  const ts: number[] = [];
  for (let i = 0; i + 1 < grid.length; i++) {
    const t0 = f(grid[i]);
    ts.push(t0);
    if (method === 'midpoint') ts.push(midpointTime(t0, f(grid[i + 1])));
  }
  return ts;
}

/** Mid-point time of one interval in float32 (shared by `sampleFlow` and `evaluationTimes` so CFG gating agrees). */
function midpointTime(t0: number, t1: number): number {
  return f(t0 + f(0.5 * f(t1 - t0)));
}

/**
 * Classifier-free guidance of one sample, as `NextDiT_CLIP.forward_with_cfg`:
 * v = v_u + g·(v_c − v_u) in float32; if r > 0, with n_c = ‖v_c‖₂ and n = ‖v‖₂ over the whole C×H×W tensor,
 * when n ≥ r·n_c: v ← v·(r·n_c / n). Norms are accumulated in float64 and rounded to float32.
 * For a batch, call once per sample (the norm is per sample).
 * @param vCond, vUncond Float32Array [C·H·W] of one sample; @param guidance g; @param renormCfg r (≤ 0 = off)
 * @returns velocity Float32Array [C·H·W] (new array) and whether the renorm rescale fired
 * @throws StudioError EngineCrashed when the two velocities differ in length
 */
export function combineCfg(
  vCond: Float32Array,
  vUncond: Float32Array,
  guidance: number,
  renormCfg: number,
): { velocity: Float32Array; renormApplied: boolean } {
  if (vCond.length !== vUncond.length) {
    throw new StudioError(
      'EngineCrashed',
      `CFG got velocities of different sizes (${vCond.length} and ${vUncond.length}).`,
    );
  }
  const g = f(guidance);
  const velocity = new Float32Array(vCond.length);
  let condSq = 0;
  let guidedSq = 0;
  for (let i = 0; i < vCond.length; i++) {
    const u = vUncond[i];
    const v = f(u + f(g * f(vCond[i] - u)));
    velocity[i] = v;
    condSq += vCond[i] * vCond[i];
    guidedSq += v * v;
  }
  if (!(renormCfg > 0)) return { velocity, renormApplied: false };
  const maxNorm = f(f(Math.sqrt(condSq)) * f(renormCfg));
  const norm = f(Math.sqrt(guidedSq));
  if (!(norm >= maxNorm)) return { velocity, renormApplied: false };
  const scale = f(maxNorm / norm);
  for (let i = 0; i < velocity.length; i++) velocity[i] = f(velocity[i] * scale);
  return { velocity, renormApplied: true };
}

/**
 * Predicted clean latent x0 = x_t + (1 − t)·v (float32), for the live preview (conventions.md §2).
 * @param x latent at model time t, Float32Array [C·H·W]; @param v velocity at (x, t)
 * @returns Float32Array [C·H·W]
 */
export function predictedClean(x: Float32Array, t: number, v: Float32Array): Float32Array {
  const w = Math.fround(1 - Math.fround(t));
  const out = new Float32Array(x.length);
  // The store into a Float32Array rounds the sum; the product is rounded explicitly (float32 op order).
  for (let i = 0; i < x.length; i++) out[i] = x[i] + Math.fround(w * v[i]);
  return out;
}

/** What `onStep` receives after each completed step. */
export interface FlowStep {
  /** Completed steps, 1..total. */
  step: number;
  total: number;
  /** Latent after the step (the sampler's live fp32 master: copy it to keep it). */
  x: Float32Array;
  /** Model time of `x` (t_{step}, float32). */
  t: number;
  /** Velocity used for the update (midpoint: the one at the mid-point). predictedClean(x, t, velocity) is x0. */
  velocity: Float32Array;
}

export interface SampleFlowOptions {
  /** Initial latent at t = timeGrid[0] (not modified). */
  latent: Float32Array;
  /** Grid t_0 < … < t_K (from `timeGrid`, or a golden case's `t_grid`); values are used as float32. */
  timeGrid: ArrayLike<number>;
  method: Sampler;
  /**
   * Guided velocity at (x, t): the caller runs the DiT and CFG (`cfgActive(t, cfgTrunc)` then `combineCfg`).
   * t is a float32 value (grid point or mid-point). Must not modify x.
   */
  evaluate: (x: Float32Array, t: number) => Promise<Float32Array>;
  onStep?: (s: FlowStep) => void | Promise<void>;
  /** Checked before every evaluation; when aborted the run throws StudioError 'Cancelled'. */
  signal?: AbortSignal;
}

function checkVelocity(v: Float32Array, n: number, t: number): void {
  if (!(v instanceof Float32Array) || v.length !== n) {
    throw new StudioError(
      'EngineCrashed',
      `The model returned ${v?.length} velocity values at t=${t}; the latent has ${n}.`,
    );
  }
}

/**
 * Integrates dx/dt = v(x, t) over the grid on a float32 master latent.
 * Euler (torchdiffeq `Euler`): x ← x + Δt·v(t_i, x), Δt = f32(t_{i+1}) − f32(t_i) in float32.
 * Midpoint (torchdiffeq `Midpoint`): k1 = v(t_i, x); x_mid = x + (Δt/2)·k1; x ← x + Δt·v(t_i + Δt/2, x_mid).
 * Every operation is float32 (t, Δt, Δt/2, t_i + Δt/2, products, sums), as in the reference.
 * @returns the final latent, Float32Array [C·H·W] (shape of `latent`)
 * @throws StudioError Cancelled when `signal` is aborted between evaluations; InvalidRequest for a bad grid;
 *   EngineCrashed when `evaluate` returns a wrong-sized velocity
 */
export async function sampleFlow(opts: SampleFlowOptions): Promise<Float32Array> {
  const { timeGrid: grid, method, evaluate, onStep, signal } = opts;
  const total = grid.length - 1;
  if (total < 1) throw new StudioError('InvalidRequest', 'The time grid needs at least two points.');
  for (let i = 0; i <= total; i++) {
    if (!Number.isFinite(grid[i]) || (i > 0 && !(f(grid[i]) > f(grid[i - 1])))) {
      throw new StudioError(
        'InvalidRequest',
        `The time grid must be finite and increasing in float32 (t_${i} = ${grid[i]}).`,
      );
    }
  }
  if (method !== 'euler' && method !== 'midpoint') {
    throw new StudioError('InvalidRequest', `Unknown sampler "${String(method)}": use euler or midpoint.`);
  }
  const n = opts.latent.length;
  const x = Float32Array.from(opts.latent);
  const xMid = method === 'midpoint' ? new Float32Array(n) : undefined;
  const checkCancel = (step: number) => {
    if (signal?.aborted)
      throw new StudioError('Cancelled', `Generation cancelled at step ${step + 1} of ${total}.`);
  };
  for (let i = 0; i < total; i++) {
    const t0 = f(grid[i]);
    const t1 = f(grid[i + 1]);
    const dt = f(t1 - t0);
    checkCancel(i);
    const k1 = await evaluate(x, t0);
    checkVelocity(k1, n, t0);
    let v = k1;
    if (xMid) {
      const halfDt = f(0.5 * dt);
      for (let j = 0; j < n; j++) xMid[j] = f(x[j] + f(k1[j] * halfDt));
      const tMid = midpointTime(t0, t1);
      checkCancel(i);
      v = await evaluate(xMid, tMid);
      checkVelocity(v, n, tMid);
    }
    for (let j = 0; j < n; j++) x[j] = f(x[j] + f(dt * v[j]));
    if (onStep) await onStep({ step: i + 1, total, x, t: t1, velocity: v });
  }
  return x;
}
