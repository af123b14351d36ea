/**
 * `newbie-studio models …`: make-tiny (the random test model), check (is a folder a usable model?), find (models in the
 * Hugging Face cache), download (the official model from the hub with progress, resume and verification).
 * Exit codes (conventions.md §7): check exits 1 when the folder has problems; bad options are 2; download failures 3.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { StudioError } from '../../../shared/errors';
import { ensureWritableDir } from '../../paths';
import { checkModelFolder, findHfCacheModels, type ModelCheckReport } from '../../models/check';
import { OFFICIAL_REPO } from '../../models/defaults';
import { defaultModelDir, downloadModel, type DownloadProgress } from '../../models/download';
import { makeTinyModel, type TinyLayout, type TinySize } from '../../models/tiny';

const out = (s: string) => process.stdout.write(`${s}\n`);
const note = (s: string) => process.stderr.write(`${s}\n`);
const json = (v: unknown) => out(JSON.stringify(v, null, 2));

function oneOf<T extends string>(values: readonly T[]) {
  return (v: string): T => {
    if (!(values as readonly string[]).includes(v)) throw new InvalidArgumentError(`expected one of ${values.join(', ')}.`);
    return v as T;
  };
}

function seedArg(v: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('expected an integer 0 ≤ seed ≤ 2^53−1.');
  return n;
}

/** "1.23 GB", "512 kB", "17 B" (SI units, like the hub shows sizes). */
export function formatBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ${units[i]}`;
}

/** "3.49 B", "1.25 M", "93 k" parameters. */
function formatCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return String(n);
}

/** The human form of a check report (stderr). */
export function formatCheckReport(r: ModelCheckReport): string {
  const lines = [`Model folder: ${r.folder}${r.root !== r.folder ? ` → ${r.root}` : ''}`];
  for (const c of r.components) {
    if (c.status !== 'found') {
      lines.push(`  ${c.id.padEnd(13)} ${c.status.toUpperCase()}`);
      continue;
    }
    const dtypes = Object.entries(c.dtypes).map(([d, n]) => `${d}×${n}`).join(' ');
    lines.push(`  ${c.id.padEnd(13)} found    ${c.source}`);
    lines.push(`  ${''.padEnd(13)}          ${c.keyConvention}; ${dtypes}; ${formatCount(c.parameterCount)} parameters; ${formatBytes(c.sizeOnDisk)} on disk${c.ignoredTensors ? `; ${c.ignoredTensors} tensors ignored` : ''}`);
  }
  if (r.dit) {
    lines.push(`  DiT tensors: ${r.dit.expectedCount} expected, ${r.dit.foundCount} found, ${r.dit.missing.length} missing, ${r.dit.unexpected.length} unexpected, ${r.dit.shapeMismatches.length} wrong shape`);
  }
  lines.push(`  tokenizers    ${r.tokenizers.gemma ?? '(Gemma missing)'}, ${r.tokenizers.jina ?? '(Jina missing)'}`);
  for (const n of r.notes) lines.push(`  note: ${n}`);
  for (const p of r.problems) lines.push(`  ✗ ${p.message}${p.hint ? `\n      hint: ${p.hint}` : ''}`);
  lines.push(r.ok ? `OK${r.identity ? ` (identity ${r.identity.slice(0, 23)}…)` : ''}` : `${r.problems.length} problem(s)`);
  return lines.join('\n');
}

function formatDuration(s: number): string {
  if (!Number.isFinite(s)) return '--';
  const t = Math.round(s);
  return t >= 3600 ? `${Math.floor(t / 3600)}h${String(Math.floor((t % 3600) / 60)).padStart(2, '0')}m` : t >= 60 ? `${Math.floor(t / 60)}m${String(t % 60).padStart(2, '0')}s` : `${t}s`;
}

/** One progress line: bar, bytes, speed, ETA, files. */
export function formatProgress(p: DownloadProgress, width = 24): string {
  const frac = p.bytesTotal ? p.bytesDone / p.bytesTotal : 1;
  const filled = Math.round(frac * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(frac * 100).toFixed(1).padStart(5)}%  ${formatBytes(p.bytesDone)} / ${formatBytes(p.bytesTotal)}  ${formatBytes(Math.round(p.speedBps))}/s  ETA ${formatDuration(p.etaS)}  (${p.filesDone}/${p.filesTotal} files)`;
}

/** Progress on stderr: redrawn in place on a terminal, a line every 5 s otherwise; finished files listed. */
function progressPrinter(): (p: DownloadProgress) => void {
  const tty = process.stderr.isTTY;
  const announced = new Set<string>();
  let lastLine = 0;
  return (p) => {
    for (const f of p.files) {
      if ((f.state === 'done' || f.state === 'reused' || f.state === 'failed') && !announced.has(f.dest)) {
        announced.add(f.dest);
        const line = `${f.state === 'failed' ? '✗' : '✓'} ${f.dest} (${formatBytes(f.size)}${f.state === 'reused' ? ', already here' : ''})`;
        process.stderr.write(tty ? `\r\x1b[K${line}\n` : `${line}\n`);
      }
    }
    const now = Date.now();
    if (tty) process.stderr.write(`\r\x1b[K${formatProgress(p)}`);
    else if (now - lastLine >= 5000) {
      lastLine = now;
      process.stderr.write(`${formatProgress(p)}\n`);
    }
  };
}

