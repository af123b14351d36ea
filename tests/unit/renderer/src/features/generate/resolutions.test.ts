import { describe, expect, it } from 'vitest';
import {
  SIZE_PRESETS,
  aspectLabel,
  findPreset,
  sideProblem,
  snapSide,
} from '../../../../../../src/renderer/src/features/generate/resolutions';
import {
  parseSeed,
  randomSeed,
  seedBatchProblem,
} from '../../../../../../src/renderer/src/features/generate/seed';

describe('size presets', () => {
  it('follow the official rules: sides multiple of 64, area ≤ 1024², ratio ≤ 4, each size once with its transpose', () => {
    expect(SIZE_PRESETS).toHaveLength(17);
    const keys = new Set(SIZE_PRESETS.map((p) => `${p.width}x${p.height}`));
    expect(keys.size).toBe(17);
    for (const p of SIZE_PRESETS) {
      expect(p.width % 64).toBe(0);
      expect(p.height % 64).toBe(0);
      expect(p.width * p.height).toBeLessThanOrEqual(1024 * 1024);
      expect(Math.max(p.width, p.height) / Math.min(p.width, p.height)).toBeLessThanOrEqual(4);
      expect(keys.has(`${p.height}x${p.width}`)).toBe(true);
    }
    expect(findPreset(832, 1216)?.label).toBe('832×1216 (13:19)');
    expect(findPreset(64, 64)).toBeUndefined();
  });

  it('reduces aspect ratios', () => {
    expect(aspectLabel(1024, 1024)).toBe('1:1');
    expect(aspectLabel(512, 2048)).toBe('1:4');
  });

  it('checks custom sides: multiples of 16 within 16…4096', () => {
    expect(sideProblem('Width', 64)).toBeNull();
    expect(sideProblem('Width', 70)).toBe('Width must be a multiple of 16 px (try 64 or 80).');
    expect(sideProblem('Height', 8)).toMatch(/between 16 and 4096/);
    expect(sideProblem('Height', 64.5)).toMatch(/whole number/);
    expect(snapSide(70)).toBe(64);
    expect(snapSide(73)).toBe(80);
    expect(snapSide(99999)).toBe(4096);
  });
});

describe('seeds', () => {
  it('parses decimal seeds up to 2^53 − 1 only', () => {
    expect(parseSeed(' 42 ')).toBe(42);
    expect(parseSeed('9007199254740991')).toBe(9007199254740991);
    expect(parseSeed('9007199254740992')).toBeNull();
    expect(parseSeed('-1')).toBeNull();
    expect(parseSeed('1e3')).toBeNull();
  });
  it('draws random seeds in [0, 2^32 − 1]', () => {
    for (let i = 0; i < 100; i++) {
      const s = randomSeed();
      expect(Number.isInteger(s) && s >= 0 && s <= 2 ** 32 - 1).toBe(true);
    }
  });
  it('refuses a batch that passes the largest seed', () => {
    expect(seedBatchProblem(2 ** 53 - 2, 2)).toBeNull();
    expect(seedBatchProblem(2 ** 53 - 2, 3)).toMatch(/largest seed/);
  });
});
