import { describe, expect, it } from 'vitest';
import { cursorContext, wordAt } from '../../../../../../src/renderer/src/features/editor/promptContext';

/** Text with a `|` marking the cursor → [text, offset]. */
const at = (s: string): [string, number] => [s.replace('|', ''), s.indexOf('|')];

describe('cursorContext', () => {
  it('knows a tag typed inside a character block', () => {
    const [t, o] = at('<character_1>\n<n>x</n>\n<cl|\n</character_1>\n');
    expect(cursorContext(t, o)).toMatchObject({
      kind: 'tag',
      context: 'character',
      closing: false,
      prefix: 'cl',
      nameStart: o - 2,
    });
  });

  it('knows a tag typed inside general_tags and at the top level', () => {
    const [g, go] = at('<general_tags>\n<|\n</general_tags>');
    expect(cursorContext(g, go)).toMatchObject({ kind: 'tag', context: 'general', prefix: '' });
    const [top, to] = at('<character_1>\n<n>x</n>\n</character_1>\n\n<|');
    expect(cursorContext(top, to)).toMatchObject({ kind: 'tag', context: 'top', lastCharacter: 1 });
  });

  it('offers the open element for a close tag', () => {
    const [t, o] = at('<character_2>\n<n>x</n>\n</|');
    expect(cursorContext(t, o)).toMatchObject({ kind: 'tag', closing: true, openElement: 'character_2' });
  });

  it('gives the field and the item being typed inside a value', () => {
    const [t, o] = at('<character_1>\n<clothing>school_uniform, ser|</clothing>\n</character_1>');
    expect(cursorContext(t, o)).toEqual({
      kind: 'value',
      field: 'clothing',
      context: 'character',
      prefix: 'ser',
      itemStart: o - 3,
    });
    const [n, no] = at('<character_1>\n<n>hats|\n</character_1>');
    expect(cursorContext(n, no)).toMatchObject({ kind: 'value', field: 'n', prefix: 'hats' });
  });

  it('treats `<` inside a value as text (`>_<`), not a new tag', () => {
    const [t, o] = at('<character_1>\n<expression>smile, >_<|</expression>\n</character_1>');
    expect(cursorContext(t, o)).toMatchObject({ kind: 'value', field: 'expression', prefix: '>_<' });
  });

  it('returns none between fields and for non-XML prompts', () => {
    const [t, o] = at('<character_1>\n|\n</character_1>');
    expect(cursorContext(t, o)).toEqual({ kind: 'none' });
    expect(cursorContext('1girl, blue_hair', 3)).toEqual({ kind: 'none' });
  });
});

describe('wordAt', () => {
  it('finds a danbooru tag in a value and a tag name', () => {
    const t = '<clothing>school_uniform, serafuku</clothing>';
    expect(wordAt(t, t.indexOf('serafuku') + 2)).toEqual({
      word: 'serafuku',
      start: 26,
      end: 34,
      inTag: false,
    });
    expect(wordAt(t, 3)).toMatchObject({ word: 'clothing', inTag: true });
    expect(wordAt(t, t.indexOf('</') + 4)).toMatchObject({ word: 'clothing', inTag: true });
  });
});
