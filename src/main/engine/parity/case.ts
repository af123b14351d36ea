/**
 * Golden parity cases (format: ../shared/golden/README.md): `parity.json` lists variants (weights file + targets with
 * tolerances); `inputs.safetensors` feeds the computation; `outputs.safetensors` holds the reference targets.
 * Only inputs (and, for samplers, `t_grid`/`t_linspace`) may feed the computation (conventions.md §2).
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { StudioError } from '../../../shared/errors';
import { WeightSet } from '../safetensors/weightSet';

export type ParityKind = 'dit' | 'sampler' | 'vae' | 'jina' | 'gemma';

export interface ParityTarget {
  output: string;
  tolerance: number;
}

export interface ParityVariant {
  weights: string;
  weightsDtype: string;
  targets: ParityTarget[];
}

export interface ParityCase {
  dir: string;
  name: string;
  kind: ParityKind;
  variants: ParityVariant[];
  /** config.json as parsed. */
  config: Record<string, unknown>;
  inputs: WeightSet;
  outputs: WeightSet;
}

/** One row of the parity report (conventions.md §7: `parity --json` prints an array of these). */
export interface ParityResult {
  case: string;
  variant: string;
  target: string;
  maxAbsDiff: number;
  tolerance: number;
  pass: boolean;
}

/** What a kind runner computes for one variant: per target, the values and (optionally) which elements to compare. */
export type ParityOutputs = Record<string, { values: Float32Array; compare?: Uint8Array }>;

/**
 * Reads a case folder.
 * @throws StudioError InvalidRequest when the folder is not a readable parity case (CLI exit 2).
 */
export function readParityCase(dir: string): ParityCase {
  const pj = join(dir, 'parity.json');
  if (!existsSync(pj)) throw new StudioError('InvalidRequest', `${dir}: no parity.json: not a parity case folder`);
  let parity: { kind?: string; variants?: ParityVariant[] };
  let config: Record<string, unknown> = {};
  try {
    parity = JSON.parse(readFileSync(pj, 'utf8'));
    if (existsSync(join(dir, 'config.json'))) config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  } catch (e) {
    throw new StudioError('InvalidRequest', `${dir}: parity.json or config.json is not valid JSON (${(e as Error).message})`);
  }
  const kinds: ParityKind[] = ['dit', 'sampler', 'vae', 'jina', 'gemma'];
  if (!kinds.includes(parity.kind as ParityKind)) {
    throw new StudioError('InvalidRequest', `${pj}: unknown kind ${JSON.stringify(parity.kind)} (expected one of ${kinds.join(', ')})`);
  }
  if (!Array.isArray(parity.variants) || parity.variants.length === 0) {
    throw new StudioError('InvalidRequest', `${pj}: no variants`);
  }
  try {
    return {
      dir,
      name: basename(dir),
      kind: parity.kind as ParityKind,
      variants: parity.variants,
      config,
      inputs: WeightSet.fromFile(join(dir, 'inputs.safetensors')),
      outputs: WeightSet.fromFile(join(dir, 'outputs.safetensors')),
    };
  } catch (e) {
    if (e instanceof StudioError) throw new StudioError('InvalidRequest', e.message);
    throw e;
  }
}

/** Max |a − b| over the compared elements. NaN anywhere compared gives Infinity (a fail). */
export function maxAbsDiff(got: Float32Array, ref: Float32Array, compare?: Uint8Array): number {
  if (got.length !== ref.length) return Infinity;
  let m = 0;
  for (let i = 0; i < got.length; i++) {
    if (compare && !compare[i]) continue;
    const d = Math.abs(got[i] - ref[i]);
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
  }
  return m;
}
