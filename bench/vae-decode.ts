/**
 * Benchmark: one FLUX VAE decode at full size (decoder block_out [128,256,512,512], layers_per_block 2, 32 groups,
 * single-head mid attention over h·w tokens) on the CPU provider, over a synthetic BF16 decoder with the real
 * diffusers key names and shapes (newbie-model.md §1.8; random weights, so only time and memory mean anything).
 * Reports session-create time, decode time and peak RSS (VmHWM) against budgets.
 *
 * Run: npx tsx bench/vae-decode.ts [--latent 64] [--dtype float32|float16]
 *   --latent 64 → 512² image (the default), --latent 128 → 1024² (the NewBie default size).
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { vaeConfigFromWeights } from '../src/main/engine/architectures/fluxVaeConfig';
import { VaeDecoder, type VaeComputeDtype } from '../src/main/engine/architectures/fluxVaeDecoder';
import { WeightSet, f32ToBytes, writeSafetensors } from '../src/main/engine/safetensors';
import { vaeDecoderTensorSpecs, type TensorSpec } from '../src/main/models/specs';

/** Budgets on 2 CPU cores for a 512² decode (scaled by pixel count for other sizes). */
const TARGET_DECODE_S_512 = 30;
const TARGET_PEAK_GIB_512 = 2;

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

function peakRssBytes(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : process.resourceUsage().maxRSS * 1024;
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

function row(name: string, value: number, unit: string, target: number): void {
  console.log(`${name.padEnd(30)} value ${value.toFixed(2).padStart(8)} ${unit.padEnd(3)} target ≤ ${target.toFixed(2)} ${unit}  ratio ${(value / target).toFixed(3)}`);
}

/** Values for one tensor: uniform with the std of its init kind (N(0, 1/fan_in) for convs, 1 ± 0.05 for norm scales). */
function values(spec: TensorSpec, seed: number): Float32Array {
  const n = spec.shape.reduce((a, b) => a * b, 1);
  const fanIn = spec.shape.length > 1 ? n / spec.shape[0] : 1;
  const std = spec.init === 'linear' ? Math.sqrt(1 / fanIn) : spec.init === 'bias' ? 0.02 : 0.05;
  const center = spec.init === 'scale' ? 1 : 0;
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = center + ((s / 2 ** 32) * 2 - 1) * std * Math.sqrt(3);
  }
  return out;
}

async function main(): Promise<void> {
  const latent = Number(arg('latent', '64'));
  const dtype = arg('dtype', 'float32') as VaeComputeDtype;
  const dir = mkdtempSync(join(tmpdir(), 'vae-bench-'));
  try {
    const specs = vaeDecoderTensorSpecs({ latentChannels: 16, blockOutChannels: [128, 256, 512, 512], layersPerBlock: 2, outChannels: 3 }, 'to_q');
    const file = join(dir, 'diffusion_pytorch_model.safetensors');
    writeSafetensors(
      file,
      specs.map((s, i) => ({ name: `decoder.${s.name}`, dtype: 'BF16' as const, shape: s.shape, data: () => f32ToBytes(values(s, i + 1), 'BF16') })),
    );
    const weights = WeightSet.fromFile(file);
    const config = vaeConfigFromWeights(weights, 'decoder.', { norm_num_groups: 32 });
    const scale = (latent * latent) / (64 * 64);
    console.log(
      `config: FLUX VAE decoder (latent 16, block_out [128,256,512,512], layers_per_block 2, 32 groups), ${specs.length} BF16 tensors, ` +
        `${(statSync(file).size / MiB).toFixed(0)} MiB; latent ${latent}×${latent} → image ${latent * 8}²; ${dtype} compute, CPU provider, ` +
        `node ${process.version}, ${process.platform}-${process.arch}`,
    );
    const rss0 = process.memoryUsage().rss;
    let t = performance.now();
    const decoder = await VaeDecoder.create(weights, config, { dtype, provider: 'cpu' });
    const createS = (performance.now() - t) / 1000;
    const rssSession = process.memoryUsage().rss;
    const z = values({ name: 'latent', shape: [16, latent, latent], init: 'linear' }, 99).map((v) => v * 4);
    t = performance.now();
    const cpu0 = process.cpuUsage();
    const image = await decoder.decode(z, latent, latent);
    const decodeS = (performance.now() - t) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const peak = peakRssBytes();
    let finite = 0;
    for (const v of image) if (Number.isFinite(v)) finite++;
    await decoder.release();
    // CPU time does not depend on other load on a shared machine; wall time does.
    console.log(`decode CPU time ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s (user ${(cpu.user / 1e6).toFixed(1)} s) on ${availableParallelism()} cores; load average ${loadavg()[0].toFixed(1)}`);
    console.log(`RSS before session ${(rss0 / MiB).toFixed(0)} MiB, after session create ${(rssSession / MiB).toFixed(0)} MiB; output ${image.length} values, ${finite} finite`);
    row('session create', createS, 's', 5);
    row(`decode ${latent}×${latent}`, decodeS, 's', TARGET_DECODE_S_512 * scale);
    row('peak RSS (process)', peak / GiB, 'GiB', TARGET_PEAK_GIB_512 * scale);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
