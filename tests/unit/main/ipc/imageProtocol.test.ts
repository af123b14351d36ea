/**
 * studio-image:// serves only regular image files under the data dir's images/ and thumbnails/ (conventions.md §6):
 * traversal in every spelling, symlinks out of the folders, other folders and other file types are refused.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { imageResponse } from '../../../../src/main/ipc/imageProtocol';

const root = mkdtempSync(join(tmpdir(), 'imgproto-'));
const dataDir = join(root, 'data');
const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
const webp = new Uint8Array([0x52, 0x49, 0x46, 0x46, 9, 9]);
mkdirSync(join(dataDir, 'images', '2026', '05', '01'), { recursive: true });
mkdirSync(join(dataDir, 'thumbnails', '2026', '05', '01'), { recursive: true });
mkdirSync(join(dataDir, 'trash', 'images'), { recursive: true });
writeFileSync(join(dataDir, 'images', '2026', '05', '01', 'a b-0.png'), png);
writeFileSync(join(dataDir, 'thumbnails', '2026', '05', '01', 'a b-0.webp'), webp);
writeFileSync(join(dataDir, 'trash', 'images', 'gone-0.png'), png);
writeFileSync(join(dataDir, 'history.sqlite3'), 'SQLite format 3');
writeFileSync(join(root, 'secret.png'), 'outside');
writeFileSync(join(dataDir, 'images', 'notes.txt'), 'text');
symlinkSync(join(root, 'secret.png'), join(dataDir, 'images', 'link-0.png'));
symlinkSync(join(dataDir, 'images', '2026', '05', '01', 'a b-0.png'), join(dataDir, 'images', 'inside-0.png'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const get = (path: string) => imageResponse(dataDir, `studio-image://data/${path}`);

describe('studio-image://', () => {
  it('serves images and thumbnails with their content type', async () => {
    const r = await get('images/2026/05/01/a%20b-0.png');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('image/png');
    expect(new Uint8Array(await r.arrayBuffer())).toEqual(png);
    const t = await get('thumbnails/2026/05/01/a%20b-0.webp');
    expect(t.headers.get('content-type')).toBe('image/webp');
    expect(new Uint8Array(await t.arrayBuffer())).toEqual(webp);
    // A symlink that stays inside images/ is fine.
    expect((await get('images/inside-0.png')).status).toBe(200);
  });

  it('refuses traversal (403) in plain, encoded and backslash spellings', async () => {
    for (const p of [
      'images/../history.sqlite3',
      'images/%2e%2e/history.sqlite3',
      'images/..%2F..%2Fsecret.png',
      'images/2026/..%5C..%5Chistory.sqlite3',
      'images/%00.png',
      'images//2026/05/01/a%20b-0.png',
      'images/C:%5Cwindows.png',
    ]) {
      expect((await get(p)).status, p).toBe(403);
    }
  });

  it('refuses symlinks out of the folders (403), other folders, types and hosts (404)', async () => {
    expect((await get('images/link-0.png')).status).toBe(403);
    for (const p of ['history.sqlite3', 'trash/images/gone-0.png', 'images/notes.txt', 'images/missing-0.png', 'images', 'images/%E0%A4%A.png']) {
      expect((await get(p)).status, p).toBe(404);
    }
    expect((await imageResponse(dataDir, 'studio-image://other/images/2026/05/01/a%20b-0.png')).status).toBe(404);
    const body = await (await get('images/link-0.png')).text();
    expect(body).not.toContain(root);
  });
});
