import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { defaultRssReader, parseProcStatusRss, parsePsRss } from '../../../../src/main/system/processMemory';

describe('process RSS', () => {
  it('parses /proc/<pid>/status and ps output (KiB → bytes)', () => {
    expect(parseProcStatusRss('Name:\tnode\nVmHWM:\t  999 kB\nVmRSS:\t  123456 kB\nRssAnon:\t 1 kB\n')).toBe(
      123456 * 1024,
    );
    expect(parseProcStatusRss('Name:\tzombie\nState:\tZ (zombie)\n')).toBeNull();
    expect(parsePsRss('  20480\n')).toBe(20480 * 1024);
    expect(parsePsRss('')).toBeNull();
  });

  it('reads our own RSS and a child process RSS; a gone process is null', async () => {
    const read = defaultRssReader();
    expect(await read(process.pid)).toBeGreaterThan(1024 * 1024);
    const child = spawn(
      process.execPath,
      ['-e', 'const b = Buffer.alloc(64 << 20, 1); console.log("ready"); setInterval(() => b[0]++, 1000)'],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    await new Promise((r) => child.stdout!.once('data', r));
    const rss = await read(child.pid!);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    if (process.platform === 'linux' || process.platform === 'darwin') {
      // The child touched 64 MiB of pages.
      expect(rss).toBeGreaterThan(64 * 1024 * 1024);
      expect(await read(child.pid!)).toBeNull();
    }
  });
});
