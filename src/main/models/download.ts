/**
 * Downloads a NewBie model package from the Hugging Face hub (or a mirror) into a folder: lists the repo, fetches only
 * what the app needs (hub.ts planDownload), several files at once, streaming to `<file>.incomplete` (never the whole
 * file in memory), resuming with HTTP Range after an interruption, verifying SHA-256 against the hub's LFS metadata
 * (git blob sha1 for small regular files), then fsync + atomic rename. A file that fails verification is deleted.
 * HTTP: Node's built-in fetch (undici), which follows the hub's 302 to its CDN and keeps the Range header.
 */
import { createHash, type Hash } from 'node:crypto';
import { closeSync, createReadStream, createWriteStream, existsSync, mkdirSync, openSync, statSync, truncateSync, unlinkSync } from 'node:fs';
import { open, rename, statfs } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { StudioError } from '../../shared/errors';
import { defaultDataDir, ensureWritableDir } from '../paths';
import { OFFICIAL_REPO } from './defaults';
import { TOKENIZER_SOURCES, hubEndpoint, hubHeaders, hubHttpError, listRepoFiles, planDownload, planTokenizerFiles, resolveUrl, toPlanned, type HubClientOptions, type PlannedFile } from './hub';

export interface DownloadOptions {
  /** Target folder (created). Default: `<data dir>/models/<repo name>`. */
  dir?: string;
  repo?: string;
  revision?: string;
  /** Hub token; default HF_TOKEN from env. */
  token?: string;
  /** Hub or mirror URL; default HF_ENDPOINT from env, else https://huggingface.co. */
  endpoint?: string;
  /** Files downloaded at once (default 4). */
  parallel?: number;
  /** Automatic resumes per file after a network error (default 3). */
  retries?: number;
  /** First retry delay in ms, doubled each time (default 1000). */
  retryDelayMs?: number;
  /** Abort a request that delivers no bytes for this long (default 60 s). */
  stallTimeoutMs?: number;
  signal?: AbortSignal;
  onProgress?: (p: DownloadProgress) => void;
  env?: NodeJS.ProcessEnv;
}

export type FileState = 'queued' | 'downloading' | 'verifying' | 'done' | 'reused' | 'failed';

export interface DownloadProgress {
  bytesDone: number;
  bytesTotal: number;
  /** Bytes per second over the last few seconds. */
  speedBps: number;
  /** Seconds left at that speed (Infinity before any data). */
  etaS: number;
  filesDone: number;
  filesTotal: number;
  files: Array<{ dest: string; state: FileState; bytesDone: number; size: number; error?: string }>;
}

export interface DownloadResult {
  dir: string;
  files: Array<{ dest: string; repo: string; size: number; state: 'done' | 'reused' }>;
  /** Bytes fetched over the network in this run. */
  bytesDownloaded: number;
}

/** Default download folder for a repo: `<data dir>/models/<name>` (conventions.md §6 data dir). */
export function defaultModelDir(repo: string = OFFICIAL_REPO, env: NodeJS.ProcessEnv = process.env): string {
  return join(defaultDataDir(env), 'models', basename(repo));
}

const RETRYABLE = Symbol('retryable');
type Retryable = Error & { [RETRYABLE]?: true };
const retryable = (e: Error): Error => Object.assign(e, { [RETRYABLE]: true as const });

/** A hasher for the file's check: sha256 of the bytes, or git's sha1 over "blob <size>\0" + bytes. */
function newHash(f: PlannedFile): Hash {
  if (f.check.algorithm === 'sha256') return createHash('sha256');
  return createHash('sha1').update(`blob ${f.size}\0`);
}

async function hashExisting(path: string, hash: Hash): Promise<void> {
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
}

