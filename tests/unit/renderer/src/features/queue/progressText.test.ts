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

  it('says “finishing” after the last step instead of “about 0 ms left”', () => {
    expect(progressText({ step: 2, total: 2, image: 0, etaMs: 0 }, 1)).toBe('Step 2 of 2, finishing…');
  });

  it('strips markup from prompts and cuts them', () => {
    expect(promptWords('<character_1>\n  <n>miku</n>\n</character_1>', 80)).toBe('miku');
    expect(promptWords('a'.repeat(10), 4)).toBe('aaaa…');
    // History previews are cut at a fixed length, sometimes inside a tag: no `<gene` left over.
    expect(promptWords('<character_1>\n  <gender>1girl</gender>\n</character_1>\n\n<gene', 80)).toBe('1girl');
    expect(promptWords('<n>miku</n>\n</charac', 80)).toBe('miku');
    expect(promptWords('<n>miku</n', 80)).toBe('miku');
    expect(promptWords('<background>simple_background</background>\n<', 80)).toBe('simple_background');
    expect(promptWords('<background>simple_background<', 80)).toBe('simple_background');
    expect(promptWords('<!-- draft --><n>rin</n>', 80)).toBe('rin');
    expect(promptWords('<expression>>_<</expression>', 80)).toBe('>_<');
    // An emoticon tag ending a plain-text prompt is not a cut-off tag.
    expect(promptWords('1girl, smile, >_<', 80)).toBe('1girl, smile, >_<');
    expect(promptWords('solo, <_<', 80)).toBe('solo, <_<');
    expect(promptWords('<expression>>_<', 80)).toBe('>_<');
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
