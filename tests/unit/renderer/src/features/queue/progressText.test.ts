import { describe, expect, it } from 'vitest';
import { progressText } from '../../../../../../src/renderer/src/features/queue/progressText';
import { tileAlt } from '../../../../../../src/renderer/src/features/gallery/tileText';
import { promptWords } from '../../../../../../src/renderer/src/lib/promptText';

describe('progress and tile texts', () => {
  it('says the step, the batch image and the time left', () => {
    expect(progressText(undefined, 1)).toBe('Starting…');
    expect(progressText({ step: 2, total: 4, image: 0, etaMs: 2100 }, 1)).toBe(
      'Step 2 of 4, about 2.1 s left',
    );
    expect(progressText({ step: 1, total: 28, image: 2, etaMs: 65_000 }, 3)).toBe(
      'Step 1 of 28 · image 3/3, about 1 min 05 s left',
    );
  });

  it('strips markup from prompts and cuts them', () => {
    expect(promptWords('<character_1>\n  <n>miku</n>\n</character_1>', 80)).toBe('miku');
    expect(promptWords('a'.repeat(10), 4)).toBe('aaaa…');
  });

  it('starts a tile alt text with the seed', () => {
    const alt = tileAlt({
      id: 1,
      generationId: 'g',
      index: 0,
      seed: 77,
      path: 'images/a.png',
      thumbnailPath: null,
      width: 64,
      height: 64,
      bytes: 1,
      sha256: 'x',
      favorite: true,
      rating: 0,
      deletedAt: null,
      createdAt: 0,
      promptPreview: '<n>miku</n>',
      modelIdentity: null,
    });
    expect(alt).toBe('Seed 77, 64×64, favorite: miku');
  });
});
