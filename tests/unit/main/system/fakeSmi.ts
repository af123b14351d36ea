/**
 * Test helper: a scenario for the fake nvidia-smi (tests/fixtures/nvidia-smi) and an environment that puts it first
 * on PATH. The fake stands in for the NVIDIA driver tool, which this machine does not have.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export const FAKE_BIN = join(__dirname, '../../../fixtures/nvidia-smi/bin');

export interface FakeGpu {
  index: number;
  uuid: string;
  name: string;
  memoryTotalMiB: number;
  memoryUsedMiB?: number | string;
  usedSeriesMiB?: (number | string)[];
  utilization?: number | string;
  temperature?: number | string;
  computeCap?: string;
}

export type LoopStep = {
  batches?: number;
  forever?: boolean;
  garbage?: string;
  stallMs?: number;
  exit?: number;
};

export interface FakeScenario {
  driver: string;
  cuda?: string;
  gpus: FakeGpu[];
  apps?: { gpuUuid: string; pid: number | 'PARENT'; usedMiB: number | string; name: string }[];
  loopPlans?: LoopStep[][];
  noComputeCap?: boolean;
  fail?: { stdout: string; code?: number };
}

export const RTX_4090: FakeGpu = {
  index: 0,
  uuid: 'GPU-5d1c3f2a-8e4b-7c90-1a2b-3c4d5e6f7a8b',
  name: 'NVIDIA GeForce RTX 4090',
  memoryTotalMiB: 24564,
  memoryUsedMiB: 1834,
  computeCap: '8.9',
};

export interface FakeSmi {
  env: NodeJS.ProcessEnv;
  dir: string;
  /** One entry per start of the fake: [pid, args]. */
  starts(): { pid: number; args: string }[];
  cleanup(): void;
}

export function fakeNvidiaSmi(scenario: FakeScenario): FakeSmi {
  if (existsSync(join(FAKE_BIN, 'nvidia-smi'))) chmodSync(join(FAKE_BIN, 'nvidia-smi'), 0o755);
  const dir = mkdtempSync(join(tmpdir(), 'fake-smi-'));
  const pidFile = join(dir, 'pids');
  const file = join(dir, 'scenario.json');
  writeFileSync(file, JSON.stringify({ ...scenario, pidFile }));
  return {
    dir,
    env: { ...process.env, PATH: `${FAKE_BIN}${delimiter}${process.env.PATH ?? ''}`, FAKE_NVIDIA_SMI: file },
    starts: () =>
      existsSync(pidFile)
        ? readFileSync(pidFile, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((l) => ({ pid: Number(l.split(' ')[0]), args: l.slice(l.indexOf(' ') + 1) }))
        : [],
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** An environment in which no nvidia-smi can be found. */
export function envWithoutNvidiaSmi(): NodeJS.ProcessEnv {
  return { ...process.env, PATH: mkdtempSync(join(tmpdir(), 'empty-path-')) };
}

export const waitFor = async (cond: () => boolean, timeoutMs = 20_000, stepMs = 20): Promise<void> => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
};
