/**
 * Parity kind `vae` (../shared/golden/README.md): the FLUX-layout AutoencoderKL decoder. Targets:
 * `decoded` = decode(latent) and `image` = ((decode(dit_latent / scaling + shift) + 1) / 2).clamp(0, 1)
 * ([EXP] demo.py post-processing before ×255). Samples of a batch run one at a time (B = 1 graphs).
 */
import { join } from 'node:path';
import { StudioError } from '../../../shared/errors';
import { vaeConfigFromWeights } from '../architectures/fluxVaeConfig';
import { VaeDecoder } from '../architectures/fluxVaeDecoder';
import { WeightSet } from '../safetensors/weightSet';
import type { ParityCase, ParityOutputs, ParityVariant } from './case';
import { registerParityRunner } from './index';

/** torch `((x + 1) / 2).clamp(0, 1)` in float32. */
export function toUnitRange(decoded: Float32Array): Float32Array {
  const out = new Float32Array(decoded.length);
  for (let i = 0; i < decoded.length; i++) out[i] = Math.min(1, Math.max(0, Math.fround(decoded[i] + 1) / 2));
  return out;
}

/** Decodes every sample of a [B, C, h, w] input one at a time and concatenates the [B, 3, 8h, 8w] results. */
async function decodeBatch(c: ParityCase, name: string, decode: (x: Float32Array, h: number, w: number) => Promise<Float32Array>) {
  const info = c.inputs.get(name);
  if (info.shape.length !== 4) throw new StudioError('InvalidRequest', `${c.dir}: input ${name} is [${info.shape.join(', ')}], expected [B, C, h, w]`);
  const [B, C, h, w] = info.shape;
  const all = c.inputs.readF32(name);
  const parts: Float32Array[] = [];
  for (let i = 0; i < B; i++) parts.push(await decode(all.subarray(i * C * h * w, (i + 1) * C * h * w), h, w));
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  parts.reduce((off, p) => (out.set(p, off), off + p.length), 0);
  return out;
}

async function runVaeCase(c: ParityCase, variant: ParityVariant): Promise<ParityOutputs> {
  const weights = WeightSet.fromFile(join(c.dir, variant.weights));
  const json: Record<string, unknown> = { ...((c.config['diffusers_config'] as Record<string, unknown> | undefined) ?? {}) };
  if (typeof c.config['groupnorm_eps'] === 'number') json['groupnorm_eps'] = c.config['groupnorm_eps'];
  // The case records the scale/shift its scaled path used (demo.py hard-codes them); they win over the VAE config.
  if (typeof c.config['latent_scale'] === 'number') json['scaling_factor'] = c.config['latent_scale'];
  if (typeof c.config['latent_shift'] === 'number') json['shift_factor'] = c.config['latent_shift'];
  const config = vaeConfigFromWeights(weights, undefined, json);
  const decoder = await VaeDecoder.create(weights, config, { dtype: 'float32', provider: 'cpu' });
  try {
    const outputs: ParityOutputs = {};
    if (c.inputs.has('latent')) outputs['decoded'] = { values: await decodeBatch(c, 'latent', (x, h, w) => decoder.decode(x, h, w)) };
    if (c.inputs.has('dit_latent')) {
      const scaled = await decodeBatch(c, 'dit_latent', (x, h, w) => decoder.decodeDitLatent(x, h, w));
      outputs['decoded_scaled'] = { values: scaled };
      outputs['image'] = { values: toUnitRange(scaled) };
    }
    return outputs;
  } finally {
    await decoder.release();
  }
}

registerParityRunner('vae', runVaeCase);
