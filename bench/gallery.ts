/**
 * Benchmark (issue 9): the gallery's virtualized grid over 100,000 history entries, in headless Chromium against
 * `newbie-studio serve`. Seeds a fresh data dir through src/main/history (one image per generation, every image
 * with its own thumbnail URL: hard links to a few real 160 px WebP files, so the browser fetches and decodes real
 * images; the tiny model is configured so the studio opens, not the first-run screen), lets the gallery load every
 * page by scrolling, then records a Chromium performance trace and requestAnimationFrame intervals while a mouse-wheel
 * scroll gesture (synthesized by Chromium, scrolled by the compositor like a user's) (a) flings through the list at
 * 60,000 px/s and (b) browses the middle at 2,400 px/s. Prints, from the trace, the compositor's presented and
 * dropped frames and the longest frame against the 60 Hz frame budget, and the main thread's frame intervals.
 *
 * Run: npx electron-vite build && npx tsx bench/gallery.ts [--entries N] [--keep] [--no-trace] [--no-images] [--profile]
 * The trace is written to test-results/gallery-trace.json (open it in chrome://tracing or Perfetto).
 */
import { linkSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { CDPSession, Page } from 'playwright-core';
import { DEFAULTS, type GenerationRequest } from '../src/shared/dto';
import { HistoryStore } from '../src/main/history/store';
import { insertGeneration, insertImage } from '../src/main/history/rows';
import { projectRoot } from '../src/main/paths';
import { launchChromium, startServe, e2eUnavailable } from '../tests/fixtures/studioBrowser';
import { cleanupTinyModels, tinyModel } from '../tests/fixtures/tinyModel';

const args = process.argv.slice(2);
const N = args.includes('--entries') ? Number(args[args.indexOf('--entries') + 1]) : 100_000;
const keep = args.includes('--keep');
const withTrace = !args.includes('--no-trace');
const withImages = !args.includes('--no-images');
const withProfile = args.includes('--profile');
const FRAME_BUDGET_MS = 1000 / 60;
const VIEWPORT = { width: 1440, height: 900 };
const FLING_MS = 10_000;
const FLING_PX_PER_S = 60_000;
const BROWSE_MS = 6_000;
const BROWSE_PX_PER_S = 2_400;
const THUMB_VARIANTS = 32;

const TAGS = [
  'long_hair',
  'short_hair',
  'smile',
  'blue_eyes',
  'school_uniform',
  'twintails',
  'serafuku',
  'red_eyes',
  'hat',
  'skirt',
  'night',
  'city',
  'rain',
];

/** Fills the history with N one-image generations, newest last; thumbnails are hard links to a few real WebPs. */
async function seed(dataDir: string): Promise<void> {
  const variants: string[] = [];
  mkdirSync(join(dataDir, 'thumbnails', 'bench'), { recursive: true });
  for (let v = 0; v < THUMB_VARIANTS; v++) {
    const noise = Buffer.alloc(160 * 160 * 3);
    for (let i = 0; i < noise.length; i++) noise[i] = (i * (v + 7) * 2654435761) >>> 24;
    const file = join(dataDir, 'thumbnails', 'bench', `variant-${v}.webp`);
    writeFileSync(
      file,
      await sharp(noise, { raw: { width: 160, height: 160, channels: 3 } })
        .webp({ quality: 70 })
        .toBuffer(),
    );
    variants.push(file);
  }
  const store = HistoryStore.open(dataDir);
  const t0 = Date.UTC(2025, 0, 1);
  const chunk = 5000;
  for (let done = 0; done < N; done += chunk) {
    store.db.transaction(() => {
      for (let k = done; k < Math.min(N, done + chunk); k++) {
        const uid = `${k.toString(16).padStart(8, '0')}-0000-7000-8000-000000000000`;
        const request: GenerationRequest = {
          ...DEFAULTS,
          prompt: `<character_1>\n<n></n>\n<gender>1girl</gender>\n<appearance>${TAGS[k % TAGS.length]}, ${TAGS[(k * 7) % TAGS.length]}</appearance>\n</character_1>`,
          negativePrompt: '',
          seed: k,
        };
        const row = insertGeneration(store.db, {
          uid,
          createdAt: t0 + k * 1000,
          status: 'finished',
          source: 'studio',
          request,
          seed: k,
          provider: 'cpu',
        });
        const thumb = `thumbnails/bench/${uid}-0.webp`;
        insertImage(store.db, {
          generationRow: row,
          index: 0,
          seed: k,
          path: `images/bench/${uid}-0.png`,
          thumbnailPath: thumb,
          width: 1024,
          height: 1024,
          bytes: 1_000_000,
          sha256: uid.replace(/-/g, '').padEnd(64, '0'),
          createdAt: t0 + k * 1000,
          modelIdentity: null,
        });
        linkSync(variants[k % THUMB_VARIANTS], join(dataDir, thumb));
      }
    })();
  }
  store.close();
}

interface FrameStats {
  frames: number;
  longestMs: number;
  p99Ms: number;
  over: number;
  longTasks: number;
  longestTaskMs: number;
  rendered: number;
  scrolledPx: number;
}

/** In-page frame recorder (plain JS source: tsx would add helpers to a transpiled function that the page lacks). */
const START_RECORDER = `(() => {
  const st = { deltas: [], tasks: [], last: 0, on: true, rendered: 0, top0: document.querySelector('.gallery-scroll').scrollTop };
  st.obs = new PerformanceObserver((l) => l.getEntries().forEach((e) => st.tasks.push(e.duration)));
  st.obs.observe({ type: 'longtask', buffered: false });
  window.__galleryBench = st;
  function frame(now) {
    if (!st.on) return;
    if (st.last) st.deltas.push(now - st.last);
    st.last = now;
    if (st.deltas.length % 30 === 0) st.rendered = Math.max(st.rendered, document.querySelectorAll('.gallery-scroll .tile').length);
    requestAnimationFrame(frame);
  }
  requestAnimationFrame(frame);
})()`;

const STOP_RECORDER = `(() => {
  const st = window.__galleryBench;
  st.on = false;
  st.obs.disconnect();
  const d = st.deltas;
  const sorted = [...d].sort((a, b) => a - b);
  return {
    frames: d.length,
    longestMs: sorted[sorted.length - 1] || 0,
    p99Ms: sorted[Math.floor(sorted.length * 0.99)] || 0,
    over: d.filter((x) => x > BUDGET * 1.5).length,
    longTasks: st.tasks.length,
    longestTaskMs: Math.max(0, ...st.tasks),
    rendered: st.rendered,
    scrolledPx: Math.abs(document.querySelector('.gallery-scroll').scrollTop - st.top0),
  };
})()`;

/**
 * Scrolls the gallery down by `pxPerS` × `ms` with a mouse-wheel scroll gesture that Chromium synthesizes itself
 * (CDP `Input.synthesizeScrollGesture`, the input source of Chromium's own smoothness benchmarks: wheel events at
 * the display's rate, scrolled by the compositor like a user's, with no per-event round trip to this process),
 * recording every main-thread frame; returns the frame statistics and how far it really scrolled.
 */
async function scrollRun(page: Page, cdp: CDPSession, pxPerS: number, ms: number): Promise<FrameStats> {
  const box = await page.locator('.gallery-scroll').boundingBox();
  if (!box) throw new Error('the gallery is not on screen');
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.evaluate(`console.timeStamp('bench:start')`);
  await page.evaluate(START_RECORDER);
  await cdp.send('Input.synthesizeScrollGesture', {
    x: Math.round(box.x + box.width / 2),
    y: Math.round(box.y + box.height / 2),
    yDistance: -Math.round((pxPerS * ms) / 1000),
    speed: pxPerS,
    gestureSourceType: 'mouse',
  });
  const stats = (await page.evaluate(STOP_RECORDER.replace('BUDGET', String(FRAME_BUDGET_MS)))) as FrameStats;
  await page.evaluate(`console.timeStamp('bench:stop')`);
  return stats;
}

function report(name: string, s: FrameStats): void {
  console.log(
    `${name.padEnd(34)} main-thread frames (rAF) ${String(s.frames).padStart(5)}  longest ${s.longestMs.toFixed(1).padStart(6)} ms  p99 ${s.p99Ms.toFixed(1).padStart(5)} ms  ` +
      `scrolled ${(s.scrolledPx / 1000).toFixed(0)}k px  over 1.5 budgets ${s.over}  long tasks ${s.longTasks} (max ${s.longestTaskMs.toFixed(0)} ms)  tiles in DOM ≤ ${s.rendered}  ` +
      `target longest ≤ ${FRAME_BUDGET_MS.toFixed(1)} ms  ratio ${(s.longestMs / FRAME_BUDGET_MS).toFixed(2)}`,
  );
}

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  tdur?: number;
  tid: number;
  pid: number;
  args?: {
    name?: string;
    data?: { message?: string };
    frame_reporter?: { state?: string; frame_sequence?: number };
  };
}

