/**
 * Detail view of one image: the image (and its batch siblings), the highlighted XML prompt, every parameter, and
 * the actions: Re-run (same seed → identical image), Re-run with new seed, Variations (seed + 1 … + 3), Open in
 * editor, Copy prompt, Favorite, Delete (with undo), Compare.
 */
import { imageUrl } from '../../api';
import { Dialog } from '../../components/Dialog';
import { enqueue } from '../../state/actions';
import { focusPromptEditor } from '../editor/PromptEditor';
import { notifyInfo } from '../../state/notices';
import { rerunDraft, useStudio } from '../../state/studioStore';
import { EntryParams } from './EntryParams';
import { HighlightedPrompt } from './HighlightedPrompt';
import { copyText, deleteImages, toggleFavorite } from './galleryActions';
import { useGallery } from './galleryStore';
import { useEntry } from './useEntry';

/** The detail dialog of the image open in the gallery store (`detail`); closed while there is none. */
export function DetailView() {
  const detail = useGallery((s) => s.detail);
  const favoriteInGrid = useGallery((s) => s.items.find((i) => i.id === detail?.imageId)?.favorite);
  const state = useEntry(detail?.generationId ?? null);
  const close = () => useGallery.getState().openDetail(null);
  const entry = state.status === 'ready' && state.entry.id === detail?.generationId ? state.entry : null;
  const image = entry?.images.find((i) => i.id === detail?.imageId) ?? entry?.images[0];
  const favorite = favoriteInGrid ?? image?.favorite ?? false;
  const seed = image?.seed ?? entry?.request.seed ?? 0;
  // Foreign images re-run with this model too; only our own generations are bit-for-bit reproducible.
  const exact = entry !== null && (entry.source === 'studio' || entry.source === 'newbie');

  const actions = entry && image && (
    <div className="detail-actions" role="toolbar" aria-label="Image actions">
      <button
        type="button"
        className="primary"
        onClick={() =>
          void enqueue({ ...rerunDraft(entry.request, entry.id), seed: seed, batch: 1 }, 'Re-run')
        }
      >
        Re-run
      </button>
      <button
        type="button"
        onClick={() =>
          void enqueue({ ...rerunDraft(entry.request, entry.id, null), batch: 1 }, 'Re-run with a new seed')
        }
      >
        Re-run with new seed
      </button>
      <button
        type="button"
        onClick={() =>
          void enqueue({ ...rerunDraft(entry.request, entry.id, seed + 1), batch: 3 }, 'Variations')
        }
      >
        Variations
      </button>
      <button
        type="button"
        onClick={() => {
          useStudio.getState().applyRequest({ ...entry.request, seed, batch: 1 });
          close();
          notifyInfo('Prompt and parameters are in the editor.');
          // After the dialog has closed and handed the focus back to the tile: the user came to edit the prompt.
          requestAnimationFrame(focusPromptEditor);
        }}
      >
        Open in editor
      </button>
      <button type="button" onClick={() => void copyText(entry.request.prompt)}>
        Copy prompt
      </button>
      <button type="button" aria-pressed={favorite} onClick={() => void toggleFavorite(image.id, !favorite)}>
        {favorite ? '★ Favorite' : '☆ Favorite'}
      </button>
      <button
        type="button"
        onClick={() => useGallery.getState().startCompare({ generationId: entry.id, imageId: image.id })}
      >
        Compare
      </button>
      <button type="button" className="danger" onClick={() => void deleteImages([image.id])}>
        Delete
      </button>
    </div>
  );

  return (
    <Dialog title="Generation details" open={detail !== null} onClose={close} className="detail-dialog">
      {state.status === 'loading' && <p role="status">Loading…</p>}
      {state.status === 'missing' && <p role="alert">This generation is no longer in the history.</p>}
      {state.status === 'error' && <p role="alert">{state.message}</p>}
      {entry && (
        <div className="detail">
          <div className="detail-image">
            {image && (
              <img
                src={imageUrl(image.path)}
                alt={`Generated image, seed ${seed}, ${image.width}×${image.height}`}
              />
            )}
            {entry.images.length > 1 && (
              <div className="batch-strip" aria-label="Images of this batch">
                {entry.images.map((im) => (
                  <button
                    key={im.id}
                    type="button"
                    aria-pressed={im.id === image?.id}
                    onClick={() =>
                      useGallery.getState().openDetail({ generationId: entry.id, imageId: im.id })
                    }
                  >
                    <img src={imageUrl(im.thumbnailPath ?? im.path)} alt={`Seed ${im.seed ?? '?'}`} />
                  </button>
                ))}
              </div>
            )}
            {actions}
            {entry && !exact && (
              <p className="field-hint">
                Imported from {entry.source}: a re-run uses this model and its own sampler, so the image will
                differ.
              </p>
            )}
          </div>
          <div className="detail-info">
            <HighlightedPrompt text={entry.request.prompt} />
            <EntryParams entry={entry} image={image} />
          </div>
        </div>
      )}
    </Dialog>
  );
}
