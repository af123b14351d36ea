/**
 * `newbie-studio generate`: an XML (or tags / natural-language) prompt in, PNGs with metadata out, through the real
 * graphs in an engine host process. The CLI acts as main: it writes the files and the history rows.
 * Exit codes: 0 ok, 2 invalid input (size, prompt, model folder), 3 engine failure, 130 cancelled (Ctrl+C).
 */
import { copyFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { randomInt } from 'node:crypto';
import type { Command } from 'commander';
import { DEFAULTS, RANDOM_SEED_MAX, type GenerationRequest, type PrecisionChoice, type Sampler } from '../../../shared/dto';
import { StudioError } from '../../../shared/errors';
import { checkPrompt } from '../../../shared/prompt';
import { EngineHostClient, forkSpawner } from '../../engine/host/client';
import { validateRequest } from '../../engine/pipeline/validate';
import { HistoryStore } from '../../history/store';
import { persistResult } from '../../jobs/persist';
import { resolveModelFolder } from '../../models/layout';
import { dataPaths, defaultDataDir, ensureWritableDir } from '../../paths';
import { describePrecision } from '../../engine/runtime/precision';
import { classifyOutOfMemory, oomAwareExitClassifier, outOfMemoryError, type AdviceContext } from '../../system';
import { progressLine } from '../progress';
import { readPromptFile } from './prompt';

interface GenerateOptions {
  model: string;
  prompt?: string;
  promptText?: string;
  negativeText?: string;
  width: string;
  height: string;
  steps: string;
  cfg: string;
  shift: string;
  cfgTrunc: string;
  renormCfg: string;
  seed?: string;
  batch: string;
  sampler: string;
  precision: string;
  memory?: string;
  out?: string;
  dataDir?: string;
  json?: boolean;
  previews?: boolean;
}

/**
 * Parses a numeric option as written in decimal: `Number()` alone would take `0x40`, `1e3` for integers, and round a
 * seed above 2^53 − 1 before the range check could quote what the user typed.
 */
function num(name: string, v: string, integer = false): number {
  const t = v.trim();
  const shape = integer ? /^[+-]?\d+$/ : /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
  if (!shape.test(t)) {
    throw new StudioError('InvalidRequest', `--${name} ${v} is not ${integer ? 'a whole number' : 'a number'} (write it in decimal digits).`);
  }
  const n = Number(t);
  if (integer ? !Number.isSafeInteger(n) : !Number.isFinite(n)) {
    throw new StudioError('InvalidRequest', `--${name} ${v} is too large (at most ${Number.MAX_SAFE_INTEGER}).`);
  }
  return n;
}

/** A failed run as the CLI reports it: OOM strings become OutOfMemory with advice; other errors pass unchanged. */
export function cliFailure(e: unknown, advice: AdviceContext): unknown {
  if (!(e instanceof StudioError) || e.code === 'Cancelled') return e;
  const oom = classifyOutOfMemory(e.toData(), advice);
  // Without the queue's sentence about restarting the engine: this process ends here.
  return oom.oom ? outOfMemoryError(oom, advice, false) : e;
}

/** Builds and validates the request from the command line. @throws StudioError InvalidRequest / PromptInvalid */
export function requestFromOptions(o: GenerateOptions): GenerationRequest {
  if ((o.prompt === undefined) === (o.promptText === undefined)) {
    throw new StudioError('InvalidRequest', 'Give the prompt with exactly one of --prompt FILE or --prompt-text TEXT.');
  }
  let prompt = o.prompt !== undefined ? readPromptFile(o.prompt) : o.promptText!;
  // The encoders receive the prompt exactly as stored, BOM removed (conventions.md §5).
  prompt = prompt.replace(/^\uFEFF/, '');
  const request: GenerationRequest = {
    prompt,
    negativePrompt: o.negativeText ?? '',
    width: num('width', o.width, true),
    height: num('height', o.height, true),
    steps: num('steps', o.steps, true),
    guidance: num('cfg', o.cfg),
    shift: num('shift', o.shift),
    cfgTrunc: num('cfg-trunc', o.cfgTrunc),
    renormCfg: num('renorm-cfg', o.renormCfg),
    sampler: o.sampler as Sampler,
    seed: o.seed === undefined ? randomInt(0, RANDOM_SEED_MAX + 1) : num('seed', o.seed, true),
    batch: num('batch', o.batch, true),
    precision: o.precision as PrecisionChoice,
    ...(o.memory ? { memoryPolicy: o.memory as GenerationRequest['memoryPolicy'] } : {}),
  };
  validateRequest(request);
  const errors = checkPrompt(prompt).diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) {
    const d = errors[0];
    throw new StudioError('PromptInvalid', `${o.prompt ?? 'prompt'}:${d.line}:${d.column}: ${d.message}${errors.length > 1 ? ` (+${errors.length - 1} more)` : ''}`);
  }
  return request;
}

