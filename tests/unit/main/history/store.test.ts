import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { StudioError } from '../../../../src/shared/errors';
import { HistoryStore } from '../../../../src/main/history/store';
import { THUMBNAIL_SIZE } from '../../../../src/main/history/thumbnails';
import { cleanupDirs, request, result, tempDir } from './helpers';

afterEach(cleanupDirs);

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function rejects(p: Promise<unknown>, code: string): Promise<void> {
  await expect(p).rejects.toSatisfy((e: unknown) => e instanceof StudioError && e.code === code);
}

describe('HistoryStore.saveGeneration', () => {
  it('writes each PNG and WebP thumbnail under the dated layout, then rows with request snapshot and metrics', async () => {
    const dir = tempDir();
    const store = HistoryStore.open(dir);
    const req = request({ batch: 2, seed: 500, width: 640, height: 480 });
    const res = await result(req);
    const createdAt = new Date(2026, 4, 1, 12, 30).getTime();
    const saved = await store.saveGeneration({ request: req, result: res, createdAt });

    expect(saved.warnings).toEqual([]);
    expect(saved.images.map((i) => [i.index, i.seed])).toEqual([
      [0, 500],
      [1, 501],
    ]);
    for (const [k, im] of saved.images.entries()) {
      expect(im.path).toBe(`images/2026/05/01/${saved.generationId}-${k}.png`);
      expect(im.thumbnailPath).toBe(`thumbnails/2026/05/01/${saved.generationId}-${k}.webp`);
      const file = readFileSync(store.absolutePath(im.path));
      expect(Buffer.compare(file, Buffer.from(res.images[k]!.png))).toBe(0);
      expect(im.sha256).toBe(sha256(res.images[k]!.png));
      const thumb = await sharp(store.absolutePath(im.thumbnailPath!)).metadata();
      expect(thumb.format).toBe('webp');
      expect([thumb.width, thumb.height]).toEqual([THUMBNAIL_SIZE, Math.round((THUMBNAIL_SIZE * 480) / 640)]);
    }
    // No temp files left behind.
    expect(readdirSync(join(dir, 'images/2026/05/01')).sort()).toEqual([
      `${saved.generationId}-0.png`,
      `${saved.generationId}-1.png`,
    ]);

    const entry = store.get(saved.generationId)!;
    expect(entry.status).toBe('finished');
    expect(entry.request).toEqual(req);
    expect(entry.createdAt).toBe(createdAt);
    expect(entry.precision).toEqual(res.precision);
    expect(entry.provider).toBe('cpu');
    expect(entry.modelIdentity).toBe('model-a');
    expect(entry.timings).toEqual(res.timings);
    expect([entry.peakVram, entry.peakRam, entry.predictedVram]).toEqual([0, 123_456_789, 1_000_000]);
    expect(entry.images.map((i) => [i.seed, i.width, i.height, i.bytes])).toEqual(
      res.images.map((i) => [i.seed, 640, 480, i.png.byteLength]),
    );
    // A unique prefix finds it too.
    expect(store.get(saved.generationId.slice(0, 13))?.id).toBe(saved.generationId);
    store.close();
  });

  it('rejects requests and results that do not add up, writing nothing', async () => {
    const dir = tempDir();
    const store = HistoryStore.open(dir);
    const req = request({ seed: 10 });
    const res = await result(req);
    await rejects(store.saveGeneration({ request: { ...req, seed: -1 }, result: res }), 'InvalidRequest');
    await rejects(
      store.saveGeneration({ request: { ...req, seed: Number.MAX_SAFE_INTEGER, batch: 2 }, result: res }),
      'InvalidRequest',
    );
    await rejects(store.saveGeneration({ request: req, result: { ...res, images: [] } }), 'InvalidRequest');
    await rejects(
      store.saveGeneration({ request: req, result: { ...res, images: [{ ...res.images[0]!, seed: 11 }] } }),
      'InvalidRequest',
    );
    expect(existsSync(join(dir, 'images'))).toBe(false);
    expect(store.stats().generations.finished).toBe(0);
    store.close();
  });

  it('records failures with their status, error and memory figures, and links re-runs into a lineage', async () => {
    const store = HistoryStore.open(tempDir());
    const root = await store.saveGeneration({
      request: request({ seed: 1 }),
      result: await result(request({ seed: 1 })),
      createdAt: 1000,
    });
    const oom = store.recordFailure(
      request({ seed: 1, parentId: root.generationId }),
      { code: 'OutOfMemory', message: 'CUDA failure 2: out of memory' },
      { peakVram: 8e9, predictedVram: 9e9, createdAt: 2000 },
    );
    const cancelled = store.recordFailure(
      request({ seed: 1, parentId: oom }),
      { code: 'Cancelled', message: 'stopped' },
      { createdAt: 3000 },
    );
    const other = store.recordFailure(
      request({ seed: 2, parentId: root.generationId }),
      { code: 'Interrupted', message: 'app closed' },
      { createdAt: 4000 },
    );
    const e = store.get(oom)!;
    expect([e.status, e.error, e.peakVram, e.predictedVram, e.parentId]).toEqual([
      'failed',
      { code: 'OutOfMemory', message: 'CUDA failure 2: out of memory' },
      8e9,
      9e9,
      root.generationId,
    ]);
    expect(store.get(cancelled)!.status).toBe('cancelled');
    expect(store.get(other)!.status).toBe('interrupted');

    const expected = [
      { id: root.generationId, parentId: null, depth: 0 },
      { id: oom, parentId: root.generationId, depth: 1 },
      { id: cancelled, parentId: oom, depth: 2 },
      { id: other, parentId: root.generationId, depth: 1 },
    ];
    // The same lineage from any member.
    for (const from of [root.generationId, cancelled, other]) {
      expect(store.lineage(from).map(({ id, parentId, depth }) => ({ id, parentId, depth }))).toEqual(
        expected,
      );
    }
    expect(store.lineage('ffffffff-ffff-7fff-bfff-ffffffffffff')).toEqual([]);
    store.close();
  });
});

