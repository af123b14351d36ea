/**
 * One row of gallery tiles. Memoized on the row's slice of the (stable) items array: while scrolling only rows that
 * enter the view render, so a scroll frame costs the new rows, not the whole view. Clicks and focus are handled by
 * the grid (event delegation through `data-index`), so tiles carry no per-render closures.
 */
import { memo } from 'react';
import type { GalleryItem } from '../../../../shared/apiTypes';
import { tileAlt } from './tileText';

/** Tile edge in CSS px (thumbnails are square). */
export const TILE = 160;
/** Space between tiles and between rows, CSS px. */
export const GAP = 8;

interface RowProps {
  items: readonly GalleryItem[];
  row: number;
  cols: number;
  start: number;
  /** Index of the tile that takes Tab focus (roving tabindex), or -1 when it is not in this row. */
  focusIndex: number;
  compareImageId: number | null;
  setSize: number;
  /** False during a fast fling: tiles show a placeholder (same accessible name) instead of fetching and decoding. */
  showImages: boolean;
  /** The thumbnail URL of an item (a prop, so this component has no transport to import). */
  srcOf: (item: GalleryItem) => string;
}

export const GalleryRow = memo(function GalleryRow({
  items,
  row,
  cols,
  start,
  focusIndex,
  compareImageId,
  setSize,
  showImages,
  srcOf,
}: RowProps) {
  const first = row * cols;
  const tiles = items.slice(first, first + cols);
  return (
    <div className="gallery-row" style={{ transform: `translateY(${start}px)`, gap: GAP }}>
      {tiles.map((item, k) => {
        const index = first + k;
        return (
          <div role="listitem" key={item.id} aria-posinset={index + 1} aria-setsize={setSize}>
            <button
              type="button"
              className={`tile${item.favorite ? ' favorite' : ''}${compareImageId === item.id ? ' compare-base' : ''}`}
              data-index={index}
              tabIndex={index === focusIndex ? 0 : -1}
              style={{ width: TILE, height: TILE }}
            >
              {showImages ? (
                <img src={srcOf(item)} alt={tileAlt(item)} decoding="async" draggable={false} />
              ) : (
                <span className="tile-placeholder" role="img" aria-label={tileAlt(item)} />
              )}
            </button>
          </div>
        );
      })}
    </div>
  );
});
