/**
 * Child process of history-kill.test.ts: saves one generation of two images into the data dir given as argv[2].
 * mode `between` (argv[3]) stops after the files are durable and before the commit, prints `files-written <id>` and
 * waits to be killed; mode `after` prints `committed <id>` once saveGeneration returned, then waits.
 */
import { encodePng } from '../../src/main/engine/image/png';
import { newbieMetadata } from '../../src/main/engine/image/metadata';
import { HistoryStore } from '../../src/main/history/store';
import type { GenerationRequest } from '../../src/shared/dto';

const [dataDir, mode] = process.argv.slice(2) as [string, 'between' | 'after'];
const waitForever = () => new Promise<never>(() => setInterval(() => undefined, 60_000));

const request: GenerationRequest = {
  prompt: '1girl, solo, silver_hair, maid',
  negativePrompt: '',
  width: 32,
  height: 32,
  steps: 6,
  guidance: 5,
  shift: 6,
  cfgTrunc: 1,
  renormCfg: 1,
  sampler: 'euler',
  seed: 900,
  batch: 2,
  precision: 'auto',
};

async function main(): Promise<void> {
  const store = HistoryStore.open(dataDir, {
    beforeCommit: async (id) => {
      if (mode !== 'between') return;
      process.stdout.write(`files-written ${id}\n`);
      await waitForever();
    },
  });
  const images = [0, 1].map((index) => {
    const rgb = new Uint8Array(32 * 32 * 3).map((_, i) => (i * 13 + index * 101) & 0xff);
    const newbie = newbieMetadata({
      request,
      imageIndex: index,
      precision: { gemma: 'fp32', jina: 'fp32', dit: 'fp32', vae: 'fp32' },
      provider: 'cpu',
      model: { name: 'tiny', identity: 'sha256:kill-test' },
      appVersion: '0.1.0',
      onnxruntimeVersion: '1.30.0',
    });
    return {
      index,
      seed: request.seed + index,
      png: encodePng(rgb, 32, 32, { newbie }),
      width: 32,
      height: 32,
    };
  });
  const saved = await store.saveGeneration({
    request,
    result: {
      images,
      precision: { gemma: 'fp32', jina: 'fp32', dit: 'fp32', vae: 'fp32' },
      provider: 'cpu',
      modelIdentity: 'sha256:kill-test',
      timings: { loadMs: 1, encodeMs: 1, denoiseMs: 1, decodeMs: 1, totalMs: 4 },
    },
  });
  process.stdout.write(`committed ${saved.generationId}\n`);
  await waitForever();
}

void main();