describe('HistoryStore queries', () => {
  async function filled(): Promise<{ store: HistoryStore; ids: string[] }> {
    const store = HistoryStore.open(tempDir());
    const ids: string[] = [];
    const prompts = [
      '1girl, silver_hair, maid',
      '2girls, multiple_girls, rem_(re:zero), ram_(re:zero)',
      'landscape, mountain, no_humans',
    ];
    for (let i = 0; i < 9; i++) {
      const req = request({
        prompt: prompts[i % 3]!,
        seed: 100 + (i % 4),
        width: i % 2 ? 64 : 32,
        height: 32,
      });
      const saved = await store.saveGeneration({
        request: req,
        result: await result(req, i < 6 ? 'model-a' : 'model-b'),
        createdAt: 10_000 + i * 1000,
      });
      ids.push(saved.generationId);
    }
    return { store, ids };
  }

  it('pages the gallery newest first with keyset cursors: no gaps, no repeats, stable under inserts', async () => {
    const { store, ids } = await filled();
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = store.page({ limit: 4, cursor });
      seen.push(...page.items.map((i) => i.generationId));
      cursor = page.nextCursor;
      pages++;
      // An insert between pages lands before the cursor and does not shift later pages.
      if (pages === 1)
        await store.saveGeneration({
          request: request(),
          result: await result(request()),
          createdAt: 99_000,
        });
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].reverse());
    expect(() => store.page({ cursor: 'garbage' })).toThrow(StudioError);
    expect(() => store.page({ limit: 0 })).toThrow(StudioError);
    store.close();
  });

  it('filters by favorite, rating, date range, size and model, and searches tags and words', async () => {
    const { store, ids } = await filled();
    const img = (gid: string) => store.get(gid)!.images[0]!.id;
    store.setFavorite(img(ids[2]!), true);
    store.setFavorite(img(ids[5]!), true);
    store.setRating(img(ids[5]!), 4);
    expect(() => store.setRating(img(ids[5]!), 6)).toThrow(StudioError);
    expect(() => store.setFavorite(987654, true)).toThrow(StudioError);
    const gen = (q: Parameters<HistoryStore['page']>[0]) =>
      store.page(q).items.map((i) => ids.indexOf(i.generationId));
    expect(gen({ favoritesOnly: true })).toEqual([5, 2]);
    expect(gen({ minRating: 3 })).toEqual([5]);
    expect(gen({ from: 12_000, to: 15_000 })).toEqual([4, 3, 2]);
    expect(gen({ width: 64, height: 32 })).toEqual([7, 5, 3, 1]);
    expect(gen({ modelIdentity: 'model-b' })).toEqual([8, 7, 6]);
    expect(gen({ search: 'rem_(re:zero)' })).toEqual([7, 4, 1]);
    expect(gen({ search: 'hair' })).toEqual([6, 3, 0]);
    expect(gen({ search: 'silver_hair' })).toEqual([6, 3, 0]);
    expect(gen({ search: 'girls -rem_(re:zero)' })).toEqual([]);
    expect(gen({ search: 'mount*' })).toEqual([8, 5, 2]);
    expect(gen({ search: 'zero', modelIdentity: 'model-a' })).toEqual([4, 1]);
    expect(gen({ search: 'dragon' })).toEqual([]);
    expect(
      store.listGenerations({ search: 'no_humans', limit: 2 }).items.map((g) => ids.indexOf(g.id)),
    ).toEqual([8, 5]);
    expect(store.sameSeed(101).map((i) => ids.indexOf(i.generationId))).toEqual([5, 1]);
    store.close();
  });

  it('computes stats over the history', async () => {
    const { store } = await filled();
    store.recordFailure(request(), { code: 'EngineCrashed', message: 'host exited' });
    const s = store.stats();
    expect(s.generations).toEqual({ finished: 9, failed: 1, cancelled: 0, interrupted: 0, imported: 0 });
    expect(s.images).toBe(9);
    expect(s.models).toEqual([
      { modelIdentity: 'model-a', images: 6 },
      { modelIdentity: 'model-b', images: 3 },
    ]);
    expect(s.providers).toEqual([{ provider: 'cpu', generations: 9, meanTotalMs: 370 }]);
    expect([s.firstAt, s.databaseBytes > 0]).toEqual([10_000, true]);
    store.close();
  });

  it('uses indexes for every gallery filter and the generation list (EXPLAIN QUERY PLAN)', async () => {
    const { store } = await filled();
    const cursor = '20000.5';
    const cases: [string, Parameters<HistoryStore['queryPlan']>[1], RegExp][] = [
      ['newest', { cursor }, /USING INDEX images_gallery/],
      ['favorites', { favoritesOnly: true, cursor }, /USING INDEX images_favorite/],
      ['size', { width: 1024, height: 1024, cursor }, /USING INDEX images_size/],
      ['model', { modelIdentity: 'model-a', cursor }, /USING INDEX images_model/],
      ['date range', { from: 1, to: 2, cursor }, /USING INDEX images_gallery/],
    ];
    for (const [name, q, index] of cases) {
      const plan = store.queryPlan('gallery', q).join('\n');
      expect(plan, name).toMatch(index);
      expect(plan, name).not.toMatch(/SCAN i\b(?! USING)|TEMP B-TREE/);
    }
    // Search: FTS5 serves rowid DESC itself (no sort), each chunk's images come by index.
    const [fts, ...chunk] = store.queryPlan('search', { search: 'silver_hair', favoritesOnly: true });
    expect(fts).toMatch(/^SCAN generations_fts VIRTUAL TABLE INDEX/);
    expect(chunk.join('\n')).toMatch(/SEARCH i USING INDEX images_generation \(generation_id=\?\)/);
    expect(chunk.join('\n')).not.toMatch(/SCAN i\b/);
    expect(store.queryPlan('generations', { cursor }).join('\n')).toMatch(/USING INDEX generations_created/);
    expect(store.queryPlan('generations', { cursor }).join('\n')).not.toMatch(/TEMP B-TREE/);
    expect(store.queryPlan('sameSeed', { seed: 5 }).join('\n')).toMatch(/USING INDEX images_seed/);
    store.close();
  });
});

