import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderStatus } from '../../../../src/shared/dto';
import { detectDevices } from '../../../../src/main/system/detect';
import { probeExecutionProviders } from '../../../../src/main/engine/runtime/providers';
import { RTX_4090, envWithoutNvidiaSmi, fakeNvidiaSmi, type FakeSmi } from './fakeSmi';

const FP32 = { gemma: 'fp32', jina: 'fp32', dit: 'fp32', vae: 'fp32' };
const BF16_PLAN = { gemma: 'bf16', jina: 'bf16', dit: 'bf16', vae: 'fp32' };
const FP16_PLAN = { gemma: 'fp32', jina: 'fp16', dit: 'fp16', vae: 'fp32' };

/** What an engine host on a machine with working CUDA answers (such a host is absent here). */
const cudaHostProbe = async (): Promise<ProviderStatus[]> => [
  { name: 'cuda', available: true },
  { name: 'dml', available: false, reason: 'not shipped in onnxruntime-node for linux-x64' },
  { name: 'coreml', available: false, reason: 'not shipped in onnxruntime-node for linux-x64' },
  { name: 'webgpu', available: false, reason: "Couldn't load Vulkan" },
  { name: 'cpu', available: true },
];

let realProbes: ProviderStatus[];
const realProbe = async (): Promise<ProviderStatus[]> => realProbes;
let fake: FakeSmi | undefined;

beforeAll(async () => {
  realProbes = await probeExecutionProviders();
});
afterEach(() => {
  fake?.cleanup();
  fake = undefined;
});

describe('detectDevices on this machine', () => {
  it('precondition: the CUDA provider does not load here, the CPU provider does', () => {
    expect(realProbes.find((p) => p.name === 'cuda')!.available).toBe(false);
    expect(realProbes.find((p) => p.name === 'cpu')!.available).toBe(true);
  });

  it('without nvidia-smi: no GPU, CPU provider, fp32 plan, and says why', async () => {
    const info = await detectDevices({ probe: realProbe, env: envWithoutNvidiaSmi() });
    expect(info.gpus).toEqual([]);
    expect(info.gpuQuery).toEqual({ tool: 'nvidia-smi', ok: false, error: 'nvidia-smi is not on PATH' });
    expect(info.active).toEqual({ provider: 'cpu', plan: FP32 });
    expect(info.planned).toEqual([]);
    expect(info.providers).toEqual(realProbes);
    expect(info.notices).toContain('No NVIDIA GPU found (nvidia-smi is not on PATH).');
    expect(info.host.cpuCount).toBeGreaterThan(0);
  });

  it('a 24 GB compute-capability-8.9 card: reported with bf16, its CUDA plan, and why CPU fp32 applies', async () => {
    fake = fakeNvidiaSmi({ driver: '550.54.14', cuda: '12.4', gpus: [RTX_4090] });
    const info = await detectDevices({ probe: realProbe, env: fake.env });
    expect(info.gpus).toEqual([
      {
        index: 0,
        uuid: RTX_4090.uuid,
        name: 'NVIDIA GeForce RTX 4090',
        vendor: 'nvidia',
        totalVram: 24564 * 1024 * 1024,
        driverVersion: '550.54.14',
        cudaVersion: '12.4',
        computeCapability: 8.9,
        bf16: true,
      },
    ]);
    const cudaReason = realProbes.find((p) => p.name === 'cuda')!.reason;
    expect(info.planned).toEqual([
      {
        provider: 'cuda',
        gpuIndex: 0,
        gpuName: 'NVIDIA GeForce RTX 4090',
        available: false,
        reason: cudaReason,
        plan: BF16_PLAN,
      },
    ]);
    expect(info.active).toEqual({ provider: 'cpu', plan: FP32 });
    const fallback = info.notices.find((n) => n.includes('CUDA execution provider could not load'));
    expect(fallback).toContain(cudaReason!.replace(/^the cuda execution provider could not load:\s*/, ''));
    expect(fallback).not.toMatch(/could not load: the cuda execution provider could not load/);
    expect(fallback).toContain('DiT bf16, Gemma bf16, Jina CLIP bf16, VAE fp32');
    expect(fallback).toContain('using CPU instead (DiT fp32, Gemma fp32, Jina CLIP fp32, VAE fp32)');
  });

  it('with a CUDA-capable engine host: CUDA is active with the bf16 plan and no fallback notice', async () => {
    fake = fakeNvidiaSmi({ driver: '550.54.14', cuda: '12.4', gpus: [RTX_4090] });
    const info = await detectDevices({ probe: cudaHostProbe, env: fake.env });
    expect(info.active).toEqual({ provider: 'cuda', gpuIndex: 0, plan: BF16_PLAN });
    expect(info.notices.filter((n) => n.includes('could not load'))).toEqual([]);
  });
});

