/**
 * vaeConfigFromWeights / detectVaePrefix: structure from shapes (checked against the golden's diffusers config and
 * against synthetic files written from AutoencoderKL-style configs), config.json fields, and the ModelInvalid cases.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { studioError } from '../../../../fixtures/studioError';
import { GOLDEN, itWithGolden } from '../../../../fixtures/golden';
import { detectVaePrefix, vaeConfigFromWeights, vaeUpscale } from '../../../../../src/main/engine/architectures/fluxVaeConfig';
import { WeightSet, f32ToBytes, readTensorBytes, writeSafetensors } from '../../../../../src/main/engine/safetensors';
import { writeTinyVae, type TinyVaeSpec } from './vaeReference';

const CASE = join(GOLDEN, 'vae-a');
const goldenIt = itWithGolden(join(CASE, 'parity.json'), 'vaeConfig');

const tmp = mkdtempSync(join(tmpdir(), 'vae-config-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const base: TinyVaeSpec = {
  blockOut: [4, 8, 8],
  layersPerBlock: 1,
  latent: 4,
  groups: 2,
  attention: true,
  attnKeys: 'modern',
  postQuantConv: false,
  root: '',
  dtype: 'F32',
  seed: 7,
};
let n = 0;
function tiny(spec: Partial<TinyVaeSpec> = {}): WeightSet {
  const file = join(tmp, `tiny-${n++}.safetensors`);
  writeTinyVae(file, { ...base, ...spec });
  return WeightSet.fromFile(file);
}

describe('vaeConfigFromWeights', () => {
  goldenIt('reads the vae-a structure that its diffusers config describes', () => {
    const weights = WeightSet.fromFile(join(CASE, 'weights.safetensors'));
    const cfgJson = JSON.parse(readFileSync(join(CASE, 'config.json'), 'utf8'));
    const dc = cfgJson.diffusers_config as { block_out_channels: number[]; layers_per_block: number; latent_channels: number; norm_num_groups: number };
    const c = vaeConfigFromWeights(weights, undefined, { ...dc, groupnorm_eps: cfgJson.groupnorm_eps });
    const reversed = [...dc.block_out_channels].reverse();
    expect(c.prefix).toBe('decoder.');
    expect(c.latentChannels).toBe(dc.latent_channels);
    expect(c.midChannels).toBe(reversed[0]);
    expect(c.outChannels).toBe(3);
    expect(c.upBlocks.map((b) => b.outChannels)).toEqual(reversed);
    expect(c.upBlocks.map((b) => b.resnets.length)).toEqual(reversed.map(() => dc.layers_per_block + 1));
    expect(c.upBlocks.map((b) => b.upsample)).toEqual(reversed.map((_, i) => i < reversed.length - 1));
    // conv_shortcut exactly where the channel count changes (README: up blocks 2 and 3).
    expect(c.upBlocks.map((b) => b.resnets[0].shortcut)).toEqual([false, false, true, true]);
    expect(c.midResnets).toHaveLength(2);
    expect(c.midAttentions).toHaveLength(1);
    expect(c.midAttentions[0].q).toBe('decoder.mid_block.attentions.0.to_q');
    expect(c.groups).toBe(dc.norm_num_groups);
    expect(c.eps).toBe(cfgJson.groupnorm_eps);
    expect(c.scalingFactor).toBe(cfgJson.latent_scale);
    expect(c.shiftFactor).toBe(cfgJson.latent_shift);
    expect(c.postQuantConv).toBeNull();
    expect(vaeUpscale(c)).toBe(8);
  });

  it('uses the published defaults without a config (groups 32 is then checked against the channels)', () => {
    const wide = tiny({ blockOut: [32, 64], groups: 32 });
    const c = vaeConfigFromWeights(wide);
    expect([c.groups, c.eps, c.scalingFactor, c.shiftFactor]).toEqual([32, 1e-6, 0.3611, 0.1159]);
    // 8-channel norms cannot be split into the default 32 groups.
    const e = studioError(() => vaeConfigFromWeights(tiny()));
    expect(e.code).toBe('ModelInvalid');
    expect(e.message).toMatch(/not divisible into 32 groups/);
    expect(e.hint).toMatch(/norm_num_groups/);
  });

  it('finds the decoder in a full AutoencoderKL under a prefix, ignoring encoder.* and quant_conv', () => {
    const w = tiny({ root: 'first_stage_model.', postQuantConv: true, layersPerBlock: 2, blockOut: [4, 8, 8, 8] });
    expect(detectVaePrefix(w)).toBe('first_stage_model.decoder.');
    const c = vaeConfigFromWeights(w, undefined, { norm_num_groups: 2 });
    expect(c.postQuantConv).toBe('first_stage_model.post_quant_conv.');
    expect(c.upBlocks.map((b) => b.resnets.length)).toEqual([3, 3, 3, 3]);
    expect(vaeUpscale(c)).toBe(8);
    expect(vaeConfigFromWeights(w, 'first_stage_model.decoder.', { norm_num_groups: 2, use_post_quant_conv: false }).postQuantConv).toBeNull();
  });

  it('reads the legacy attention names, as linear or 1×1 conv weights; attention can be absent or switched off', () => {
    const legacy = vaeConfigFromWeights(tiny({ attnKeys: 'legacy-conv' }), undefined, { norm_num_groups: 2 });
    expect(legacy.midAttentions[0]).toMatchObject({ q: 'decoder.mid_block.attentions.0.query', out: 'decoder.mid_block.attentions.0.proj_attn', convWeights: true });
    expect(vaeConfigFromWeights(tiny({ attnKeys: 'legacy' }), undefined, { norm_num_groups: 2 }).midAttentions[0].convWeights).toBe(false);
    expect(vaeConfigFromWeights(tiny({ attention: false }), undefined, { norm_num_groups: 2 }).midAttentions).toEqual([]);
    expect(vaeConfigFromWeights(tiny(), undefined, { norm_num_groups: 2, mid_block_add_attention: false }).midAttentions).toEqual([]);
    const e = studioError(() => vaeConfigFromWeights(tiny({ attention: false }), undefined, { norm_num_groups: 2, mid_block_add_attention: true }));
    expect(e.code).toBe('ModelInvalid');
    expect(e.message).toMatch(/mid_block_add_attention/);
  });

  it('refuses missing tensors, wrong shapes, bad config values, LDM names and files without a decoder', () => {
    const good = tiny();
    const without = (drop: (name: string) => boolean, reshape?: (name: string, shape: number[]) => number[]): WeightSet => {
      const file = join(tmp, `edit-${n++}.safetensors`);
      writeSafetensors(
        file,
        good.names().filter((k) => !drop(k)).map((k) => {
          const info = good.get(k);
          const shape = reshape ? reshape(k, info.shape) : info.shape;
          const bytes = shape === info.shape ? readTensorBytes(info) : f32ToBytes(new Float32Array(shape.reduce((a, b) => a * b, 1)), 'F32');
          return { name: k, dtype: shape === info.shape ? info.dtype : 'F32', shape, data: bytes };
        }),
      );
      return WeightSet.fromFile(file);
    };
    const cfg = { norm_num_groups: 2 };
    let e = studioError(() => vaeConfigFromWeights(without((k) => k === 'decoder.up_blocks.2.resnets.0.conv_shortcut.weight'), undefined, cfg));
    expect([e.code, e.message]).toEqual(['ModelInvalid', expect.stringMatching(/decoder\.up_blocks\.2\.resnets\.0\.conv_shortcut\.weight is missing/)]);
    e = studioError(() => vaeConfigFromWeights(without(() => false, (k, s) => (k === 'decoder.conv_out.weight' ? [3, 4, 1, 1] : s)), undefined, cfg));
    expect(e.message).toMatch(/decoder\.conv_out\.weight has shape \[3, 4, 1, 1\], expected \[3, 4, 3, 3\]/);
    e = studioError(() => vaeConfigFromWeights(good, undefined, { norm_num_groups: 0, scaling_factor: 'x' }));
    expect(e.code).toBe('ModelInvalid');
    expect(e.message).toMatch(/norm_num_groups/);
    expect(e.message).toMatch(/scaling_factor/);
    e = studioError(() => vaeConfigFromWeights(good, 'vae.decoder.', cfg));
    expect(e.message).toMatch(/vae\.decoder\.conv_in\.weight is missing/);

    const ldm = join(tmp, 'ldm.safetensors');
    const t = (name: string) => ({ name, dtype: 'F32' as const, shape: [2], data: f32ToBytes([1, 2], 'F32') });
    writeSafetensors(ldm, [t('decoder.conv_in.bias'), t('decoder.mid.attn_1.q.bias'), t('decoder.up.0.block.0.conv1.bias')]);
    e = studioError(() => detectVaePrefix(WeightSet.fromFile(ldm)));
    expect(e.code).toBe('ModelInvalid');
    expect(e.hint).toMatch(/diffusers/);
    const other = join(tmp, 'other.safetensors');
    writeSafetensors(other, [t('layers.0.attention.qkv.weight')]);
    e = studioError(() => vaeConfigFromWeights(WeightSet.fromFile(other)));
    expect(e.message).toMatch(/no VAE decoder keys.*layers\.0\.attention\.qkv\.weight/);
  });
});
