/**
 * `newbie-studio history …` end to end: a real `generate` with the tiny model writes files and rows, then the history
 * commands read them back through the CLI entry (exit codes per conventions.md §7).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerGenerateCommands } from '../../src/main/cli/commands/generate';
import { runCli } from '../../src/main/cli/main';
import { encodePng } from '../../src/main/engine/image/png';
import { cleanupTinyModels, tinyModel } from '../fixtures/tinyModel';

/** Runs `fn` capturing what it writes to stdout. */
async function captured(fn: () => Promise<unknown>): Promise<{ stdout: string; result: unknown }> {
  let stdout = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  });
  const errSpy = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    return { result: await fn(), stdout };
  } finally {
    spy.mockRestore();
    errSpy.mockRestore();
  }
}

const cli = async (...args: string[]) => {
  process.exitCode = undefined;
  const { stdout, result } = await captured(() => runCli(args));
  process.exitCode = undefined;
  return { code: result as number, stdout };
};

interface ListedImage {
  seed: number;
  file: string;
  sha256: string;
}

describe('history CLI after a real generate', () => {
  let dataDir: string;
  let generated: { generationId: string; images: { path: string; seed: number; sha256: string }[] };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'history-cli-'));
    const program = new Command().exitOverride();
    registerGenerateCommands(program);
    const args = [
      'generate',
      '--model',
      tinyModel(),
      '--prompt-text',
      '1girl, silver_hair, maid',
      '--width',
      '64',
      '--height',
      '64',
      '--steps',
      '2',
      '--seed',
      '4242',
      '--batch',
      '2',
      '--data-dir',
      dataDir,
      '--json',
      '--no-previews',
    ];
    const { stdout } = await captured(() => program.parseAsync(args, { from: 'user' }));
    process.exitCode = undefined;
    generated = JSON.parse(stdout);
  }, 120_000);

  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
    cleanupTinyModels();
  });

  it('lists the generation with its seeds and files (--json), and finds it by tag', async () => {
    const { code, stdout } = await cli('history', 'list', '--json', '--data-dir', dataDir);
    expect(code).toBe(0);
    const listed = JSON.parse(stdout) as {
      items: { id: string; seed: number; status: string; images: ListedImage[] }[];
      nextCursor: null;
    };
    expect(listed.items).toHaveLength(1);
    const [g] = listed.items;
    expect([g!.id, g!.seed, g!.status]).toEqual([generated.generationId, 4242, 'finished']);
    expect(g!.images.map((i) => [i.seed, i.file, i.sha256])).toEqual(
      generated.images.map((i) => [i.seed, i.path, i.sha256]),
    );
    for (const im of g!.images) expect(existsSync(im.file)).toBe(true);

    const hit = JSON.parse(
      (await cli('history', 'list', '--search', 'silver_hair', '--json', '--data-dir', dataDir)).stdout,
    );
    const miss = JSON.parse(
      (await cli('history', 'list', '--search', 'blue_hair', '--json', '--data-dir', dataDir)).stdout,
    );
    expect([hit.items.length, miss.items.length]).toEqual([1, 0]);
  });

  it('shows one entry in full; an unknown id is invalid input (exit 2)', async () => {
    const { code, stdout } = await cli(
      'history',
      'show',
      generated.generationId.slice(0, 18),
      '--json',
      '--data-dir',
      dataDir,
    );
    expect(code).toBe(0);
    const e = JSON.parse(stdout);
    expect(e.request).toMatchObject({ prompt: '1girl, silver_hair, maid', seed: 4242, batch: 2, steps: 2 });
    expect(e.precision).toEqual({ gemma: 'fp32', jina: 'fp32', dit: 'fp32', vae: 'fp32' });
    expect(e.modelIdentity).toMatch(/^sha256:/);
    expect(e.timings.totalMs).toBeGreaterThan(0);
    expect((await cli('history', 'show', 'ffffffff-ffff', '--data-dir', dataDir)).code).toBe(2);
  });

  it('reconciles: clean is exit 0; a file without a row is reported with exit 1, and --import records it', async () => {
    const clean = await cli('history', 'reconcile', '--json', '--data-dir', dataDir);
    expect(clean.code).toBe(0);
    expect(JSON.parse(clean.stdout).orphanFiles).toEqual([]);

    const orphan = join(dataDir, 'images', '2026', '01', '01', 'stray.png');
    mkdirSync(join(orphan, '..'), { recursive: true });
    writeFileSync(
      orphan,
      encodePng(new Uint8Array(16 * 16 * 3).fill(200), 16, 16, {
        parameters: 'a cat\nSteps: 20, Seed: 5, Size: 16x16',
      }),
    );
    const dirty = await cli('history', 'reconcile', '--json', '--data-dir', dataDir);
    expect(dirty.code).toBe(1);
    expect(JSON.parse(dirty.stdout).orphanFiles).toEqual([
      { path: 'images/2026/01/01/stray.png', importable: true, source: 'a1111' },
    ]);
    const fixed = await cli('history', 'reconcile', '--import', '--json', '--data-dir', dataDir);
    expect(fixed.code).toBe(0);
    expect((await cli('history', 'reconcile', '--data-dir', dataDir)).code).toBe(0);
  });

  it('imports files: a generated PNG is skipped as already present; an empty file is exit 2 naming it', async () => {
    const empty = join(dataDir, 'empty.png');
    writeFileSync(empty, Buffer.alloc(0));
    const { code, stdout } = await cli(
      'history',
      'import',
      generated.images[0]!.path,
      empty,
      '--json',
      '--data-dir',
      dataDir,
    );
    expect(code).toBe(2);
    const results = JSON.parse(stdout);
    expect(results[0]).toMatchObject({ status: 'skipped', generationId: generated.generationId });
    expect(results[1]).toMatchObject({ file: empty, status: 'error', error: { code: 'InvalidRequest' } });
    expect(results[1].error.message).toContain('empty.png');
  });
});
