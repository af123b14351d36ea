/**
 * One gallery row rendered to markup: tiles carry the seed in their accessible name whether they show the
 * thumbnail or the fling placeholder, and only the thumbnail form fetches anything.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { GalleryItem } from '../../../../../../src/shared/apiTypes';
import { GalleryRow } from '../../../../../../src/renderer/src/features/gallery/GalleryRow';

const item = (id: number, seed: number, favorite = false): GalleryItem => ({
  id,
  generationId: `g${id}`,
  index: 0,
  seed,
  path: `images/2026-11-29/g${id}-0.png`,
  thumbnailPath: `thumbnails/2026-11-29/g${id}-0.webp`,
  width: 1024,
  height: 1024,
  bytes: 1,
  sha256: '0'.repeat(64),
  favorite,
  rating: 0,
  deletedAt: null,
  createdAt: 0,
  promptPreview: '<character_1><gender>1girl</gender></character_1>',
  modelIdentity: null,
});

const items = [item(1, 11), item(2, 22, true), item(3, 33), item(4, 44), item(5, 55)];

function row(showImages: boolean, rowIndex: number): string {
  return renderToStaticMarkup(
    createElement(GalleryRow, {
      items,
      row: rowIndex,
      cols: 3,
      start: rowIndex * 168,
      focusIndex: 4,
      compareImageId: 3,
      setSize: items.length,
      showImages,
      srcOf: (i: GalleryItem) => `/studio-image/${i.thumbnailPath}`,
    }),
  );
}

describe('GalleryRow', () => {
  it('shows the thumbnails of its slice with the seed in the alt text', () => {
    const html = row(true, 0);
    expect(html.match(/<img /g)).toHaveLength(3);
    expect(html).toContain('src="/studio-image/thumbnails/2026-11-29/g1-0.webp"');
    expect(html).toContain('alt="Seed 22, 1024×1024, favorite: ');
    expect(html).toContain('class="tile compare-base"');
    expect(html).toContain('transform:translateY(0px)');
    expect(html).not.toContain('role="img"');
  });

  it('during a fling shows placeholders with the same names and no image to fetch', () => {
    const html = row(false, 0);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('src=');
    expect(html.match(/role="img"/g)).toHaveLength(3);
    expect(html).toContain('aria-label="Seed 11, 1024×1024: ');
    expect(html).toContain('aria-label="Seed 22, 1024×1024, favorite: ');
  });

  it('renders a partial last row and gives Tab focus to the focused tile only', () => {
    const html = row(true, 1);
    expect(html.match(/<img /g)).toHaveLength(2);
    expect(html).toContain('aria-posinset="5"');
    expect(html).toContain('transform:translateY(168px)');
    expect(html.match(/tabindex="0"/g)).toHaveLength(1);
    expect(html).toMatch(/data-index="4" tabindex="0"/);
  });
});
