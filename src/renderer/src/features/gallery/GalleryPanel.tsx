/**
 * The gallery (region "Gallery"): search and filters, the virtualized grid, the detail view and the compare view.
 * New generations appear on top as `history.added` arrives.
 */
import { useEffect } from 'react';
import { Panel } from '../../components/Panel';
import { useStudioEvent } from '../../lib/invoke';
import { CompareView } from './CompareView';
import { DetailView } from './DetailView';
import { GalleryGrid } from './GalleryGrid';
import { GalleryToolbar } from './GalleryToolbar';
import { useGallery } from './galleryStore';

/** The gallery region: loads the first page on mount, adds new generations on `history.added`. */
export function GalleryPanel() {
  const compareBase = useGallery((s) => s.compareBase);
  useEffect(() => {
    void useGallery.getState().reload();
  }, []);
  useStudioEvent('history.added', () => void useGallery.getState().refreshTop());
  // Esc cancels a compare pick (no dialog is open then: the detail view closed when the pick started).
  useEffect(() => {
    if (!compareBase) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented || document.querySelector('dialog[open]')) return;
      e.preventDefault();
      useGallery.getState().startCompare(null);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [compareBase]);
  return (
    <Panel title="Gallery" className="gallery-panel">
      <GalleryToolbar />
      {compareBase && (
        <div className="compare-banner" role="status">
          Pick another image to compare with.{' '}
          <button type="button" onClick={() => useGallery.getState().startCompare(null)}>
            Cancel compare
          </button>
        </div>
      )}
      <GalleryGrid />
      <DetailView />
      <CompareView />
    </Panel>
  );
}
