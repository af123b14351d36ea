/**
 * A local imitation of the Hugging Face hub endpoints the downloader uses (a test double at the network boundary,
 * conventions.md §8), on 127.0.0.1:
 * - `GET /api/models/{org}/{name}/tree/{rev}?recursive=true` → `[{type, oid, size, path, lfs?}]`, paginated with
 *   `Link: <…&cursor=N>; rel="next"` like the hub;
 * - `GET /{org}/{name}/resolve/{rev}/{path}` → LFS files: 302 to `/cdn/{org}/{name}/{sha256}` with X-Repo-Commit / X-Linked-Etag /
 *   X-Linked-Size; regular files served directly; gated repos answer 401 + `X-Error-Code: GatedRepo` without a
 *   valid token; unknown files 404 `EntryNotFound`;
 * - `GET /cdn/{org}/{name}/{sha256}` → the bytes, honouring `Range: bytes=N-` with 206 + Content-Range.
 * Faults for tests: cut the connection after N bytes, or stall after N bytes (a number of times), flip one byte,
 * ignore Range.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { cleanupTinyModels, gitBlobSha1, isLfsPath, listFilesRecursive, tinyModel } from '../fixtures/tinyModel';

interface RepoFile {
  content: Buffer;
  lfs: boolean;
  sha256: string;
}

interface FakeRepo {
  files: Map<string, RepoFile>;
  /** Tokens that may download files of a gated repo. */
  gatedTokens?: string[];
}

export interface LoggedRequest {
  url: string;
  range?: string;
  authorization?: string;
}

export class FakeHub {
  readonly repos = new Map<string, FakeRepo>();
  readonly requests: LoggedRequest[] = [];
  /** `${repo}:${path}` → cut the body after `bytes`, `times` more times. */
  readonly cuts = new Map<string, { bytes: number; times: number }>();
  /** `${repo}:${path}` → send `bytes`, then hold the connection open without sending more, `times` more times. */
  readonly stalls = new Map<string, { bytes: number; times: number }>();
  /** `${repo}:${path}` → byte offset served flipped. */
  readonly corruptions = new Map<string, number>();
  ignoreRange = false;
  pageSize = 1000;
  readonly commit = 'c0ffee'.padEnd(40, '0');
  private server?: Server;
  /** `${repo}/${sha256}` → path: like a CDN, one blob URL per stored object. */
  private readonly blobs = new Map<string, { repo: string; path: string }>();
  endpoint = '';

  /** Adds a repo from a folder (skipping `exclude`d relative paths) plus extra in-memory files. */
  addRepo(repo: string, dir: string | undefined, options: { exclude?: (rel: string) => boolean; extra?: Record<string, string | Buffer>; gatedTokens?: string[] } = {}): void {
    const files = new Map<string, RepoFile>();
    const put = (rel: string, content: Buffer) => {
      const sha256 = createHash('sha256').update(content).digest('hex');
      files.set(rel, { content, lfs: isLfsPath(rel), sha256 });
      this.blobs.set(`${repo}/${sha256}`, { repo, path: rel });
    };
    if (dir) for (const rel of listFilesRecursive(dir)) if (!options.exclude?.(rel)) put(rel, readFileSync(join(dir, rel)));
    for (const [rel, c] of Object.entries(options.extra ?? {})) put(rel, Buffer.isBuffer(c) ? c : Buffer.from(c));
    this.repos.set(repo, { files, gatedTokens: options.gatedTokens });
  }

  file(repo: string, path: string): RepoFile {
    return this.repos.get(repo)!.files.get(path)!;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.endpoint;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', this.endpoint);
    this.requests.push({ url: `${url.pathname}${url.search}`, range: req.headers.range, authorization: req.headers.authorization });
    const tree = /^\/api\/models\/([^/]+\/[^/]+)\/tree\/([^/]+)$/.exec(url.pathname);
    if (tree) return this.tree(decodeURIComponent(tree[1]), url, res);
    const resolve = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    if (resolve) return this.resolve(resolve[1], resolve[3].split('/').map(decodeURIComponent).join('/'), req, res);
    const cdn = /^\/cdn\/([^/]+\/[^/]+\/[0-9a-f]{64})$/.exec(url.pathname);
    if (cdn && this.blobs.has(cdn[1])) {
      const { repo, path } = this.blobs.get(cdn[1])!;
      return this.serve(repo, path, req, res);
    }
    res.writeHead(404, { 'x-error-code': 'EntryNotFound' }).end('not found');
  }

