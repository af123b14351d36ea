/**
 * Parity kind `sampler` on golden `sampler-a` (6 Euler steps, shift 6, CFG 4, cfg_trunc 0.3, renorm 1.0): the
 * project's DiT runner + flowMatch sampler against the official transport run.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { maxAbsDiff, readParityCase, type ParityCase } from '../../../../../src/main/engine/parity/case';
import { runParityCase } from '../../../../../src/main/engine/parity/runners';
import { runSamplerCase, samplerCaseSettings } from '../../../../../src/main/engine/parity/sampler';
import { readTensorInts } from '../../../../../src/main/engine/safetensors';
import { StudioError } from '../../../../../src/shared/errors';
import { GOLDEN, itWithGolden } from '../../../../fixtures/golden';

const CASE = join(GOLDEN, 'sampler-a');
const goldenIt = itWithGolden(CASE, 'sampler parity');

describe('sampler parity (sampler-a)', () => {
  goldenIt('final_latent within the case tolerance', async () => {
    const results = await runParityCase(CASE);
    expect(results.map((r) => r.target)).toEqual(['final_latent']);
    const r = results[0];
    console.info(`sampler-a final_latent: max abs diff ${r.maxAbsDiff.toExponential(2)} (tolerance ${r.tolerance})`);
    expect(r.pass).toBe(true);
    expect(r.maxAbsDiff).toBeLessThanOrEqual(1e-4);
  });

  goldenIt('every step: the DiT time, the CFG and renorm decisions and the guided velocity match', async () => {
    const c = readParityCase(CASE);
    const run = await runSamplerCase(c, c.variants[0]);
    const cfgRef = readTensorInts(c.outputs.get('cfg_applied'));
    const renormRef = readTensorInts(c.outputs.get('renorm_applied'));
    expect(run.steps.length).toBe(cfgRef.length);
    let worst = 0;
    run.steps.forEach((s, i) => {
      expect(s.t).toBe(c.outputs.readF32(`step.${i}.t`)[0]);
      expect(s.cfgApplied ? 1 : 0).toBe(cfgRef[i]);
      expect(s.renormApplied ? 1 : 0).toBe(renormRef[i]);
      worst = Math.max(worst, maxAbsDiff(s.velocity, c.outputs.readF32(`step.${i}.velocity`)));
    });
    console.info(`sampler-a step velocities: max abs diff ${worst.toExponential(2)}`);
    expect(worst).toBeLessThanOrEqual(1e-4);
  });
});

describe('samplerCaseSettings', () => {
  const fake = (sampler: Record<string, unknown>): ParityCase =>
    ({ dir: '/x', name: 'x', kind: 'sampler', variants: [], config: { sampler } }) as unknown as ParityCase;

  it('reads the method by its first word and the CFG settings', () => {
    expect(samplerCaseSettings(fake({ method: 'midpoint (torchdiffeq fixed grid)', cfg_scale: 4, cfg_trunc: 0.25, renorm_cfg: 0 }))).toEqual({
      method: 'midpoint',
      guidance: 4,
      cfgTrunc: 0.25,
      renormCfg: 0,
    });
  });

  it('refuses an unknown method or a missing number', () => {
    expect(() => samplerCaseSettings(fake({ method: 'rk4', cfg_scale: 4, cfg_trunc: 1, renorm_cfg: 0 }))).toThrow(StudioError);
    expect(() => samplerCaseSettings(fake({ method: 'euler', cfg_scale: '4', cfg_trunc: 1, renorm_cfg: 0 }))).toThrow(/sampler\.cfg_scale must be a number/);
  });
});
