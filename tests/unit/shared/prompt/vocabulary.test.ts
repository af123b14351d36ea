import { describe, expect, it } from 'vitest';
import { StudioError } from '../../../../src/shared/errors';
import {
  CHARACTER_FIELDS,
  COUNT,
  GENERAL_FIELDS,
  LineIndex,
  POSITION,
  POSITIONS,
  contradictingCountTags,
  countTag,
  expectedCountTags,
  genderOf,
  joinTags,
  positionAt,
  positionCell,
  splitItems,
  splitTags,
  suggestTag,
  tagDoc,
  tagLevel,
} from '../../../../src/shared/prompt';
import { naivePosition } from './fixtures';

describe('vocabulary', () => {
  it('has the README and builder fields, each with a doc string', () => {
    // newbie-model.md §3: official example + XML builder node.
    for (const t of ['n', 'gender', 'appearance', 'clothing', 'expression', 'action', 'interaction', 'position']) {
      expect(CHARACTER_FIELDS.map((d) => d.tag)).toContain(t);
    }
    for (const t of ['count', 'artists', 'style', 'background', 'environment', 'perspective', 'atmosphere', 'lighting', 'quality', 'objects', 'other']) {
      expect(GENERAL_FIELDS.map((d) => d.tag)).toContain(t);
    }
    for (const d of [...CHARACTER_FIELDS, ...GENERAL_FIELDS]) expect(d.doc.length).toBeGreaterThan(10);
    expect(tagDoc('character_7', 'top')?.tag).toBe('character_N');
    expect(tagDoc('count', 'character')).toBeUndefined();
    expect([tagLevel('image'), tagLevel('character_12'), tagLevel('general_tags'), tagLevel('n'), tagLevel('pose')]).toEqual(['root', 'block', 'block', 'field', null]);
  });

  it('suggests the nearest known tag for a context', () => {
    expect(suggestTag('pose', 'character')).toBe('action');
    expect(suggestTag('apperance', 'character')).toBe('appearance');
    expect(suggestTag('Clothing', 'character')).toBe('clothing');
    expect(suggestTag('lightning', 'general')).toBe('lighting');
    expect(suggestTag('character2', 'top')).toBe('character_2');
    expect(suggestTag('xyzzy', 'general')).toBeUndefined();
  });
});

describe('count helpers (conventions.md §5)', () => {
  it('spells the number tags like danbooru', () => {
    expect([1, 2, 5, 6, 9].map((n) => countTag(n, 'girl'))).toEqual(['1girl', '2girls', '5girls', '6+girls', '6+girls']);
    expect(countTag(3, 'boy')).toBe('3boys');
  });

  it('derives the expected tags from the genders', () => {
    expect(expectedCountTags({ girls: 1, boys: 0, others: 0 })).toEqual(['1girl', 'solo']);
    expect(expectedCountTags({ girls: 2, boys: 0, others: 0 })).toEqual(['2girls', 'multiple_girls']);
    expect(expectedCountTags({ girls: 1, boys: 1, others: 0 })).toEqual(['1girl', '1boy']);
    expect(expectedCountTags({ girls: 0, boys: 7, others: 0 })).toEqual(['6+boys', 'multiple_boys']);
    expect(expectedCountTags({ girls: 0, boys: 0, others: 1 })).toEqual(['solo']);
    expect(contradictingCountTags('1girl, solo, multiple_boys, smile', { girls: 2, boys: 0, others: 0 })).toEqual(['1girl', 'solo', 'multiple_boys']);
    expect([genderOf('1girl'), genderOf(' 1boy '), genderOf('1other'), genderOf('  ')]).toEqual(['girl', 'boy', 'other', null]);
    expect(COUNT.expected).toBe(expectedCountTags);
  });
});

describe('position board (conventions.md §5)', () => {
  it('maps the nine cells both ways', () => {
    expect(POSITIONS).toEqual(['top_left', 'top', 'top_right', 'center_left', 'center', 'center_right', 'bottom_left', 'bottom', 'bottom_right']);
    for (let i = 0; i < 9; i++) {
      const cell = { row: Math.floor(i / 3), col: i % 3 };
      expect(positionCell(POSITIONS[i])).toEqual(cell);
      expect(positionAt(cell.row, cell.col)).toBe(POSITIONS[i]);
    }
    expect(positionCell('Center Left')).toEqual({ row: 1, col: 0 });
    expect(positionCell('on the sofa')).toBeNull();
    expect(() => positionAt(3, 0)).toThrow(StudioError);
    expect(POSITION.at(0, 2)).toBe('top_right');
  });
});

describe('text helpers', () => {
  it('LineIndex matches an independent walk for LF, CRLF, CR, BOM and surrogate pairs', () => {
    const text = '\uFEFFa😀b\r\nc\rd\n\r\n😀';
    const index = new LineIndex(text);
    for (let o = 0; o <= text.length; o++) {
      if (o === 0) continue; // inside the BOM: snaps to 1:1
      expect([o, index.position(o)]).toEqual([o, naivePosition(text, o)]);
    }
    expect(index.position(0)).toEqual({ line: 1, column: 1 });
    expect(index.lineCount).toBe(5);
    expect(index.offset(2, 1)).toBe(text.indexOf('c'));
  });

  it('splits and joins tag lists with ranges', () => {
    const text = '<a> x ,y,, z z </a>';
    const items = splitItems(text, { start: 3, end: text.length - 4 });
    expect(items.map((i) => [i.text, text.slice(i.range.start, i.range.end)])).toEqual([
      ['x', 'x'],
      ['y', 'y'],
      ['z z', 'z z'],
    ]);
    expect(splitTags(' a,b ,, c ')).toEqual(['a', 'b', 'c']);
    expect(joinTags(['a', ' b ', ''])).toBe('a, b');
  });
});
