/**
 * Hostile payloads at the contract boundary (StudioService.invoke, which both Electron IPC and the serve WebSocket
 * forward to unchanged): dropped files built to hang or exhaust main (a parameters line that made the A1111 regex
 * backtrack for minutes, zTXt decompression bombs, an IHDR claiming a gigapixel for the stealth reader, megabyte
 * prompts), file names that failed the whole batch, and paths / settings the rest of the app cannot use. Every
 * answer is a Result with a catalogue code, never a stack. No engine runs (no job is queued).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { ImportOutcome } from '../../../../src/shared/apiTypes';
import { forkSpawner } from '../../../../src/main/engine/host/client';
import { encodePng } from '../../../../src/main/engine/image/png';
import { MAX_STEALTH_PIXELS, readStealthText } from '../../../../src/main/engine/image/stealth';
import { MAX_PROMPT_CHARS } from '../../../../src/main/engine/pipeline/validate';
import { importFileName, MAX_QUEUED_JOBS, StudioService } from '../../../../src/main/service';

const dirs: string[] = [];
const services: StudioService[] = [];
afterEach(async () => {
  for (const s of services.splice(0)) await s.shutdown();
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function open(): StudioService {
  const d = mkdtempSync(join(tmpdir(), 'hostile-'));
  dirs.push(d);
  const s = StudioService.open({ dataDir: d, spawner: forkSpawner(), monitor: null });
  services.push(s);
  return s;
}

async function outcomes(s: StudioService, files: Array<{ name: string; bytes: Uint8Array }>, restoreOnly = true): Promise<ImportOutcome[]> {
  const r = await s.invoke('history.import', { files, restoreOnly });
  if (!r.ok) throw new Error(`history.import: ${r.error.code}: ${r.error.message}`);
  return (r.value as { outcomes: ImportOutcome[] }).outcomes;
}

const SIGNATURE = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(data, crc32(Buffer.from(type, 'latin1'))), 8 + data.length);
  return out;
}
/** An 8-bit RGBA PNG of `width`×`height` from raw filtered scanlines (filter byte 0 + pixels per row). */
function rgbaPng(width: number, height: number, scanlines: Buffer, extra: Buffer[] = []): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  return Buffer.concat([SIGNATURE, chunk('IHDR', ihdr), ...extra, chunk('IDAT', deflateSync(scanlines, { level: 1 })), chunk('IEND', Buffer.alloc(0))]);
}
/** A black RGBA image whose alpha low bits (column 0, read top to bottom) carry stealth pnginfo `text`. */
function stealthPng(width: number, height: number, text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  const header = Buffer.alloc(19);
  header.write('stealth_pnginfo', 0, 'latin1');
  header.writeUInt32BE(payload.length * 8, 15);
  const bits = [...Buffer.concat([header, payload])].flatMap((byte) => [7, 6, 5, 4, 3, 2, 1, 0].map((b) => (byte >> b) & 1));
  expect(bits.length).toBeLessThanOrEqual(height);
  const row = 1 + width * 4;
  const scanlines = Buffer.alloc(height * row); // zero pages: a gigapixel claim costs no memory here
  bits.forEach((bit, y) => (scanlines[y * row + 1 + 3] = bit));
  return rgbaPng(width, height, scanlines);
}
const ztxt = (keyword: string, text: Buffer) => chunk('zTXt', Buffer.concat([Buffer.from(`${keyword}\0\0`, 'latin1'), deflateSync(text, { level: 9 })]));
const withParameters = (parameters: string) => encodePng(new Uint8Array(16 * 16 * 3), 16, 16, { parameters });
const GOOD = withParameters('1girl\nSteps: 12, Sampler: Euler, CFG scale: 4.5, Seed: 99, Size: 16x16');

