import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DeviceInfo } from '../../../../../src/shared/dto';
import { registerDevicesCommands } from '../../../../../src/main/cli/commands/devices';
import { RTX_4090, envWithoutNvidiaSmi, fakeNvidiaSmi, type FakeSmi } from '../../system/fakeSmi';

const savedEnv = { ...process.env };
let fake: FakeSmi | undefined;

afterEach(() => {
  process.env = { ...savedEnv };
  fake?.cleanup();
  fake = undefined;
  vi.restoreAllMocks();
});

/** Runs `devices ARGS` in-process (the CLI acts as main and engine host) and captures stdout / stderr. */
async function runDevices(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ stdout: string; stderr: string }> {
  process.env = env;
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation(
    (c: string | Uint8Array) => ((stdout += String(c)), true),
  );
  vi.spyOn(process.stderr, 'write').mockImplementation(
    (c: string | Uint8Array) => ((stderr += String(c)), true),
  );
  const program = new Command().exitOverride();
  registerDevicesCommands(program);
  await program.parseAsync(['devices', ...args], { from: 'user' });
  vi.restoreAllMocks();
  return { stdout, stderr };
}

describe('newbie-studio devices', () => {
  it('--json on this machine: no GPU, CPU provider, fp32 plan', async () => {
    const { stdout } = await runDevices(['--json'], envWithoutNvidiaSmi());
    const info = JSON.parse(stdout) as DeviceInfo;
    expect(info.gpus).toEqual([]);
    expect(info.active).toEqual({
      provider: 'cpu',
      plan: { gemma: 'fp32', jina: 'fp32', dit: 'fp32', vae: 'fp32' },
    });
    expect(info.providers.find((p) => p.name === 'cpu')!.available).toBe(true);
  });

  it('--json with a fake 24 GB cc 8.9 card first on PATH: the card, bf16, the CUDA plan, why CPU fp32 applies', async () => {
    fake = fakeNvidiaSmi({ driver: '550.54.14', cuda: '12.4', gpus: [RTX_4090] });
    const { stdout } = await runDevices(['--json'], fake.env);
    const info = JSON.parse(stdout) as DeviceInfo;
    expect(info.gpus[0]).toMatchObject({
      name: 'NVIDIA GeForce RTX 4090',
      totalVram: 24564 * 1024 * 1024,
      computeCapability: 8.9,
      bf16: true,
    });
    expect(info.planned[0]).toMatchObject({
      provider: 'cuda',
      available: false,
      plan: { gemma: 'bf16', jina: 'bf16', dit: 'bf16', vae: 'fp32' },
    });
    expect(info.planned[0].reason).toMatch(/could not load/);
    expect(info.active.provider).toBe('cpu');
    expect(info.notices.some((n) => n.includes('CUDA execution provider could not load'))).toBe(true);
  });

  it('human report on stderr names the card, the plans and the notices', async () => {
    fake = fakeNvidiaSmi({ driver: '550.54.14', cuda: '12.4', gpus: [RTX_4090] });
    const { stdout, stderr } = await runDevices([], fake.env);
    expect(stdout).toBe('');
    expect(stderr).toContain(
      '0  NVIDIA GeForce RTX 4090: 24.0 GiB, driver 550.54.14, CUDA 12.4, compute capability 8.9, bf16 yes',
    );
    expect(stderr).toContain(
      'CUDA on GPU 0 (NVIDIA GeForce RTX 4090): DiT bf16, Gemma bf16, Jina CLIP bf16, VAE fp32 (cannot load here)',
    );
    expect(stderr).toContain('Active: CPU, DiT fp32, Gemma fp32, Jina CLIP fp32, VAE fp32');
    expect(stderr).toMatch(
      /Notices:\n {2}- NVIDIA GeForce RTX 4090 found, but the CUDA execution provider could not load/,
    );
  });
});
