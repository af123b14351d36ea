/** All parameters of a generation as a definition list: request, precision and provider, timings, memory. */
import type { HistoryEntry, HistoryImage } from '../../../../shared/apiTypes';
import { formatBytes, formatDate, formatDuration, formatPlan } from '../../lib/format';

/** Parameters of `entry`; the seed, batch index and SHA-256 are those of `image` when given (else the request's seed). */
export function EntryParams({ entry, image }: { entry: HistoryEntry; image: HistoryImage | undefined }) {
  const r = entry.request;
  const t = entry.timings;
  const rows: Array<[string, string]> = [
    ['Seed', String(image?.seed ?? r.seed)],
    ['Size', `${r.width}×${r.height}`],
    ['Steps', String(r.steps)],
    ['Guidance', String(r.guidance)],
    ['Shift', String(r.shift)],
    ['CFG truncation / renorm', `${r.cfgTrunc} / ${r.renormCfg}`],
    ['Sampler', r.sampler],
    ['Batch', r.batch > 1 ? `${r.batch} (image ${(image?.index ?? 0) + 1})` : '1'],
    ['Precision', `${r.precision} → ${formatPlan(entry.precision)}`],
    ['Provider', entry.provider ?? '–'],
    ['Model', entry.modelName ?? entry.modelIdentity ?? '–'],
    [
      'Timings',
      t
        ? `load ${formatDuration(t.loadMs)} · encode ${formatDuration(t.encodeMs)} · denoise ${formatDuration(t.denoiseMs)} · decode ${formatDuration(t.decodeMs)} · total ${formatDuration(t.totalMs)}`
        : '–',
    ],
    ['Peak VRAM', formatBytes(entry.peakVram)],
    ['Predicted VRAM', formatBytes(entry.predictedVram)],
    ['Peak RAM', formatBytes(entry.peakRam)],
    ['Negative prompt', r.negativePrompt || '–'],
    ['Created', formatDate(entry.createdAt)],
    ['Status', entry.status + (entry.source !== 'studio' ? ` (from ${entry.source})` : '')],
    ['SHA-256', image?.sha256 ?? '–'],
    ['Generation', entry.id + (entry.parentId ? ` (re-run of ${entry.parentId})` : '')],
  ];
  return (
    <dl className="params" aria-label="Parameters">
      {rows.map(([k, v]) => (
        <div key={k} className="param-row">
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}
