import { describe, expect, it } from 'vitest';
import { directMatchesFirst } from '../../../../../src/renderer/src/lib/tagMatches';
import type { TagMatch } from '../../../../../src/shared/prompt';

const m = (tag: string, count: number, alias?: string): TagMatch => ({
  tag,
  category: 'general',
  count,
  ...(alias !== undefined && { alias }),
});

describe('directMatchesFirst', () => {
  it('puts tags whose name starts with the prefix before tags found through an alias, keeping the order', () => {
    // The service's answer for `so` (by post count): 1girl via `sole_female` outranks solo.
    const served = [
      m('1girl', 6_008_644, 'sole_female'),
      m('solo', 5_000_954),
      m('1boy', 1_405_457, 'sole_male'),
      m('socks', 383_345),
    ];
    expect(directMatchesFirst(served).map((x) => x.tag)).toEqual(['solo', 'socks', '1girl', '1boy']);
  });

  it('keeps alias-only answers (miku → hatsune_miku) and does not change its input', () => {
    const served = [m('hatsune_miku', 100, 'miku')];
    expect(directMatchesFirst(served)).toEqual(served);
    expect(directMatchesFirst(served)).not.toBe(served);
    expect(directMatchesFirst([])).toEqual([]);
  });
});
