/**
 * "Kill between file write and commit" (conventions.md §6): a real child process is SIGKILLed at a deterministic
 * point; after reopening, there is never a row without its file, and reconcile reports the file without a row.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { reconcile } from '../../src/main/history/reconcile';
import { HistoryStore } from '../../src/main/history/store';

const CHILD = join(__dirname, 'history-kill-child.ts');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Runs the child until it prints `<marker> <id>`, SIGKILLs it, and resolves to the id. */
function runAndKill(dataDir: string, mode: 'between' | 'after', marker: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir, mode], {
      cwd: join(__dirname, '../..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = new RegExp(`^${marker} (\\S+)$`, 'm').exec(out);
      if (m) {
        child.kill('SIGKILL');
        child.once('exit', (_code, signal) =>
          signal === 'SIGKILL' ? resolve(m[1]!) : reject(new Error(`child exited with ${signal}`)),
        );
      }
    });
    child.once('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child exited early (${code}): ${err}`));
    });
  });
}

const filesUnder = (dir: string): string[] =>
  existsSync(dir)
    ? (readdirSync(dir, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
        .filter((e) => e.isFile())
        .map((e) => e.name)
        .sort()
    : [];

describe('history store under SIGKILL', () => {
  it('killed after the files and before the commit: no row, both files on disk, reconcile reports and restores them', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'history-kill-'));
    dirs.push(dataDir);
    const id = await runAndKill(dataDir, 'between', 'files-written');

    const store = HistoryStore.open(dataDir);
    expect(store.get(id)).toBeUndefined();
    expect(store.page().items).toEqual([]);
    expect(filesUnder(join(dataDir, 'images'))).toEqual([`${id}-0.png`, `${id}-1.png`]);
    expect(filesUnder(join(dataDir, 'thumbnails'))).toEqual([`${id}-0.webp`, `${id}-1.webp`]);

    const report = await reconcile(store);
    expect(report.integrity).toBe('ok');
    expect(report.missingFiles).toEqual([]);
    expect(report.orphanFiles.map((o) => [o.path.split('/').pop(), o.importable, o.source])).toEqual([
      [`${id}-0.png`, true, 'newbie'],
      [`${id}-1.png`, true, 'newbie'],
    ]);
    expect(report.orphanThumbnails).toHaveLength(2);

    await reconcile(store, { importOrphans: true });
    const entry = store.get(id)!;
    expect(entry.images.map((i) => i.seed)).toEqual([900, 901]);
    expect(entry.modelIdentity).toBe('sha256:kill-test');
    const clean = await reconcile(store);
    expect([clean.orphanFiles, clean.orphanThumbnails, clean.missingFiles]).toEqual([[], [], []]);
    store.close();
  });

  it('killed after the commit: row and files are both there and reconcile is clean', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'history-kill-'));
    dirs.push(dataDir);
    const id = await runAndKill(dataDir, 'after', 'committed');
    const store = HistoryStore.open(dataDir);
    const entry = store.get(id)!;
    expect(entry.status).toBe('finished');
    for (const im of entry.images) expect(existsSync(store.absolutePath(im.path))).toBe(true);
    const report = await reconcile(store);
    expect([report.orphanFiles, report.missingFiles, report.tempFiles, report.integrity]).toEqual([
      [],
      [],
      [],
      'ok',
    ]);
    store.close();
  });
});
