/**
 * Issue 8 "checked by", serve mode through the built CLI (`node bin/newbie-studio.js serve`): exactly one stdout
 * line with the tokened URL, 401 without the token, the built renderer behind the cookie, the contract over the
 * WebSocket down to a finished generation in the forked engine host, a clean exit on SIGTERM; a non-loopback host
 * needs --allow-remote and then warns.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { GenerationFinishedEvent } from '../../src/shared/api';
import { createWebSocketStudio, type SocketLike } from '../../src/shared/wsClient';
import { projectRoot } from '../../src/main/paths';
import { cleanupTinyModels, fixtureTempDir, tinyModel } from '../fixtures/tinyModel';

const cli = join(projectRoot(), 'bin', 'newbie-studio.js');
const children: ChildProcess[] = [];

beforeAll(() => {
  if (!existsSync(join(projectRoot(), 'out', 'main', 'cli.js'))) throw new Error('Run `npm run build` first (npm test does).');
});
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  cleanupTinyModels();
});

/** Starts serve; resolves with the first stdout line (and the process, its output so far). */
function serve(args: string[]) {
  const child = spawn(process.execPath, [cli, 'serve', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const line = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (stdout.includes('\n')) resolve(stdout.split('\n')[0]!);
    });
    child.on('exit', (code) => reject(new Error(`serve exited (${code}) before printing: ${stderr}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, line, exited, out: () => stdout, err: () => stderr };
}

describe('newbie-studio serve', () => {
  it('serves the UI and the contract behind the token and stops cleanly', async () => {
    const s = serve(['--data-dir', fixtureTempDir('serve-data'), '--model', tinyModel()]);
    const line = await s.line;
    const m = /^Serving at (http:\/\/127\.0\.0\.1:(\d+))\/\?token=([A-Za-z0-9_-]{43})$/.exec(line);
    expect(m, line).not.toBeNull();
    const [, base, , token] = m!;

    expect((await fetch(`${base}/`)).status).toBe(401);
    const traded = await fetch(`${base}/?token=${token}`, { redirect: 'manual' });
    expect(traded.status).toBe(303);
    const cookie = traded.headers.get('set-cookie')!.split(';')[0]!;
    const page = await fetch(`${base}/`, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');

    const studio = createWebSocketStudio({
      url: `${base.replace('http', 'ws')}/ws`,
      connect: (url) => new WebSocket(url, { headers: { cookie, origin: base! } }) as unknown as SocketLike,
    });
    try {
      expect(await studio.invoke('models.check')).toMatchObject({ ok: true, value: { ok: true, testModel: true } });
      const finished = new Promise<GenerationFinishedEvent>((resolve) => studio.on('generation.finished', resolve));
      const job = await studio.invoke('generation.enqueue', { request: { prompt: '1girl, solo', width: 64, height: 64, steps: 2, seed: 21 } });
      expect(job.ok).toBe(true);
      const done = await finished;
      expect(done.jobId).toBe(job.ok ? job.value.id : '');
      const image = await fetch(`${base}/studio-image/${done.images[0]!.path}`, { headers: { cookie } });
      expect([image.status, image.headers.get('content-type')]).toEqual([200, 'image/png']);
    } finally {
      studio.close();
    }

    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    expect(s.out()).toBe(`${line}\n`); // exactly one line on stdout
  });

  it('needs --allow-remote for a non-loopback host, then warns', async () => {
    const refused = spawnSync(process.execPath, [cli, 'serve', '--host', '0.0.0.0', '--port', '0', '--data-dir', fixtureTempDir('remote')], { encoding: 'utf8', timeout: 60_000 });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/--allow-remote/);
    expect(refused.stdout).toBe('');

    const s = serve(['--host', '0.0.0.0', '--allow-remote', '--data-dir', fixtureTempDir('remote')]);
    expect(await s.line).toMatch(/^Serving at http:\/\/0\.0\.0\.0:\d+\/\?token=[A-Za-z0-9_-]{43}$/);
    expect(s.err()).toMatch(/warning: .*network/);
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  });
});
