/**
 * Hugging Face hub HTTP API, the part the downloader uses (huggingface.co/docs/hub/api; huggingface_hub file_download.py):
 * - listing: `GET {endpoint}/api/models/{repo}/tree/{revision}?recursive=true` → JSON array of
 *   `{type: 'file'|'directory', path, size, oid, lfs?: {oid (sha256), size, pointerSize}}`, paginated by a
 *   `Link: <url>; rel="next"` header;
 * - file: `GET {endpoint}/{repo}/resolve/{revision}/{path}` (302 to a CDN for LFS files; Range honoured).
 * Plus the choice of files the app needs (planDownload), mirroring what resolveModelFolder accepts.
 */
import { StudioError } from '../../shared/errors';
import { GEMMA_TOKENIZER_REPO, JINA_TOKENIZER_REPO } from './defaults';

export interface HubFile {
  path: string;
  size: number;
  /** Git blob id (sha1 of "blob <size>\0" + content) for regular files; for LFS files the pointer's id. */
  oid: string;
  lfs?: { oid: string; size: number };
}

/** One file to fetch: from `repo@revision:path` to `dest` (relative to the target folder). */
export interface PlannedFile {
  repo: string;
  revision: string;
  path: string;
  dest: string;
  size: number;
  /** How to verify: sha256 of the content (LFS) or the git blob sha1. */
  check: { algorithm: 'sha256' | 'git-sha1'; digest: string };
}

export interface HubClientOptions {
  endpoint: string;
  token?: string;
  signal?: AbortSignal;
  userAgent?: string;
}

export const DEFAULT_ENDPOINT = 'https://huggingface.co';

/** Endpoint from the option, else HF_ENDPOINT, else huggingface.co (no trailing slash). */
export function hubEndpoint(option: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return (option || env['HF_ENDPOINT'] || DEFAULT_ENDPOINT).replace(/\/+$/, '');
}

/** Request headers for the Hugging Face hub: user-agent, `Authorization: Bearer <token>` when a token is set, then `extra`. */
export function hubHeaders(o: HubClientOptions, extra: Record<string, string> = {}): Record<string, string> {
  const h: Record<string, string> = { 'user-agent': o.userAgent ?? 'newbie-studio', ...extra };
  if (o.token) h['authorization'] = `Bearer ${o.token}`;
  return h;
}

/** `{endpoint}/{repo}/resolve/{revision}/{path}` with each path segment encoded. */
export function resolveUrl(endpoint: string, repo: string, revision: string, path: string): string {
  return `${endpoint}/${repo}/resolve/${encodeURIComponent(revision)}/${path.split('/').map(encodeURIComponent).join('/')}`;
}

/**
 * Turns a failed hub response into a StudioError a person can act on.
 * 401/403 → Unauthorized (gated or private: accept the conditions / pass a token); 404 → DownloadFailed; else DownloadFailed.
 */
export function hubHttpError(res: Response, repo: string, what: string, hasToken: boolean): StudioError {
  const code = res.headers.get('x-error-code') ?? '';
  const serverMessage = res.headers.get('x-error-message');
  const suffix = serverMessage ? ` (${serverMessage})` : '';
  if (res.status === 401 || res.status === 403) {
    const gated = code === 'GatedRepo' || /gated|restricted/i.test(serverMessage ?? '');
    const message = gated
      ? `${what}: ${repo} is gated: your account must accept its conditions${suffix}`
      : `${what}: HTTP ${res.status}, ${hasToken ? 'the token has no access to' : 'a token is needed for'} ${repo}${suffix}`;
    return new StudioError(
      'Unauthorized',
      message,
      `Accept the conditions at https://huggingface.co/${repo} while logged in, then pass --token <hf_…> or set HF_TOKEN (a read token from https://huggingface.co/settings/tokens).`,
    );
  }
  if (res.status === 404) {
    return new StudioError('DownloadFailed', `${what}: not found on the hub (HTTP 404${code ? `, ${code}` : ''})${suffix}`, 'Check the repository name and revision (--repo, --revision); a private repository also needs --token.');
  }
  return new StudioError('DownloadFailed', `${what}: HTTP ${res.status}${suffix}`, 'Try again later, or use a mirror with --endpoint / HF_ENDPOINT.');
}

