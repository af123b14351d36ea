import { describe, expect, it } from 'vitest';
import { autoPlan, describePrecision, resolvePlan, supportsBf16 } from '../../../../../src/main/engine/runtime/precision';
import { probeExecutionProviders, pickProvider } from '../../../../../src/main/engine/runtime/providers';
import { StudioError } from '../../../../../src/shared/errors';

describe('precision policy (architecture.md §4)', () => {
  it('auto on Ampere+ CUDA: bf16 DiT/Gemma/Jina, fp32 VAE', () => {
    expect(autoPlan({ provider: 'cuda', computeCapability: 8.9 })).toEqual({ gemma: 'bf16', jina: 'bf16', dit: 'bf16', vae: 'fp32' });
  });
  it('auto on older CUDA keeps Gemma out of fp16', () => {
    expect(autoPlan({ provider: 'cuda', computeCapability: 7.5 })).toEqual({ gemma: 'fp32', jina: 'fp16', dit: 'fp16', vae: 'fp32' });
  });
  it('auto on CPU is fp32 everywhere; DirectML/WebGPU use fp16 except Gemma', () => {
    expect(autoPlan({ provider: 'cpu' })).toEqual({ gemma: 'fp32', jina: 'fp32', dit: 'fp32', vae: 'fp32' });
    expect(autoPlan({ provider: 'webgpu' }).gemma).toBe('fp32');
    expect(autoPlan({ provider: 'dml' }).dit).toBe('fp16');
  });
  it('forced bf16 on CPU is PrecisionUnsupported; forced fp16 on CPU is reported as fp32 compute', () => {
    expect(supportsBf16({ provider: 'cpu' })).toBe(false);
    const unsupported = (run: () => unknown) => {
      expect(run).toThrow(StudioError);
      expect(run).toThrow(expect.objectContaining({ code: 'PrecisionUnsupported' }));
    };
    unsupported(() => resolvePlan('bf16', { provider: 'cpu' }));
    // Pre-Ampere CUDA has no bf16 kernels either: the old try/catch passed silently when nothing was thrown.
    unsupported(() => resolvePlan('bf16', { provider: 'cuda', computeCapability: 7.0 }));
    const p = resolvePlan('fp16', { provider: 'cpu' });
    expect(p).toEqual({ gemma: 'fp32', jina: 'fp16', dit: 'fp16', vae: 'fp16' });
    expect(describePrecision(p.dit, 'cpu')).toBe('fp16 weights, fp32 compute');
  });
});

describe('execution provider probe', () => {
  it('finds the CPU provider here and says why CUDA did not load', async () => {
    const probes = await probeExecutionProviders();
    expect(probes.map((p) => p.name)).toEqual(['cuda', 'dml', 'coreml', 'webgpu', 'cpu']);
    expect(probes.find((p) => p.name === 'cpu')!.available).toBe(true);
    const cuda = probes.find((p) => p.name === 'cuda')!;
    if (!cuda.available) expect(cuda.reason).toMatch(/\S/);
    expect(pickProvider(probes, 'cuda')).toBe(cuda.available ? 'cuda' : probes.find((p) => p.available)!.name);
  });
});