interface CompositorFrames {
  presented: number;
  partial: number;
  dropped: number;
  longestMs: number;
}

const traceEvents = (trace: Buffer): TraceEvent[] => {
  const parsed = JSON.parse(trace.toString()) as { traceEvents: TraceEvent[] } | TraceEvent[];
  return Array.isArray(parsed) ? parsed : parsed.traceEvents;
};

/**
 * The compositor's own account of every frame in each `bench:start`…`bench:stop` window: Chromium's frame reporter
 * (`PipelineReporter`, the source of DevTools' "Dropped frame" and "Partially presented frame" marks) says for each
 * vsync whether the frame was presented with all updates, presented without the main thread's part (partial, the
 * scroll still moved), dropped, or not needed. The longest frame is the longest time the screen kept an old frame
 * while a new one was wanted: from the last up-to-date vsync before a drop to the next presented frame.
 */
function compositorFrames(events: TraceEvent[]): CompositorFrames[] {
  const marks = events
    .filter((e) => e.name === 'TimeStamp' && e.args?.data?.message?.startsWith('bench:'))
    .sort((a, b) => a.ts - b.ts);
  // The page's renderer only (the browser's own UI compositor reports its frames too).
  const frames = events
    .filter(
      (e) =>
        e.name === 'PipelineReporter' &&
        e.ph === 'b' &&
        e.pid === marks[0]?.pid &&
        e.args?.frame_reporter?.state,
    )
    .sort((a, b) => a.ts - b.ts);
  // A vsync can have two reporters (the main-thread pipeline and the compositor's own): it was presented when either
  // presented it, dropped when an update was wanted and none presented it.
  const bySequence = new Map<number, { ts: number; states: Set<string> }>();
  for (const f of frames) {
    const r = f.args?.frame_reporter;
    const seq = r?.frame_sequence ?? -1;
    const entry = bySequence.get(seq) ?? { ts: f.ts, states: new Set<string>() };
    entry.ts = Math.min(entry.ts, f.ts);
    entry.states.add(r?.state ?? '');
    bySequence.set(seq, entry);
  }
  const vsyncs = [...bySequence.values()].sort((a, b) => a.ts - b.ts);
  const windows: CompositorFrames[] = [];
  for (let i = 0; i + 1 < marks.length; i += 2) {
    const w: CompositorFrames = { presented: 0, partial: 0, dropped: 0, longestMs: 0 };
    let lastKept = -1;
    let dropPending = false;
    for (const v of vsyncs) {
      if (v.ts < marks[i].ts || v.ts > marks[i + 1].ts) continue;
      const all = v.states.has('STATE_PRESENTED_ALL');
      if (all || v.states.has('STATE_PRESENTED_PARTIAL')) {
        w.presented++;
        if (!all) w.partial++;
        if (lastKept >= 0) w.longestMs = Math.max(w.longestMs, (v.ts - lastKept) / 1000);
        lastKept = v.ts;
        dropPending = false;
      } else if (v.states.has('STATE_DROPPED')) {
        w.dropped++;
        dropPending = true;
      } else if (!dropPending) lastKept = v.ts; // nothing wanted: the screen was up to date
    }
    windows.push(w);
  }
  return windows;
}

