/**
 * runCli's contract for failures (conventions.md §7): human text on stderr, never a stack; with --json also one JSON
 * document `{"error":{code,message,hint?}}` on stdout, so a script parsing stdout gets a document either way.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliCaptured as cli } from '../../../fixtures/cli';

const dir = mkdtempSync(join(tmpdir(), 'cli-main-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('runCli failures with and without --json', () => {
  it('a typed error: exit code from the catalogue, message on stderr, {"error"} on stdout only with --json', async () => {
    const file = join(dir, 'binary.xml');
    writeFileSync(file, Buffer.from([0x00, 0xff, 0x10, 0x00]));
    const human = await cli('prompt', 'check', file);
    expect(human.code).toBe(2);
    expect(human.out).toBe('');
    expect(human.err).toContain(`InvalidRequest: The prompt file ${file} is a binary file`);
    expect(human.err).not.toMatch(/\n\s+at /); // no stack frames

    const json = await cli('prompt', 'check', file, '--json');
    expect(json.code).toBe(2);
    expect(JSON.parse(json.out)).toEqual({
      error: {
        code: 'InvalidRequest',
        message: `The prompt file ${file} is a binary file (it contains NUL bytes), not a text prompt.`,
        hint: 'Save the prompt as UTF-8 text (or pass it with --prompt-text).',
      },
    });
  });

  it('a usage error with --json: exit 2 and an InvalidRequest document naming the option', async () => {
    const r = await cli('history', 'list', '--limit', '0', '--json', '--data-dir', dir);
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.out) as { error: { code: string; message: string } };
    expect(doc.error.code).toBe('InvalidRequest');
    expect(doc.error.message).toContain("option '--limit <n>' argument '0' is invalid");
  });

  it('a data dir that is a file: exit 2 InvalidRequest for history, not an "unexpected error"', async () => {
    const file = join(dir, 'not-a-folder');
    writeFileSync(file, 'x');
    const r = await cli('history', 'stats', '--data-dir', file, '--json');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.out)).toMatchObject({ error: { code: 'InvalidRequest', message: expect.stringContaining(`${file} is a file`) } });
    expect(r.err).not.toContain('unexpected error');
  });

  it('a first run: history list on a data dir that does not exist yet is an empty history (exit 0)', async () => {
    const fresh = join(dir, 'fresh', 'NewBie Studio');
    const r = await cli('history', 'list', '--json', '--data-dir', fresh);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ dataDir: fresh, items: [], nextCursor: null });
  });

  it('history show with a short id says how much of it to give', async () => {
    const r = await cli('history', 'show', '01a2', '--json', '--data-dir', join(dir, 'show'));
    expect(r.code).toBe(2);
    expect(JSON.parse(r.out).error.hint).toMatch(/^Give the whole id or at least its first 8 characters\./);
  });
});
