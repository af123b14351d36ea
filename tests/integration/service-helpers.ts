/**
 * Helpers of the service-level tests: a StudioService on a temp data dir with the real engine host (forked) and the
 * tiny model, and a recorder of its events with waits that fail with what was seen.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventChannel, EventPayloads, InvokeChannel, InvokeResult } from '../../src/shared/api';
import type { QueueItem } from '../../src/shared/dto';
import type { Result } from '../../src/shared/errors';
import { forkSpawner } from '../../src/main/engine/host/client';
import { StudioService, type StudioServiceOptions } from '../../src/main/service';

export function tempDataDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `service-${label}-`));
}

/** Opens the service and points it at the model (queue running). */
export async function openService(dataDir: string, modelDir: string, options: Partial<StudioServiceOptions> = {}): Promise<StudioService> {
  const s = StudioService.open({ dataDir, spawner: forkSpawner(), monitor: null, cancelGraceMs: 20_000, ...options });
  await call(s, 'settings.set', { modelDir });
  return s;
}

export async function call<C extends InvokeChannel>(s: StudioService, channel: C, payload?: unknown): Promise<InvokeResult<C>> {
  const r = (await s.invoke(channel, payload)) as Result<InvokeResult<C>>;
  if (!r.ok) throw new Error(`${channel}: ${r.error.code}: ${r.error.message}`);
  return r.value;
}

export async function enqueue(s: StudioService, request: Record<string, unknown>): Promise<QueueItem> {
  return call(s, 'generation.enqueue', { request: { width: 64, height: 64, negativePrompt: '', ...request } });
}

type Seen = { [E in EventChannel]: { channel: E; payload: EventPayloads[E]; at: number } }[EventChannel];

/** Records every event; `next` waits for the first matching one (recorded or future). */
export function record(s: StudioService) {
  const seen: Seen[] = [];
  const waiters: Array<() => void> = [];
  s.events.onAny((channel, payload) => {
    seen.push({ channel, payload, at: Date.now() } as Seen);
    for (const w of waiters.splice(0)) w();
  });
  function of<E extends EventChannel>(channel: E, pred: (p: EventPayloads[E]) => boolean = () => true): EventPayloads[E][] {
    return seen.filter((e) => e.channel === channel && pred(e.payload as EventPayloads[E])).map((e) => e.payload as EventPayloads[E]);
  }
  async function next<E extends EventChannel>(channel: E, pred: (p: EventPayloads[E]) => boolean = () => true, timeoutMs = 60_000): Promise<EventPayloads[E]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = of(channel, pred)[0];
      if (hit) return hit;
      if (Date.now() > deadline) {
        throw new Error(`no ${channel} within ${timeoutMs} ms; seen: ${seen.map((e) => e.channel).join(', ')}`);
      }
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 200);
      });
    }
  }
  return { seen, of, next };
}
