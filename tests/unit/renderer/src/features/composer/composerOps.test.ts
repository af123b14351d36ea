import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkPrompt, getField, promptToComposer } from '../../../../../../src/shared/prompt';
import {
  addCharacter,
  convertToXml,
  moveCharacter,
  readComposer,
  removeCharacter,
  setCharacterField,
  setGeneralField,
  syncCount,
  writeComposer,
} from '../../../../../../src/renderer/src/features/composer/composerOps';

const TWO = readFileSync(join(__dirname, '../../../../../../../shared/prompts/two-characters.xml'), 'utf8');

describe('composer ops', () => {
  it('adds two characters to an empty prompt and keeps <count> consistent at each step', () => {
    let m = readComposer('').model;
    m = addCharacter(m);
    expect(m.characters.map((c) => c.index)).toEqual([1]);
    expect(getField(m.general ?? [], 'count')).toBe('1girl, solo');
    m = addCharacter(m);
    expect(m.characters.map((c) => c.index)).toEqual([1, 2]);
    expect(getField(m.general ?? [], 'count')).toBe('2girls, multiple_girls');
    const text = writeComposer(m);
    expect(text).toContain('<character_2>');
    // The written prompt raises no count warning: the checker agrees with the sync.
    expect(
      checkPrompt(text).diagnostics.filter((d) => d.code === 'count-mismatch' || d.code === 'missing-count'),
    ).toEqual([]);
  });

  it('changing a gender rewrites the count tags and keeps the user’s other count tags', () => {
    let m = promptToComposer(TWO);
    m = setGeneralField(m, 'count', '2girls, multiple_girls, looking_at_another');
    m = setCharacterField(m, 1, 'gender', '1boy');
    expect(getField(m.general ?? [], 'count')).toBe('1girl, 1boy, looking_at_another');
    expect(checkPrompt(writeComposer(m)).diagnostics.some((d) => d.code === 'count-mismatch')).toBe(false);
  });

  it('removing a character renumbers and makes the remaining one solo', () => {
    const m = removeCharacter(promptToComposer(TWO), 0);
    expect(m.characters).toHaveLength(1);
    expect(m.characters[0].index).toBe(1);
    expect(getField(m.characters[0].fields, 'n')).toBe('kagamine_rin');
    expect(getField(m.general ?? [], 'count')).toBe('1girl, solo');
  });

  it('moving a character renumbers in the new order and keeps its fields', () => {
    const m = moveCharacter(promptToComposer(TWO), 1, 0);
    expect(m.characters.map((c) => [c.index, getField(c.fields, 'n')])).toEqual([
      [1, 'kagamine_rin'],
      [2, 'hatsune_miku'],
    ]);
    const text = writeComposer(m);
    expect(text.indexOf('kagamine_rin')).toBeLessThan(text.indexOf('hatsune_miku'));
    expect(moveCharacter(m, 0, 0)).toBe(m);
  });

  it('an empty value never adds a field but clears an existing one; unknown tags stay in place', () => {
    const src =
      '<character_1>\n<n>x</n>\n<gender>1girl</gender>\n<pose>sitting</pose>\n<clothing>dress</clothing>\n</character_1>\n';
    let m = promptToComposer(src);
    expect(setCharacterField(m, 0, 'expression', '')).toBe(m);
    m = setCharacterField(m, 0, 'clothing', '');
    expect(m.characters[0].fields.map((f) => f.tag)).toEqual(['n', 'gender', 'pose', 'clothing']);
    m = setCharacterField(m, 0, 'expression', 'smile');
    // Official order puts expression after clothing; the unknown <pose> keeps its place.
    expect(m.characters[0].fields.map((f) => f.tag)).toEqual([
      'n',
      'gender',
      'pose',
      'clothing',
      'expression',
    ]);
    expect(writeComposer(m)).toContain('<pose>sitting</pose>');
  });

  it('syncCount leaves a prompt without characters alone', () => {
    const m = promptToComposer('<general_tags>\n<count>no_humans</count>\n</general_tags>\n');
    expect(syncCount(m)).toBe(m);
  });

  it('reads broken XML and non-XML prompts as not editable, with a reason', () => {
    const broken = readComposer('<character_1>\n<n>x</n>\n');
    expect(broken.editable).toBe(false);
    expect(broken.reason).toMatch(/line 1/);
    const tags = readComposer('1girl, solo, blue_hair');
    expect(tags).toMatchObject({ editable: false, mode: 'tags' });
    expect(readComposer(TWO).editable).toBe(true);
  });

  it('converts tags to <general_tags><other> and prose to <caption>', () => {
    const t = convertToXml('1girl, solo,\nblue_hair');
    expect(promptToComposer(t).general).toEqual([
      expect.objectContaining({ tag: 'other', value: '1girl, solo, blue_hair' }),
    ]);
    const n = convertToXml('A girl with blue hair stands in the rain.');
    expect(promptToComposer(n).caption).toBe('A girl with blue hair stands in the rain.');
    expect(convertToXml(TWO)).toBe(TWO);
  });
});
