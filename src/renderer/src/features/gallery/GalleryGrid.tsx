/**
 * The virtualized thumbnail grid: only the rows in view (plus a few) are in the DOM, so 100k entries scroll as
 * smoothly as 100 (@tanstack/react-virtual, rows of as many 160 px tiles as fit; rows memoized). Scrolling near the
 * end loads the next cursor page. Keyboard: arrows / Home / End / PageUp / PageDown move, Enter opens, F favorites,
 * Delete deletes (with undo).
 */
import { defaultRangeExtractor, useVirtualizer, type Range } from '@tanstack/react-virtual';
import {
  useCallback,
  useEffect,
  useLayoutEffect,
  useRef,
  useState,
  type FocusEvent,
  type KeyboardEvent,
  type MouseEvent,
} from 'react';
import type { GalleryItem } from '../../../../shared/apiTypes';
import { imageUrl } from '../../api';
import { deleteImages, toggleFavorite } from './galleryActions';
import { useGallery } from './galleryStore';
import { GAP, GalleryRow, TILE } from './GalleryRow';

function open(item: GalleryItem): void {
  const pick = { generationId: item.generationId, imageId: item.id };
  const g = useGallery.getState();
  if (g.compareBase) g.openCompare([g.compareBase, pick]);
  else g.openDetail(pick);
}

/** Above this scroll speed (px/s) tiles skip their images until the scroll slows: a fling would fetch and decode
 * a whole screen of thumbnails every frame only to throw them away. */
const FLING_PX_PER_S = 4000;

const thumbnailSrc = (item: GalleryItem): string => imageUrl(item.thumbnailPath ?? item.path);

const indexOf = (target: EventTarget): number => {
  const el = (target as HTMLElement).closest?.('[data-index]');
  return el ? Number(el.getAttribute('data-index')) : -1;
};

/** The tile at a point of the rows container while its `.scrolling` style ignores the pointer. */
function tileUnder(rows: HTMLElement, x: number, y: number): Element | null {
  rows.style.pointerEvents = 'auto';
  try {
    return document.elementFromPoint(x, y)?.closest('[data-index]') ?? null;
  } finally {
    rows.style.pointerEvents = '';
  }
}

