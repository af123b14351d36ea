/**
 * Parity kind `gemma`: Gemma3 text tower up to hidden_states[−2] (golden README: gemma-a, gemma-b).
 * Batched, right-padded reference rows are run one sample at a time, cut to the sample's valid length
 * (sum of `attention_mask`), and compared on valid rows only; the goldens confirm that a B=1 port matches.
 */
import { join } from 'node:path';
import { StudioError } from '../../../shared/errors';
import { GemmaEncoder, detectGemmaPrefix } from '../architectures/gemma3Text';
import { readTensorInts } from '../safetensors/reader';
import { WeightSet } from '../safetensors/weightSet';
import type { ParityCase, ParityOutputs, ParityVariant } from './case';
import { registerParityRunner } from './index';

/**
 * Valid length of each row of a right-padded [B, L] attention mask.
 * @throws StudioError InvalidRequest when a row is not right-padded (a 0 before a 1).
 */
export function rightPaddedLengths(mask: number[], B: number, L: number, what: string): number[] {
  return Array.from({ length: B }, (_, b) => {
    const row = mask.slice(b * L, (b + 1) * L);
    const len = row.filter((m) => m !== 0).length;
    if (row.some((m, t) => t < len !== (m !== 0))) {
      throw new StudioError('InvalidRequest', `${what}: row ${b} is not right-padded (${row.join('')})`);
    }
    return len;
  });
}

/**
 * The case's `input_ids` [B, L] as row-major token ids int [B·L] with B and L; `lengthAxis` is the name the error
 * gives the second axis ("L" for Gemma, "S" for Jina).
 * @throws StudioError InvalidRequest when input_ids is not 2-D; ModelInvalid when it is not an integer tensor.
 */
export function readBatchIds(c: ParityCase, lengthAxis: string): { ids: number[]; B: number; L: number } {
  const info = c.inputs.get('input_ids');
  if (info.shape.length !== 2)
    throw new StudioError(
      'InvalidRequest',
      `${c.dir}: input_ids must be [B, ${lengthAxis}], got [${info.shape.join(', ')}]`,
    );
  const [B, L] = info.shape;
  return { ids: readTensorInts(info), B, L };
}

async function runGemmaCase(c: ParityCase, variant: ParityVariant): Promise<ParityOutputs> {
  const weights = WeightSet.fromFile(join(c.dir, variant.weights));
  const { ids, B, L } = readBatchIds(c, 'L');
  const mask = c.inputs.has('attention_mask')
    ? readTensorInts(c.inputs.get('attention_mask'))
    : new Array<number>(B * L).fill(1);
  const lengths = rightPaddedLengths(mask, B, L, `${c.dir} attention_mask`);
  const encoder = await GemmaEncoder.create(weights, c.config, {
    prefix: detectGemmaPrefix(weights),
    dtype: 'float32',
    provider: 'cpu',
  });
  try {
    const C = encoder.config.hiddenSize;
    const values = new Float32Array(B * L * C);
    const compare = new Uint8Array(B * L * C);
    for (let b = 0; b < B; b++) {
      const { hidden } = await encoder.encode(ids.slice(b * L, b * L + lengths[b]));
      values.set(hidden, b * L * C);
      compare.fill(1, b * L * C, (b * L + lengths[b]) * C);
    }
    return { hidden_penultimate: { values, compare } };
  } finally {
    await encoder.release();
  }
}

registerParityRunner('gemma', runGemmaCase);