function networkError(endpoint: string, e: unknown): StudioError {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  return new StudioError(
    'DownloadFailed',
    `cannot reach ${endpoint}: ${cause?.code ?? cause?.message ?? (e as Error).message}`,
    'Check the internet connection, or use a mirror with --endpoint / HF_ENDPOINT.',
  );
}

function nextLink(header: string | null): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part);
    if (m) return m[1];
  }
  return undefined;
}

/**
 * Whether a listed path can become a file under the download folder: relative, `/`-separated, no empty, `.` or `..`
 * segment, and no backslash, colon or control character (Windows would read `a\..\..\x` or `C:x` as a way out).
 * Listings come from whatever endpoint the user or a mirror names, so a path outside this shape is skipped.
 */
export function isSafeRepoPath(path: string): boolean {
  // eslint-disable-next-line no-control-regex
  return path.length <= 1000 && !/[\\:\u0000-\u001f]/.test(path) && path.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..');
}

/**
 * Lists every file of a repo at a revision (follows pagination).
 * @throws StudioError Unauthorized (401/403), DownloadFailed (404, other HTTP errors, network, malformed JSON).
 */
export async function listRepoFiles(repo: string, revision: string, o: HubClientOptions): Promise<HubFile[]> {
  let url: string | undefined = `${o.endpoint}/api/models/${repo}/tree/${encodeURIComponent(revision)}?recursive=true`;
  const files: HubFile[] = [];
  while (url) {
    let res: Response;
    try {
      res = await fetch(url, { headers: hubHeaders(o), signal: o.signal });
    } catch (e) {
      if (o.signal?.aborted) throw new StudioError('Cancelled', 'download cancelled');
      throw networkError(o.endpoint, e);
    }
    if (!res.ok) throw hubHttpError(res, repo, `listing ${repo}@${revision}`, Boolean(o.token));
    let page: unknown;
    try {
      page = await res.json();
    } catch {
      throw new StudioError('DownloadFailed', `listing ${repo}@${revision}: the hub answered something that is not JSON`, 'Check --endpoint / HF_ENDPOINT: it must point at a Hugging Face hub or mirror.');
    }
    if (!Array.isArray(page)) throw new StudioError('DownloadFailed', `listing ${repo}@${revision}: unexpected answer (not a file list)`);
    for (const e of page as Array<Record<string, unknown>>) {
      if (e['type'] !== 'file' || typeof e['path'] !== 'string' || !isSafeRepoPath(e['path'])) continue;
      const lfs = e['lfs'] as { oid?: unknown; size?: unknown } | undefined;
      files.push({
        path: e['path'],
        size: Number(e['size']),
        oid: String(e['oid'] ?? ''),
        ...(lfs && typeof lfs.oid === 'string' ? { lfs: { oid: lfs.oid, size: Number(lfs.size ?? e['size']) } } : {}),
      });
    }
    const next = nextLink(res.headers.get('link'));
    url = next ? new URL(next, url).toString() : undefined;
  }
  return files;
}

const SHARD_RE = /-\d{5}-of-\d{5}\.safetensors$/;
const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json'];

/** Weights of one component folder: an index and its shards (HF layout), else one preferred single file. */
function pickWeights(files: HubFile[], dir: string, preferred: string[]): HubFile[] {
  const inDir = files.filter((f) => f.path.startsWith(`${dir}/`) && !f.path.slice(dir.length + 1).includes('/'));
  const base = (f: HubFile) => f.path.slice(dir.length + 1);
  const index = inDir.find((f) => base(f).endsWith('.safetensors.index.json'));
  if (index) {
    const stem = base(index).slice(0, -'.safetensors.index.json'.length);
    return [index, ...inDir.filter((f) => SHARD_RE.test(base(f)) && base(f).startsWith(`${stem}-`))];
  }
  const singles = inDir.filter((f) => base(f).endsWith('.safetensors')).sort((a, b) => (a.path < b.path ? -1 : 1));
  const chosen = preferred.map((p) => singles.find((f) => base(f) === p)).find(Boolean) ?? singles[0];
  return chosen ? [chosen] : [];
}