class Progress {
  private readonly samples: Array<[number, number]> = [];
  private lastEmit = 0;
  readonly files: DownloadProgress['files'];
  bytesDownloaded = 0;
  constructor(
    plan: PlannedFile[],
    private readonly cb?: (p: DownloadProgress) => void,
  ) {
    this.files = plan.map((f) => ({ dest: f.dest, state: 'queued', bytesDone: 0, size: f.size }));
  }
  snapshot(): DownloadProgress {
    const bytesDone = this.files.reduce((a, f) => a + f.bytesDone, 0);
    const bytesTotal = this.files.reduce((a, f) => a + f.size, 0);
    const now = Date.now();
    this.samples.push([now, this.bytesDownloaded]);
    while (this.samples.length > 2 && now - this.samples[0][0] > 5000) this.samples.shift();
    const [t0, b0] = this.samples[0];
    const speedBps = now > t0 ? ((this.bytesDownloaded - b0) * 1000) / (now - t0) : 0;
    const filesDone = this.files.filter((f) => f.state === 'done' || f.state === 'reused').length;
    return { bytesDone, bytesTotal, speedBps, etaS: speedBps > 0 ? (bytesTotal - bytesDone) / speedBps : Infinity, filesDone, filesTotal: this.files.length, files: this.files.map((f) => ({ ...f })) };
  }
  emit(force = false): void {
    if (!this.cb) return;
    const now = Date.now();
    if (!force && now - this.lastEmit < 200) return;
    this.lastEmit = now;
    this.cb(this.snapshot());
  }
}

interface FileJob {
  plan: PlannedFile;
  index: number;
}

/** One attempt: fetch from the current partial size to the end, appending to `.incomplete` while hashing. */
async function fetchRange(job: FileJob, tmp: string, hash: Hash, hub: HubClientOptions, o: Required<Pick<DownloadOptions, 'stallTimeoutMs'>>, progress: Progress): Promise<Hash> {
  const f = job.plan;
  const entry = progress.files[job.index];
  let offset = existsSync(tmp) ? statSync(tmp).size : 0;
  if (offset >= f.size) return hash;
  const stall = new AbortController();
  const signal = hub.signal ? AbortSignal.any([hub.signal, stall.signal]) : stall.signal;
  let timer = setTimeout(() => stall.abort(), o.stallTimeoutMs);
  try {
    let res: Response;
    try {
      res = await fetch(resolveUrl(hub.endpoint, f.repo, f.revision, f.path), { headers: hubHeaders(hub, offset > 0 ? { range: `bytes=${offset}-` } : {}), signal });
    } catch (e) {
      if (hub.signal?.aborted) throw new StudioError('Cancelled', 'download cancelled: run the same command again to resume');
      const why = stall.signal.aborted ? `no answer for ${o.stallTimeoutMs / 1000} s` : ((e as { cause?: Error }).cause?.message ?? (e as Error).message);
      throw retryable(new StudioError('DownloadFailed', `${f.dest}: cannot reach ${hub.endpoint} (${why})`, 'Check the connection and run the same command again: it resumes.'));
    }
    if (res.status === 416 && offset > 0) {
      await res.body?.cancel();
      truncateSync(tmp, 0);
      throw retryable(new StudioError('DownloadFailed', `${f.dest}: the partial file does not fit the server's copy; starting over`));
    }
    if (!res.ok) {
      const err = hubHttpError(res, f.repo, f.dest, Boolean(hub.token));
      await res.body?.cancel();
      throw res.status >= 500 || res.status === 429 ? retryable(err) : err;
    }
    if (offset > 0 && res.status === 200) {
      // The server ignored Range: start over, the hash must cover the file from byte 0.
      truncateSync(tmp, 0);
      offset = 0;
      hash = newHash(f);
    } else if (offset > 0) {
      const m = /bytes (\d+)-/.exec(res.headers.get('content-range') ?? '');
      if (!m || Number(m[1]) !== offset) {
        await res.body?.cancel();
        throw new StudioError('DownloadFailed', `${f.dest}: asked for bytes from ${offset}, got "${res.headers.get('content-range')}"`, 'The server or mirror does not support resuming; delete the .incomplete file and retry.');
      }
    }
    if (!res.body) throw retryable(new StudioError('DownloadFailed', `${f.dest}: empty response body`));
    entry.bytesDone = offset;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        clearTimeout(timer);
        timer = setTimeout(() => stall.abort(), o.stallTimeoutMs);
        hash.update(chunk);
        entry.bytesDone += chunk.length;
        progress.bytesDownloaded += chunk.length;
        progress.emit();
        done(null, chunk);
      },
    });
    try {
      await pipeline(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), meter, createWriteStream(tmp, { flags: 'a' }));
    } catch (e) {
      if (hub.signal?.aborted) throw new StudioError('Cancelled', 'download cancelled: run the same command again to resume');
      const why = stall.signal.aborted ? `no data for ${o.stallTimeoutMs / 1000} s` : (e as Error).message;
      throw retryable(new StudioError('DownloadFailed', `${f.dest}: interrupted after ${statSync(tmp).size} of ${f.size} bytes (${why})`, 'Run the same command again: it resumes where it stopped.'));
    }
    return hash;
  } finally {
    clearTimeout(timer);
  }
}

