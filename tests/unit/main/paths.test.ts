/** ensureWritableDir: the data dir and `generate --out` are checked (and created) before any work starts. */
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { studioError as failure } from '../../fixtures/studioError';
import { ensureWritableDir } from '../../../src/main/paths';

const root = mkdtempSync(join(tmpdir(), 'paths-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('ensureWritableDir', () => {
  it('creates a missing folder with its parents and returns the absolute path', () => {
    const target = join(root, 'a', 'b', 'data');
    const got = ensureWritableDir(relative(process.cwd(), target));
    expect(got).toBe(target);
    expect(statSync(target).isDirectory()).toBe(true);
    expect(ensureWritableDir(target)).toBe(target); // existing: fine
  });

  it('a file in the way, or a path under a file, is InvalidRequest naming the folder and the option', () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'not a folder');
    const e1 = failure(() => ensureWritableDir(file));
    expect(e1.code).toBe('InvalidRequest');
    expect(e1.message).toBe(`The data folder ${file} is a file (or lies under one), not a folder.`);
    expect(e1.hint).toMatch(/--data-dir/);
    const e2 = failure(() => ensureWritableDir(join(file, 'out'), '--out folder', 'Pass --out with a folder you can write.'));
    expect(e2.message).toContain(`The --out folder ${join(file, 'out')} is a file`);
    expect(e2.hint).toBe('Pass --out with a folder you can write.');
  });

  it.skipIf(process.getuid?.() === 0)('a folder this user cannot write is InvalidRequest', () => {
    const ro = join(root, 'read-only');
    ensureWritableDir(ro);
    chmodSync(ro, 0o555);
    try {
      expect(failure(() => ensureWritableDir(ro)).message).toContain('is not writable');
      expect(failure(() => ensureWritableDir(join(ro, 'sub'))).message).toContain('cannot be created (permission denied)');
    } finally {
      chmodSync(ro, 0o755);
    }
  });
});
