import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  MIB,
  parseComputeAppLine,
  parseCudaVersion,
  parseDetectOutput,
  parseMonitorLine,
  splitCsvLine,
} from '../../../../src/main/system/nvidiaSmi';

const FIX = join(__dirname, '../../../fixtures/nvidia-smi');
const lines = (f: string): string[] =>
  readFileSync(join(FIX, f), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');

describe('monitor lines (--query-gpu, nounits)', () => {
  it('parses a single GPU loop: MiB → bytes, util %, °C', () => {
    const samples = lines('monitor-single.csv').map(parseMonitorLine);
    expect(samples.every((s) => s !== null)).toBe(true);
    expect(samples[1]).toEqual({
      index: 0,
      uuid: 'GPU-5d1c3f2a-8e4b-7c90-1a2b-3c4d5e6f7a8b',
      name: 'NVIDIA GeForce RTX 4090',
      totalBytes: 24564 * 1048576,
      usedBytes: 9216 * 1048576,
      freeBytes: 14907 * 1048576,
      utilizationPercent: 97,
      temperatureC: 58,
    });
  });

  it('keeps both GPUs of a multi-GPU loop apart', () => {
    const samples = lines('monitor-multi.csv').map(parseMonitorLine);
    expect(samples.map((s) => s!.index)).toEqual([0, 1, 0, 1]);
    expect(samples[3]!.name).toBe('NVIDIA RTX 5880 Ada Generation');
    expect(samples[3]!.usedBytes).toBe(16017 * MIB);
  });

  it('turns [N/A] and [Not Supported] into null without rejecting the line', () => {
    const [a100, laptop, gone] = lines('monitor-na.csv').map(parseMonitorLine);
    expect(a100!.utilizationPercent).toBeNull();
    expect(a100!.temperatureC).toBe(33);
    expect(laptop!.utilizationPercent).toBeNull();
    expect(laptop!.temperatureC).toBeNull();
    expect(laptop!.usedBytes).toBe(3412 * MIB);
    expect(gone).toMatchObject({ totalBytes: null, usedBytes: null, freeBytes: null });
  });

  it('rejects error text, truncated lines and non-numeric cells, keeps the good line', () => {
    const parsed = lines('monitor-malformed.csv').map(parseMonitorLine);
    expect(parsed.filter((p) => p !== null)).toHaveLength(1);
    expect(parsed[parsed.length - 1]!.usedBytes).toBe(2048 * MIB);
  });

  it('joins a GPU name that contains a comma', () => {
    const s = parseMonitorLine('0, GPU-x, Vendor GPU, Rev B, 8192, 100, 8092, 1, 30');
    expect(s!.name).toBe('Vendor GPU, Rev B');
    expect(s!.usedBytes).toBe(100 * MIB);
  });

  it('splitCsvLine returns null for too few cells', () => {
    expect(splitCsvLine('a, b', 3, 1)).toBeNull();
  });
});

describe('compute-apps lines', () => {
  it('parses pid, GPU and used memory', () => {
    const apps = lines('compute-apps.csv').map(parseComputeAppLine);
    expect(apps[0]).toEqual({
      gpuUuid: 'GPU-7518f6b0-991f-ce2b-3d37-c779130d3137',
      pid: 48211,
      usedBytes: 9876 * MIB,
      processName: '/usr/bin/node',
    });
    expect(apps[2]!.usedBytes).toBe(312 * MIB);
  });

  it('WDDM [N/A] memory is null; a comma in the process path is kept', () => {
    const [studio, steam] = lines('compute-apps-wddm.csv').map(parseComputeAppLine);
    expect(studio!.usedBytes).toBeNull();
    expect(steam!.processName).toBe('C:\\Program Files (x86)\\Steam, Inc\\steam.exe');
    expect(parseComputeAppLine('No running processes found')).toBeNull();
  });
});

describe('detection output', () => {
  it('reads compute capability and bf16 support per GPU', () => {
    const { gpus, rejected } = parseDetectOutput(readFileSync(join(FIX, 'detect-multi.csv'), 'utf8'), true);
    expect(rejected).toEqual([]);
    expect(gpus.map((g) => [g.index, g.name, g.computeCapability, g.bf16])).toEqual([
      [0, 'NVIDIA TITAN V', 7.0, false],
      [1, 'NVIDIA RTX 5880 Ada Generation', 8.9, true],
    ]);
    expect(gpus[1].totalVram).toBe(49140 * MIB);
    expect(gpus[1].driverVersion).toBe('570.86.15');
  });

  it('old drivers without compute_cap: capability unknown, no bf16', () => {
    const { gpus } = parseDetectOutput(
      readFileSync(join(FIX, 'detect-old-driver-fallback.csv'), 'utf8'),
      false,
    );
    expect(gpus).toHaveLength(1);
    expect(gpus[0].computeCapability).toBeUndefined();
    expect(gpus[0].bf16).toBe(false);
  });

  it('reports lines that are not GPU data', () => {
    const { gpus, rejected } = parseDetectOutput(
      readFileSync(join(FIX, 'detect-old-driver.txt'), 'utf8'),
      true,
    );
    expect(gpus).toEqual([]);
    expect(rejected[0]).toMatch(/compute_cap/);
  });

  it('finds the CUDA version in --version, the classic header and the 610 header', () => {
    expect(parseCudaVersion(readFileSync(join(FIX, 'version-550.txt'), 'utf8'))).toBe('12.4');
    expect(parseCudaVersion(readFileSync(join(FIX, 'header-535.txt'), 'utf8'))).toBe('12.2');
    expect(parseCudaVersion(readFileSync(join(FIX, 'header-610.txt'), 'utf8'))).toBe('13.3');
    expect(parseCudaVersion(readFileSync(join(FIX, 'version-470.txt'), 'utf8'))).toBeUndefined();
  });
});
