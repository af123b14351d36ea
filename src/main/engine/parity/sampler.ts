/**
 * Parity kind `sampler`: a short official sampling run (golden/README.md, sampler-a/README.md) reproduced with the
 * project's DiT (`DitRunner`, one sample per run: cond and uncond are separate runs with their own caption length)
 * and the project's sampler (`schedulers/flowMatch.ts`: `sampleFlow`, `cfgActive`, `combineCfg`). The grid is the
 * case's float32 `t_grid` (conventions.md §2: the only output that may feed the computation). Target `final_latent`.
 */
import { join } from 'node:path';
import { StudioError } from '../../../shared/errors';
import type { Sampler } from '../../../shared/dto';
import { DitRunner, ditConfigFromWeights, type DitComputeDtype } from '../architectures/nextDit';
import { cfgActive, combineCfg, sampleFlow } from '../schedulers/flowMatch';
import { WeightSet } from '../safetensors/weightSet';
import type { ParityCase, ParityOutputs, ParityVariant } from './case';
import { ditCaseConfigJson, readCaseCaptions } from './dit';
import { registerParityRunner } from './index';

/** The `sampler` section of a sampler case's config.json. */
export interface SamplerCaseSettings {
  method: Sampler;
  guidance: number;
  cfgTrunc: number;
  renormCfg: number;
}

/**
 * Reads the case's sampler settings. `method` is matched on its first word ("euler (torchdiffeq fixed grid)").
 * @throws StudioError InvalidRequest for a missing section, an unknown method or non-numeric settings
 */
export function samplerCaseSettings(c: ParityCase): SamplerCaseSettings {
  const s = c.config['sampler'] as Record<string, unknown> | undefined;
  if (!s || typeof s !== 'object') throw new StudioError('InvalidRequest', `${c.dir}: config.json has no sampler section`);
  const word = String(s['method'] ?? '').trim().split(/\s+/)[0].toLowerCase();
  if (word !== 'euler' && word !== 'midpoint') {
    throw new StudioError('InvalidRequest', `${c.dir}: sampler method ${JSON.stringify(s['method'])} is not euler or midpoint`);
  }
  const n = (key: string): number => {
    const v = s[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new StudioError('InvalidRequest', `${c.dir}: sampler.${key} must be a number`);
    return v;
  };
  return { method: word, guidance: n('cfg_scale'), cfgTrunc: n('cfg_trunc'), renormCfg: n('renorm_cfg') };
}

/** Result of a sampler case run, with the per-evaluation record for debugging and tests. */
export interface SamplerCaseRun {
  finalLatent: Float32Array;
  /** Per DiT evaluation (grid order): t fed to the DiT, guided velocity, whether CFG and the renorm fired. */
  steps: Array<{ t: number; velocity: Float32Array; cfgApplied: boolean; renormApplied: boolean }>;
}

/**
 * Runs a sampler case at `dtype` on CPU: captions refined once, then `sampleFlow` over the file's `t_grid` with
 * v = cond only, or combineCfg(cond, uncond) while t < cfg_trunc.
 * @throws StudioError InvalidRequest when the case lacks two captions (cond, uncond), `noise` or `t_grid`
 */
export async function runSamplerCase(c: ParityCase, variant: ParityVariant, dtype: DitComputeDtype = 'float32'): Promise<SamplerCaseRun> {
  const settings = samplerCaseSettings(c);
  const weights = WeightSet.fromFile(join(c.dir, variant.weights));
  const cfg = ditConfigFromWeights(weights, '', ditCaseConfigJson(c.config['dit'], c.dir));
  const [B, , h, w] = c.inputs.get('noise').shape;
  if (B !== 1) throw new StudioError('InvalidRequest', `${c.dir}: noise has batch ${B}; a sampler case runs one latent`);
  const noise = c.inputs.readF32('noise');
  const captions = readCaseCaptions(c, cfg);
  if (captions.length !== 2) throw new StudioError('InvalidRequest', `${c.dir}: expected 2 captions (cond, uncond), got ${captions.length}`);
  const grid = c.outputs.readF32('t_grid');
  const runner = await DitRunner.create(weights, cfg, { dtype, provider: 'cpu' });
  try {
    // One run at a time on a session (sequential, not Promise.all).
    const cond = { ...captions[0], capRefined: await runner.refineCaption(captions[0].capFeats, captions[0].length) };
    const uncond = { ...captions[1], capRefined: await runner.refineCaption(captions[1].capFeats, captions[1].length) };
    const steps: SamplerCaseRun['steps'] = [];
    const finalLatent = await sampleFlow({
      latent: noise,
      timeGrid: grid,
      method: settings.method,
      evaluate: async (x, t) => {
        const tf = Math.fround(t);
        const vCond = await runner.velocity(x, h, w, tf, cond.capRefined, cond.length, cond.pooled);
        if (!cfgActive(t, settings.cfgTrunc)) {
          steps.push({ t: tf, velocity: vCond, cfgApplied: false, renormApplied: false });
          return vCond;
        }
        const vUncond = await runner.velocity(x, h, w, tf, uncond.capRefined, uncond.length, uncond.pooled);
        const { velocity, renormApplied } = combineCfg(vCond, vUncond, settings.guidance, settings.renormCfg);
        steps.push({ t: tf, velocity, cfgApplied: true, renormApplied });
        return velocity;
      },
    });
    return { finalLatent, steps };
  } finally {
    await runner.release();
  }
}

registerParityRunner('sampler', async (c: ParityCase, variant: ParityVariant): Promise<ParityOutputs> => {
  const run = await runSamplerCase(c, variant);
  const out: ParityOutputs = { final_latent: { values: run.finalLatent } };
  run.steps.forEach((s, i) => (out[`step.${i}.velocity`] = { values: s.velocity }));
  return out;
});
