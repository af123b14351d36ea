/**
 * Gallery actions with their notices: favorite, delete with undo, copy a prompt.
 */
import { call } from '../../lib/invoke';
import { notifyError, notifyInfo } from '../../state/notices';
import { useGallery } from './galleryStore';

/** Marks or unmarks an image as favorite (optimistic; reverted when the service refuses). */
export async function toggleFavorite(imageId: number, favorite: boolean): Promise<void> {
  useGallery.getState().patchItem(imageId, { favorite });
  try {
    await call('history.favorite', { imageId, favorite });
  } catch (e) {
    useGallery.getState().patchItem(imageId, { favorite: !favorite });
    notifyError(e, 'Could not change the favorite');
  }
}

/** Moves images to the trash and offers Undo (restores them and reloads the grid). */
export async function deleteImages(imageIds: number[]): Promise<void> {
  try {
    const r = await call('history.delete', { imageIds });
    useGallery.getState().remove(r.imageIds);
    if (useGallery.getState().detail && r.imageIds.includes(useGallery.getState().detail!.imageId))
      useGallery.getState().openDetail(null);
    const n = r.imageIds.length;
    notifyInfo(`${n} image${n === 1 ? '' : 's'} moved to the trash.`, {
      label: 'Undo',
      run: () => {
        call('history.undoDelete', { imageIds: r.imageIds })
          .then(() => useGallery.getState().reload())
          .catch((e) => notifyError(e, 'Could not restore'));
      },
    });
  } catch (e) {
    notifyError(e, 'Could not delete');
  }
}

/** Copies text to the clipboard (the async Clipboard API, else a selected textarea for non-secure contexts). */
export async function copyText(text: string, what = 'Prompt'): Promise<void> {
  try {
    if (navigator.clipboard?.writeText) await navigator.clipboard.writeText(text);
    else {
      const area = document.createElement('textarea');
      area.value = text;
      area.setAttribute('readonly', '');
      area.style.position = 'fixed';
      area.style.opacity = '0';
      document.body.append(area);
      area.select();
      const ok = document.execCommand('copy');
      area.remove();
      if (!ok) {
        notifyError(
          'the browser refused to copy; select the text and press Ctrl+C',
          `Could not copy the ${what.toLowerCase()}`,
        );
        return;
      }
    }
    notifyInfo(`${what} copied.`);
  } catch (e) {
    notifyError(e, `Could not copy the ${what.toLowerCase()}`);
  }
}
