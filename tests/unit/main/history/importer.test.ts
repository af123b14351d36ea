import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { StudioError } from '../../../../src/shared/errors';
import { encodePng } from '../../../../src/main/engine/image/png';
import { importImage, restoreRequest } from '../../../../src/main/history/importer';
import { HistoryStore } from '../../../../src/main/history/store';
import { cleanupDirs, newbiePng, request, rgbPixels, tempDir } from './helpers';

afterEach(cleanupDirs);

const A1111 =
  'masterpiece, 1girl, (long hair:1.2), smile\nNegative prompt: lowres, bad hands\nSteps: 30, Sampler: DPM++ 2M Karras, CFG scale: 7.5, Seed: 4242, Size: 64x48, Model: anything-v5';

describe('history import', () => {
  it('imports our own PNG with its exact request, model identity and precision, copying the bytes unchanged', async () => {
    const dir = tempDir();
    const store = HistoryStore.open(dir);
    const src = join(tempDir(), 'mine.png');
    const png = newbiePng(777);
    writeFileSync(src, png);
    const res = await importImage(store, src, { now: Date.UTC(2026, 0, 2, 12) });
    expect(res.status).toBe('imported');
    expect(res.source).toBe('newbie');
    const e = store.get(res.generationId!)!;
    expect(e.status).toBe('imported');
    expect(e.request).toEqual(
      request({ prompt: '1girl, silver_hair, maid', seed: 777, width: 64, height: 48 }),
    );
    expect([e.modelIdentity, e.modelName, e.provider, e.appVersion]).toEqual([
      'sha256:abc123',
      'tiny',
      'cpu',
      '0.1.0',
    ]);
    expect(e.precision).toEqual({ gemma: 'fp32', jina: 'fp32', dit: 'fp32', vae: 'fp32' });
    const im = e.images[0]!;
    expect(im.path).toMatch(new RegExp(`^images/2026/01/0[12]/${e.id}-0\\.png$`));
    expect(readFileSync(store.absolutePath(im.path)).equals(Buffer.from(png))).toBe(true);
    expect(im.sha256).toBe(createHash('sha256').update(png).digest('hex'));
    expect((await sharp(store.absolutePath(im.thumbnailPath!)).metadata()).format).toBe('webp');
    expect(store.sameSeed(777).map((i) => i.generationId)).toEqual([e.id]);

    // The same bytes again: skipped, pointing at the existing entry.
    const again = await importImage(store, src);
    expect([again.status, again.generationId]).toEqual(['skipped', e.id]);
    store.close();
  });

  it('imports an A1111 PNG: prompt, negative, seed, steps, guidance and size restored; no model identity', async () => {
    const store = HistoryStore.open(tempDir());
    const src = join(tempDir(), 'a1111.png');
    writeFileSync(src, encodePng(rgbPixels(64, 48, 1), 64, 48, { parameters: A1111 }));
    const res = await importImage(store, src);
    expect([res.status, res.source]).toEqual(['imported', 'a1111']);
    const e = store.get(res.generationId!)!;
    expect(e.request).toMatchObject({
      prompt: 'masterpiece, 1girl, (long hair:1.2), smile',
      negativePrompt: 'lowres, bad hands',
      seed: 4242,
      steps: 30,
      guidance: 7.5,
      width: 64,
      height: 48,
    });
    expect(e.modelIdentity).toBeNull();
    expect(e.importInfo?.restored).toEqual(
      expect.arrayContaining(['prompt', 'negativePrompt', 'seed', 'steps', 'guidance', 'width', 'height']),
    );
    expect(res.notes.join('\n')).toMatch(/not re-runnable bit-for-bit/);
    expect(store.listGenerations({ search: 'long hair' }).items.map((g) => g.id)).toEqual([e.id]);
    store.close();
  });

  it('skips an image without metadata, and names the file of an empty or truncated one', async () => {
    const store = HistoryStore.open(tempDir());
    const src = tempDir();
    writeFileSync(join(src, 'plain.png'), encodePng(rgbPixels(32, 32, 2), 32, 32));
    const plain = await importImage(store, join(src, 'plain.png'));
    expect([plain.status, plain.source]).toEqual(['skipped', 'none']);
    // Said once (the CLI printed "nothing to restore" and "nothing restored" for the same file).
    expect(plain.notes.filter((n) => n.includes('no generation metadata'))).toHaveLength(1);

    writeFileSync(join(src, 'empty.png'), Buffer.alloc(0));
    const png = newbiePng(1);
    writeFileSync(join(src, 'cut.png'), png.subarray(0, Math.floor(png.length / 2)));
    for (const name of ['empty.png', 'cut.png']) {
      await expect(importImage(store, join(src, name))).rejects.toSatisfy(
        (e: unknown) => e instanceof StudioError && e.code === 'InvalidRequest' && e.message.includes(name),
      );
    }
    expect(store.stats().generations.imported).toBe(0);
    store.close();
  });

  it('restores a request for drag-and-drop without touching the history', () => {
    const r = restoreRequest(newbiePng(31337), 'drop.png');
    expect(r.source).toBe('newbie');
    expect(r.request.seed).toBe(31337);
    expect(r.modelIdentity).toBe('sha256:abc123');
    const none = restoreRequest(encodePng(rgbPixels(16, 16, 0), 16, 16), 'x.png', { width: 16, height: 16 });
    expect([none.source, none.restored, none.request.width]).toEqual(['none', [], 16]);
  });
});
