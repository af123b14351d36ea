/**
 * Text of gallery tiles (pure).
 */
import type { GalleryItem } from '../../../../shared/apiTypes';
import { promptWords } from '../../lib/promptText';

/** Alt text of a tile: seed first (the e2e tests and screen readers find images by it), size, prompt start. */
export function tileAlt(item: GalleryItem): string {
  const fav = item.favorite ? ', favorite' : '';
  return `Seed ${item.seed ?? 'unknown'}, ${item.width}×${item.height}${fav}: ${promptWords(item.promptPreview, 80)}`;
}
