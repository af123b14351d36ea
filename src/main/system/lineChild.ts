/**
 * A long-lived child process read line by line (nvidia-smi `-lms 1000`, runtime-notes.md §4), kept alive:
 * restarted with exponential backoff when it exits, fails to spawn or stalls (silent longer than `stallMs`), and
 * stopped for good by `stop()`. Never blocks: spawn with pipes only.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export type ChildState = 'starting' | 'running' | 'restarting' | 'missing' | 'stopped';

export interface ChildStatus {
  state: ChildState;
  pid?: number;
  /** Restarts so far (spawn failures included). */
  restarts: number;
  /** Why the last child ended ("exited with code 9: NVIDIA-SMI has failed…", "silent for 5000 ms"). */
  lastError?: string;
  /** Delay before the next attempt, when restarting. */
  retryInMs?: number;
}

export interface LineChildOptions {
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** Called for each non-empty line (CR/LF stripped). Return true when the line was valid data (see healthyAfterMs). */
  onLine: (line: string) => boolean | void;
  onStatus?: (status: ChildStatus) => void;
  /** Restart delays: initialMs · 2^n, capped at maxMs. Default 1000 → 30000 ms. */
  backoff?: { initialMs: number; maxMs: number };
  /** Kill and restart a child that printed nothing for this long. Default 10 000 ms; 0 disables. */
  stallMs?: number;
  /** A child that keeps delivering valid data this long after its first valid line resets the backoff. Default 10 000 ms. */
  healthyAfterMs?: number;
  /** Silence allowed before the first line (a cold nvidia-smi takes ~3 s, runtime-notes.md §4). Default 15 000 ms. */
  startupGraceMs?: number;
}

/** Longest line kept; a child printing without newlines must not grow memory without bound. */
const MAX_LINE = 64 * 1024;

export class LineChild {
  private child: ChildProcess | null = null;
  private stopped = true;
  private attempts = 0;
  private restarts = 0;
  private lastOutputAt = 0;
  private lastError: string | undefined;
  private restartTimer: NodeJS.Timeout | null = null;
  private stallTimer: NodeJS.Timeout | null = null;
  /** Why checkStall killed the current child, so its close reports the stall rather than SIGKILL. */
  private stallReason: { child: ChildProcess; reason: string } | null = null;
  private readonly backoff: { initialMs: number; maxMs: number };
  private readonly stallMs: number;
  private readonly healthyAfterMs: number;
  private readonly startupGraceMs: number;
  /** When the current child printed its first valid line (0: not yet). */
  private firstValidAt = 0;
  private hasOutput = false;

  constructor(private readonly opts: LineChildOptions) {
    this.backoff = opts.backoff ?? { initialMs: 1000, maxMs: 30_000 };
    this.stallMs = opts.stallMs ?? 10_000;
    this.healthyAfterMs = opts.healthyAfterMs ?? 10_000;
    this.startupGraceMs = opts.startupGraceMs ?? 15_000;
  }

  /** Pid of the running child, if any. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return !this.stopped;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.spawnChild();
    if (this.stallMs > 0) {
      this.stallTimer = setInterval(() => this.checkStall(), Math.max(50, Math.floor(this.stallMs / 4)));
    }
  }

  /** Stops for good: no restart. Resolves once the child has exited (SIGKILL after 2 s if SIGTERM is ignored). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    if (this.stallTimer) clearInterval(this.stallTimer);
    this.restartTimer = this.stallTimer = null;
    const child = this.child;
    this.child = null;
    if (child && child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => child.kill('SIGKILL'), 2000);
        child.once('close', () => {
          clearTimeout(force);
          resolve();
        });
        child.kill('SIGTERM');
      });
    }
    this.emitStatus('stopped');
  }

  private spawnChild(): void {
    let child: ChildProcess;
    try {
      child = spawn(this.opts.command, this.opts.args, {
        env: this.opts.env ?? process.env,
        stdio: ['ignore', 'pipe', 'pipe'],
        windowsHide: true,
      });
    } catch (e) {
      // spawn throws synchronously only for invalid arguments; treat like a failed start.
      this.onEnded(
        null,
        `could not start ${this.opts.command}: ${e instanceof Error ? e.message : String(e)}`,
      );
      return;
    }
    this.child = child;
    this.lastOutputAt = Date.now();
    this.firstValidAt = 0;
    this.hasOutput = false;
    let buffer = '';
    let stderrTail = '';
    let spawnFailed = false;
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      if (this.child !== child) return;
      this.lastOutputAt = Date.now();
      this.hasOutput = true;
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl).replace(/\r$/, '').trim();
        buffer = buffer.slice(nl + 1);
        if (line === '' || this.opts.onLine(line) !== true) continue;
        // Only a child that stays healthy resets the backoff: one that prints a line and dies keeps backing off.
        if (this.firstValidAt === 0) this.firstValidAt = Date.now();
        else if (Date.now() - this.firstValidAt >= this.healthyAfterMs) this.attempts = 0;
      }
      if (buffer.length > MAX_LINE) buffer = '';
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      stderrTail = (stderrTail + chunk).slice(-2000);
    });
    child.once('spawn', () => {
      if (this.child === child) this.emitStatus('running');
    });
    child.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || child.pid === undefined) {
        spawnFailed = true;
        if (this.child === child) this.onEnded('missing', `${this.opts.command} is not on PATH`);
      }
    });
    child.once('close', (code, signal) => {
      if (spawnFailed || this.child !== child) return;
      if (this.stallReason?.child === child) return this.onEnded(null, this.stallReason.reason);
      const why = stderrTail.trim().split(/\r?\n/).pop() || buffer.trim().slice(0, 200);
      this.onEnded(
        null,
        `exited with ${signal ? `signal ${signal}` : `code ${code}`}${why ? `: ${why}` : ''}`,
      );
    });
  }

  private onEnded(state: 'missing' | null, reason: string): void {
    this.child = null;
    this.lastError = reason;
    if (this.stopped) return;
    const delay = Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** this.attempts);
    this.attempts++;
    this.restarts++;
    this.emitStatus(state ?? 'restarting', delay);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (!this.stopped) this.spawnChild();
    }, delay);
  }

  private checkStall(): void {
    const child = this.child;
    if (!child || this.stopped) return;
    const silentMs = Date.now() - this.lastOutputAt;
    if (silentMs > (this.hasOutput ? this.stallMs : Math.max(this.stallMs, this.startupGraceMs))) {
      this.stallReason = { child, reason: `silent for ${silentMs} ms, killed` };
      // The close handler restarts it; SIGKILL because a hung nvidia-smi may ignore SIGTERM.
      child.kill('SIGKILL');
      this.lastOutputAt = Date.now();
    }
  }

  private emitStatus(state: ChildState, retryInMs?: number): void {
    this.opts.onStatus?.({
      state,
      ...(this.child?.pid !== undefined ? { pid: this.child.pid } : {}),
      restarts: this.restarts,
      ...(this.lastError ? { lastError: this.lastError } : {}),
      ...(retryInMs !== undefined ? { retryInMs } : {}),
    });
  }
}
