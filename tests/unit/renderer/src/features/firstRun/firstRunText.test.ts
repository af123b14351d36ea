import { describe, expect, it } from 'vitest';
import type { ModelCheckReport } from '../../../../../../src/shared/apiTypes';
import type { ModelDownloadProgressEvent } from '../../../../../../src/shared/modelTypes';
import {
  ditTensorLine,
  downloadFraction,
  downloadSummary,
  formatDtypes,
  formatEta,
  formatParams,
  formatSpeed,
} from '../../../../../../src/renderer/src/features/firstRun/firstRunText';

const progress = (over: Partial<ModelDownloadProgressEvent>): ModelDownloadProgressEvent => ({
  downloadId: 'dl-1',
  repo: 'NewBie-AI/NewBie-image-Exp0.1',
  dir: '/m',
  bytesDone: 0,
  bytesTotal: 0,
  speedBps: 0,
  etaS: null,
  filesDone: 0,
  filesTotal: 0,
  files: [],
  ...over,
});

describe('download progress text', () => {
  it('speed and ETA: binary units per second, minutes and seconds; nothing measured → "–"', () => {
    expect(formatSpeed(1536)).toBe('1.5 KiB/s'); // 1536 / 1024
    expect(formatSpeed(45 * 1024 * 1024)).toBe('45.0 MiB/s');
    expect(formatSpeed(0)).toBe('–');
    expect(formatSpeed(Number.NaN)).toBe('–');
    expect(formatEta(245)).toBe('4 min 05 s'); // 4·60 + 5
    expect(formatEta(3720)).toBe('1 h 02 min');
    expect(formatEta(null)).toBe('–');
  });

  it('fraction done stays in [0, 1] and is 0 while the total is unknown', () => {
    expect(downloadFraction({ bytesDone: 250, bytesTotal: 1000 })).toBe(0.25);
    expect(downloadFraction({ bytesDone: 0, bytesTotal: 0 })).toBe(0);
    expect(downloadFraction({ bytesDone: 1200, bytesTotal: 1000 })).toBe(1);
  });

  it('summary line: bytes of total, speed, time left, files', () => {
    const p = progress({
      bytesDone: 3 * 1024 ** 3,
      bytesTotal: 12 * 1024 ** 3,
      speedBps: 10 * 1024 ** 2,
      etaS: 921.6,
      filesDone: 3,
      filesTotal: 12,
    });
    // 9 GiB left at 10 MiB/s = 921.6 s → 15 min 22 s (rounded).
    expect(downloadSummary(p)).toBe('3.0 GiB of 12.0 GiB · 10.0 MiB/s · 15 min 22 s left · 3 of 12 files');
    expect(downloadSummary(progress({ bytesTotal: 2048, filesTotal: 2 }))).toBe(
      '0 B of 2.0 KiB · – · time left – · 0 of 2 files',
    );
  });
});

describe('model report text', () => {
  it('parameter counts in B / M / k, missing → "–"', () => {
    expect(formatParams(3_486_636_096)).toBe('3.49 B'); // the real DiT (newbie-model.md)
    expect(formatParams(560_400_000)).toBe('560.4 M');
    expect(formatParams(12_300)).toBe('12.3 k');
    expect(formatParams(950)).toBe('950');
    expect(formatParams(0)).toBe('–');
  });

  it('dtype tallies, most common first', () => {
    expect(formatDtypes({ F32: 1, BF16: 534 })).toBe('BF16 × 534, F32 × 1');
    expect(formatDtypes({ F16: 2, BF16: 2 })).toBe('BF16 × 2, F16 × 2');
    expect(formatDtypes({})).toBe('–');
  });

  it('DiT expected-vs-found line names each kind of mismatch', () => {
    const dit: NonNullable<ModelCheckReport['dit']> = {
      expectedCount: 535,
      foundCount: 535,
      missing: [],
      unexpected: [],
      shapeMismatches: [],
    };
    expect(ditTensorLine(dit)).toBe('535 of 535 tensors');
    expect(
      ditTensorLine({
        ...dit,
        foundCount: 534,
        missing: ['a', 'b'],
        unexpected: ['c'],
        shapeMismatches: [{ name: 'x', expected: [1], found: [2] }],
      }),
    ).toBe('534 of 535 tensors, 2 missing, 1 unexpected, 1 with the wrong shape');
  });
});
