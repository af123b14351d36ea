/**
 * Pipeline overhead (issue 4): total denoising wall time ÷ the sum of the DiT's raw `session.run` times, with live
 * previews on, on a generated model large enough that one DiT step takes ≥ 50 ms here. Target ≤ 1.03.
 * Run: npx tsx bench/pipeline.ts [--steps N] [--size 256]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULTS } from '../src/shared/dto';
import { LoadedModel } from '../src/main/engine/pipeline/model';
import { runTextToImage } from '../src/main/engine/pipeline/textToImage';
import { sessionRunStats } from '../src/main/engine/runtime/session';
import { makeTinyModel } from '../src/main/models/tiny';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

async function main(): Promise<void> {
  const steps = arg('steps', 8);
  const side = arg('size', 256);
  const dir = mkdtempSync(join(tmpdir(), 'bench-pipeline-'));
  try {
    makeTinyModel(dir, { seed: 3, size: 'bench' });
    const model = LoadedModel.open(dir, { provider: 'cpu', precision: 'fp32', memoryPolicy: 'keep' });
    const request = { ...DEFAULTS, prompt: '1girl, solo, smile', negativePrompt: '', width: side, height: side, steps, seed: 1, batch: 1 };
    // Warm-up run: creates the sessions (not measured).
    await runTextToImage(model, { ...request, steps: 1 });
    const before = sessionRunStats()['DiT'] ?? { runs: 0, totalMs: 0 };
    let previews = 0;
    const result = await runTextToImage(model, request, { onStep: (e) => (previews += e.preview ? 1 : 0) });
    const after = sessionRunStats()['DiT'];
    const runs = after.runs - before.runs;
    const runMs = after.totalMs - before.totalMs;
    const ratio = result.timings.denoiseMs / runMs;
    console.log(`config: bench-size tiny model, ${side}x${side}, ${steps} steps, euler, CFG on (${runs} DiT runs), previews ${previews}, CPU fp32`);
    console.log(`DiT session.run: ${(runMs / runs).toFixed(1)} ms per run (needs >= 50 ms for a meaningful ratio)`);
    console.log(`denoise wall time: ${result.timings.denoiseMs.toFixed(1)} ms; sum of DiT session.run: ${runMs.toFixed(1)} ms`);
    console.log(`value: ${ratio.toFixed(4)}  target: <= 1.03  ratio to target: ${(ratio / 1.03).toFixed(3)}`);
    await model.release();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
