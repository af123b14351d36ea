import { mkdirSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodePng } from '../../../../src/main/engine/image/png';
import { reconcile } from '../../../../src/main/history/reconcile';
import { HistoryStore } from '../../../../src/main/history/store';
import { cleanupDirs, newbiePng, request, result, rgbPixels, tempDir } from './helpers';

afterEach(cleanupDirs);

const put = (file: string, bytes: Uint8Array) => {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, bytes);
};

describe('history reconcile', () => {
  it('reports a clean history as clean', async () => {
    const store = HistoryStore.open(tempDir());
    await store.saveGeneration({
      request: request({ batch: 2 }),
      result: await result(request({ batch: 2 })),
    });
    expect(await reconcile(store)).toEqual({
      missingFiles: [],
      missingThumbnails: [],
      misplaced: [],
      orphanFiles: [],
      orphanThumbnails: [],
      tempFiles: [],
      integrity: 'ok',
      repaired: 0,
    });
    store.close();
  });

  it('finds missing files and thumbnails, misplaced files, orphans and temp files; repairs and imports on request', async () => {
    const dir = tempDir();
    const store = HistoryStore.open(dir);
    const a = await store.saveGeneration({
      request: request({ seed: 1 }),
      result: await result(request({ seed: 1 })),
    });
    const b = await store.saveGeneration({
      request: request({ seed: 2 }),
      result: await result(request({ seed: 2 })),
    });
    const c = await store.saveGeneration({
      request: request({ seed: 3 }),
      result: await result(request({ seed: 3 })),
    });
    const [ia, ib, ic] = [a.images[0]!, b.images[0]!, c.images[0]!];
    rmSync(store.absolutePath(ia.path)); // gone for good (its thumbnail stays)
    rmSync(store.absolutePath(ib.thumbnailPath!)); // thumbnail lost
    // A crash after moving c to the trash but before its row was marked deleted:
    mkdirSync(dirname(join(dir, 'trash', ic.path)), { recursive: true });
    renameSync(store.absolutePath(ic.path), join(dir, 'trash', ic.path));
    // Files without rows: one of ours (a batch of two, named like the app names them), one without metadata.
    const orphanId = '01900000-0000-7000-8000-0000000000aa';
    put(join(dir, `images/2026/02/03/${orphanId}-0.png`), newbiePng(50));
    put(join(dir, `images/2026/02/03/${orphanId}-1.png`), newbiePng(51));
    put(join(dir, 'images/2026/02/03/wallpaper.png'), encodePng(rgbPixels(16, 16, 9), 16, 16));
    put(join(dir, 'images/2026/02/03/.tmp-x.png.123.abcd'), new Uint8Array([1, 2, 3]));
    put(join(dir, 'thumbnails/2026/02/03/stray.webp'), new Uint8Array([1]));

    const report = await reconcile(store);
    expect(report.integrity).toBe('ok');
    expect(report.missingFiles).toEqual([{ imageId: ia.id, generationId: a.generationId, path: ia.path }]);
    expect(report.missingThumbnails).toEqual([{ imageId: ib.id, path: ib.thumbnailPath }]);
    expect(report.misplaced).toEqual([{ imageId: ic.id, expected: ic.path, found: `trash/${ic.path}` }]);
    expect(report.orphanFiles.sort((x, y) => x.path.localeCompare(y.path))).toEqual([
      { path: `images/2026/02/03/${orphanId}-0.png`, importable: true, source: 'newbie' },
      { path: `images/2026/02/03/${orphanId}-1.png`, importable: true, source: 'newbie' },
      { path: 'images/2026/02/03/wallpaper.png', importable: false, source: 'none' },
    ]);
    expect(report.tempFiles).toEqual(['images/2026/02/03/.tmp-x.png.123.abcd']);
    expect(report.orphanThumbnails).toEqual(['thumbnails/2026/02/03/stray.webp']);
    expect(report.repaired).toBe(0);

    const fixed = await reconcile(store, { repair: true, importOrphans: true });
    // c moved back, b's thumbnail remade, two orphans imported as one generation.
    expect(fixed.repaired).toBe(4);
    expect(existsSync(store.absolutePath(ic.path))).toBe(true);
    expect(existsSync(store.absolutePath(ib.thumbnailPath!))).toBe(true);
    const imported = store.get(orphanId)!;
    expect(imported.status).toBe('imported');
    expect(imported.images.map((i) => [i.index, i.seed])).toEqual([
      [0, 50],
      [1, 51],
    ]);

    const after = await reconcile(store);
    expect(after.missingFiles).toHaveLength(1);
    expect(after.missingThumbnails).toEqual([]);
    expect(after.misplaced).toEqual([]);
    expect(after.orphanFiles.map((o) => o.path)).toEqual(['images/2026/02/03/wallpaper.png']);
    // Reconcile never deletes: the temp file and stray thumbnail are still there.
    expect(existsSync(join(dir, 'images/2026/02/03/.tmp-x.png.123.abcd'))).toBe(true);
    expect(after.orphanThumbnails).toEqual(['thumbnails/2026/02/03/stray.webp']);
    store.close();
  });

  it('checks deleted images in the trash, where they belong', async () => {
    const store = HistoryStore.open(tempDir());
    const a = await store.saveGeneration({ request: request(), result: await result(request()) });
    await store.deleteImages([a.images[0]!.id]);
    const r = await reconcile(store);
    expect([r.missingFiles, r.misplaced, r.orphanFiles]).toEqual([[], [], []]);
    store.close();
  });
});
