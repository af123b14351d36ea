/**
 * The persisted job queue (architecture.md §3 step 2): every queued request is snapshotted here when it is enqueued,
 * so a restart or crash loses no job. Rows leave the queue when their generation is saved or recorded as failed
 * (same transaction, see HistoryStore) or when removed.
 */
import type { Database } from 'better-sqlite3';
import type { GenerationRequest } from '../../shared/dto';
import { StudioError } from '../../shared/errors';
import { newGenerationId, stmt, validateRequest } from './rows';
import type { QueuedJob, QueueState } from './types';

const STATES: readonly QueueState[] = ['pending', 'running', 'paused', 'interrupted'];

interface QueueRow {
  id: string;
  position: number;
  state: QueueState;
  request_json: string;
  created_at: number;
  updated_at: number;
}

const toJob = (r: QueueRow, position: number): QueuedJob => ({
  id: r.id,
  position,
  state: r.state,
  request: JSON.parse(r.request_json) as GenerationRequest,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** Runs a database operation, mapping SQLite corruption to `DbUnreadable` (HistoryStore.guard). */
export type Guard = <T>(fn: () => T) => T;

/** The persisted job queue's rows (see the module comment); every operation runs under `guard`. */
export class QueueStore {
  constructor(
    private readonly db: Database,
    private readonly guard: Guard = (fn) => fn(),
  ) {}

  /**
   * Appends a snapshot of `request` to the end of the queue.
   * @param id  job id chosen by the caller (default: a new time-ordered id).
   * @throws StudioError `InvalidRequest` for an invalid request or an id already queued.
   */
  enqueue(request: GenerationRequest, opts: { id?: string; now?: number } = {}): QueuedJob {
    validateRequest(request);
    const now = opts.now ?? Date.now();
    const id = opts.id ?? newGenerationId(now);
    const snapshot = JSON.stringify(request);
    this.guard(() =>
      this.db
        .transaction(() => {
          if (stmt(this.db, 'SELECT 1 FROM queue WHERE id = ?').get(id)) {
            throw new StudioError('InvalidRequest', `Job ${id} is already in the queue.`);
          }
          const next = stmt(this.db, 'SELECT coalesce(max(position) + 1, 0) FROM queue')
            .pluck()
            .get() as number;
          stmt(
            this.db,
            'INSERT INTO queue (id, position, state, request_json, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
          ).run(id, next, 'pending', snapshot, now, now);
        })
        .immediate(),
    );
    return this.get(id)!;
  }

  /** All queued jobs in queue order; `position` is the 0-based place. */
  list(): QueuedJob[] {
    const rows = this.guard(
      () => stmt(this.db, 'SELECT * FROM queue ORDER BY position, created_at').all() as QueueRow[],
    );
    return rows.map((r, i) => toJob(r, i));
  }

  get(id: string): QueuedJob | undefined {
    return this.list().find((j) => j.id === id);
  }

  /**
   * Puts the queue in the order of `orderedIds`, which must name every queued job exactly once.
   * @throws StudioError `InvalidRequest` when ids are missing, unknown or repeated (the queue may have changed).
   */
  reorder(orderedIds: string[]): QueuedJob[] {
    this.guard(() =>
      this.db
        .transaction(() => {
          const current = new Set(stmt(this.db, 'SELECT id FROM queue').pluck().all() as string[]);
          const given = new Set(orderedIds);
          if (
            given.size !== orderedIds.length ||
            given.size !== current.size ||
            orderedIds.some((id) => !current.has(id))
          ) {
            throw new StudioError(
              'InvalidRequest',
              'Reorder must list every queued job exactly once; the queue changed meanwhile — refresh and retry.',
            );
          }
          const set = stmt(this.db, 'UPDATE queue SET position = ? WHERE id = ?');
          orderedIds.forEach((id, i) => set.run(i, id));
        })
        .immediate(),
    );
    return this.list();
  }

  /** Moves one job to a 0-based place (clamped to the queue length). @throws StudioError `InvalidRequest` for an unknown id. */
  move(id: string, toIndex: number): QueuedJob[] {
    const ids = this.list().map((j) => j.id);
    const from = ids.indexOf(id);
    if (from < 0) throw new StudioError('InvalidRequest', `Job ${id} is not in the queue.`);
    ids.splice(from, 1);
    ids.splice(Math.max(0, Math.min(ids.length, Math.trunc(toIndex))), 0, id);
    return this.reorder(ids);
  }

  /** Sets a job's state. @throws StudioError `InvalidRequest` for an unknown id or state. */
  setState(id: string, state: QueueState, now = Date.now()): void {
    if (!STATES.includes(state)) throw new StudioError('InvalidRequest', `Unknown queue state "${state}".`);
    const info = this.guard(() =>
      stmt(this.db, 'UPDATE queue SET state = ?, updated_at = ? WHERE id = ?').run(state, now, id),
    );
    if (info.changes === 0) throw new StudioError('InvalidRequest', `Job ${id} is not in the queue.`);
  }

  /**
   * At startup no job can be running: jobs left `running` by a crash or kill become `interrupted`
   * (kept in place, for the user to retry or remove). @returns their ids.
   */
  markInterruptedOnStartup(now = Date.now()): string[] {
    return this.guard(() =>
      this.db
        .transaction(() => {
          const ids = stmt(this.db, "SELECT id FROM queue WHERE state = 'running' ORDER BY position")
            .pluck()
            .all() as string[];
          stmt(this.db, "UPDATE queue SET state = 'interrupted', updated_at = ? WHERE state = 'running'").run(
            now,
          );
          return ids;
        })
        .immediate(),
    );
  }

  /** Removes a job. @returns false when it was not queued. */
  remove(id: string): boolean {
    return this.guard(() => stmt(this.db, 'DELETE FROM queue WHERE id = ?').run(id).changes > 0);
  }
}
