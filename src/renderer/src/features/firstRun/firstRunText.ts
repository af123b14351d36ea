/**
 * Wording and number formatting of the first-run screen and the model report: download progress (bytes, speed,
 * ETA), parameter counts, dtype tallies. Pure functions, no DOM. Units: bytes, bytes per second, seconds.
 */
import type { ModelCheckReport } from '../../../../shared/apiTypes';
import type { ModelDownloadProgressEvent } from '../../../../shared/modelTypes';
import { formatBytes, formatDuration } from '../../lib/format';

/** Bytes per second as "12.3 MiB/s"; 0, negative or not finite → "–" (nothing measured yet). */
export function formatSpeed(bps: number): string {
  return Number.isFinite(bps) && bps > 0 ? `${formatBytes(bps)}/s` : '–';
}

/** Seconds left as "4 min 05 s"; null (no data yet) → "–". */
export function formatEta(etaS: number | null): string {
  return etaS === null ? '–' : formatDuration(etaS * 1000);
}

/** Done fraction in [0, 1] (0 while the total is unknown). */
export function downloadFraction(p: Pick<ModelDownloadProgressEvent, 'bytesDone' | 'bytesTotal'>): number {
  return p.bytesTotal > 0 ? Math.min(1, Math.max(0, p.bytesDone / p.bytesTotal)) : 0;
}

/** One line under the progress bar: "1.2 GiB of 17.4 GiB · 45.1 MiB/s · 6 min 10 s left · 3 of 12 files". */
export function downloadSummary(p: ModelDownloadProgressEvent): string {
  return [
    `${formatBytes(p.bytesDone)} of ${formatBytes(p.bytesTotal)}`,
    formatSpeed(p.speedBps),
    p.etaS === null ? 'time left –' : `${formatEta(p.etaS)} left`,
    `${p.filesDone} of ${p.filesTotal} files`,
  ].join(' · ');
}

/** A parameter count as "3.49 B", "560.4 M", "12.3 k", "950"; 0 → "–" (component missing). */
export function formatParams(n: number): string {
  if (!Number.isFinite(n) || n <= 0) return '–';
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return String(n);
}

/** Tensor count per dtype, most common first: "BF16 × 534, F32 × 1"; empty → "–". */
export function formatDtypes(dtypes: Record<string, number>): string {
  const entries = Object.entries(dtypes).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return entries.length ? entries.map(([d, n]) => `${d} × ${n}`).join(', ') : '–';
}

/** The DiT's expected-vs-found tensor line: "535 of 535 tensors" or "533 of 535 tensors, 2 missing, 1 unexpected". */
export function ditTensorLine(dit: NonNullable<ModelCheckReport['dit']>): string {
  const extra = [
    dit.missing.length ? `${dit.missing.length} missing` : '',
    dit.unexpected.length ? `${dit.unexpected.length} unexpected` : '',
    dit.shapeMismatches.length ? `${dit.shapeMismatches.length} with the wrong shape` : '',
  ].filter(Boolean);
  return [`${dit.foundCount} of ${dit.expectedCount} tensors`, ...extra].join(', ');
}