/** Downloads one file with retries; verifies; renames into place. Existing complete files are reused. */
async function downloadFile(job: FileJob, dir: string, hub: HubClientOptions, o: Required<Pick<DownloadOptions, 'retries' | 'retryDelayMs' | 'stallTimeoutMs'>>, progress: Progress): Promise<void> {
  const f = job.plan;
  const entry = progress.files[job.index];
  const dest = join(dir, f.dest);
  const tmp = `${dest}.incomplete`;
  // Only verified files are ever renamed into place, so a complete file of the right size is one we verified.
  if (existsSync(dest) && statSync(dest).size === f.size) {
    entry.state = 'reused';
    entry.bytesDone = f.size;
    progress.emit(true);
    return;
  }
  mkdirSync(dirname(dest), { recursive: true });
  if (existsSync(tmp) && statSync(tmp).size > f.size) truncateSync(tmp, 0);
  if (!existsSync(tmp)) closeSync(openSync(tmp, 'w'));
  entry.state = 'downloading';
  for (let attempt = 0; ; attempt++) {
    try {
      let hash = newHash(f);
      await hashExisting(tmp, hash);
      hash = await fetchRange(job, tmp, hash, hub, o, progress);
      const size = statSync(tmp).size;
      if (size !== f.size) throw retryable(new StudioError('DownloadFailed', `${f.dest}: got ${size} of ${f.size} bytes`, 'Run the same command again: it resumes.'));
      entry.state = 'verifying';
      progress.emit(true);
      const digest = hash.digest('hex');
      if (digest !== f.check.digest) {
        unlinkSync(tmp);
        const what = f.check.algorithm === 'sha256' ? "the hub's LFS sha256" : "the hub's git blob id";
        throw new StudioError('ChecksumMismatch', `${f.dest}: ${f.check.algorithm} ${digest} does not match ${what} ${f.check.digest}; the file was not kept`, 'Run the download again; if it repeats, the server or mirror delivers a different file.');
      }
      const fd = await open(tmp, 'r+');
      await fd.sync();
      await fd.close();
      await rename(tmp, dest);
      entry.state = 'done';
      progress.emit(true);
      return;
    } catch (e) {
      const err = e as Retryable;
      if (!err[RETRYABLE] || attempt >= o.retries) {
        entry.state = 'failed';
        entry.error = err.message;
        progress.emit(true);
        throw err;
      }
      await new Promise((r) => setTimeout(r, o.retryDelayMs * 2 ** attempt));
    }
  }
}

/** Everything to fetch: the model repo's needed files plus upstream tokenizers when the repo lacks them. */
export async function planModelDownload(repo: string, revision: string, hub: HubClientOptions): Promise<PlannedFile[]> {
  const listing = await listRepoFiles(repo, revision, hub);
  const choice = planDownload(listing, repo);
  const plan = choice.files.map((f) => toPlanned(f, repo, revision));
  for (const which of choice.missingTokenizers) {
    const src = TOKENIZER_SOURCES[which];
    const files = await listRepoFiles(src.repo, 'main', hub);
    plan.push(...planTokenizerFiles(files, src.repo, 'main', src.destDir));
  }
  return plan;
}