describe('history.import with files built to hang or exhaust main', () => {
  // Before the fix the 60 000-character line alone took ~40 s (backtracking); the timeout is a guard, not a measurement.
  it('reads parameters lines without colons in linear time and keeps them as the prompt', { timeout: 15_000 }, async () => {
    const s = open();
    const line = 'a'.repeat(45_000);
    const spaced = 'a '.repeat(22_000);
    const [plain, spaces, huge] = await outcomes(s, [
      { name: 'line.png', bytes: withParameters(line) },
      { name: 'spaces.png', bytes: withParameters(spaced) },
      { name: 'huge.png', bytes: withParameters(`${'b'.repeat(300_000)}\nSteps: 7, Sampler: Euler, CFG scale: 3, Seed: 5, Size: 16x16`) },
    ]);
    expect(plain).toMatchObject({ status: 'restored', source: 'a1111', request: { prompt: line } });
    expect(spaces).toMatchObject({ status: 'restored', request: { prompt: spaced.trimEnd() } });
    // A 300 000-character prompt exceeds what a request may hold: the parameters still restore, the prompt does not.
    expect(huge).toMatchObject({ status: 'restored', request: { steps: 7, seed: 5, guidance: 3, prompt: '' } });
    expect(huge!.notes.join('\n')).toContain(`more than the ${MAX_PROMPT_CHARS} a request may hold`);
  });

  it('refuses a file whose zTXt chunks unpack to more than 32 MB in total, and imports the rest of the batch', async () => {
    const s = open();
    const eightMb = Buffer.alloc(8 * 1024 * 1024, 0x61);
    const one = rgbaPng(1, 1, Buffer.alloc(5), [ztxt('k0', eightMb)]);
    const bomb = rgbaPng(1, 1, Buffer.alloc(5), [0, 1, 2, 3, 4].map((i) => ztxt(`k${i}`, eightMb)));
    expect(bomb.length).toBeLessThan(100_000);
    const [single, bombed, good] = await outcomes(s, [
      { name: 'one.png', bytes: one },
      { name: 'bomb.png', bytes: bomb },
      { name: 'good.png', bytes: GOOD },
    ]);
    expect(single).toMatchObject({ status: 'restored', source: 'none' });
    expect(bombed).toMatchObject({ status: 'failed', error: { code: 'InvalidRequest', message: expect.stringMatching(/bomb\.png: .*more than 32 MB/) } });
    expect(good).toMatchObject({ status: 'restored', request: { seed: 99, steps: 12 } });
  });

  it('does not decode an image claiming more than MAX_STEALTH_PIXELS to look for stealth text', async () => {
    const small = stealthPng(8, 256, '1girl, solo');
    expect(readStealthText(small)).toMatchObject({ text: '1girl, solo', mode: 'alpha' });
    const side = Math.ceil(Math.sqrt(MAX_STEALTH_PIXELS)) + 1;
    const huge = stealthPng(side, side, '1girl, solo');
    expect(huge.length).toBeLessThan(2_000_000);
    expect(readStealthText(huge)).toBeUndefined();
    const [a, b] = await outcomes(open(), [
      { name: 'small.png', bytes: small },
      { name: 'huge.png', bytes: huge },
    ]);
    expect(a).toMatchObject({ status: 'restored', source: 'a1111', request: { prompt: '1girl, solo' } });
    expect(b).toMatchObject({ status: 'restored', source: 'none' });
  });
});

describe('history.import file names', () => {
  it('writes every file of the batch whatever its name (a NUL used to fail them all), under a safe name', async () => {
    const s = open();
    const names = ['a\u0000b.png', `${'é'.repeat(200)}.png`, '../../../etc/x.png', 'C:\\Users\\me\\y.png', 'NUL.png', '..'];
    const files = names.map((name, i) => ({ name, bytes: withParameters(`img ${i}\nSteps: ${i + 1}, Sampler: Euler, CFG scale: 4, Seed: ${i}, Size: 16x16`) }));
    const done = await outcomes(s, files, false);
    expect(done.map((o) => o.status)).toEqual(names.map(() => 'imported'));
    expect(done.map((o) => o.file)).toEqual(names.map(importFileName));
    for (const o of done) {
      expect(Buffer.byteLength(o.file)).toBeLessThanOrEqual(200);
      expect(['\u0000', '/', '\\', ':'].some((c) => o.file.includes(c)), o.file).toBe(false);
    }
  });

  it('importFileName keeps the last component and the extension, drops what file systems refuse', () => {
    expect(importFileName('a\u0000b.png')).toBe('a_b.png');
    expect(importFileName('../../../etc/x.png')).toBe('x.png');
    expect(importFileName('C:\\Users\\me\\y.png')).toBe('y.png');
    expect(importFileName('..')).toBe('image');
    expect(importFileName('.hidden.png')).toBe('hidden.png');
    expect(importFileName('con.png')).toBe('_con.png');
    expect(importFileName('a:b*c?.png')).toBe('a_b_c_.png');
    const long = importFileName(`${'é'.repeat(200)}.png`);
    expect([Buffer.byteLength(long) <= 200, long.endsWith('.png'), long.startsWith('éé')]).toEqual([true, true, true]);
    const emoji = importFileName(`${'😀'.repeat(80)}.webp`);
    expect(emoji.endsWith('.webp')).toBe(true);
    expect(emoji).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/); // no half of a surrogate pair
  });
});

