import { afterEach, describe, expect, it } from 'vitest';
import { StudioError } from '../../../../src/shared/errors';
import { HistoryStore } from '../../../../src/main/history/store';
import { cleanupDirs, request, result, tempDir } from './helpers';

afterEach(cleanupDirs);

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e instanceof StudioError ? e.code : 'not a StudioError';
  }
  return 'no error';
};

describe('persistent queue', () => {
  it('snapshots requests, keeps order and state across a restart, and marks running jobs interrupted on startup', () => {
    const dir = tempDir();
    let store = HistoryStore.open(dir);
    const req = request({ prompt: 'first' });
    const a = store.queue.enqueue(req, { now: 1 });
    req.prompt = 'changed after enqueue';
    const b = store.queue.enqueue(request({ prompt: 'second', seed: 2 }), { now: 2 });
    const c = store.queue.enqueue(request({ prompt: 'third', seed: 3 }), { id: 'job-c', now: 3 });
    expect([a.position, b.position, c.position, c.id]).toEqual([0, 1, 2, 'job-c']);
    store.queue.setState(a.id, 'running', 10);
    store.queue.setState(c.id, 'paused', 11);
    store.close(); // the app is killed / restarted

    store = HistoryStore.open(dir);
    expect(store.queue.markInterruptedOnStartup(20)).toEqual([a.id]);
    const jobs = store.queue.list();
    expect(jobs.map((j) => [j.id, j.position, j.state, j.request.prompt])).toEqual([
      [a.id, 0, 'interrupted', 'first'],
      [b.id, 1, 'pending', 'second'],
      ['job-c', 2, 'paused', 'third'],
    ]);
    expect(jobs[0]!.updatedAt).toBe(20);
    expect(store.queue.markInterruptedOnStartup()).toEqual([]);
    store.close();
  });

  it('reorders, moves and removes jobs, refusing stale or unknown ids', () => {
    const store = HistoryStore.open(tempDir());
    const ids = [1, 2, 3, 4].map((s) => store.queue.enqueue(request({ seed: s })).id);
    const [j1, j2, j3, j4] = ids as [string, string, string, string];
    expect(store.queue.reorder([j3, j1, j4, j2]).map((j) => j.id)).toEqual([j3, j1, j4, j2]);
    expect(store.queue.move(j2, 0).map((j) => j.id)).toEqual([j2, j3, j1, j4]);
    expect(store.queue.move(j2, 99).map((j) => j.id)).toEqual([j3, j1, j4, j2]);
    expect(code(() => store.queue.reorder([j1, j2, j3]))).toBe('InvalidRequest');
    expect(code(() => store.queue.reorder([j1, j1, j2, j3]))).toBe('InvalidRequest');
    expect(code(() => store.queue.reorder([j1, j2, j3, 'nope']))).toBe('InvalidRequest');
    expect(code(() => store.queue.setState('nope', 'running'))).toBe('InvalidRequest');
    expect(code(() => store.queue.setState(j1, 'done' as never))).toBe('InvalidRequest');
    expect(code(() => store.queue.enqueue(request(), { id: j1 }))).toBe('InvalidRequest');
    expect(code(() => store.queue.enqueue(request({ seed: -5 })))).toBe('InvalidRequest');
    expect(store.queue.remove(j4)).toBe(true);
    expect(store.queue.remove(j4)).toBe(false);
    expect(store.queue.list().map((j) => [j.id, j.position])).toEqual([
      [j3, 0],
      [j1, 1],
      [j2, 2],
    ]);
    store.close();
  });

  it('removes a job in the same transaction that records its generation or failure', async () => {
    const store = HistoryStore.open(tempDir());
    const ok = store.queue.enqueue(request({ seed: 1 }));
    const bad = store.queue.enqueue(request({ seed: 2 }));
    const keep = store.queue.enqueue(request({ seed: 3 }));
    await store.saveGeneration({ request: ok.request, result: await result(ok.request), jobId: ok.id });
    store.recordFailure(bad.request, { code: 'OutOfMemory', message: 'std::bad_alloc' }, { jobId: bad.id });
    expect(store.queue.list().map((j) => j.id)).toEqual([keep.id]);
    expect(store.stats().generations).toMatchObject({ finished: 1, failed: 1 });
    store.close();
  });
});
