/**
 * Runs golden parity cases with the project's own engine at fp32 on CPU. Each kind has a runner in this folder that
 * builds the component from the case's config + weights and returns the target tensors.
 */
import { join } from 'node:path';
import { StudioError } from '../../../shared/errors';
import { maxAbsDiff, readParityCase, type ParityCase, type ParityKind, type ParityOutputs, type ParityResult, type ParityVariant } from './case';

export type KindRunner = (c: ParityCase, variant: ParityVariant) => Promise<ParityOutputs>;

/** Kind → runner. Each architecture registers its runner here. */
const RUNNERS: Partial<Record<ParityKind, KindRunner>> = {};

/** Registers a runner (called at module load by each kind's file, imported below). */
export function registerParityRunner(kind: ParityKind, runner: KindRunner): void {
  RUNNERS[kind] = runner;
}

/**
 * Runs every variant and target of a case.
 * @throws StudioError InvalidRequest for an unreadable case or a kind with no runner.
 */
export async function runParityCase(dir: string): Promise<ParityResult[]> {
  const c = readParityCase(dir);
  const runner = RUNNERS[c.kind];
  if (!runner) throw new StudioError('InvalidRequest', `${dir}: no parity runner for kind ${c.kind}`);
  const results: ParityResult[] = [];
  for (const variant of c.variants) {
    const outputs = await runner(c, variant);
    for (const target of variant.targets) {
      const got = outputs[target.output];
      if (!c.outputs.has(target.output)) {
        throw new StudioError('InvalidRequest', `${join(dir, 'outputs.safetensors')}: target ${target.output} is missing`);
      }
      const ref = c.outputs.readF32(target.output);
      const diff = got ? maxAbsDiff(got.values, ref, got.compare) : Infinity;
      results.push({
        case: c.name,
        variant: variant.weights,
        target: target.output,
        maxAbsDiff: diff,
        tolerance: target.tolerance,
        pass: diff <= target.tolerance,
      });
    }
  }
  return results;
}

export { readParityCase, maxAbsDiff };
export type { ParityCase, ParityResult, ParityVariant, ParityOutputs };
