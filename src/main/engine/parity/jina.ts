/**
 * Parity kind `jina`: Jina CLIP v2 text tower → pooled feature (golden README: jina-a). Each variant's weights decide
 * the form (raw LoRA or merged); its pooled rows fill both target names (`pooled`, `pooled_merged_weights`: the same
 * values through either path). Right-padded rows (pad id from the config) run one at a time, cut to their length.
 */
import { join } from 'node:path';
import { JinaEncoder, detectJinaLayout } from '../architectures/jinaClipV2Text';
import { WeightSet } from '../safetensors/weightSet';
import type { ParityCase, ParityOutputs, ParityVariant } from './case';
import { readBatchIds, rightPaddedLengths } from './gemma';
import { registerParityRunner } from './index';

async function runJinaCase(c: ParityCase, variant: ParityVariant): Promise<ParityOutputs> {
  const weights = WeightSet.fromFile(join(c.dir, variant.weights));
  const { ids, B, L: S } = readBatchIds(c, 'S');
  const { prefix, form } = detectJinaLayout(weights);
  const encoder = await JinaEncoder.create(weights, c.config, {
    prefix,
    form,
    dtype: 'float32',
    provider: 'cpu',
  });
  try {
    const pad = encoder.config.padTokenId;
    // The reference's attention mask is (ids != pad): rebuild it the same way.
    const lengths = rightPaddedLengths(
      ids.map((id) => (id === pad ? 0 : 1)),
      B,
      S,
      `${c.dir} input_ids (pad id ${pad})`,
    );
    const C = encoder.config.hiddenSize;
    const values = new Float32Array(B * C);
    for (let b = 0; b < B; b++) values.set(await encoder.encode(ids.slice(b * S, b * S + lengths[b])), b * C);
    return { pooled: { values }, pooled_merged_weights: { values } };
  } finally {
    await encoder.release();
  }
}

registerParityRunner('jina', runJinaCase);
