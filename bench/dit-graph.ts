/**
 * Benchmark (issue 3): build the full-size NewBie DiT graphs over a synthetic BF16 checkpoint with the real 535 key
 * names and shapes (newbie-model.md §1.5: dim 2304, 36 layers, 24/8 heads, head_dim 96, axes 32/32/32, cap 2560,
 * clip 1024), then create the CPU sessions (fp32 compute). Reports graph-build time, session-create time and RSS
 * against the weight size: weights must stay mmapped (no copies), so RSS stays far below the weight size.
 * No inference runs at this size. The ~7 GB file is written tensor by tensor (zeros) and deleted afterwards.
 *
 * Run: npx tsx bench/dit-graph.ts [--dir DIR] [--keep] [--weights EXISTING.safetensors (e.g. the real checkpoint; kept)]
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDitCaptionGraph, buildDitMainGraph, ditConfigFromWeights } from '../src/main/engine/architectures/nextDit';
import { EngineSession } from '../src/main/engine/runtime';
import { WeightSet, writeSafetensors } from '../src/main/engine/safetensors';
import { nextDitTensorSpecs, nextDitFfnDim, type NextDitDims } from '../src/main/models/specs';

const TARGET_BUILD_S = 2;
const TARGET_CREATE_S = 2;
/** "Well below the weight size": RSS added by the sessions ≤ 10 % of the weights. */
const TARGET_RSS_RATIO = 0.1;

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

function rssBytes(): number {
  return process.memoryUsage().rss;
}

/** Peak RSS so far (VmHWM), Linux only. */
function peakRssBytes(): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

function report(name: string, value: number, unit: string, target: number): void {
  console.log(`${name.padEnd(34)} value ${value.toFixed(3).padStart(9)} ${unit.padEnd(3)} target ≤ ${target} ${unit}  ratio ${(value / target).toFixed(3)}`);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : null);
  const existing = opt('--weights');
  const keep = args.includes('--keep') || existing !== null;
  const dir = existing ? null : mkdtempSync(join(opt('--dir') ?? tmpdir(), 'dit-graph-bench-'));
  const dims: NextDitDims = {
    dim: 2304,
    nHeads: 24,
    nKvHeads: 8,
    headDim: 96,
    nLayers: 36,
    nNoiseRefiner: 2,
    nContextRefiner: 2,
    ffnDim: nextDitFfnDim(2304),
    adalnDim: 1024,
    capFeatDim: 2560,
    clipTextDim: 1024,
    inChannels: 16,
    patchSize: 2,
  };
  const specs = nextDitTensorSpecs(dims);
  if (specs.length !== 535) throw new Error(`expected the real model's 535 tensors, the spec table gives ${specs.length}`);
  const file = existing ?? join(dir!, 'diffusion_pytorch_model.safetensors');
  try {
    if (!existing) writeSynthetic(file, specs);
    const weightBytes = statSync(file).size;
    console.log(
      `config: NewBie NextDiT full size (dim ${dims.dim}, ${dims.nLayers} layers + ${dims.nNoiseRefiner}/${dims.nContextRefiner} refiners, ` +
        `${dims.nHeads}/${dims.nKvHeads} heads, head_dim ${dims.headDim}, axes 32/32/32, cap ${dims.capFeatDim}, clip ${dims.clipTextDim}), ${specs.length} tensors`,
    );
    console.log(`weights: ${(weightBytes / GiB).toFixed(2)} GiB at ${file}`);
    console.log(`node ${process.version}, ${process.platform}-${process.arch}, ${cpus().length} cores, CPU provider, fp32 compute (bf16 weights cast inside the graph)`);

    const ws = WeightSet.fromFile(file);
    const rss0 = rssBytes();
    // Graph build: config from shapes + both graphs + ModelProto bytes (what DitRunner.create does before ORT).
    let t = performance.now();
    const cfg = ditConfigFromWeights(ws, '', { axes_dims: [32, 32, 32], axes_lens: [1024, 512, 512], patch_size: 2 });
    const cap = buildDitCaptionGraph(ws, cfg, { prefix: '', dtype: 'float32' }).toModel();
    const main = buildDitMainGraph(ws, cfg, { prefix: '', dtype: 'float32' });
    const mainNodes = main.nodeCount;
    const mainModel = main.toModel();
    const buildS = (performance.now() - t) / 1000;
    t = performance.now();
    buildDitCaptionGraph(ws, cfg, { prefix: '', dtype: 'bfloat16' }).toModel();
    buildDitMainGraph(ws, cfg, { prefix: '', dtype: 'bfloat16' }).toModel();
    const buildBf16S = (performance.now() - t) / 1000;
    console.log(`graphs: main ${mainNodes} nodes, ${mainModel.weightCount} external weights, proto ${(mainModel.bytes.length / MiB).toFixed(2)} MiB; caption ${cap.weightCount} weights`);

    // Session creation from the built models (DitRunner.create = this build + these two creates).
    t = performance.now();
    const capSession = await EngineSession.create('DiT caption refiner', cap.bytes, cap.externalDataFolder, { provider: 'cpu' });
    const capS = (performance.now() - t) / 1000;
    const mainSession = await EngineSession.create('DiT', mainModel.bytes, mainModel.externalDataFolder, { provider: 'cpu' });
    const createS = (performance.now() - t) / 1000;
    const rss1 = rssBytes();
    const peak = peakRssBytes();
    await capSession.release();
    await mainSession.release();

    const added = rss1 - rss0;
    report('graph build (fp32 compute)', buildS, 's', TARGET_BUILD_S);
    report('graph build (bf16 compute)', buildBf16S, 's', TARGET_BUILD_S);
    report('session create (2 sessions)', createS, 's', TARGET_CREATE_S);
    console.log(`  of which caption ${capS.toFixed(3)} s, main ${(createS - capS).toFixed(3)} s`);
    report('RSS added / weight size', added / weightBytes, '×', TARGET_RSS_RATIO);
    console.log(
      `RSS: before ${(rss0 / MiB).toFixed(0)} MiB, after create ${(rss1 / MiB).toFixed(0)} MiB (+${(added / MiB).toFixed(0)} MiB)` +
        `${peak ? `, peak ${(peak / MiB).toFixed(0)} MiB` : ''}; weights ${(weightBytes / MiB).toFixed(0)} MiB`,
    );
  } finally {
    if (dir && !keep) rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes the synthetic BF16 checkpoint tensor by tensor (zeros from one shared buffer, never the whole file in memory). */
function writeSynthetic(file: string, specs: ReturnType<typeof nextDitTensorSpecs>): void {
  const bytesOf = (shape: number[]) => 2 * shape.reduce((a, b) => a * b, 1);
  const zeros = new Uint8Array(Math.max(...specs.map((s) => bytesOf(s.shape))));
  const t = performance.now();
  writeSafetensors(
    file,
    specs.map((s) => ({ name: s.name, dtype: 'BF16' as const, shape: s.shape, data: () => zeros.subarray(0, bytesOf(s.shape)) })),
  );
  console.log(`wrote ${specs.length} BF16 tensors in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