describe('detectDevices edge cases', () => {
  const multi = (): FakeSmi =>
    fakeNvidiaSmi({
      driver: '570.86.15',
      cuda: '12.8',
      gpus: [
        {
          index: 0,
          uuid: 'GPU-b5169cef-2205-c30e-f2b3-220cfa14bafd',
          name: 'NVIDIA TITAN V',
          memoryTotalMiB: 12288,
          computeCap: '7.0',
        },
        {
          index: 1,
          uuid: 'GPU-7518f6b0-991f-ce2b-3d37-c779130d3137',
          name: 'NVIDIA RTX 5880 Ada Generation',
          memoryTotalMiB: 49140,
          computeCap: '8.9',
        },
      ],
    });

  it('several GPUs: device 0 without bf16 gets the fp16 plan, with notices about bf16 and CUDA ordering', async () => {
    fake = multi();
    const info = await detectDevices({ probe: cudaHostProbe, env: fake.env });
    expect(info.gpus.map((g) => g.bf16)).toEqual([false, true]);
    expect(info.active).toEqual({ provider: 'cuda', gpuIndex: 0, plan: FP16_PLAN });
    expect(info.notices.some((n) => n.startsWith('NVIDIA TITAN V has compute capability 7'))).toBe(true);
    expect(info.notices.some((n) => n.includes('CUDA_DEVICE_ORDER=PCI_BUS_ID'))).toBe(true);
  });

  it('CUDA_VISIBLE_DEVICES picks CUDA device 0 (by index or UUID prefix)', async () => {
    fake = multi();
    for (const visible of ['1', 'GPU-7518f6b0']) {
      const info = await detectDevices({
        probe: cudaHostProbe,
        env: { ...fake.env, CUDA_VISIBLE_DEVICES: visible },
      });
      expect(info.active).toEqual({ provider: 'cuda', gpuIndex: 1, plan: BF16_PLAN });
    }
  });

  it('a driver without compute_cap: falls back to the older query, bf16 unknown → off', async () => {
    fake = fakeNvidiaSmi({
      driver: '470.182.03',
      noComputeCap: true,
      gpus: [{ ...RTX_4090, name: 'Tesla T4', memoryTotalMiB: 15360 }],
    });
    const info = await detectDevices({ probe: cudaHostProbe, env: fake.env });
    expect(info.gpus).toHaveLength(1);
    expect(info.gpus[0].computeCapability).toBeUndefined();
    expect(info.gpus[0].bf16).toBe(false);
    expect(info.active.plan).toEqual(FP16_PLAN);
    expect(info.notices.some((n) => n.includes('driver < 510'))).toBe(true);
    // The fake's --version prints a CUDA line only when the scenario has one; the header fallback was asked.
    expect(fake.starts().some((s) => s.args === '')).toBe(true);
  });

  it('nvidia-smi that cannot reach the driver: reported, CPU plan', async () => {
    fake = fakeNvidiaSmi({
      driver: '550.54.14',
      gpus: [],
      fail: {
        stdout: "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.",
        code: 9,
      },
    });
    const info = await detectDevices({ probe: realProbe, env: fake.env });
    expect(info.gpuQuery.ok).toBe(false);
    expect(info.gpuQuery.error).toBe(
      "nvidia-smi failed: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.",
    );
    expect(info.active.provider).toBe('cpu');
  });

  it('a probe that fails (engine host down) becomes a notice and the CPU plan, never a throw', async () => {
    const info = await detectDevices({
      probe: () => Promise.reject(new Error('engine host exited')),
      env: envWithoutNvidiaSmi(),
    });
    expect(info.providers).toEqual([]);
    expect(info.active).toEqual({ provider: 'cpu', plan: FP32 });
    expect(info.notices[0]).toContain('engine host exited');
  });
});
