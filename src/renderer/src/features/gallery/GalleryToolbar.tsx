/**
 * Gallery search and filters: full-text search over prompts (searchbox "Search history", FTS in the history store),
 * favorites only, a date range, and an image size.
 */
import { useEffect, useState } from 'react';
import { parseDateInput } from '../../lib/format';
import { SIZE_PRESETS } from '../generate/resolutions';
import { useGallery } from './galleryStore';

const SEARCH_DELAY_MS = 250;
const DAY_MS = 86_400_000;

/** Search box (debounced by SEARCH_DELAY_MS) and filters; each change reloads the gallery from its first page. */
export function GalleryToolbar() {
  const filters = useGallery((s) => s.filters);
  const setFilters = useGallery((s) => s.setFilters);
  const [search, setSearch] = useState(filters.search);
  const [sizeText, setSizeText] = useState('');
  useEffect(() => {
    if (search === useGallery.getState().filters.search) return;
    const t = setTimeout(() => setFilters({ search }), SEARCH_DELAY_MS);
    return () => clearTimeout(t);
  }, [search, setFilters]);
  return (
    <div className="gallery-toolbar">
      <input
        type="search"
        aria-label="Search history"
        placeholder="Search prompts and tags (/)"
        value={search}
        onChange={(e) => setSearch(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') setFilters({ search });
        }}
      />
      <label className="inline-field">
        <input
          type="checkbox"
          checked={filters.favoritesOnly}
          onChange={(e) => setFilters({ favoritesOnly: e.target.checked })}
        />{' '}
        Favorites only
      </label>
      <label className="inline-field">
        <span>From</span>
        <input
          type="date"
          aria-label="From date"
          onChange={(e) => setFilters({ from: parseDateInput(e.target.value) })}
        />
      </label>
      <label className="inline-field">
        <span>To</span>
        <input
          type="date"
          aria-label="To date"
          onChange={(e) => {
            const day = parseDateInput(e.target.value);
            setFilters({ to: day === undefined ? undefined : day + DAY_MS });
          }}
        />
      </label>
      <label className="inline-field">
        <span>Size</span>
        <input
          type="text"
          aria-label="Size filter"
          list="gallery-sizes"
          placeholder="any"
          size={9}
          value={sizeText}
          onChange={(e) => {
            setSizeText(e.target.value);
            const m = /^\s*(\d+)\s*[x×]\s*(\d+)\s*$/.exec(e.target.value);
            if (m) setFilters({ size: { width: Number(m[1]), height: Number(m[2]) } });
            else if (e.target.value.trim() === '') setFilters({ size: undefined });
          }}
        />
        <datalist id="gallery-sizes">
          {SIZE_PRESETS.map((p) => (
            <option key={p.label} value={`${p.width}x${p.height}`} />
          ))}
        </datalist>
      </label>
    </div>
  );
}
