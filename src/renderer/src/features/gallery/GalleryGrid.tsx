/**
 * The virtualized thumbnail grid: only the rows in view (plus a few) are in the DOM, so 100k entries scroll as
 * smoothly as 100 (@tanstack/react-virtual, rows of as many 160 px tiles as fit). Scrolling near the end loads the
 * next cursor page. Keyboard: arrows / Home / End / PageUp / PageDown move, Enter opens, F favorites, Delete deletes.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { GalleryItem } from '../../../../shared/apiTypes';
import { imageUrl } from '../../api';
import { useGallery } from './galleryStore';
import { deleteImages, toggleFavorite } from './galleryActions';

const TILE = 160;
const GAP = 8;

/** Alt text of a tile: seed first (the e2e tests and screen readers find images by it), size, prompt start. */
export function tileAlt(item: GalleryItem): string {
  const words = item.promptPreview
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return `Seed ${item.seed ?? 'unknown'}, ${item.width}×${item.height}${item.favorite ? ', favorite' : ''}: ${words.slice(0, 80)}`;
}

export function GalleryGrid() {
  const items = useGallery((s) => s.items);
  const done = useGallery((s) => s.done);
  const loading = useGallery((s) => s.loading);
  const compareBase = useGallery((s) => s.compareBase);
  const parentRef = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  const [focused, setFocused] = useState(0);

  useLayoutEffect(() => {
    const el = parentRef.current;
    if (!el) return;
    setWidth(el.clientWidth);
    const ro = new ResizeObserver((entries) => setWidth(entries[0].contentRect.width));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const cols = Math.max(1, Math.floor((width + GAP) / (TILE + GAP)));
  const rows = Math.ceil(items.length / cols);
  const virtualizer = useVirtualizer({
    count: rows,
    getScrollElement: () => parentRef.current,
    estimateSize: () => TILE + GAP,
    overscan: 3,
  });
  const virtualRows = virtualizer.getVirtualItems();
  const lastRow = virtualRows.length ? virtualRows[virtualRows.length - 1].index : -1;

  useEffect(() => {
    if (!done && !loading && lastRow >= rows - 4) void useGallery.getState().loadMore();
  }, [lastRow, rows, done, loading]);

  const open = (item: GalleryItem) => {
    const pick = { generationId: item.generationId, imageId: item.id };
    const g = useGallery.getState();
    if (g.compareBase) g.openCompare([g.compareBase, pick]);
    else g.openDetail(pick);
  };

  const moveTo = (index: number) => {
    const i = Math.min(Math.max(index, 0), items.length - 1);
    setFocused(i);
    virtualizer.scrollToIndex(Math.floor(i / cols));
    requestAnimationFrame(() =>
      parentRef.current?.querySelector<HTMLButtonElement>(`[data-index="${i}"]`)?.focus(),
    );
  };

  const onKey = (e: KeyboardEvent) => {
    const pageRows = Math.max(1, Math.floor((parentRef.current?.clientHeight ?? TILE) / (TILE + GAP)));
    const moves: Record<string, number> = {
      ArrowLeft: -1,
      ArrowRight: 1,
      ArrowUp: -cols,
      ArrowDown: cols,
      PageUp: -cols * pageRows,
      PageDown: cols * pageRows,
    };
    const item = items[focused];
    if (e.key in moves) moveTo(focused + moves[e.key]);
    else if (e.key === 'Home') moveTo(0);
    else if (e.key === 'End') moveTo(items.length - 1);
    else if ((e.key === 'f' || e.key === 'F') && item) void toggleFavorite(item.id, !item.favorite);
    else if (e.key === 'Delete' && item) void deleteImages([item.id]);
    else return;
    e.preventDefault();
  };

  return (
    <div ref={parentRef} className="gallery-scroll" onKeyDown={onKey}>
      {items.length === 0 && !loading && (
        <p className="empty-note">
          No images yet{useGallery.getState().filters.search ? ' match this search' : ''}.
        </p>
      )}
      <div
        role="list"
        aria-label="Images"
        className="gallery-rows"
        data-count={items.length}
        style={{ height: virtualizer.getTotalSize() }}
      >
        {virtualRows.map((row) => (
          <div
            key={row.key}
            className="gallery-row"
            style={{ transform: `translateY(${row.start}px)`, gap: GAP }}
          >
            {items.slice(row.index * cols, row.index * cols + cols).map((item, k) => {
              const index = row.index * cols + k;
              return (
                <div
                  role="listitem"
                  key={item.id}
                  aria-posinset={index + 1}
                  aria-setsize={done ? items.length : -1}
                >
                  <button
                    type="button"
                    className={`tile ${item.favorite ? 'favorite' : ''} ${compareBase?.imageId === item.id ? 'compare-base' : ''}`}
                    data-index={index}
                    tabIndex={index === Math.min(focused, items.length - 1) ? 0 : -1}
                    onFocus={() => setFocused(index)}
                    onClick={() => open(item)}
                    style={{ width: TILE, height: TILE }}
                  >
                    <img
                      src={imageUrl(item.thumbnailPath ?? item.path)}
                      alt={tileAlt(item)}
                      loading="lazy"
                      decoding="async"
                      draggable={false}
                    />
                  </button>
                </div>
              );
            })}
          </div>
        ))}
      </div>
      {loading && (
        <p className="loading-note" role="status">
          Loading…
        </p>
      )}
    </div>
  );
}
