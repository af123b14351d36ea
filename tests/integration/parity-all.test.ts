/**
 * Every golden case under ../shared/golden runs through the same entry as `newbie-studio parity` (issue 3), whatever
 * its kind: new cases dropped into the folder are picked up without a code change. Missing folder: skipped with a
 * message, except under CI where it is a failure (conventions.md §8).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runParityCase } from '../../src/main/engine/parity/runners';
import { GOLDEN as goldenDir, itWithGolden } from '../fixtures/golden';

const present = existsSync(goldenDir);

const cases = present
  ? readdirSync(goldenDir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(goldenDir, d.name, 'parity.json')))
      .map((d) => d.name)
      .sort()
  : [];

describe('golden parity, every case', () => {
  // Skipped (with a warning) when the folder is absent, except under CI where this fails.
  itWithGolden(goldenDir, 'parity-all')('finds the golden folder and at least one case in it', () => {
    expect(present).toBe(true);
    expect(cases.length).toBeGreaterThan(0);
  });
  for (const name of cases) {
    it(`${name} passes every target at its tolerance (fp32, CPU)`, async () => {
      const results = await runParityCase(join(goldenDir, name));
      expect(results.length).toBeGreaterThan(0);
      for (const r of results) {
        expect(r.maxAbsDiff, `${r.case} ${r.variant} ${r.target}`).toBeLessThanOrEqual(r.tolerance);
        expect(r.pass).toBe(true);
      }
    });
  }
});
