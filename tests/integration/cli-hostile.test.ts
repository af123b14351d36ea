/**
 * The built CLI used the way people break it: Ctrl+C in a terminal (SIGINT reaches the whole process group, the
 * engine host included), a `--out` that is a file, native provider noise on stderr. Conventions §7: exit codes
 * 0/1/2/3/130, no partial files, no stack traces.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/main/paths';
import { fixtureTempDir, tinyModel } from '../fixtures/tinyModel';

const cli = join(projectRoot(), 'bin', 'newbie-studio.js');

function run(args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => d.name);
}

async function waitFor(cond: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** True while any process of the group lives. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

beforeAll(() => {
  if (!existsSync(join(projectRoot(), 'out', 'main', 'cli.js'))) throw new Error('Run `npm run build` first (npm test does).');
});

describe('generate, as a user at a terminal', () => {
  it('Ctrl+C (SIGINT to the process group) cancels after the step: exit 130, no image, no row, no host left', async () => {
    const model = tinyModel({ size: 'cancel' });
    const dataDir = fixtureTempDir('sigint');
    const outDir = join(dataDir, 'copies');
    // detached: the CLI leads its own process group, as a shell's foreground job does.
    const child = spawn(
      process.execPath,
      [cli, 'generate', '--model', model, '--prompt-text', '1girl, solo', '--width', '256', '--height', '256', '--steps', '200', '--seed', '1', '--data-dir', dataDir, '--out', outDir, '--no-previews'],
      { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    // The CLI opens the database and installs its SIGINT handler in one synchronous step.
    await waitFor(() => existsSync(join(dataDir, 'history.sqlite3')), 60_000);
    await new Promise((r) => setTimeout(r, 1500)); // into model load / denoising
    process.kill(-child.pid!, 'SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toContain('Cancelled');
    expect(stderr).not.toContain('EngineCrashed');
    expect(filesUnder(join(dataDir, 'images'))).toEqual([]);
    expect(filesUnder(outDir)).toEqual([]);
    await waitFor(() => !groupAlive(child.pid!), 10_000);
    const list = run(['history', 'list', '--json', '--data-dir', dataDir]);
    expect(JSON.parse(list.stdout).items).toEqual([]);
  });

  it('--out that is a file fails before the run (exit 2), leaving neither an image nor a row', () => {
    const dataDir = fixtureTempDir('outfile');
    const notDir = join(dataDir, 'copies.png');
    writeFileSync(notDir, 'x');
    const r = run(['generate', '--model', tinyModel(), '--prompt-text', '1girl', '--width', '64', '--height', '64', '--steps', '1', '--data-dir', dataDir, '--out', notDir, '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'InvalidRequest', message: expect.stringContaining(`--out folder ${notDir} is a file`) } });
    expect(filesUnder(join(dataDir, 'images'))).toEqual([]);
    expect(JSON.parse(run(['history', 'list', '--json', '--data-dir', dataDir]).stdout).items).toEqual([]);
  });

  it('stderr carries our lines only: no native Dawn/Vulkan frames from the provider probe', () => {
    const r = run(['generate', '--model', tinyModel(), '--prompt-text', '1girl', '--width', '64', '--height', '64', '--steps', '1', '--seed', '3', '--data-dir', fixtureTempDir('quiet')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/dawn-src|Couldn't load Vulkan/);
    expect(r.stderr).toMatch(/^precision on cpu: gemma fp32; jina fp32; dit fp32; vae fp32$/m);
    const d = run(['devices']);
    expect(d.code).toBe(0);
    expect(d.stderr).not.toMatch(/dawn-src|Couldn't load Vulkan|\.cc:\d+ /);
  });
});
