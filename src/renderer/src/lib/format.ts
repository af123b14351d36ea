/**
 * Display formatting shared by the panels: bytes, durations, dates. Pure functions, no DOM.
 */

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** Bytes as a short binary-prefixed figure: 1536 → "1.5 KiB", 8 589 934 592 → "8.0 GiB"; null/NaN → "–". */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '–';
  let v = Math.max(0, bytes);
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${Math.round(v)} B` : `${v.toFixed(1)} ${UNITS[u]}`;
}

/** Milliseconds as "850 ms", "12.3 s", "4 min 05 s", "1 h 02 min"; null/negative/NaN → "–". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const total = Math.round(s);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  return h > 0 ? `${h} h ${String(m).padStart(2, '0')} min` : `${m} min ${String(sec).padStart(2, '0')} s`;
}

/** ms since the epoch as local "YYYY-MM-DD HH:MM". */
export function formatDate(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** Local date "YYYY-MM-DD" (the value of an `<input type="date">`) → ms at local midnight, or undefined. */
export function parseDateInput(value: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return undefined;
  const t = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])).getTime();
  return Number.isFinite(t) ? t : undefined;
}

const COMPONENT_ORDER = ['gemma', 'jina', 'dit', 'vae'] as const;
const COMPONENT_LABEL: Record<(typeof COMPONENT_ORDER)[number], string> = {
  gemma: 'Gemma',
  jina: 'Jina',
  dit: 'DiT',
  vae: 'VAE',
};

/** A per-component dtype plan as "Gemma fp32 · Jina fp32 · DiT bf16 · VAE fp32" (fixed order, missing parts left out). */
export function formatPlan(plan: Partial<Record<string, string>> | null | undefined): string {
  if (!plan) return '–';
  const parts = COMPONENT_ORDER.filter((c) => plan[c]).map((c) => `${COMPONENT_LABEL[c]} ${plan[c]}`);
  return parts.length ? parts.join(' · ') : '–';
}

/** A danbooru post count as "4.4M", "45k", "812" (one decimal below 10 of the unit). */
export function shortCount(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e7 ? 0 : 1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(n >= 1e4 ? 0 : 1)}k`;
  return String(n);
}
