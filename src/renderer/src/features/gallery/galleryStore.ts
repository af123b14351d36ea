/**
 * Gallery state: the filters, the loaded tiles (cursor pages, newest first), and which generation is open in the
 * detail view or picked for a compare. Pages come from `history.page` (or `history.search` with words), PAGE_SIZE at a
 * time; new generations arrive by `history.added`.
 */
import { create } from 'zustand';
import type { GalleryItem, GalleryQuery } from '../../../../shared/apiTypes';
import { StudioError } from '../../../../shared/errors';
import { call, errorText } from '../../lib/invoke';
import { notifyError } from '../../state/notices';
import { searchAsYouType } from './searchText';

export const PAGE_SIZE = 200;

/** Ids of the loaded tiles, so appending a page stays O(page) with 100k tiles loaded. */
let loadedIds = new Set<number>();

export interface GalleryFilters {
  search: string;
  favoritesOnly: boolean;
  /** Local-midnight ms; `to` is exclusive (the day after the chosen end date). */
  from?: number;
  to?: number;
  size?: { width: number; height: number };
}

export interface Pick {
  generationId: string;
  imageId: number;
}

interface GalleryState {
  filters: GalleryFilters;
  items: GalleryItem[];
  cursor: string | null;
  done: boolean;
  loading: boolean;
  /** Why the search box's text cannot be searched (e.g. it only excludes terms): shown in the grid, not as a notice. */
  searchProblem: string | null;
  /** Bumped on every reset so late pages of an old query are dropped. */
  generation: number;
  detail: Pick | null;
  compareBase: Pick | null;
  compare: [Pick, Pick] | null;
  setFilters(patch: Partial<GalleryFilters>): void;
  reload(): Promise<void>;
  loadMore(): Promise<void>;
  /** Fetches the newest page and puts the tiles not yet loaded on top (after `history.added`). */
  refreshTop(): Promise<void>;
  remove(imageIds: number[]): void;
  patchItem(imageId: number, patch: Partial<GalleryItem>): void;
  openDetail(pick: Pick | null): void;
  startCompare(base: Pick | null): void;
  openCompare(pair: [Pick, Pick] | null): void;
}

/** The contract query of the current filters and cursor. */
export function queryOf(f: GalleryFilters, cursor: string | null, limit = PAGE_SIZE): GalleryQuery {
  return {
    limit,
    cursor,
    ...(f.search.trim() && { search: searchAsYouType(f.search) }),
    ...(f.favoritesOnly && { favoritesOnly: true }),
    ...(f.from !== undefined && { from: f.from }),
    ...(f.to !== undefined && { to: f.to }),
    ...(f.size && { width: f.size.width, height: f.size.height }),
  };
}

/**
 * The grid's explanation when a failure is the search box's text being unsearchable (a half-typed `-mai…`: the
 * service refuses it as InvalidRequest), else null.
 */
function searchProblemOf(e: unknown, f: GalleryFilters): string | null {
  return e instanceof StudioError && e.code === 'InvalidRequest' && f.search.trim() ? errorText(e) : null;
}

async function fetchPage(q: GalleryQuery) {
  return q.search ? call('history.search', { ...q, search: q.search }) : call('history.page', q);
}

export const useGallery = create<GalleryState>((set, get) => ({
  filters: { search: '', favoritesOnly: false },
  items: [],
  cursor: null,
  done: false,
  loading: false,
  searchProblem: null,
  generation: 0,
  detail: null,
  compareBase: null,
  compare: null,
  setFilters(patch) {
    set((s) => ({ filters: { ...s.filters, ...patch } }));
    void get().reload();
  },
  async reload() {
    const generation = get().generation + 1;
    loadedIds = new Set();
    set({ generation, items: [], cursor: null, done: false, loading: true, searchProblem: null });
    try {
      const page = await fetchPage(queryOf(get().filters, null));
      if (get().generation !== generation) return;
      loadedIds = new Set(page.items.map((i) => i.id));
      set({ items: page.items, cursor: page.nextCursor, done: page.nextCursor === null, loading: false });
    } catch (e) {
      if (get().generation !== generation) return;
      set({ loading: false, done: true });
      // A half-typed query (`-mai…`) is not a failure worth a notice: the grid says what to add.
      const searchProblem = searchProblemOf(e, get().filters);
      if (searchProblem) set({ searchProblem });
      else notifyError(e, 'Could not load the history');
    }
  },
  async loadMore() {
    const s = get();
    if (s.loading || s.done) return;
    const generation = s.generation;
    set({ loading: true });
    try {
      const page = await fetchPage(queryOf(s.filters, s.cursor));
      if (get().generation !== generation) return;
      const fresh = page.items.filter((i) => !loadedIds.has(i.id));
      for (const i of fresh) loadedIds.add(i.id);
      set((st) => ({
        items: st.items.concat(fresh),
        cursor: page.nextCursor,
        done: page.nextCursor === null,
        loading: false,
      }));
    } catch (e) {
      if (get().generation !== generation) return;
      set({ loading: false, done: true });
      notifyError(e, 'Could not load more of the history');
    }
  },
  async refreshTop() {
    const generation = get().generation;
    try {
      const page = await fetchPage(queryOf(get().filters, null, 60));
      if (get().generation !== generation) return;
      const fresh = page.items.filter((i) => !loadedIds.has(i.id));
      if (fresh.length === 0) return;
      for (const i of fresh) loadedIds.add(i.id);
      set((st) => ({ items: fresh.concat(st.items) }));
    } catch (e) {
      // An old query's failure, or the unsearchable text the grid already explains (reload sets searchProblem).
      if (get().generation !== generation || searchProblemOf(e, get().filters)) return;
      notifyError(e, 'Could not refresh the history');
    }
  },
  remove(imageIds) {
    const gone = new Set(imageIds);
    for (const id of imageIds) loadedIds.delete(id);
    set((s) => ({ items: s.items.filter((i) => !gone.has(i.id)) }));
  },
  patchItem(imageId, patch) {
    set((s) => ({ items: s.items.map((i) => (i.id === imageId ? { ...i, ...patch } : i)) }));
  },
  openDetail(detail) {
    set({ detail });
  },
  startCompare(compareBase) {
    set({ compareBase, detail: null });
  },
  openCompare(compare) {
    set({ compare, compareBase: null });
  },
}));
