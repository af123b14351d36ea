/**
 * Text-to-image with NewBie-image-Exp0.1: an XML (or tags / natural language) prompt in, RGB8 images out.
 * The loop follows the official code ([EXP] demo.py, transport/integrators.py, models/model.py `forward_with_cfg`;
 * newbie-model.md §2.11): encode both prompts with Gemma (hidden_states[-2]) and Jina (pooled), refine each caption
 * once, integrate the flow from noise (t = 0) to data (t = 1) on a fp32 master latent with CFG where t < cfg_trunc,
 * then decode with the VAE. One sample per DiT run; batch image i uses seed + i.
 */
import type { GenerationRequest, MemoryPolicy, PrecisionPlan, ProviderName, StageTimings } from '../../../shared/dto';
import { StudioError } from '../../../shared/errors';
import { detectMode } from '../../../shared/prompt';
import { initialLatent } from '../noise/philox';
import { latentPreviewPng } from '../image/preview';
import { vaeImageToRgb8 } from '../image/rgb';
import { cfgActive, combineCfg, evaluationTimes, predictedClean, sampleFlow, timeGrid } from '../schedulers/flowMatch';
import { tokenizePrompt, type EncodeWarning } from '../tokenizers';
import type { LoadedModel } from './model';
import { validateRequest } from './validate';

export interface StepEvent {
  /** Image index in the batch (0-based) and its seed. */
  image: number;
  seed: number;
  step: number;
  total: number;
  elapsedMs: number;
  etaMs: number;
  preview?: Uint8Array;
}

export interface RunOptions {
  signal?: AbortSignal;
  onStep?: (e: StepEvent) => void;
  onWarning?: (w: EncodeWarning) => void;
  /** Make a preview PNG every step (default true). */
  previews?: boolean;
}

export interface GeneratedImage {
  index: number;
  seed: number;
  width: number;
  height: number;
  /** RGB8, row-major HWC. */
  rgb: Uint8Array;
}

export interface RunResult {
  images: GeneratedImage[];
  precision: PrecisionPlan;
  provider: ProviderName;
  timings: StageTimings;
  warnings: EncodeWarning[];
  /** Peak resident memory (bytes) seen at the end of each stage. */
  peakRss: Record<'encode' | 'denoise' | 'decode', number>;
}

interface Conditioning {
  capRefined: Float32Array;
  length: number;
  pooled: Float32Array;
}

const rss = () => process.memoryUsage().rss;

/** Number of DiT runs per image (for the ETA): one per evaluation, two where CFG is on. */
export function ditEvaluations(grid: ArrayLike<number>, sampler: 'euler' | 'midpoint', cfgTrunc: number): number {
  return evaluationTimes(grid, sampler).reduce((n, t) => n + (cfgActive(t, cfgTrunc) ? 2 : 1), 0);
}

/**
 * Runs one request on a loaded model.
 * @throws StudioError InvalidRequest (bad size, seed…), Cancelled (signal), OutOfMemory/EngineCrashed from ORT.
 */
