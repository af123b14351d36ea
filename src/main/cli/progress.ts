/** A one-line text progress bar for the terminal: `image 1/2 [#####.....] 14/28 · ETA 12s`. */
export function progressLine(e: { image: number; step: number; total: number; etaMs: number }, batch: number, width = 24): string {
  const filled = Math.round((e.step / e.total) * width);
  const bar = '#'.repeat(filled) + '.'.repeat(width - filled);
  const eta = e.etaMs >= 1000 ? `${Math.round(e.etaMs / 1000)}s` : `${Math.round(e.etaMs)}ms`;
  const img = batch > 1 ? `image ${e.image + 1}/${batch} ` : '';
  return `${img}[${bar}] ${e.step}/${e.total} · ETA ${eta}   `;
}