describe('HistoryStore delete and undo', () => {
  it('moves files to trash/ and back, hides deleted images from the gallery, and empties the trash', async () => {
    const dir = tempDir();
    const store = HistoryStore.open(dir);
    const a = await store.saveGeneration({ request: request(), result: await result(request()) });
    const b = await store.saveGeneration({
      request: request({ seed: 9 }),
      result: await result(request({ seed: 9 })),
    });
    const im = a.images[0]!;
    expect(await store.deleteImages([im.id, 424242], 5000)).toEqual([im.id]);
    expect(existsSync(store.absolutePath(im.path))).toBe(false);
    expect(existsSync(join(dir, 'trash', im.path))).toBe(true);
    expect(existsSync(join(dir, 'trash', im.thumbnailPath!))).toBe(true);
    expect(store.page().items.map((i) => i.id)).toEqual([b.images[0]!.id]);
    expect(store.trash().items.map((i) => [i.id, i.deletedAt])).toEqual([[im.id, 5000]]);
    expect(await store.deleteImages([im.id])).toEqual([]); // already deleted

    expect(await store.undoDelete([im.id])).toEqual([im.id]);
    expect(readFileSync(store.absolutePath(im.path)).equals(readFileSync(store.absolutePath(im.path)))).toBe(
      true,
    );
    expect(
      createHash('sha256')
        .update(readFileSync(store.absolutePath(im.path)))
        .digest('hex'),
    ).toBe(im.sha256);
    expect(store.page().items).toHaveLength(2);

    await store.deleteImages([im.id], 6000);
    expect(await store.emptyTrash(5000)).toBe(0); // deleted at 6000, not before 5000
    expect(await store.emptyTrash()).toBe(1);
    expect(existsSync(join(dir, 'trash', im.path))).toBe(false);
    expect(store.get(a.generationId)!.images).toEqual([]); // the generation stays, re-runnable
    store.close();
  });
});