/** The grid of the gallery store's loaded tiles, with paging, keyboard navigation and an empty-state note. */
export function GalleryGrid() {
  const items = useGallery((s) => s.items);
  const done = useGallery((s) => s.done);
  const loading = useGallery((s) => s.loading);
  const emptyNote = useGallery(({ filters: f, searchProblem }) =>
    searchProblem
      ? searchProblem
      : f.search.trim()
        ? 'No images match this search.'
        : f.favoritesOnly || f.from !== undefined || f.to !== undefined || f.size
          ? 'No images match these filters.'
          : 'No images yet.',
  );
  const compareImageId = useGallery((s) => s.compareBase?.imageId ?? null);
  const parentRef = useRef<HTMLDivElement>(null);
  const rowsRef = useRef<HTMLDivElement>(null);
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
  const focusIndex = Math.min(focused, items.length - 1);
  const focusRow = focusIndex >= 0 ? Math.floor(focusIndex / cols) : -1;
  // The focused tile's row stays in the DOM when it scrolls out of view: removing it would drop the keyboard focus
  // to the page body.
  const rangeExtractor = useCallback(
    (range: Range) => {
      const indexes = defaultRangeExtractor(range);
      if (focusRow < 0 || focusRow >= range.count || indexes.includes(focusRow)) return indexes;
      return [...indexes, focusRow].sort((a, b) => a - b);
    },
    [focusRow],
  );
  const virtualizer = useVirtualizer({
    count: rows,
    getScrollElement: () => parentRef.current,
    estimateSize: () => TILE + GAP,
    overscan: 2,
    rangeExtractor,
    // Render new rows in React's own task, not synchronously inside each scroll event: the compositor scrolls
    // the already-rastered rows meanwhile (overscan covers the gap).
    useFlushSync: false,
  });
  const virtualRows = virtualizer.getVirtualItems();
  const lastRow = virtualizer.range?.endIndex ?? -1;
  const speed = useRef({ offset: 0, time: 0, pxPerS: 0 });
  const offset = virtualizer.scrollOffset ?? 0;
  const now = performance.now();
  if (offset !== speed.current.offset) {
    const dt = Math.max(1, now - speed.current.time);
    speed.current = { offset, time: now, pxPerS: (Math.abs(offset - speed.current.offset) * 1000) / dt };
  }
  const showImages = !virtualizer.isScrolling || speed.current.pxPerS < FLING_PX_PER_S;

  useEffect(() => {
    if (!done && !loading && lastRow >= rows - 4) void useGallery.getState().loadMore();
  }, [lastRow, rows, done, loading]);

  // The tile a key moved to, until its row is in the DOM: rows render in React's own task after the scroll
  // (useFlushSync: false), which can come after the next animation frame.
  const pendingFocus = useRef(-1);
  const tileAt = (i: number) => parentRef.current?.querySelector<HTMLElement>(`[data-index="${i}"]`) ?? null;
  useLayoutEffect(() => {
    const i = pendingFocus.current;
    if (i < 0) return;
    const el = tileAt(i);
    if (!el) return;
    pendingFocus.current = -1;
    // Not when the user has gone elsewhere meanwhile (the old tile's row unmounting leaves the focus on the body).
    const a = document.activeElement;
    if (a === null || a === document.body || parentRef.current?.contains(a)) el.focus();
  });

  const moveTo = (index: number) => {
    const i = Math.min(Math.max(index, 0), items.length - 1);
    setFocused(i);
    virtualizer.scrollToIndex(Math.floor(i / cols));
    pendingFocus.current = -1;
    const el = tileAt(i);
    if (el) requestAnimationFrame(() => el.focus());
    else pendingFocus.current = i;
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
    const item = items[focusIndex];
    if (e.key in moves) moveTo(focusIndex + moves[e.key]);
    else if (e.key === 'Home') moveTo(0);
    else if (e.key === 'End') moveTo(items.length - 1);
    else if ((e.key === 'f' || e.key === 'F') && item) void toggleFavorite(item.id, !item.favorite);
    else if (e.key === 'Delete' && item) void deleteImages([item.id]);
    else return;
    e.preventDefault();
  };

  const onClick = (e: MouseEvent) => {
    let i = indexOf(e.target);
    // While scrolling the tiles ignore the pointer (styles.css), so a click lands on the scroller: find the tile
    // under it (one hit test) and focus it as a click would have.
    if (i < 0 && rowsRef.current?.classList.contains('scrolling')) {
      const tile = tileUnder(rowsRef.current, e.clientX, e.clientY);
      i = tile ? indexOf(tile) : -1;
      if (i >= 0) (tile as HTMLElement).focus({ preventScroll: true });
    }
    if (i >= 0 && items[i]) open(items[i]);
  };
  const onFocus = (e: FocusEvent) => {
    const i = indexOf(e.target);
    if (i >= 0) setFocused(i);
  };

  return (
    <div ref={parentRef} className="gallery-scroll" onKeyDown={onKey} onClick={onClick} onFocus={onFocus}>
      {items.length === 0 && !loading && <p className="empty-note">{emptyNote}</p>}
      <div
        ref={rowsRef}
        role="list"
        aria-label="Images"
        className={virtualizer.isScrolling ? 'gallery-rows scrolling' : 'gallery-rows'}
        data-count={items.length}
        style={{ height: virtualizer.getTotalSize() }}
      >
        {virtualRows.map((row) => (
          <GalleryRow
            key={row.key}
            items={items}
            row={row.index}
            cols={cols}
            start={row.start}
            focusIndex={
              focusIndex >= row.index * cols && focusIndex < (row.index + 1) * cols ? focusIndex : -1
            }
            compareImageId={compareImageId}
            setSize={done ? items.length : -1}
            showImages={showImages}
            srcOf={thumbnailSrc}
          />
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
