/**
 * Danbooru tag index benchmark (issue 5): load < 300 ms, completion < 5 ms for 140k tags.
 * Run: `npx tsx bench/tags.ts`. Prints configuration, value, target and ratio (value / target; ≤ 1 meets it).
 * The app runs this code bundled by electron-vite; tsx's loader adds ~100 ms of CPU to the cold load here.
 * Load is measured cold (first build in this process, as the app does once) and warm (median of 5 rebuilds);
 * completion over seeded random prefixes of real tags, 1–8 characters, every field kind, each query timed 3 times.
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { TagIndex } from '../src/shared/prompt';
import { tagListPath } from '../src/main/tags';

const LOAD_TARGET_MS = 300;
const QUERY_TARGET_MS = 5;
const QUERIES = 2000;

function ms(t0: number): number {
  return performance.now() - t0;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function row(name: string, value: number, target: number): void {
  const ratio = value / target;
  console.log(`${name.padEnd(34)} value ${value.toFixed(3).padStart(9)} ms   target ${String(target).padStart(4)} ms   ratio ${ratio.toFixed(3)}  ${ratio <= 1 ? 'ok' : 'OVER'}`);
}

const path = tagListPath();
const cpu = cpus()[0];
console.log(`config: ${path}, node ${process.version}, ${cpus().length} × ${cpu?.model ?? 'unknown CPU'}, ${QUERIES} queries`);

const cpu0 = process.cpuUsage();
let t0 = performance.now();
const text = readFileSync(path, 'utf8');
const index = TagIndex.fromCsv(text);
const coldLoad = ms(t0);
const coldCpu = process.cpuUsage(cpu0);
console.log(`tags: ${index.size}, file ${(text.length / 1e6).toFixed(2)} M chars, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);

// Seeded prefixes taken from real lines of the list (tag or first alias), so most queries have answers.
const lines = text.split('\n').filter((l) => l.length > 0);
let seed = 7;
const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
const fields = [undefined, 'n', 'artists', 'appearance', 'quality'];
const queries: { prefix: string; field?: string }[] = [];
for (let i = 0; i < QUERIES; i++) {
  const line = lines[Math.floor(rand() * lines.length)];
  const key = line.startsWith('"') ? line.slice(1, line.indexOf('"', 1)) : line.slice(0, line.indexOf(','));
  queries.push({ prefix: key.slice(0, 1 + Math.floor(rand() * Math.min(8, key.length))), field: fields[i % fields.length] });
}
queries.push({ prefix: '' }, { prefix: 'a' }, { prefix: 's', field: 'appearance' }, { prefix: 'zzzzzz' }, { prefix: 'x_', field: 'n' });

// Each query runs 3 times; the best of 3 is the query's cost without scheduler or GC pauses of a shared machine,
// the first run is reported too.
const best: number[] = [];
const first: number[] = [];
const cpuBest: number[] = [];
let slowest = { ms: 0, at: 0 };
let hits = 0;
for (const q of queries) {
  let min = Infinity;
  let cpuMin = Infinity;
  for (let r = 0; r < 3; r++) {
    const c0 = process.cpuUsage();
    t0 = performance.now();
    const n = index.complete(q.prefix, { field: q.field, limit: 20 }).length;
    const dt = ms(t0);
    const c = process.cpuUsage(c0);
    cpuMin = Math.min(cpuMin, (c.user + c.system) / 1000);
    if (r === 0) {
      first.push(dt);
      hits += n;
    }
    min = Math.min(min, dt);
  }
  best.push(min);
  cpuBest.push(cpuMin);
  if (min > slowest.ms) slowest = { ms: min, at: best.length - 1 };
}
const sq = queries[slowest.at];
best.sort((a, b) => a - b);
first.sort((a, b) => a - b);
cpuBest.sort((a, b) => a - b);
const lookups: number[] = [];
for (const q of queries.slice(0, 500)) {
  let min = Infinity;
  for (let r = 0; r < 3; r++) {
    t0 = performance.now();
    index.lookup(q.prefix);
    min = Math.min(min, ms(t0));
  }
  lookups.push(min);
}
lookups.sort((a, b) => a - b);
console.log(`completion: ${queries.length} queries, ${hits} results; slowest: #${slowest.at} "${sq.prefix}" field ${sq.field ?? '(any)'}, ${slowest.ms.toFixed(3)} ms`);

const warm: number[] = [];
for (let i = 0; i < 5; i++) {
  t0 = performance.now();
  TagIndex.fromCsv(readFileSync(path, 'utf8'));
  warm.push(ms(t0));
}
warm.sort((a, b) => a - b);

// CPU time leaves out the time a loaded machine spends running other processes (it still counts JIT threads).
row('load, cold (read + build)', coldLoad, LOAD_TARGET_MS);
row('load, cold, CPU time', (coldCpu.user + coldCpu.system) / 1000, LOAD_TARGET_MS);
row('load, warm median of 5', quantile(warm, 0.5), LOAD_TARGET_MS);
row('complete p50 (best of 3)', quantile(best, 0.5), QUERY_TARGET_MS);
row('complete p99 (best of 3)', quantile(best, 0.99), QUERY_TARGET_MS);
row('complete max (best of 3)', best[best.length - 1], QUERY_TARGET_MS);
row('complete max (best of 3), CPU time', cpuBest[cpuBest.length - 1], QUERY_TARGET_MS);
row('complete p99 (first run)', quantile(first, 0.99), QUERY_TARGET_MS);
row('lookup max (best of 3)', lookups[lookups.length - 1], QUERY_TARGET_MS);
