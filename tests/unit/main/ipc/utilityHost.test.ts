/**
 * The utilityProcess spawner with Electron's UtilityProcess imitated (the binary is absent here): messages both
 * ways, the waitpid-style exit code turned into SIGKILL for the OOM classifier, kill passed through.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { utilityExit, utilityProcessSpawner, type UtilityProcessLike } from '../../../../src/main/ipc/utilityHost';
import type { HostEvent, HostRequest } from '../../../../src/main/engine/host/protocol';

class FakeUtility extends EventEmitter implements UtilityProcessLike {
  pid: number | undefined = undefined;
  posted: unknown[] = [];
  killed = 0;
  postMessage(m: unknown) {
    this.posted.push(m);
  }
  kill() {
    this.killed++;
    return true;
  }
}

describe('utilityProcessSpawner', () => {
  it('forks the host bundle and adapts messages, exit and kill', () => {
    const forks: Array<[string, unknown]> = [];
    const child = new FakeUtility();
    const spawn = utilityProcessSpawner({ fork: (path, _args, opts) => (forks.push([path, opts]), child) }, '/app/out/main/engineHost.js');
    const host = spawn();
    expect(forks).toEqual([['/app/out/main/engineHost.js', { serviceName: 'NewBie Studio engine', stdio: 'inherit' }]]);
    expect(host.pid).toBeUndefined(); // a utilityProcess has no pid until it has started
    child.pid = 4242;
    expect(host.pid).toBe(4242);

    const got: HostEvent[] = [];
    host.onMessage((m) => got.push(m));
    child.emit('message', { type: 'ready', pid: 4242 });
    expect(got).toEqual([{ type: 'ready', pid: 4242 }]);
    const req: HostRequest = { type: 'probe', id: 'p1' };
    host.send(req);
    expect(child.posted).toEqual([req]);

    const exits: Array<[number | null, string | null]> = [];
    host.onExit((code, signal) => exits.push([code, signal]));
    child.emit('exit', 9);
    child.emit('exit', 3);
    expect(exits).toEqual([[null, 'SIGKILL'], [3, null]]);
    host.kill();
    expect(child.killed).toBe(1);
  });

  it('reads 9 and 137 as SIGKILL, other codes as exit codes', () => {
    expect(utilityExit(9)).toEqual({ code: null, signal: 'SIGKILL' });
    expect(utilityExit(137)).toEqual({ code: null, signal: 'SIGKILL' });
    expect(utilityExit(0)).toEqual({ code: 0, signal: null });
    expect(utilityExit(1)).toEqual({ code: 1, signal: null });
  });
});
