/**
 * Benchmark (issue 6): the history store at 100,000 generations. Fills a fresh database with realistic rows (prompts
 * shaped like the sample prompts of ../shared/prompts, tags drawn by popularity from resources/danbooru-tags.csv,
 * batches of 1-4 images, some favorites and failures), then times the queries the gallery and CLI run.
 * Targets (this 2-core machine): page ≤ 10 ms, search ≤ 30 ms, insert ≤ 2 ms; values are medians of warm runs.
 *
 * Run: npx tsx bench/history.ts [--generations N] [--keep]
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { DEFAULTS, type GenerationRequest } from '../src/shared/dto';
import { HistoryStore } from '../src/main/history/store';
import { ftsQuery } from '../src/main/history/fts';
import { insertGeneration, insertImage } from '../src/main/history/rows';
import { projectRoot } from '../src/main/paths';
import { mulberry32 } from '../tests/fixtures/prng';

const TARGET_PAGE_MS = 10;
const TARGET_SEARCH_MS = 30;
const TARGET_INSERT_MS = 2;

const args = process.argv.slice(2);
const N = args.includes('--generations') ? Number(args[args.indexOf('--generations') + 1]) : 100_000;
const keep = args.includes('--keep');

// Deterministic PRNG so every run fills the same database.
const rand = mulberry32(20260501);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

/** The 5,000 most used general tags with cumulative post counts, for popularity-weighted draws. */
function loadTags(): { tags: string[]; cumulative: number[] } {
  const lines = readFileSync(join(projectRoot(), 'resources', 'danbooru-tags.csv'), 'utf8').split('\n');
  const tags: string[] = [];
  const cumulative: number[] = [];
  let sum = 0;
  for (const line of lines) {
    const [tag, category, count] = line.split(',');
    if (!tag || category !== '0') continue;
    sum += Number(count);
    tags.push(tag);
    cumulative.push(sum);
    if (tags.length === 5000) break;
  }
  return { tags, cumulative };
}
const vocab = loadTags();
function tag(): string {
  const x = rand() * vocab.cumulative[vocab.cumulative.length - 1]!;
  let lo = 0;
  let hi = vocab.cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (vocab.cumulative[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return vocab.tags[lo]!;
}
const tagList = (n: number) => Array.from({ length: n }, tag).join(', ');

/** Prompt templates: the sample prompts when the shared folder is there, element values re-drawn from the tag list. */
function loadTemplates(): string[] {
  const dir = join(projectRoot(), '..', 'shared', 'prompts');
  if (!existsSync(dir))
    return [
      '<character_1>\n<n>hatsune_miku</n>\n<gender>1girl</gender>\n<appearance>x</appearance>\n</character_1>\n<general_tags>\n<style>x</style>\n</general_tags>',
    ];
  return readdirSync(dir)
    .filter((f) => /\.(xml|txt)$/.test(f))
    .map((f) => readFileSync(join(dir, f), 'utf8'));
}
const templates = loadTemplates();
function prompt(): string {
  const t = pick(templates);
  if (!t.trim().startsWith('<'))
    return rand() < 0.5 ? `${t.trim()} ${tagList(3)}` : tagList(12 + Math.floor(rand() * 20));
  // Keep names, genders and positions (they carry the character); re-draw the tag lists.
  return t.replace(
    /<(appearance|clothing|expression|action|background|style|quality|objects|atmosphere|environment|lighting)>([^<]*)</g,
    (_m, el: string) => `<${el}>${tagList(2 + Math.floor(rand() * 6))}<`,
  );
}

const SIZES = [
  [1024, 1024],
  [832, 1216],
  [1216, 832],
  [896, 1152],
  [1152, 896],
  [768, 1344],
] as const;
const MODELS = ['sha256:aa11', 'sha256:bb22', 'sha256:cc33'];

function request(): GenerationRequest {
  const [width, height] = pick(SIZES);
  return {
    prompt: prompt(),
    negativePrompt: 'lowres, bad_anatomy, bad_hands, worst_quality',
    width,
    height,
    steps: pick([20, 28, 28, 36]),
    guidance: pick([4.5, 5, 5.5]),
    shift: DEFAULTS.shift,
    cfgTrunc: 1,
    renormCfg: 1,
    sampler: 'euler',
    seed: Math.floor(rand() * 2 ** 32),
    batch: pick([1, 1, 1, 2, 4]),
    precision: 'auto',
  };
}

function fill(store: HistoryStore, n: number, start: number): { images: number; ms: number } {
  const t0 = performance.now();
  let images = 0;
  const span = 2 * 365 * 86_400_000;
  let createdAt = start;
  const chunk = 5000;
  for (let done = 0; done < n; done += chunk) {
    store.db.transaction(() => {
      for (let k = 0; k < Math.min(chunk, n - done); k++) {
        createdAt += Math.floor((rand() * (2 * span)) / n) + 1;
        const r = request();
        const failed = rand() < 0.05;
        const model = pick(MODELS);
        const uid = `${(done + k).toString(16).padStart(8, '0')}-0000-7000-8000-${Math.floor(rand() * 2 ** 48)
          .toString(16)
          .padStart(12, '0')}`;
        const row = insertGeneration(store.db, {
          uid,
          createdAt,
          status: failed ? 'failed' : 'finished',
          source: 'studio',
          request: r,
          seed: r.seed,
          precision: { gemma: 'bf16', jina: 'bf16', dit: 'bf16', vae: 'fp32' },
          provider: 'cuda',
          modelIdentity: model,
          ...(failed ? { error: { code: 'OutOfMemory', message: 'CUDA failure 2: out of memory' } } : {}),
          timings: {
            loadMs: 900,
            encodeMs: 300,
            denoiseMs: 9000 + rand() * 3000,
            decodeMs: 600,
            totalMs: 11_000,
          },
          peakVram: 14e9,
          peakRam: 9e9,
          predictedVram: 13.5e9,
        });
        if (failed) continue;
        for (let i = 0; i < r.batch; i++) {
          const path = `images/x/${uid}-${i}.png`;
          const id = insertImage(store.db, {
            generationRow: row,
            index: i,
            seed: r.seed + i,
            path,
            thumbnailPath: path.replace('images/', 'thumbnails/').replace('.png', '.webp'),
            width: r.width,
            height: r.height,
            bytes: 1_500_000,
            sha256: uid.replace(/-/g, '').padEnd(64, String(i)),
            createdAt,
            modelIdentity: model,
          });
          if (rand() < 0.03)
            store.db
              .prepare('UPDATE images SET favorite = 1, rating = ? WHERE id = ?')
              .run(1 + Math.floor(rand() * 5), id);
          images++;
        }
      }
    })();
  }
  return { images, ms: performance.now() - t0 };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
function p95(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * 0.95))]!;
}
/** Median and p95 of `runs` warm runs (after 3 warm-ups). */
function time(fn: () => unknown, runs = 40): { median: number; p95: number } {
  for (let i = 0; i < 3; i++) fn();
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    xs.push(performance.now() - t);
  }
  return { median: median(xs), p95: p95(xs) };
}
function report(name: string, t: { median: number; p95: number }, target: number | null, note = ''): void {
  const tail =
    target === null ? '(no target)' : `target ≤ ${target} ms  ratio ${(t.median / target).toFixed(3)}`;
  console.log(
    `${name.padEnd(44)} median ${t.median.toFixed(3).padStart(8)} ms  p95 ${t.p95.toFixed(3).padStart(8)} ms  ${tail}${note}`,
  );
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'history-bench-'));
  console.log(
    `config: ${N} generations, data dir ${dir}, node ${process.version}, tags ${vocab.tags.length}, templates ${templates.length}`,
  );
  let store = HistoryStore.open(dir);
  const filled = fill(store, N, Date.UTC(2024, 4, 1));
  console.log(`filled: ${N} generations, ${filled.images} images in ${(filled.ms / 1000).toFixed(1)} s`);
  store.close(); // PRAGMA optimize, checkpoint
  const t0 = performance.now();
  store = HistoryStore.open(dir);
  console.log(`open (100k rows, migrations checked): ${(performance.now() - t0).toFixed(1)} ms`);

  const first = store.page({ limit: 60 });
  report(
    'gallery: first page (60)',
    time(() => store.page({ limit: 60 })),
    TARGET_PAGE_MS,
  );
  const deep = store.db
    .prepare(
      'SELECT created_at, id FROM images WHERE deleted_at IS NULL ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET ?',
    )
    .get(Math.floor(filled.images * 0.9)) as { created_at: number; id: number };
  const deepCursor = `${deep.created_at}.${deep.id}`;
  report(
    'gallery: page at 90% depth (keyset)',
    time(() => store.page({ limit: 60, cursor: deepCursor })),
    TARGET_PAGE_MS,
  );
  report(
    'gallery: favorites, first page',
    time(() => store.page({ limit: 60, favoritesOnly: true })),
    TARGET_PAGE_MS,
  );
  report(
    'gallery: size 832x1216, deep page',
    time(() => store.page({ limit: 60, width: 832, height: 1216, cursor: deepCursor })),
    TARGET_PAGE_MS,
  );
  report(
    'gallery: model filter, first page',
    time(() => store.page({ limit: 60, modelIdentity: MODELS[1] })),
    TARGET_PAGE_MS,
  );
  const month = Date.UTC(2025, 0, 1);
  report(
    'gallery: one month (date range)',
    time(() => store.page({ limit: 60, from: month, to: month + 30 * 86_400_000 })),
    TARGET_PAGE_MS,
  );
  report(
    'list: generations, first page (20)',
    time(() => store.listGenerations({ limit: 20 })),
    TARGET_PAGE_MS,
  );
  report(
    'same seed lookup',
    time(() => store.sameSeed(first.items[0]!.seed!)),
    TARGET_PAGE_MS,
  );

  const counts = (q: string) =>
    store.db
      .prepare('SELECT count(*) FROM generations_fts WHERE generations_fts MATCH ?')
      .pluck()
      .get(q) as number;
  const searches: [string, string][] = [
    ['common tag', '1girl'],
    ['mid tag', 'silver_hair'],
    ['rare tag', vocab.tags[4000]!],
    ['two tags', 'long_hair smile'],
    ['word inside tags', 'hair'],
    ['tag with parentheses', 'rem_(re:zero)'],
    ['prefix', 'twin*'],
    ['tag minus tag', '1girl -smile'],
    ['no match', 'zzzz_no_such_tag'],
  ];
  let worst = 0;
  for (const [label, q] of searches) {
    const hits = counts(ftsQuery(q)!);
    const t = time(() => store.page({ limit: 60, search: q }));
    worst = Math.max(worst, t.median);
    report(`search: ${label} "${q}"`, t, TARGET_SEARCH_MS, `  (${hits} generations match)`);
  }
  report(
    'search + favorites "1girl"',
    time(() => store.page({ limit: 60, search: '1girl', favoritesOnly: true })),
    TARGET_SEARCH_MS,
  );
  report(
    'search: CLI list "silver_hair" (20)',
    time(() => store.listGenerations({ limit: 20, search: 'silver_hair' })),
    TARGET_SEARCH_MS,
  );
  console.log(
    `search worst median: ${worst.toFixed(3)} ms (target ≤ ${TARGET_SEARCH_MS} ms, ratio ${(worst / TARGET_SEARCH_MS).toFixed(3)})`,
  );

  // Insert: the commit of saveGeneration (generation + 1 image + FTS row, one transaction, synchronous=FULL in WAL).
  let n = 0;
  const insert = () => {
    const r = request();
    const uid = `ffff${(n++).toString(16).padStart(4, '0')}-0000-7000-8000-000000000000`;
    store.db
      .transaction(() => {
        const row = insertGeneration(store.db, {
          uid,
          createdAt: Date.now(),
          status: 'finished',
          source: 'studio',
          request: r,
          seed: r.seed,
          modelIdentity: MODELS[0],
        });
        insertImage(store.db, {
          generationRow: row,
          index: 0,
          seed: r.seed,
          path: `images/y/${uid}-0.png`,
          thumbnailPath: null,
          width: r.width,
          height: r.height,
          bytes: 1,
          sha256: 'x',
          createdAt: Date.now(),
          modelIdentity: MODELS[0],
        });
      })
      .immediate();
  };
  report('insert: generation + image + FTS (commit)', time(insert, 200), TARGET_INSERT_MS);
  // Context for the line above: a commit in WAL with synchronous=FULL is the row work plus one fsync of the WAL.
  const probe = join(dir, 'fsync-probe');
  report(
    '  context: one 4 KiB write + fsync on this disk',
    time(() => {
      const fd = openSync(probe, 'w');
      writeSync(fd, Buffer.alloc(4096));
      fsyncSync(fd);
      closeSync(fd);
    }, 200),
    null,
  );
  store.db.pragma('synchronous = NORMAL');
  report('  context: the same insert without the fsync', time(insert, 200), null);
  store.db.pragma('synchronous = FULL');

  // For context: the whole saveGeneration of one 1024² PNG (atomic file writes with fsync, WebP thumbnail, commit).
  // A smooth gradient with some noise compresses about like a generated picture (1-2 MB as PNG).
  const rgb = Buffer.alloc(1024 * 1024 * 3);
  for (let i = 0; i < rgb.length; i++) rgb[i] = ((((i / 3) | 0) % 1024) >> 2) + Math.floor(rand() * 6);
  const png = await sharp(rgb, { raw: { width: 1024, height: 1024, channels: 3 } })
    .png()
    .toBuffer();
  const saveTimes: number[] = [];
  for (let i = 0; i < 10; i++) {
    const r = { ...request(), width: 1024, height: 1024, batch: 1 };
    const t = performance.now();
    await store.saveGeneration({
      request: r,
      result: {
        images: [{ index: 0, seed: r.seed, png, width: 1024, height: 1024 }],
        precision: { gemma: 'bf16', jina: 'bf16', dit: 'bf16', vae: 'fp32' },
        provider: 'cuda',
        modelIdentity: MODELS[0]!,
        timings: { loadMs: 0, encodeMs: 0, denoiseMs: 0, decodeMs: 0, totalMs: 0 },
      },
    });
    saveTimes.push(performance.now() - t);
  }
  report(
    `saveGeneration: 1024² PNG (${(png.length / 1e6).toFixed(1)} MB) end to end`,
    { median: median(saveTimes), p95: p95(saveTimes) },
    null,
  );
  report(
    'stats()',
    time(() => store.stats(), 5),
    null,
  );

  console.log('plans:');
  console.log(`  gallery deep page: ${store.queryPlan('gallery', { cursor: deepCursor }).join(' | ')}`);
  console.log(`  search:            ${store.queryPlan('search', { search: 'silver_hair' }).join(' | ')}`);
  store.close();
  const size = (f: string) => (existsSync(f) ? statSync(f).size : 0);
  const db = join(dir, 'history.sqlite3');
  const bytes = size(db) + size(`${db}-wal`);
  console.log(
    `file size: ${(bytes / 2 ** 20).toFixed(1)} MiB for ${N} generations (${(bytes / N).toFixed(0)} B per generation)`,
  );
  if (!keep) rmSync(dir, { recursive: true, force: true });
}

void main();