describe('generation.enqueue flooding', () => {
  it(`stops at ${MAX_QUEUED_JOBS} queued jobs with an InvalidRequest, and takes jobs again once one is gone`, async () => {
    const d = mkdtempSync(join(tmpdir(), 'hostile-'));
    dirs.push(d);
    const s = StudioService.open({ dataDir: d, spawner: forkSpawner(), monitor: null, modelDir: d });
    services.push(s);
    await s.invoke('settings.set', { autoStartQueue: false });
    await s.invoke('generation.pause');
    const draft = { prompt: '1girl', width: 64, height: 64, steps: 1, seed: 1 };
    const first = await s.invoke('generation.enqueue', { request: draft });
    if (!first.ok) throw new Error(first.error.message);
    // The rest straight into the persisted queue (the same rows enqueue writes), so the test stays fast.
    const request = (first.value as { request: Parameters<typeof s.store.queue.enqueue>[0] }).request;
    for (let i = 1; i < MAX_QUEUED_JOBS; i++) s.store.queue.enqueue(request);
    const refused = await s.invoke('generation.enqueue', { request: draft });
    expect(refused).toMatchObject({ ok: false, error: { code: 'InvalidRequest', message: `The queue already holds ${MAX_QUEUED_JOBS} jobs.` } });
    expect(s.store.queue.list()).toHaveLength(MAX_QUEUED_JOBS);
    expect(await s.invoke('generation.cancel', { id: (first.value as { id: string }).id })).toMatchObject({ ok: true });
    expect(await s.invoke('generation.enqueue', { request: draft })).toMatchObject({ ok: true, value: { state: 'pending' } });
  });
});

describe('paths and settings the app could not use', () => {
  it('refuses relative folders with a message naming the field', async () => {
    const s = open();
    for (const [channel, payload, field] of [
      ['models.use', { dir: 'models/x' }, 'dir'],
      ['models.check', { dir: '../../..' }, 'dir'],
      ['models.download', { dir: 'relative/dir' }, 'dir'],
      ['models.download', { endpoint: 'file:///etc/passwd' }, 'endpoint'],
      ['settings.set', { modelDir: '~/models' }, 'modelDir'],
    ] as const) {
      const r = await s.invoke(channel, payload);
      expect(r, `${channel} ${JSON.stringify(payload)}`).toMatchObject({ ok: false, error: { code: 'InvalidRequest', message: expect.stringContaining(`${field}:`) } });
    }
    // Absolute folders of both platforms pass the schema (then the folder check answers).
    for (const dir of ['/nowhere/at/all', 'C:\\nowhere', '\\\\server\\share\\m']) {
      const r = await s.invoke('models.check', { dir });
      expect(r.ok ? 'ok' : r.error.message, dir).not.toMatch(/absolute folder path/);
    }
  });

  it('refuses default sizes every plain Generate would then fail on, and keeps the settings as they were', async () => {
    const s = open();
    const r = await s.invoke('settings.set', { defaults: { width: 1000 } });
    expect(r).toMatchObject({ ok: false, error: { code: 'InvalidRequest', message: expect.stringMatching(/defaults\.width: .*multiple of 16/) } });
    expect(await s.invoke('settings.get')).toMatchObject({ ok: true, value: { defaults: { width: 1024 } } });
    expect(await s.invoke('settings.set', { defaults: { width: 1008, height: 16 } })).toMatchObject({ ok: true, value: { defaults: { width: 1008, height: 16 } } });
  });
});
