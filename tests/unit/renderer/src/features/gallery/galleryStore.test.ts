/**
 * The gallery store against a fake transport: a search box holding only exclusions (`-maid`) is explained in the
 * grid, and a new generation arriving meanwhile (`history.added` → refreshTop) posts no error notice either.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { GalleryItem } from '../../../../../../src/shared/apiTypes';
import { StudioError } from '../../../../../../src/shared/errors';
import { ftsQuery } from '../../../../../../src/main/history/fts';

const invoke = vi.fn();
vi.mock('../../../../../../src/renderer/src/api', () => ({
  studio: { invoke: (...args: unknown[]) => invoke(...args), on: () => () => {} },
  imageUrl: (p: string) => p,
}));

const { useGallery } = await import('../../../../../../src/renderer/src/features/gallery/galleryStore');
const { useNotices } = await import('../../../../../../src/renderer/src/state/notices');

const item = (id: number): GalleryItem => ({
  id,
  generationId: `g${id}`,
  index: 0,
  seed: id,
  path: `images/g${id}-0.png`,
  thumbnailPath: null,
  width: 64,
  height: 64,
  bytes: 1,
  sha256: '0'.repeat(64),
  favorite: false,
  rating: 0,
  deletedAt: null,
  createdAt: id,
  promptPreview: 'maid',
  modelIdentity: null,
});

/** The service's answers: `history.search` parses the query with the history's own ftsQuery (a query of exclusions
 * only is refused as InvalidRequest there); every page holds two images. */
function fakeService(channel: string, q: { search?: string }) {
  if (channel === 'history.search') {
    try {
      ftsQuery(q.search ?? '');
    } catch (e) {
      if (!(e instanceof StudioError)) throw e;
      return { ok: false, error: { code: e.code, message: e.message } };
    }
  }
  return { ok: true, value: { items: [item(2), item(1)], nextCursor: null } };
}

describe('gallery store', () => {
  beforeEach(() => {
    invoke.mockReset();
    invoke.mockImplementation(async (channel: string, q: { search?: string }) => fakeService(channel, q));
    useNotices.setState({ notices: [] });
  });

  it('explains an unsearchable search in the grid, also when a new generation arrives', async () => {
    useGallery.getState().setFilters({ search: '-maid' });
    await vi.waitFor(() => expect(useGallery.getState().loading).toBe(false));
    expect(useGallery.getState().searchProblem).toMatch(/only excludes terms/);
    await useGallery.getState().refreshTop();
    expect(useNotices.getState().notices).toEqual([]);
    expect(useGallery.getState().items).toEqual([]);

    useGallery.getState().setFilters({ search: 'maid' });
    await vi.waitFor(() => expect(useGallery.getState().items).toHaveLength(2));
    expect(useGallery.getState().searchProblem).toBeNull();
  });

  it('still reports a refresh that fails for another reason', async () => {
    useGallery.getState().setFilters({ search: '' });
    await vi.waitFor(() => expect(useGallery.getState().loading).toBe(false));
    invoke.mockResolvedValue({
      ok: false,
      error: { code: 'DbUnreadable', message: 'the database is damaged' },
    });
    await useGallery.getState().refreshTop();
    expect(useNotices.getState().notices.map((n) => n.text)).toEqual([
      'Could not refresh the history: the database is damaged',
    ]);
  });
});
