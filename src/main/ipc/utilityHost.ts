/**
 * Engine host spawner for the Electron app: an Electron `utilityProcess` (a Node child managed by Chromium's service
 * layer, architecture.md §1) speaking the same message protocol as the `child_process.fork` host of the CLI and serve
 * mode. Messages are structured clones, so RGB8 and preview bytes cross without base64.
 */
import { join } from 'node:path';
import type { HostChild, HostSpawner } from '../engine/host/client';
import type { HostEvent, HostRequest } from '../engine/host/protocol';

/** The parts of Electron's UtilityProcess the spawner uses. */
export interface UtilityProcessLike {
  readonly pid: number | undefined;
  postMessage(message: unknown): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  kill(): boolean;
}

export interface UtilityForkLike {
  fork(modulePath: string, args?: string[], options?: { serviceName?: string; stdio?: 'inherit' | 'pipe' | 'ignore' }): UtilityProcessLike;
}

/**
 * Electron reports the exit "code obtained from waitpid": 9 (a raw status) or 137 (128 + 9) mean SIGKILL, which the
 * exit classifier counts as a probable out-of-memory; anything else is an exit code.
 */
export function utilityExit(code: number): { code: number | null; signal: NodeJS.Signals | null } {
  return code === 9 || code === 137 ? { code: null, signal: 'SIGKILL' } : { code, signal: null };
}

/** Spawner running the built host bundle `out/main/engineHost.js` (next to the built main entry) in a utilityProcess. */
export function utilityProcessSpawner(utility: UtilityForkLike, entry = join(__dirname, 'engineHost.js')): HostSpawner {
  return (): HostChild => {
    const child = utility.fork(entry, [], { serviceName: 'NewBie Studio engine', stdio: 'inherit' });
    return {
      get pid() {
        return child.pid;
      },
      send: (msg: HostRequest) => child.postMessage(msg),
      onMessage: (fn: (msg: HostEvent) => void) => void child.on('message', (m) => fn(m as HostEvent)),
      onExit: (fn) =>
        void child.on('exit', (code: number) => {
          const e = utilityExit(code);
          fn(e.code, e.signal);
        }),
      kill: () => void child.kill(),
    };
  };
}
