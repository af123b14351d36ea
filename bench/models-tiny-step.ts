/**
 * Benchmark: one DiT evaluation (one `session.run`) at 256×256 (latent 16×32×32, 256 image tokens + 16 caption
 * tokens) for each tiny-model size preset, fp32 on the CPU provider. Targets (issue 2 item 3): 'bench' ≥ 50 ms,
 * 'cancel' ≥ 200 ms (the hard-cancel test kills the engine host during one run). 'tiny' has no target.
 * Prints configuration, median of 5 runs after a warm-up, target and ratio.
 *
 * Run: npx tsx bench/models-tiny-step.ts [tiny|bench|cancel …]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DitRunner, ditConfigFromWeights } from '../src/main/engine/architectures/nextDit';
import { resolveModelFolder } from '../src/main/models/layout';
import { SeededRng } from '../src/main/models/rng';
import { makeTinyModel, TINY_DIT_PRESETS, type TinySize } from '../src/main/models/tiny';

const TARGET_MS: Record<TinySize, number | null> = { tiny: null, bench: 50, cancel: 200 };
const L = 16;
const H = 32;
const W = 32;

async function measure(size: TinySize): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), `tiny-${size}-`));
  try {
    const info = makeTinyModel(dir, { size });
    const pkg = resolveModelFolder(dir);
    const c = pkg.transformer;
    const runner = await DitRunner.create(c.weights, ditConfigFromWeights(c.weights, '', c.config), { dtype: 'float32', provider: 'cpu' });
    const rng = new SeededRng(1, 'bench');
    const capFeats = rng.fillNormal(new Float32Array(L * info.dit.capFeatDim), 0, 1);
    const latent = rng.fillNormal(new Float32Array(16 * H * W), 0, 1);
    const pooled = rng.fillNormal(new Float32Array(info.dit.clipTextDim), 0, 1);
    const cap = await runner.refineCaption(capFeats, L);
    await runner.velocity(latent, H, W, 0.5, cap, L, pooled);
    const times: number[] = [];
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      await runner.velocity(latent, H, W, 0.5, cap, L, pooled);
      times.push(performance.now() - t0);
    }
    const cpu = process.cpuUsage(cpu0);
    // CPU time of all threads per run: on a busy machine wall time overstates what an idle one would take.
    const cpuMs = (cpu.user + cpu.system) / 1000 / 5;
    await runner.release();
    times.sort((a, b) => a - b);
    const median = times[2];
    const target = TARGET_MS[size];
    const shape = TINY_DIT_PRESETS[size];
    const config = `size=${size} dim=${info.dit.dim} heads=${shape.nHeads}/${shape.nKvHeads} axes=[${shape.axesDims}] layers=${shape.nLayers}+${shape.nNoiseRefiner}+${shape.nContextRefiner} image=256x256 L=${L} fp32 cpu`;
    const verdict = target === null ? 'no target' : `target >= ${target} ms, ratio ${(median / target).toFixed(2)} (${median >= target ? 'ok' : 'TOO FAST'})`;
    process.stdout.write(`${config}\n  one DiT run: ${median.toFixed(1)} ms (min ${times[0].toFixed(1)}, max ${times[4].toFixed(1)}; CPU time ${cpuMs.toFixed(1)} ms over all threads); ${verdict}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const sizes = (process.argv.slice(2).length ? process.argv.slice(2) : ['tiny', 'bench', 'cancel']) as TinySize[];
  for (const s of sizes) await measure(s);
}

void main();