/**
 * Downloads the model package (see file docstring). Safe to re-run: finished files are kept, partial ones resume.
 * @throws StudioError Unauthorized (gated/private), ChecksumMismatch (file deleted), DownloadFailed (network, HTTP,
 *   disk space, not a NewBie repo), Cancelled (signal), InvalidRequest (a repo name or endpoint that cannot be right,
 *   a --dir that is not a writable folder). When several files fail, the message lists them all.
 */
export async function downloadModel(options: DownloadOptions = {}): Promise<DownloadResult> {
  const env = options.env ?? process.env;
  const repo = options.repo ?? OFFICIAL_REPO;
  const revision = options.revision ?? 'main';
  const dir = options.dir ?? defaultModelDir(repo, env);
  // A typo is invalid input (exit 2), not a network failure (exit 3): check both before going online.
  if (!/^[\w.-]+\/[\w.-]+$/.test(repo)) {
    throw new StudioError('InvalidRequest', `"${repo}" is not a Hugging Face model repository name.`, `Write it as organisation/name, e.g. ${OFFICIAL_REPO}.`);
  }
  const endpoint = hubEndpoint(options.endpoint, env);
  if (!/^https?:\/\/[^/\s]+/i.test(endpoint) || !URL.canParse(endpoint)) {
    throw new StudioError('InvalidRequest', `The hub endpoint "${endpoint}" is not an http(s) URL.`, 'Pass --endpoint (or HF_ENDPOINT) like https://huggingface.co or your mirror\'s address.');
  }
  const hub: HubClientOptions = { endpoint, token: options.token ?? env['HF_TOKEN'] ?? undefined, signal: options.signal };
  const o = { retries: options.retries ?? 3, retryDelayMs: options.retryDelayMs ?? 1000, stallTimeoutMs: options.stallTimeoutMs ?? 60_000 };
  const plan = await planModelDownload(repo, revision, hub);
  ensureWritableDir(dir, 'download folder', 'Choose another folder with --dir.');
  const remaining = plan.reduce((a, f) => {
    const dest = join(dir, f.dest);
    if (existsSync(dest) && statSync(dest).size === f.size) return a;
    return a + f.size - (existsSync(`${dest}.incomplete`) ? Math.min(f.size, statSync(`${dest}.incomplete`).size) : 0);
  }, 0);
  const fsStats = await statfs(dir);
  const free = Number(fsStats.bavail) * Number(fsStats.bsize);
  if (free < remaining) {
    throw new StudioError('DownloadFailed', `${dir}: needs ${(remaining / 1e9).toFixed(2)} GB free, ${(free / 1e9).toFixed(2)} GB available`, 'Free some space or choose another folder with --dir.');
  }
  const progress = new Progress(plan, options.onProgress);
  progress.emit(true);
  // Largest first keeps every connection busy until the end.
  const queue: FileJob[] = plan.map((p, index) => ({ plan: p, index })).sort((a, b) => b.plan.size - a.plan.size);
  const errors: Error[] = [];
  const worker = async () => {
    for (let job = queue.shift(); job; job = queue.shift()) {
      if (options.signal?.aborted) break;
      try {
        await downloadFile(job, dir, hub, o, progress);
      } catch (e) {
        errors.push(e as Error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.parallel ?? 4, plan.length)) }, worker));
  progress.emit(true);
  if (options.signal?.aborted) throw new StudioError('Cancelled', 'download cancelled: run the same command again to resume');
  if (errors.length) {
    const first = errors.find((e) => e instanceof StudioError && e.code !== 'DownloadFailed') ?? errors[0];
    if (errors.length === 1) throw first;
    const code = first instanceof StudioError ? first.code : 'DownloadFailed';
    throw new StudioError(code, `${errors.length} of ${plan.length} files failed: ${errors.map((e) => e.message).join('; ')}`, first instanceof StudioError ? first.hint : undefined);
  }
  const files = progress.files.map((f, i) => ({ dest: f.dest, repo: plan[i].repo, size: f.size, state: f.state as 'done' | 'reused' }));
  return { dir, files, bytesDownloaded: progress.bytesDownloaded };
}