/**
 * The folder make-tiny may write: new, empty, or an earlier tiny model (its README says so). Anything else is refused:
 * the tiny files carry the real names (text_encoder/model-00001-of-00002.safetensors…) and would overwrite a real model.
 * @throws StudioError InvalidRequest
 */
export function tinyTarget(outDir: string): string {
  const dir = ensureWritableDir(outDir, 'output folder', 'Choose a new or empty folder for the tiny model.');
  const readme = join(dir, 'README.md');
  const ours = existsSync(readme) && readFileSync(readme, 'utf8').includes('Made by `newbie-studio models make-tiny`');
  if (!ours && readdirSync(dir).length > 0) {
    throw new StudioError(
      'InvalidRequest',
      `${dir} is not empty and is not a tiny model made by make-tiny; writing there could overwrite real model files.`,
      'Choose a new or empty folder for the tiny model.',
    );
  }
  return dir;
}

/** Registers `models make-tiny|check|find|download` on the program. */
export function registerModelsCommands(program: Command): void {
  const models = program.command('models').description('Check, find and download models; make the tiny test model.');

  models
    .command('make-tiny')
    .description('Write a tiny NewBie-image-Exp0.1 package with random weights (it produces noise; for trying the studio and tests).')
    .argument('<out_dir>', 'folder to write (created if needed)')
    .option('--seed <n>', 'weights seed (same seed → byte-identical files)', seedArg, 0)
    .option('--layout <layout>', 'hub (HF folders, sharded) | single-file (ComfyUI-style single files)', oneOf<TinyLayout>(['hub', 'single-file']), 'hub')
    .option('--size <size>', 'tiny | bench (a 256² step ≳ 50 ms) | cancel (a step ≳ 200 ms)', oneOf<TinySize>(['tiny', 'bench', 'cancel']), 'tiny')
    .option('--jina <form>', 'raw (LoRA parametrizations) | merged (ComfyUI names)', oneOf(['raw', 'merged'] as const), 'raw')
    .option('--vae-attention <names>', 'to_q | query (older diffusers names)', oneOf(['to_q', 'query'] as const), 'to_q')
    .option('--json', 'print one JSON document on stdout')
    .action((outDir: string, o: { seed: number; layout: TinyLayout; size: TinySize; jina: 'raw' | 'merged'; vaeAttention: 'to_q' | 'query'; json?: boolean }) => {
      const info = makeTinyModel(tinyTarget(outDir), { seed: o.seed, layout: o.layout, size: o.size, jina: o.jina, vaeAttention: o.vaeAttention });
      if (o.json) json(info);
      else note(`wrote a ${o.size} ${o.layout} model (seed ${o.seed}, ${info.files.length} files) to ${info.root}`);
    });

  models
    .command('check')
    .description('Check a model folder (hub layout, single files, HF cache snapshot): exit 1 when something is missing or wrong.')
    .argument('<dir>', 'the model folder, a models--… folder or a Hugging Face cache folder')
    .option('--json', 'print one JSON document on stdout')
    .action((dir: string, o: { json?: boolean }) => {
      const report = checkModelFolder(resolve(dir));
      if (o.json) json(report);
      else note(formatCheckReport(report));
      if (!report.ok) process.exitCode = 1;
    });

  models
    .command('find')
    .description('List NewBie models in the Hugging Face cache (HF_HUB_CACHE, HF_HOME or ~/.cache/huggingface).')
    .option('--json', 'print one JSON document on stdout')
    .action((o: { json?: boolean }) => {
      const found = findHfCacheModels();
      if (o.json) json(found);
      else if (!found.length) note('No NewBie model in the Hugging Face cache.');
      else for (const m of found) note(`${m.ok ? 'OK ' : '✗  '} ${m.repo}@${m.revision.slice(0, 12)}  ${m.snapshot}${m.problems.length ? `\n     ${m.problems.join('\n     ')}` : ''}`);
    });

  models
    .command('download')
    .description('Download the model from the Hugging Face hub: only the needed files, several at once, resumable, SHA-256 verified.')
    .option('--repo <org/name>', 'model repository', OFFICIAL_REPO)
    .option('--revision <rev>', 'branch, tag or commit', 'main')
    .option('--dir <dir>', `target folder (default: ${defaultModelDir()})`)
    .option('--token <token>', 'Hugging Face token for gated files (default: HF_TOKEN)')
    .option('--endpoint <url>', 'hub or mirror URL (default: HF_ENDPOINT, else https://huggingface.co)')
    .option('--parallel <n>', 'files at once (1-16)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 16) throw new InvalidArgumentError('expected an integer 1-16.');
      return n;
    }, 4)
    .option('--json', 'print one JSON document on stdout (the files and the model check)')
    .action(async (o: { repo: string; revision: string; dir?: string; token?: string; endpoint?: string; parallel: number; json?: boolean }) => {
      const dir = resolve(o.dir ?? defaultModelDir(o.repo));
      const abort = new AbortController();
      const onSigint = () => abort.abort();
      process.once('SIGINT', onSigint);
      try {
        note(`Downloading ${o.repo}@${o.revision} into ${dir}`);
        const result = await downloadModel({ ...o, dir, signal: abort.signal, onProgress: progressPrinter() });
        if (process.stderr.isTTY) process.stderr.write('\n');
        const report = checkModelFolder(dir);
        if (o.json) json({ ...result, check: report });
        else note(`${formatBytes(result.bytesDownloaded)} downloaded.\n${formatCheckReport(report)}`);
        if (!report.ok) process.exitCode = 1;
      } finally {
        process.removeListener('SIGINT', onSigint);
      }
    });
}