/**
 * Renderer main-thread figures from a Chromium trace: CPU time (thread time, `tdur`, independent of other processes
 * taking the CPU) of all tasks, and the longest task by wall and by CPU time (ms).
 */
function traceFigures(events: TraceEvent[]): { cpuMs: number; longestWallMs: number; longestCpuMs: number } {
  const main = events.find(
    (e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain',
  );
  const tasks = events.filter(
    (e) =>
      main &&
      e.pid === main.pid &&
      e.tid === main.tid &&
      e.ph === 'X' &&
      e.name === 'ThreadControllerImpl::RunTask',
  );
  return {
    cpuMs: tasks.reduce((a, e) => a + (e.tdur ?? 0), 0) / 1000,
    longestWallMs: Math.max(0, ...tasks.map((e) => e.dur ?? 0)) / 1000,
    longestCpuMs: Math.max(0, ...tasks.map((e) => e.tdur ?? 0)) / 1000,
  };
}

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
  samples: number[];
  timeDeltas: number[];
}

/** --profile: the JS functions with the most self time during the browse run (V8 CPU profile). */
function printProfile(p: CpuProfile): void {
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000));
  const byName = new Map<string, number>();
  for (const n of p.nodes) {
    const f = n.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber + 1}`;
    byName.set(key, (byName.get(key) ?? 0) + (self.get(n.id) ?? 0));
  }
  const top = [...byName].sort((a, b) => b[1] - a[1]).slice(0, 12);
  for (const [k, ms] of top) console.log(`  profile self ${ms.toFixed(0).padStart(6)} ms  ${k}`);
}

async function main(): Promise<void> {
  const unavailable = e2eUnavailable();
  if (unavailable) throw new Error(unavailable);
  const dataDir = mkdtempSync(join(tmpdir(), 'gallery-bench-'));
  const t0 = performance.now();
  await seed(dataDir);
  console.log(
    `config: ${N} entries${withImages ? '' : ' (thumbnails not served: --no-images)'}${withTrace ? ', Chromium trace on' : ''} (1 image each, thumbnails = hard links to ${THUMB_VARIANTS} real 160 px WebPs), viewport ${VIEWPORT.width}×${VIEWPORT.height}, headless Chromium --disable-gpu, node ${process.version}, ${cpus().length} cores, load average ${loadavg()[0].toFixed(1)} (other processes share the CPU: frame times include their contention)`,
  );
  console.log(`seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${dataDir}`);
  const serve = await startServe(tinyModel(), dataDir);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: VIEWPORT });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // --no-images answers thumbnail requests with nothing: isolates the grid's own cost from image loading.
    if (!withImages)
      await page.route('**/studio-image/**', (route) => route.fulfill({ status: 204, body: '' }));
    await page.goto(serve.url);
    await page.locator('.gallery-scroll .tile').first().waitFor({ timeout: 60_000 });

    // Let infinite scroll load every page: keep the view at the bottom until the list stops growing.
    const tLoad = performance.now();
    let loaded = 0;
    for (let stable = 0; stable < 20;) {
      const n = Number(
        await page.evaluate(
          `(() => { const el = document.querySelector('.gallery-scroll'); el.scrollTop = el.scrollHeight; return document.querySelector('.gallery-rows').getAttribute('data-count'); })()`,
        ),
      );
      stable = n === loaded ? stable + 1 : 0;
      loaded = n;
      await page.waitForTimeout(50);
    }
    console.log(
      `infinite scroll loaded ${loaded} entries in ${((performance.now() - tLoad) / 1000).toFixed(1)} s`,
    );
    if (loaded < N) console.log(`warning: only ${loaded} of ${N} entries loaded`);

    mkdirSync(join(projectRoot(), 'test-results'), { recursive: true });
    if (withTrace)
      await browser.startTracing(page, {
        categories: ['devtools.timeline', 'toplevel', 'disabled-by-default-devtools.timeline.frame'],
      });
    await page.evaluate(`document.querySelector('.gallery-scroll').scrollTop = 0`);
    const cdp = await page.context().newCDPSession(page);
    const fling = await scrollRun(page, cdp, FLING_PX_PER_S, FLING_MS);
    report(`fling ${FLING_PX_PER_S} px/s (${FLING_MS / 1000} s)`, fling);
    await page.evaluate(
      `(() => { const el = document.querySelector('.gallery-scroll'); el.scrollTop = el.scrollHeight / 2; })()`,
    );
    await page.waitForTimeout(500);
    if (withProfile) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.start');
    }
    const browse = await scrollRun(page, cdp, BROWSE_PX_PER_S, BROWSE_MS);
    if (withProfile) printProfile((await cdp.send('Profiler.stop')).profile as CpuProfile);
    report(`browse ${BROWSE_PX_PER_S} px/s (${BROWSE_MS / 1000} s)`, browse);
    if (withTrace) {
      const trace = await browser.stopTracing();
      const tracePath = join(projectRoot(), 'test-results', 'gallery-trace.json');
      writeFileSync(tracePath, trace);
      const events = traceEvents(trace);
      const t = traceFigures(events);
      compositorFrames(events).forEach((w, i) =>
        console.log(
          `trace, compositor frames while ${i === 0 ? 'flinging' : 'browsing'}: presented ${w.presented} (${w.partial} without the main thread's update)  ` +
            `dropped ${w.dropped}  target 0  longest ${w.longestMs.toFixed(1)} ms  target ≤ ${FRAME_BUDGET_MS.toFixed(1)} ms  ratio ${(w.longestMs / FRAME_BUDGET_MS).toFixed(2)}`,
        ),
      );
      const perFrame = t.cpuMs / Math.max(1, fling.frames + browse.frames);
      console.log(
        `trace (renderer main thread, both runs): CPU ${perFrame.toFixed(1)} ms per frame  target ≤ ${(FRAME_BUDGET_MS / 2).toFixed(1)} ms (half the budget)  ratio ${(perFrame / (FRAME_BUDGET_MS / 2)).toFixed(2)}; ` +
          `longest task ${t.longestWallMs.toFixed(1)} ms wall / ${t.longestCpuMs.toFixed(1)} ms CPU  (${tracePath})`,
      );
    }
    if (errors.length) console.log(`page errors: ${errors.join('; ')}`);
  } finally {
    await browser.close();
    await serve.stop();
    if (!keep) rmSync(dataDir, { recursive: true, force: true });
    cleanupTinyModels();
  }
}

void main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