/** Registers `generate` (images from a prompt with `--model`; PNGs and history rows; exit codes per conventions §7). */
export function registerGenerateCommands(program: Command): void {
  program
    .command('generate')
    .description('Generate images from a prompt with the model in --model (writes PNGs and history rows)')
    .requiredOption('--model <dir>', 'model folder (hub layout, single files, or a Hugging Face cache snapshot)')
    .option('--prompt <file>', 'prompt file (XML, danbooru tags or natural language)')
    .option('--prompt-text <text>', 'prompt text')
    .option('--negative-text <text>', 'negative prompt', '')
    .option('--width <px>', 'width, a multiple of 16', String(DEFAULTS.width))
    .option('--height <px>', 'height, a multiple of 16', String(DEFAULTS.height))
    .option('--steps <n>', 'sampling steps', String(DEFAULTS.steps))
    .option('--cfg <g>', 'guidance (CFG scale)', String(DEFAULTS.guidance))
    .option('--shift <s>', 'time shift', String(DEFAULTS.shift))
    .option('--cfg-trunc <t>', 'CFG only while model time t < this', String(DEFAULTS.cfgTrunc))
    .option('--renorm-cfg <r>', 'renormalise the guided velocity to r × the conditional norm (0 = off)', String(DEFAULTS.renormCfg))
    .option('--seed <n>', 'seed (default: random); batch image i uses seed + i')
    .option('--batch <n>', 'images per prompt', String(DEFAULTS.batch))
    .option('--sampler <name>', 'euler | midpoint', DEFAULTS.sampler)
    .option('--precision <p>', 'auto | bf16 | fp16 | fp32', DEFAULTS.precision)
    .option('--memory <policy>', 'text encoders before denoising: auto | keep | release')
    .option('--out <dir>', 'also copy the PNGs into this folder')
    .option('--data-dir <dir>', 'data folder (history database and images)')
    .option('--no-previews', 'skip the per-step latent previews')
    .option('--json', 'print {"generationId","images":[{path,seed,sha256}],"precision","provider","timings","warnings"} on stdout')
    .action(async (o: GenerateOptions) => {
      const request = requestFromOptions(o);
      const modelDir = resolve(o.model);
      resolveModelFolder(modelDir); // fail fast (exit 2) on a missing or broken model folder
      const dataDir = ensureWritableDir(o.dataDir ?? defaultDataDir());
      // Checked before the run: a bad --out must not surface only after the image is made.
      const outDir = o.out ? ensureWritableDir(o.out, '--out folder', 'Pass --out with a folder you can write.') : undefined;
      const store = HistoryStore.open(dataDir);
      // As the app's supervisor does (system/oom.ts): an allocation failure or a host killed by the OS is OutOfMemory
      // with advice for this request, not EngineCrashed.
      const advice: AdviceContext = { request };
      const host = new EngineHostClient(forkSpawner(), oomAwareExitClassifier(() => advice));
      const controller = new AbortController();
      const tty = process.stderr.isTTY && !o.json;
      const onSigint = () => {
        if (controller.signal.aborted) host.kill();
        else {
          // A newline ends the progress bar line first (only drawn on a TTY).
          process.stderr.write(`${tty ? '\n' : ''}Cancelling after this step… (Ctrl+C again to stop now)\n`);
          controller.abort();
        }
      };
      process.on('SIGINT', onSigint);
      try {
        const result = await host.generate(
          { modelDir, memoryPolicy: request.memoryPolicy },
          request,
          {
            signal: controller.signal,
            previews: o.previews !== false,
            onNotice: (m) => process.stderr.write(`notice: ${m}\n`),
            onWarning: (m) => process.stderr.write(`warning: ${m}\n`),
            onProgress: (e) => {
              if (tty) process.stderr.write(`\r${progressLine(e, request.batch)}`);
            },
          },
        ).catch((e: unknown) => {
          throw cliFailure(e, advice);
        });
        if (tty) process.stderr.write('\n');
        const saved = await persistResult(store, request, result, modelDir);
        const images = saved.images.map((im) => ({ path: join(dataDir, im.path), seed: im.seed, sha256: im.sha256 }));
        if (outDir) {
          for (const im of images) copyFileSync(im.path, join(outDir, basename(im.path)));
        }
        const warnings = [...result.warnings, ...saved.warnings];
        if (o.json) {
          process.stdout.write(
            JSON.stringify({
              generationId: saved.generationId,
              images,
              precision: result.precision,
              provider: result.provider,
              timings: result.timings,
              warnings,
            }) + '\n',
          );
        } else {
          for (const w of saved.warnings) process.stderr.write(`warning: ${w}\n`);
          const plan = Object.entries(result.precision).map(([c, d]) => `${c} ${describePrecision(d, result.provider)}`);
          process.stderr.write(`precision on ${result.provider}: ${plan.join('; ')}\n`);
          for (const im of images) process.stderr.write(`wrote ${im.path} (seed ${im.seed})\n`);
          process.stderr.write(`history: ${dataPaths(dataDir).database}\n`);
        }
      } finally {
        process.off('SIGINT', onSigint);
        host.dispose();
        store.close();
      }
    });
}
