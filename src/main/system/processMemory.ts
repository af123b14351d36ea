/**
 * Resident memory (RSS) of our processes (main, engine host), for CPU runs and the per-job RAM peak.
 * All reads are asynchronous: /proc on Linux, `ps` via async execFile on macOS. Windows has no cheap per-pid read
 * without a native addon, so there only our own process is measured unless the caller injects a reader (Electron's
 * `app.getAppMetrics()` gives the utility process's working set).
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';

/** Resident bytes of a process, or null when it cannot be read (gone, not permitted, unsupported platform). */
export type RssReader = (pid: number) => Promise<number | null>;

/** `VmRSS:   123456 kB` from /proc/<pid>/status → bytes; null when absent (a zombie has no VmRSS line). */
export function parseProcStatusRss(status: string): number | null {
  const m = /^VmRSS:\s+(\d+)\s*kB/m.exec(status);
  return m ? Number(m[1]) * 1024 : null;
}

/** `ps -o rss= -p PID` prints KiB. */
export function parsePsRss(stdout: string): number | null {
  const t = stdout.trim();
  return /^\d+$/.test(t) ? Number(t) * 1024 : null;
}

/** Reads RSS the cheapest way the platform allows; never blocks the event loop. */
export function defaultRssReader(platform: NodeJS.Platform = process.platform): RssReader {
  return async (pid: number) => {
    if (pid === process.pid) return process.memoryUsage.rss();
    if (platform === 'linux') {
      try {
        return parseProcStatusRss(await readFile(`/proc/${pid}/status`, 'utf8'));
      } catch {
        return null;
      }
    }
    if (platform === 'darwin') {
      return new Promise((resolve) => {
        execFile('ps', ['-o', 'rss=', '-p', String(pid)], { timeout: 2000 }, (err, stdout) =>
          resolve(err ? null : parsePsRss(String(stdout))),
        );
      });
    }
    return null;
  };
}