export interface DownloadPlanChoice {
  /** Files of the model repo to fetch. */
  files: HubFile[];
  /** Components whose tokenizer the repo lacks (fetched from the upstream repos). */
  missingTokenizers: Array<'gemma' | 'jina'>;
}

/**
 * Picks what the app needs from a model repo listing: model_index.json; per component its config.json and weights
 * (index + shards, else one preferred single file — never both, to avoid fetching 8 GB twice); tokenizer.json,
 * tokenizer_config.json and special_tokens_map.json. Skips .bin/.pt, remote code, READMEs, images, tokenizer.model.
 * @throws StudioError DownloadFailed when a component has no weights in the repo (not a NewBie package).
 */
export function planDownload(files: HubFile[], repo: string): DownloadPlanChoice {
  const chosen: HubFile[] = files.filter((f) => f.path === 'model_index.json');
  const components: Array<[string, string[]]> = [
    ['transformer', ['diffusion_pytorch_model.safetensors']],
    ['text_encoder', ['model.safetensors', 'gemma3-4b-it.safetensors']],
    ['clip_model', ['model.safetensors', 'jina-clip-v2.safetensors']],
    ['vae', ['diffusion_pytorch_model.safetensors']],
  ];
  for (const [dir, preferred] of components) {
    const weights = pickWeights(files, dir, preferred);
    if (!weights.length) {
      throw new StudioError('DownloadFailed', `${repo} has no ${dir}/ weights (.safetensors): it is not a NewBie-image-Exp0.1 model package`, 'Check --repo: the official one is NewBie-AI/NewBie-image-Exp0.1.');
    }
    chosen.push(...files.filter((f) => f.path === `${dir}/config.json`), ...weights);
  }
  const tokenizerDirs = { gemma: ['text_encoder', 'tokenizer'], jina: ['clip_model', 'clip_tokenizer'] };
  const missingTokenizers: Array<'gemma' | 'jina'> = [];
  for (const [which, dirs] of Object.entries(tokenizerDirs) as Array<['gemma' | 'jina', string[]]>) {
    const dir = dirs.find((d) => files.some((f) => f.path === `${d}/tokenizer.json`));
    if (!dir) missingTokenizers.push(which);
    else chosen.push(...files.filter((f) => TOKENIZER_FILES.some((t) => f.path === `${dir}/${t}`)));
  }
  return { files: chosen, missingTokenizers };
}

/** Where missing tokenizers come from, and where they go (conventions.md §4). */
export const TOKENIZER_SOURCES: Record<'gemma' | 'jina', { repo: string; destDir: string }> = {
  gemma: { repo: GEMMA_TOKENIZER_REPO, destDir: 'text_encoder' },
  jina: { repo: JINA_TOKENIZER_REPO, destDir: 'clip_model' },
};

/** Tokenizer files at the root of an upstream repo listing, placed under destDir. */
export function planTokenizerFiles(files: HubFile[], repo: string, revision: string, destDir: string): PlannedFile[] {
  const found = files.filter((f) => TOKENIZER_FILES.includes(f.path));
  if (!found.some((f) => f.path === 'tokenizer.json')) {
    throw new StudioError('DownloadFailed', `${repo}@${revision} has no tokenizer.json`, `Copy a tokenizer.json into ${destDir}/ yourself.`);
  }
  return found.map((f) => toPlanned(f, repo, revision, `${destDir}/${f.path}`));
}

/** A listing entry → a download job verified by LFS sha256, or by git blob sha1 for regular files. */
export function toPlanned(f: HubFile, repo: string, revision: string, dest = f.path): PlannedFile {
  const check = f.lfs ? { algorithm: 'sha256' as const, digest: f.lfs.oid } : { algorithm: 'git-sha1' as const, digest: f.oid };
  return { repo, revision, path: f.path, dest, size: f.lfs?.size ?? f.size, check };
}