  private tree(repo: string, url: URL, res: ServerResponse): void {
    const r = this.repos.get(repo);
    if (!r) return void res.writeHead(404, { 'x-error-code': 'RepoNotFound', 'x-error-message': 'Repository not found' }).end();
    const dirs = new Set<string>();
    for (const p of r.files.keys()) for (let i = p.indexOf('/'); i > 0; i = p.indexOf('/', i + 1)) dirs.add(p.slice(0, i));
    const entries: unknown[] = [...dirs].sort().map((d) => ({ type: 'directory', oid: createHash('sha1').update(d).digest('hex'), size: 0, path: d }));
    for (const [path, f] of [...r.files].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const pointer = `version https://git-lfs.github.com/spec/v1\noid sha256:${f.sha256}\nsize ${f.content.length}\n`;
      entries.push(
        f.lfs
          ? { type: 'file', oid: gitBlobSha1(Buffer.from(pointer)), size: f.content.length, path, lfs: { oid: f.sha256, size: f.content.length, pointerSize: pointer.length } }
          : { type: 'file', oid: gitBlobSha1(f.content), size: f.content.length, path },
      );
    }
    const start = Number(url.searchParams.get('cursor') ?? 0);
    const page = entries.slice(start, start + this.pageSize);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (start + this.pageSize < entries.length) {
      const next = new URL(url.toString());
      next.searchParams.set('cursor', String(start + this.pageSize));
      headers['link'] = `<${next.toString()}>; rel="next"`;
    }
    res.writeHead(200, headers).end(JSON.stringify(page));
  }

  private resolve(repo: string, path: string, req: IncomingMessage, res: ServerResponse): void {
    const r = this.repos.get(repo);
    if (!r) return void res.writeHead(404, { 'x-error-code': 'RepoNotFound' }).end();
    if (r.gatedTokens) {
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (!token || !r.gatedTokens.includes(token)) {
        return void res
          .writeHead(401, { 'x-error-code': 'GatedRepo', 'x-error-message': `Access to model ${repo} is restricted. You must have access to it and be authenticated to access it. Please log in.` })
          .end();
      }
    }
    const f = r.files.get(path);
    if (!f) return void res.writeHead(404, { 'x-error-code': 'EntryNotFound' }).end();
    if (f.lfs) {
      return void res
        .writeHead(302, { location: `/cdn/${repo}/${f.sha256}`, 'x-repo-commit': this.commit, 'x-linked-etag': `"${f.sha256}"`, 'x-linked-size': String(f.content.length) })
        .end();
    }
    this.serve(repo, path, req, res);
  }

  private serve(repo: string, path: string, req: IncomingMessage, res: ServerResponse): void {
    const f = this.repos.get(repo)!.files.get(path)!;
    let body = f.content;
    const flip = this.corruptions.get(`${repo}:${path}`);
    if (flip !== undefined) {
      body = Buffer.from(body);
      body[flip] ^= 0xff;
    }
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    let status = 200;
    const headers: Record<string, string> = { 'accept-ranges': 'bytes', 'content-type': 'application/octet-stream', etag: `"${f.sha256}"` };
    if (m && !this.ignoreRange) {
      const from = Number(m[1]);
      if (from >= body.length) return void res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
      headers['content-range'] = `bytes ${from}-${body.length - 1}/${body.length}`;
      body = body.subarray(from);
      status = 206;
    }
    headers['content-length'] = String(body.length);
    const stall = this.stalls.get(`${repo}:${path}`);
    if (stall && stall.times > 0 && stall.bytes < body.length) {
      stall.times--;
      res.writeHead(status, headers);
      res.write(body.subarray(0, stall.bytes));
      return;
    }
    const cut = this.cuts.get(`${repo}:${path}`);
    if (cut && cut.times > 0 && cut.bytes < body.length) {
      cut.times--;
      res.writeHead(status, headers);
      // A graceful FIN shortly after `bytes` (destroy() could reset and drop bytes in flight): the client sees the body
      // end short of Content-Length. How much of it the client had written when the error reached it may be less.
      res.write(body.subarray(0, cut.bytes), () => setTimeout(() => res.socket?.end(), 50));
      return;
    }
    res.writeHead(status, headers).end(body);
  }
}

/**
 * A FakeHub serving the tiny model as the official repo (NewBie-AI/NewBie-image-Exp0.1) to the calling test file:
 * started in its beforeAll, stopped (and the tiny models removed) in its afterAll. Read `endpoint` inside tests.
 */
export function useTinyOfficialHub(): FakeHub {
  const hub = new FakeHub();
  beforeAll(async () => {
    hub.addRepo('NewBie-AI/NewBie-image-Exp0.1', tinyModel());
    await hub.start();
  });
  afterAll(async () => {
    await hub.stop();
    cleanupTinyModels();
  });
  return hub;
}
