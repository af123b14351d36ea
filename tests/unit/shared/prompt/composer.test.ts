import { describe, expect, it } from 'vitest';
import {
  composerToPrompt,
  emptyComposer,
  formatPrompt,
  getField,
  newCharacter,
  promptToComposer,
  removeField,
  renumberCharacters,
  setField,
  type ComposerModel,
} from '../../../../src/shared/prompt';
import { haveShared, samplePrompts } from './fixtures';

/** The model without source ranges (they change when the text is re-laid out). */
function strip(m: ComposerModel): unknown {
  return JSON.parse(JSON.stringify(m, (k, v) => (k === 'range' ? undefined : v)));
}

describe.runIf(haveShared())('XML → model → XML on the samples', () => {
  it.each(samplePrompts())('$name: the round trip equals formatPrompt and is stable', ({ text }) => {
    const model = promptToComposer(text);
    const xml = composerToPrompt(model);
    expect(xml).toBe(formatPrompt(text));
    expect(strip(promptToComposer(xml))).toEqual(strip(model));
    expect(composerToPrompt(promptToComposer(xml))).toBe(xml);
  });

  it('reads characters as ordered field lists', () => {
    const { text } = samplePrompts().find((s) => s.name === 'two-characters.xml')!;
    const m = promptToComposer(text);
    expect(m.characters.map((c) => c.index)).toEqual([1, 2]);
    expect(m.characters[0].fields.map((f) => f.tag)).toEqual(['n', 'gender', 'appearance', 'clothing', 'expression', 'action', 'position']);
    expect(getField(m.characters[1].fields, 'n')).toBe('kagamine_rin');
    expect(m.general!.map((f) => f.tag)[0]).toBe('count');
    expect(m.root).toBeNull();
    const first = m.characters[0].fields[0];
    expect(text.slice(first.range!.start, first.range!.end)).toBe('<n>hatsune_miku</n>');
  });

  it('reads the builder layout: style line, image root, caption', () => {
    const { text } = samplePrompts().find((s) => s.name === 'builder-style.xml')!;
    const m = promptToComposer(text);
    expect([m.style, m.root, m.caption]).toEqual(['style of example_artist', 'image', 'two friends sharing an umbrella on a rainy street at night']);
    expect(m.order).toEqual(['style', 'root', 'caption', 'character', 'character', 'general', '/root']);
  });
});

describe('lossless and order-stable', () => {
  const text = [
    '<!-- keep me -->',
    '<character_2>',
    '  <pose>standing</pose>',
    '  <n>b</n>',
    '  <appearance>x</appearance>',
    '  <appearance>y</appearance>',
    '  <outfit><top>shirt</top></outfit>',
    '</character_2>',
    '<custom>zzz</custom>',
    '<character_1>',
    '  <n>a</n>',
    '  <expression>>_<</expression>',
    '</character_1>',
    '<general_tags>',
    '  <other>tiger_&_bunny</other>',
    '</general_tags>',
    '<caption>at the end</caption>',
  ].join('\n');

  it('keeps unknown tags, duplicates, comments, raw characters and the order of everything', () => {
    const m = promptToComposer(text);
    expect(m.characters.map((c) => c.index)).toEqual([2, 1]);
    expect(m.characters[0].fields.map((f) => [f.tag, f.value])).toEqual([
      ['pose', 'standing'],
      ['n', 'b'],
      ['appearance', 'x'],
      ['appearance', 'y'],
      ['outfit', '<top>shirt</top>'],
    ]);
    expect(m.extras).toEqual(['<!-- keep me -->', '<custom>zzz</custom>']);
    expect(m.order).toEqual(['extra', 'character', 'extra', 'character', 'general', 'caption']);
    const out = composerToPrompt(m);
    expect(out).toBe(formatPrompt(text));
    const tokens = (t: string) => t.match(/<[^>]*>|[^<\s][^<]*?(?=<|$)/g)!.map((s) => s.trim());
    expect(tokens(out)).toEqual(tokens(text));
  });

  it('edits made in the composer come back from the editor', () => {
    let m = promptToComposer(text);
    const c1 = m.characters[1];
    m = { ...m, characters: [m.characters[0], { ...c1, fields: setField(c1.fields, 'gender', '1girl') }] };
    m = { ...m, general: setField(m.general!, 'count', '2girls, multiple_girls') };
    const xml = composerToPrompt(m);
    const back = promptToComposer(xml);
    expect(getField(back.characters[1].fields, 'gender')).toBe('1girl');
    // gender goes right after n (official order), count before other.
    expect(back.characters[1].fields.map((f) => f.tag)).toEqual(['n', 'gender', 'expression']);
    expect(back.general!.map((f) => f.tag)).toEqual(['count', 'other']);
    expect(getField(back.general!, 'other')).toBe('tiger_&_bunny');
  });
});

describe('building a prompt from scratch', () => {
  it('writes the official layout', () => {
    let m = emptyComposer();
    const c = newCharacter(m);
    m = { ...m, characters: [{ ...c, fields: setField(c.fields, 'appearance', 'blue_hair') }] };
    const d = newCharacter(m);
    m = { ...m, characters: [...m.characters, d], general: [{ tag: 'count', value: '2girls, multiple_girls' }] };
    expect(composerToPrompt(m)).toBe(
      [
        '<character_1>', '  <n></n>', '  <gender>1girl</gender>', '  <appearance>blue_hair</appearance>', '</character_1>', '',
        '<character_2>', '  <n></n>', '  <gender>1girl</gender>', '</character_2>', '',
        '<general_tags>', '  <count>2girls, multiple_girls</count>', '</general_tags>', '',
      ].join('\n'),
    );
  });

  it('places parts missing from order canonically: style, root, caption, characters, general', () => {
    const m: ComposerModel = {
      ...emptyComposer(),
      root: 'image',
      style: 's',
      caption: 'c',
      characters: [{ index: 1, fields: [{ tag: 'n', value: '' }] }],
      general: [{ tag: 'quality', value: 'masterpiece' }],
    };
    const xml = composerToPrompt(m);
    expect(promptToComposer(xml).order).toEqual(['style', 'root', 'caption', 'character', 'general', '/root']);
  });

  it('removeField and renumberCharacters', () => {
    const fields = [{ tag: 'a', value: '1' }, { tag: 'b', value: '2' }, { tag: 'a', value: '3' }];
    expect(removeField(fields, 'a')).toEqual([{ tag: 'b', value: '2' }]);
    const m = { ...emptyComposer(), characters: [{ index: 3, fields: [] }, { index: 7, fields: [] }] };
    expect(renumberCharacters(m).characters.map((c) => c.index)).toEqual([1, 2]);
  });

  it('keeps a tags prompt whole', () => {
    const m = promptToComposer('1girl, solo, >_<\n');
    expect(m.extras).toEqual(['1girl, solo, >_<']);
    expect(composerToPrompt(m)).toBe('1girl, solo, >_<\n');
  });
});
