/**
 * Issue 4 end to end on the tiny model: every sample prompt generates; the same command twice gives byte-identical
 * PNGs; batch seeds are seed..seed+3 and seed+2 alone reproduces the third; cancel leaves no file; killing the host
 * mid-run is a typed error for the caller, which lives on; PNG metadata round-trips.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS, type GenerationRequest } from '../../src/shared/dto';
import { StudioError } from '../../src/shared/errors';
import { EngineHostClient } from '../../src/main/engine/host/client';
import { readImageMetadata } from '../../src/main/engine/image/metadata';
import { projectRoot } from '../../src/main/paths';
import { fixtureTempDir, tinyModel } from '../fixtures/tinyModel';

const cli = join(projectRoot(), 'bin', 'newbie-studio.js');
const prompts = join(projectRoot(), '..', 'shared', 'prompts');
const model = tinyModel();

function run(args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name));
}

const base: GenerationRequest = { ...DEFAULTS, prompt: '1girl, solo, smile', negativePrompt: '', width: 64, height: 64, steps: 2, seed: 11, batch: 1 };

beforeAll(() => {
  if (!existsSync(join(projectRoot(), 'out', 'main', 'cli.js'))) throw new Error('Run `npm run build` first (npm test does).');
});

describe('generate CLI', () => {
  it('twice with one seed gives byte-identical PNGs; batch seeds are seed..seed+3; seed+2 alone reproduces the third', () => {
    const args = ['generate', '--model', model, '--prompt', join(prompts, 'one-character.xml'), '--width', '64', '--height', '48', '--steps', '2', '--json'];
    const a = run([...args, '--seed', '100', '--batch', '4', '--data-dir', fixtureTempDir('data')]);
    expect(a.code, a.stderr).toBe(0);
    const ja = JSON.parse(a.stdout) as { images: { path: string; seed: number; sha256: string }[]; provider: string };
    expect(ja.images.map((i) => i.seed)).toEqual([100, 101, 102, 103]);
    expect(new Set(ja.images.map((i) => i.sha256)).size).toBe(4);
    expect(ja.provider).toBe('cpu');
    const b = run([...args, '--seed', '100', '--batch', '4', '--data-dir', fixtureTempDir('data')]);
    expect(b.code, b.stderr).toBe(0);
    const jb = JSON.parse(b.stdout) as typeof ja;
    for (let i = 0; i < 4; i++) expect(readFileSync(jb.images[i].path).equals(readFileSync(ja.images[i].path))).toBe(true);
    const c = run([...args, '--seed', '102', '--batch', '1', '--data-dir', fixtureTempDir('data')]);
    expect(c.code, c.stderr).toBe(0);
    const jc = JSON.parse(c.stdout) as typeof ja;
    expect(jc.images[0].sha256).toBe(ja.images[2].sha256);
    // Metadata round-trip: the newbie chunk restores the exact request of that image.
    const meta = readImageMetadata(readFileSync(jc.images[0].path), 'x.png');
    expect(meta.source).toBe('newbie');
    expect(meta.request).toMatchObject({ seed: 102, width: 64, height: 48, steps: 2, prompt: readFileSync(join(prompts, 'one-character.xml'), 'utf8').replace(/^\uFEFF/, '') });
  });

  it('refuses a size that is not a multiple of 16, a missing model part and an empty prompt with exit 2', () => {
    const r1 = run(['generate', '--model', model, '--prompt-text', '1girl', '--width', '100']);
    expect(r1.code).toBe(2);
    expect(r1.stderr).toMatch(/multiple of 16/);
    const r2 = run(['generate', '--model', fixtureTempDir('empty'), '--prompt-text', '1girl']);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/ModelIncomplete|ModelInvalid/);
    const r3 = run(['generate', '--model', model, '--prompt-text', '   ']);
    expect(r3.code).toBe(2);
  });
});

describe('engine host', () => {
  const host = new EngineHostClient();
  afterAll(() => host.dispose());

  it('generates every sample prompt', async () => {
    for (const f of readdirSync(prompts).filter((n) => /\.(xml|txt)$/.test(n))) {
      const prompt = readFileSync(join(prompts, f), 'utf8').replace(/^\uFEFF/, '');
      const warnings: string[] = [];
      const r = await host.generate({ modelDir: model }, { ...base, prompt, steps: 1 }, { onWarning: (w) => warnings.push(w) });
      expect(r.images).toHaveLength(1);
      expect(r.images[0].rgb.length).toBe(64 * 64 * 3);
      // Not a constant image.
      expect(new Set(r.images[0].rgb).size).toBeGreaterThan(10);
    }
  });

  it('reports progress with previews, and cancel between steps rejects with Cancelled and writes nothing', async () => {
    const controller = new AbortController();
    const steps: number[] = [];
    let previewBytes = 0;
    const dataDir = fixtureTempDir('cancel');
    await expect(
      host.generate({ modelDir: model }, { ...base, steps: 6 }, {
        signal: controller.signal,
        onProgress: (e) => {
          steps.push(e.step);
          previewBytes = e.preview?.length ?? 0;
          if (e.step === 2) controller.abort();
        },
      }),
    ).rejects.toMatchObject({ code: 'Cancelled' });
    expect(steps.slice(0, 2)).toEqual([1, 2]);
    expect(steps.length).toBeLessThan(6);
    expect(previewBytes).toBeGreaterThan(8);
    expect(filesUnder(dataDir)).toEqual([]);
  });

  it('a host killed mid-run gives the caller a typed error and the next job runs', async () => {
    const p = host.generate({ modelDir: model }, { ...base, steps: 8 }, {
      onProgress: (e) => {
        if (e.step === 1 && host.pid) process.kill(host.pid, 'SIGKILL');
      },
    });
    const e = await p.catch((x: unknown) => x);
    expect(e).toBeInstanceOf(StudioError);
    expect((e as StudioError).code).toBe('OutOfMemory'); // SIGKILL not sent by us = probable OOM (conventions §8)
    const again = await host.generate({ modelDir: model }, base);
    expect(again.images[0].seed).toBe(11);
  });

  it('a hard cancel during session.run kills the host and rejects with Cancelled', async () => {
    const slow = tinyModel({ size: 'cancel' });
    const p = host.generate({ modelDir: slow }, { ...base, width: 256, height: 256, steps: 4 }, {
      onProgress: (e) => {
        // The next DiT run starts right after this event: kill during it.
        if (e.step === 1) setTimeout(() => host.kill(), 50);
      },
    });
    await expect(p).rejects.toMatchObject({ code: 'Cancelled' });
  });
});

describe('tiny model layouts', () => {
  it('single-file layout with merged Jina and legacy VAE attention names loads and runs every component', async () => {
    const host = new EngineHostClient();
    try {
      const dir = tinyModel({ layout: 'single-file', jina: 'merged', vaeAttention: 'query' });
      const r = await host.generate({ modelDir: dir }, { ...base, steps: 1, width: 48, height: 32 });
      expect(r.images[0].rgb.length).toBe(48 * 32 * 3);
      expect(r.precision).toEqual({ gemma: 'fp32', jina: 'fp32', dit: 'fp32', vae: 'fp32' });
      // Another layout is another model identity (headers differ), though it holds the same seeded values.
      const hub = await host.generate({ modelDir: model }, { ...base, steps: 1, width: 48, height: 32 });
      expect(r.modelIdentity).not.toBe(hub.modelIdentity);
      expect(new Set(r.images[0].rgb).size).toBeGreaterThan(10);
    } finally {
      host.dispose();
    }
  });
});
