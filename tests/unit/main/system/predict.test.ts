import { describe, expect, it } from 'vitest';
import { NEWBIE_DIMS, RUNTIME_OVERHEAD, predictVram } from '../../../../src/main/system/predict';
import { BF16, FP32, GB, NEWBIE_BYTES, newbieVramInput as base } from './vramInputs';

// Tiny dimensions so the activation model can be worked out by hand.
const TINY = {
  ditDim: 4,
  ditHeads: 2,
  ditKvHeads: 1,
  ditHeadDim: 2,
  ditFfn: 8,
  gemmaHidden: 4,
  gemmaHeads: 1,
  gemmaKvHeads: 1,
  gemmaHeadDim: 4,
  gemmaFfn: 8,
  jinaHidden: 4,
  jinaHeads: 1,
  jinaFfn: 8,
  vaeFullResChannels: [1, 2] as [number, number],
  vaeMidChannels: 2,
};

describe('predictVram', () => {
  it('DiT activations follow the block model (worked by hand for tiny dims)', () => {
    const tiny = base({
      componentBytes: { dit: 0, gemma: 0, jina: 0, vae: 0 },
      storedDtype: { dit: 'fp32', gemma: 'fp32', jina: 'fp32', vae: 'fp32' },
      plan: FP32,
      width: 32,
      height: 32,
      textTokens: 4,
      dims: TINY,
    });
    const p = predictVram(tiny);
    // tokens = (32/16)² + 4 = 8, rows = 2 (CFG), 4 bytes. Residual+norm: 2·8·2·4·4 = 512.
    // Attention: 2·8·((2+2)·2 + 2·2)·4 = 768, RoPE'd q,k in fp32: 2·8·3·2·4 = 384 → 1152. FFN: 2·8·3·8·4 = 1536.
    expect(p.breakdown.activations.dit).toBe(512 + 1536);
    // Unfused attention (CPU) adds the fp32 scores: 2 rows · 2 heads · 8² · 4 = 1024 to the attention stage.
    const cpu = predictVram({ ...tiny, provider: 'cpu' });
    expect(cpu.breakdown.activations.dit).toBe(512 + 1152 + 1024);
    // VAE: 4 maps of 2 channels at 32×32, fp32 = 32768; the mid attention (16 tokens · 3 · 2 ch · 4 = 384) is smaller.
    expect(p.breakdown.activations.vae).toBe(32 * 32 * 4 * 2 * 4);
    expect(p.breakdown.runtimeOverhead).toBe(RUNTIME_OVERHEAD.cuda);
    expect(cpu.breakdown.runtimeOverhead).toBe(0);
  });

  it('keep: every stage adds its sessions; the peak stage holds all four weights', () => {
    const p = predictVram(base());
    expect(p.policy).toBe('keep');
    expect(p.breakdown.stages.map((s) => s.resident)).toEqual([
      ['gemma', 'jina'],
      ['gemma', 'jina', 'dit'],
      ['gemma', 'jina', 'dit', 'vae'],
    ]);
    const all = NEWBIE_BYTES.dit + NEWBIE_BYTES.gemma + NEWBIE_BYTES.jina + NEWBIE_BYTES.vae;
    const decode = p.breakdown.stages[2];
    expect(decode.bytes).toBe(all + p.breakdown.activations.vae + RUNTIME_OVERHEAD.cuda);
    expect(p.bytes).toBe(Math.max(...p.breakdown.stages.map((s) => s.bytes)));
  });

  it('release frees the encoders before the DiT; auto is release on a GPU and keep on the CPU', () => {
    const keep = predictVram(base());
    const release = predictVram(base({ memoryPolicy: 'release' }));
    expect(release.breakdown.stages.map((s) => s.resident)).toEqual([
      ['gemma', 'jina'],
      ['dit'],
      ['dit', 'vae'],
    ]);
    expect(keep.bytes - release.bytes).toBeGreaterThan(NEWBIE_BYTES.gemma);
    expect(predictVram(base({ memoryPolicy: 'auto' })).policy).toBe('release');
    expect(predictVram(base({ memoryPolicy: 'auto', provider: 'cpu', plan: FP32 })).policy).toBe('keep');
  });

  it('a warm host that kept the DiT and VAE holds them while the encoders are recreated', () => {
    const cold = predictVram(base({ memoryPolicy: 'release' }));
    const warm = predictVram(base({ memoryPolicy: 'release', residentBefore: ['dit', 'vae'] }));
    expect(warm.breakdown.stages[0].resident).toEqual(['gemma', 'jina', 'dit', 'vae']);
    expect(warm.bytes).toBeGreaterThan(cold.bytes);
  });

  it('grows with resolution and batch; fp32 costs more than bf16', () => {
    const at = (w: number, h: number, batch = 1) => predictVram(base({ width: w, height: h, batch })).bytes;
    expect(at(768, 768)).toBeLessThan(at(1024, 1024));
    expect(at(1024, 1024)).toBeLessThan(at(1536, 1024));
    expect(at(1024, 1024, 1)).toBeLessThan(at(1024, 1024, 2));
    // fp32 doubles the DiT's activations; the peak (VAE decode, fp32 in both plans) does not move.
    expect(predictVram(base({ plan: FP32 })).breakdown.activations.dit).toBeGreaterThan(
      2 * predictVram(base()).breakdown.activations.dit,
    );
  });

  it('a compute dtype that differs from the stored one costs two cast buffers of the largest matrix', () => {
    const same = predictVram(base({ plan: { ...BF16, dit: 'bf16' } }));
    const cast = predictVram(base({ plan: { ...BF16, dit: 'fp32' }, storedDtype: { dit: 'bf16' } }));
    const uncast = predictVram(base({ plan: { ...BF16, dit: 'fp32' }, storedDtype: { dit: 'fp32' } }));
    expect(cast.breakdown.activations.dit - uncast.breakdown.activations.dit).toBe(
      2 * NEWBIE_DIMS.ditFfn * NEWBIE_DIMS.ditDim * 4,
    );
    expect(same.breakdown.activations.dit).toBeLessThan(uncast.breakdown.activations.dit);
  });

  it('fitsIn compares with the available bytes', () => {
    const p = predictVram(base());
    expect(p.fitsIn(p.bytes)).toBe(true);
    expect(p.fitsIn(p.bytes - 1)).toBe(false);
  });

  it('is in the range users report for bf16 inference (14–15 GB, the seed issue) under release', () => {
    const p = predictVram(base({ memoryPolicy: 'release' }));
    expect(p.bytes / GB).toBeGreaterThan(10);
    expect(p.bytes / GB).toBeLessThan(19);
  });

  it('rejects impossible sizes', () => {
    expect(() => predictVram(base({ width: 0 }))).toThrow(RangeError);
    expect(() => predictVram(base({ batch: 0 }))).toThrow(RangeError);
    expect(() => predictVram(base({ componentBytes: { ...NEWBIE_BYTES, dit: Number.NaN } }))).toThrow(
      RangeError,
    );
  });
});
