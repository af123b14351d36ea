/**
 * Parity kind `dit`: one `NextDiT_CLIP.forward` (golden/README.md). The B-sample reference batch is run one sample
 * at a time with each caption cut to its valid length L_i = Σ cap_mask[i] (the golden READMEs confirm a B=1 port
 * matches the padded reference); target `velocity` [B, 16, h, w] is compared in full.
 */
import { join } from 'node:path';
import { StudioError } from '../../../shared/errors';
import { DitRunner, ditConfigFromWeights, type DitComputeDtype, type DitConfig } from '../architectures/nextDit';
import { readTensorInts } from '../safetensors/reader';
import { WeightSet } from '../safetensors/weightSet';
import type { ParityCase, ParityOutputs, ParityVariant } from './case';
import { registerParityRunner } from './index';

/** config.json of a dit case (or the `dit` section of a sampler case) → the fields `ditConfigFromWeights` reads. */
export function ditCaseConfigJson(section: unknown, where: string): Record<string, unknown> {
  const s = section as { constructor_kwargs?: Record<string, unknown>; derived?: Record<string, unknown> } | undefined;
  if (!s || typeof s.constructor_kwargs !== 'object' || s.constructor_kwargs === null) {
    throw new StudioError('InvalidRequest', `${where}: config.json has no constructor_kwargs`);
  }
  return { ...s.constructor_kwargs, ...(s.derived ?? {}) };
}

/** Per-sample conditioning of a golden case: caption features cut to L_i, pooled vector. */
export interface CaseCaption {
  capFeats: Float32Array;
  length: number;
  pooled: Float32Array;
}

/**
 * Reads `cap_feats` [B, Lmax, C], `cap_mask` [B, Lmax] and `clip_text_pooled` [B, P] and cuts each caption to
 * its valid length (right padding: the 1s come first).
 * @throws StudioError InvalidRequest when shapes disagree or a mask is not right-padded 1s then 0s
 */
export function readCaseCaptions(c: ParityCase, cfg: DitConfig): CaseCaption[] {
  const info = c.inputs.get('cap_feats');
  const [B, Lmax, C] = info.shape;
  if (C !== cfg.capFeatDim) throw new StudioError('InvalidRequest', `${c.dir}: cap_feats width ${C} ≠ cap_feat_dim ${cfg.capFeatDim}`);
  const feats = c.inputs.readF32('cap_feats');
  const mask = readTensorInts(c.inputs.get('cap_mask'));
  const pooled = c.inputs.readF32('clip_text_pooled');
  if (mask.length !== B * Lmax || pooled.length !== B * cfg.clipTextDim) {
    throw new StudioError('InvalidRequest', `${c.dir}: cap_mask / clip_text_pooled do not match cap_feats [${B}, ${Lmax}, ${C}]`);
  }
  return Array.from({ length: B }, (_, i) => {
    const row = mask.slice(i * Lmax, (i + 1) * Lmax);
    const L = row.reduce((a, v) => a + v, 0);
    if (row.some((v, j) => v !== (j < L ? 1 : 0))) throw new StudioError('InvalidRequest', `${c.dir}: cap_mask row ${i} is not right-padded`);
    return {
      capFeats: feats.slice(i * Lmax * C, (i * Lmax + L) * C),
      length: L,
      pooled: pooled.slice(i * cfg.clipTextDim, (i + 1) * cfg.clipTextDim),
    };
  });
}

/**
 * Runs a dit case's forward with the project's DiT at `dtype` on CPU; returns `velocity` [B, C, h, w].
 * Exported so tests can run the same case at fp16 compute.
 */
export async function runDitCase(c: ParityCase, variant: ParityVariant, dtype: DitComputeDtype = 'float32'): Promise<Float32Array> {
  const weights = WeightSet.fromFile(join(c.dir, variant.weights));
  const cfg = ditConfigFromWeights(weights, '', ditCaseConfigJson(c.config, c.dir));
  const [B, Cx, h, w] = c.inputs.get('x').shape;
  const x = c.inputs.readF32('x');
  const t = c.inputs.readF32('t');
  if (t.length !== B) throw new StudioError('InvalidRequest', `${c.dir}: t has ${t.length} values for a batch of ${B}`);
  const captions = readCaseCaptions(c, cfg);
  const runner = await DitRunner.create(weights, cfg, { dtype, provider: 'cpu' });
  try {
    const per = Cx * h * w;
    const out = new Float32Array(B * per);
    for (let i = 0; i < B; i++) {
      const cap = captions[i];
      const capRefined = await runner.refineCaption(cap.capFeats, cap.length);
      out.set(await runner.velocity(x.slice(i * per, (i + 1) * per), h, w, t[i], capRefined, cap.length, cap.pooled), i * per);
    }
    return out;
  } finally {
    await runner.release();
  }
}

registerParityRunner('dit', async (c: ParityCase, variant: ParityVariant): Promise<ParityOutputs> => {
  return { velocity: { values: await runDitCase(c, variant) } };
});