export async function runTextToImage(model: LoadedModel, request: GenerationRequest, opts: RunOptions = {}): Promise<RunResult> {
  const t0 = performance.now();
  // 1. Validate the request and build the time grid.
  validateRequest(request);
  const grid = timeGrid(request.steps, request.shift);
  const needUncond = evaluationTimes(grid, request.sampler).some((t) => cfgActive(t, request.cfgTrunc));

  // 2. Tokenize: system prompt chosen by XML vs not-XML (conventions.md §5); warnings are surfaced, never silent.
  const isXml = detectMode(request.prompt) === 'xml';
  const pos = tokenizePrompt(model.gemmaTokenizer, model.jinaTokenizer, request.prompt, isXml, false);
  const neg = tokenizePrompt(model.gemmaTokenizer, model.jinaTokenizer, request.negativePrompt, isXml, true);
  const warnings = [...pos.warnings, ...(needUncond ? neg.warnings : [])];
  for (const w of warnings) opts.onWarning?.(w);
  const checkCancel = () => {
    if (opts.signal?.aborted) throw new StudioError('Cancelled', 'Generation cancelled.');
  };

  // 3. Encode: Gemma hidden_states[-2] and Jina pooled for the prompt and (when CFG runs) the negative prompt.
  const tLoad = performance.now();
  await model.beforeEncode();
  const gemma = await model.gemma();
  const jina = await model.jina();
  const loadMs0 = performance.now() - tLoad;
  const tEnc = performance.now();
  const posHidden = await gemma.encode(pos.gemma.ids);
  const posPooled = await jina.encode(pos.jina.ids);
  checkCancel();
  const negHidden = needUncond ? await gemma.encode(neg.gemma.ids) : null;
  const negPooled = needUncond ? await jina.encode(neg.jina.ids) : null;
  await model.afterEncode(); // releases the encoders under the memory policy
  const peakEncode = rss();
  checkCancel();

  // 4. Caption refiner once per prompt (it does not depend on t).
  const tDitLoad = performance.now();
  const dit = await model.dit();
  const loadMs1 = performance.now() - tDitLoad;
  const cond: Conditioning = {
    capRefined: await dit.refineCaption(posHidden.hidden, posHidden.length),
    length: posHidden.length,
    pooled: posPooled,
  };
  const uncond: Conditioning | null =
    negHidden && negPooled
      ? { capRefined: await dit.refineCaption(negHidden.hidden, negHidden.length), length: negHidden.length, pooled: negPooled }
      : null;
  const encodeMs = performance.now() - tEnc - loadMs1;

  // 5. Denoise each image of the batch: noise from seed + i, flow from t = 0 to 1 with CFG and renorm.
  const h = request.height / 8;
  const w = request.width / 8;
  const tDen = performance.now();
  const evalsPerImage = ditEvaluations(grid, request.sampler, request.cfgTrunc);
  const totalEvals = evalsPerImage * request.batch;
  let evalsDone = 0;
  const latents: Float32Array[] = [];
  for (let i = 0; i < request.batch; i++) {
    const seed = request.seed + i;
    const latent = await sampleFlow({
      latent: initialLatent(seed, request.height, request.width),
      timeGrid: grid,
      method: request.sampler,
      signal: opts.signal,
      evaluate: async (x, t) => {
        const tf = Math.fround(t);
        const vCond = await dit.velocity(x, h, w, tf, cond.capRefined, cond.length, cond.pooled);
        evalsDone++;
        if (!uncond || !cfgActive(tf, request.cfgTrunc)) return vCond;
        const vUncond = await dit.velocity(x, h, w, tf, uncond.capRefined, uncond.length, uncond.pooled);
        evalsDone++;
        return combineCfg(vCond, vUncond, request.guidance, request.renormCfg).velocity;
      },
      onStep: (s) => {
        if (!opts.onStep) return;
        const elapsedMs = performance.now() - tDen;
        const etaMs = evalsDone > 0 ? (elapsedMs / evalsDone) * (totalEvals - evalsDone) : 0;
        const preview = opts.previews === false ? undefined : latentPreviewPng(predictedClean(s.x, s.t, s.velocity), h, w);
        opts.onStep({ image: i, seed, step: s.step, total: s.total, elapsedMs, etaMs, preview });
      },
    });
    latents.push(latent);
  }
  const denoiseMs = performance.now() - tDen;
  const peakDenoise = rss();

  // 6. Decode with the VAE (z = x/scaling + shift) and convert to RGB8.
  const tDecLoad = performance.now();
  const vae = await model.vae();
  const loadMs2 = performance.now() - tDecLoad;
  const tDec = performance.now();
  const images: GeneratedImage[] = [];
  for (let i = 0; i < latents.length; i++) {
    checkCancel();
    const decoded = await vae.decodeDitLatent(latents[i], h, w);
    images.push({
      index: i,
      seed: request.seed + i,
      width: request.width,
      height: request.height,
      rgb: vaeImageToRgb8(decoded, request.height, request.width),
    });
  }
  const decodeMs = performance.now() - tDec;

  return {
    images,
    precision: model.plan,
    provider: model.provider,
    timings: {
      loadMs: loadMs0 + loadMs1 + loadMs2,
      encodeMs,
      denoiseMs,
      decodeMs,
      totalMs: performance.now() - t0,
    },
    warnings,
    peakRss: { encode: peakEncode, denoise: peakDenoise, decode: rss() },
  };
}

export type { MemoryPolicy };
