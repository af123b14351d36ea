import { describe, expect, it } from 'vitest';
import { DIAGNOSTIC_CODES, TagIndex, checkPrompt, type Diagnostic } from '../../../../src/shared/prompt';
import { fullIndex, haveShared, lineOf, naivePosition, samplePrompts } from './fixtures';

const brief = (ds: Diagnostic[]) => ds.map((d) => [d.severity, d.code, d.line]);
const apply = (text: string, d: Diagnostic) =>
  [...d.fix!.edits].sort((a, b) => b.range.start - a.range.start).reduce((t, e) => t.slice(0, e.range.start) + e.newText + t.slice(e.range.end), text);

/** A small real index: tag,category,count,aliases (categories: 0 general, 4 character). */
const SMALL = TagIndex.fromCsv(
  ['1girl,0,6008644,"1girls,sole_female"', 'solo,0,5000954,', 'blue_hair,0,855605,', 'long_hair,0,4350743,longhair', 'hatsune_miku,4,106634,', 'smile,0,2873890,'].join('\n'),
);

describe.runIf(haveShared())('sample prompts', () => {
  it.each(samplePrompts())('$name has no errors', async ({ text }) => {
    const index = await fullIndex();
    for (const options of [{}, { tagIndex: index }]) {
      const { diagnostics } = checkPrompt(text, options);
      expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    }
  });

  it('reports the sample that uses <pose> with a warning suggesting <action>', () => {
    const { text } = samplePrompts().find((s) => s.name === 'seed-article-style.xml')!;
    const lines = text.split('\n');
    const pose = checkPrompt(text).diagnostics.filter((d) => d.code === 'unknown-tag');
    expect(pose.map((d) => [d.severity, d.line])).toEqual([
      ['warning', lineOf(lines, '<pose>')],
      ['warning', lineOf(lines, '<pose>', lineOf(lines, '<pose>') + 1)],
    ]);
    expect(pose[0].message).toContain('<action>');
  });
});

describe('errors: what makes the prompt ambiguous', () => {
  it('an empty prompt (nothing, whitespace, or tags without values)', () => {
    for (const text of ['', '   \n\t', '\uFEFF', '<character_1>\n<n></n>\n</character_1>']) {
      const errors = checkPrompt(text).diagnostics.filter((d) => d.severity === 'error');
      expect(brief(errors)).toEqual([['error', 'empty-prompt', 1]]);
    }
  });

  it('unclosed and mismatched tags, on their lines', () => {
    const lines = ['<character_1>', '  <n></n>', '  <gender>1girl</gender>', '  <appearance>blue_hair', '  <clothing>dress</clothes>', '</character_1>', '<general_tags>', '  <count>1girl, solo</count>', '</general_tags>'];
    const { diagnostics } = checkPrompt(lines.join('\n'));
    expect(brief(diagnostics)).toEqual([
      ['error', 'unclosed-tag', lineOf(lines, '<appearance>')],
      ['error', 'mismatched-tag', lineOf(lines, '</clothes>')],
    ]);
  });

  it('a duplicate character index, on the second block, with a renumbering fix', () => {
    const lines = ['<character_1>', '<gender>1girl</gender>', '</character_1>', '<character_1>', '<gender>1girl</gender>', '</character_1>', '<general_tags>', '<count>2girls, multiple_girls</count>', '</general_tags>'];
    const text = lines.join('\n');
    const dup = checkPrompt(text).diagnostics.filter((d) => d.code === 'duplicate-character');
    expect(brief(dup)).toEqual([['error', 'duplicate-character', 4]]);
    expect(checkPrompt(apply(text, dup[0])).diagnostics).toEqual([]);
  });

  it('text outside any tag in XML mode', () => {
    const lines = ['<character_1>', '<gender>1girl</gender>', '</character_1>', 'masterpiece, best_quality', '<general_tags>', '<count>1girl, solo</count>', '</general_tags>'];
    const { diagnostics } = checkPrompt(lines.join('\n'));
    expect(brief(diagnostics)).toEqual([['error', 'text-outside-tags', lineOf(lines, 'masterpiece')]]);
    expect(diagnostics[0].column).toBe(1);
    expect(diagnostics[0].endColumn).toBe('masterpiece, best_quality'.length + 1);
  });
});

describe('warnings and infos', () => {
  it('unknown tags with the nearest known tag, <name> for <n>, character gaps, count', () => {
    const lines = [
      '<character_1>', '<name>hatsune_miku</name>', '<gender>1girl</gender>', '<pose>standing</pose>', '</character_1>',
      '<character_3>', '<n></n>', '<gender>1boy</gender>', '<outfitt>suit</outfitt>', '</character_3>',
      '<general_tags>', '<count>1girl, solo</count>', '<bg>white_background</bg>', '</general_tags>',
    ];
    const text = lines.join('\n');
    const { mode, diagnostics } = checkPrompt(text);
    expect(mode).toBe('xml');
    expect(brief(diagnostics)).toEqual([
      ['warning', 'name-instead-of-n', lineOf(lines, '<name>')],
      ['warning', 'unknown-tag', lineOf(lines, '<pose>')],
      ['warning', 'character-gap', lineOf(lines, '<character_3>')],
      ['warning', 'unknown-tag', lineOf(lines, '<outfitt>')],
      ['warning', 'count-mismatch', lineOf(lines, '<count>')],
      ['warning', 'unknown-tag', lineOf(lines, '<bg>')],
    ]);
    const byCode = (c: string) => diagnostics.filter((d) => d.code === c);
    expect(byCode('unknown-tag').map((d) => d.message.match(/did you mean `<(\w+)>`/)?.[1])).toEqual(['action', undefined, 'background']);
    expect(apply(text, byCode('name-instead-of-n')[0])).toContain('<n>hatsune_miku</n>');
    // 1 girl + 1 boy: 1girl, 1boy; two characters, so not solo.
    const fixedCount = apply(text, byCode('count-mismatch')[0]);
    expect(fixedCount).toContain('<count>1girl, 1boy</count>');
  });

  it('count rules: solo for one character, Ngirls and multiple_girls for several', () => {
    const block = (i: number, g: string) => `<character_${i}>\n<gender>${g}</gender>\n</character_${i}>`;
    const general = (count: string) => `<general_tags>\n<count>${count}</count>\n</general_tags>`;
    const ok = [
      [block(1, '1girl'), general('1girl, solo')],
      [block(1, '1boy'), general('solo, 1boy')],
      [block(1, '1girl'), block(2, '1girl'), block(3, '1girl'), general('3girls, multiple_girls')],
      [block(1, '1boy'), block(2, '1boy'), general('2boys, multiple_boys')],
    ];
    for (const parts of ok) expect(checkPrompt(parts.join('\n')).diagnostics).toEqual([]);
    const bad = [
      [block(1, '1girl'), general('1girl')],
      [block(1, '1girl'), block(2, '1girl'), general('2girls')],
      [block(1, '1girl'), block(2, '1girl'), general('1girl, solo, multiple_girls, 2girls')],
    ];
    for (const parts of bad) {
      const text = parts.join('\n');
      const lines = text.split('\n');
      expect(brief(checkPrompt(text).diagnostics)).toEqual([['warning', 'count-mismatch', lineOf(lines, '<count>')]]);
    }
    const missing = [block(1, '1girl'), '<general_tags>', '<style>anime_style</style>', '</general_tags>'].join('\n');
    expect(brief(checkPrompt(missing).diagnostics)).toEqual([['info', 'missing-count', lineOf(missing.split('\n'), '<general_tags>')]]);
  });

  it('raw <, > and & in values are warnings, never errors', () => {
    const lines = ['<character_1>', '<gender>1girl</gender>', '<expression>>_<, smile</expression>', '<n>tiger_&_bunny</n>', '</character_1>', '<general_tags><count>1girl, solo</count></general_tags>'];
    const { diagnostics } = checkPrompt(lines.join('\r\n'));
    expect(brief(diagnostics)).toEqual([
      ['warning', 'raw-markup-char', lineOf(lines, '>_<')],
      ['warning', 'raw-markup-char', lineOf(lines, 'tiger_&_bunny')],
    ]);
    expect(diagnostics[0].column).toBe('<expression>'.length + 1);
    expect(diagnostics[0].endColumn).toBe('<expression>>_<'.length + 1);
  });

  it('spaced tags with an index: warning plus fix when the underscored tag exists, alias info, unknown info', () => {
    const lines = ['<character_1>', '<n>hatsune miku</n>', '<gender>1girls</gender>', '<appearance>blue hair, long_hair, glowing hair</appearance>', '</character_1>'];
    const text = lines.join('\n');
    const { diagnostics } = checkPrompt(text, { tagIndex: SMALL });
    const got = diagnostics.filter((d) => d.code !== 'missing-count');
    expect(got.map((d) => [d.severity, d.code, d.line, text.slice(d.range.start, d.range.end)])).toEqual([
      ['warning', 'tag-spaces', 2, 'hatsune miku'],
      ['info', 'danbooru-alias', 3, '1girls'],
      ['warning', 'tag-spaces', 4, 'blue hair'],
      ['info', 'unknown-danbooru-tag', 4, 'glowing hair'],
    ]);
    expect(apply(text, got[2])).toContain('<appearance>blue_hair, long_hair');
    expect(apply(text, got[1])).toContain('<gender>1girl</gender>');
  });

  it('spaced tags without an index are found by shape', () => {
    const { mode, diagnostics } = checkPrompt('1girl, blue hair, looking at viewer, smile');
    expect(mode).toBe('tags');
    expect(diagnostics.map((d) => [d.code, d.fix?.edits[0].newText])).toEqual([
      ['tag-spaces', 'blue_hair'],
      ['tag-spaces', 'looking_at_viewer'],
    ]);
  });

  it('leaves prose alone', () => {
    expect(checkPrompt('A girl with blue hair reading a book under a tree.').diagnostics).toEqual([]);
  });
});

describe.runIf(haveShared())('with the full danbooru list', () => {
  it('blue hair → blue_hair, and infos only for tags the list lacks', async () => {
    const index = await fullIndex();
    const text = '1girl, blue hair, zzz_not_a_tag_zzz, >_<';
    const { diagnostics } = checkPrompt(text, { tagIndex: index });
    expect(diagnostics.map((d) => [d.severity, d.code, text.slice(d.range.start, d.range.end)])).toEqual([
      ['warning', 'tag-spaces', 'blue hair'],
      ['info', 'unknown-danbooru-tag', 'zzz_not_a_tag_zzz'],
    ]);
  });
});

describe('diagnostic shape', () => {
  it('line/column/endLine/endColumn agree with the range (UTF-16, BOM not counted, CRLF one break)', () => {
    const text = '\uFEFF<character_1>\r\n<n>😀 x</n>\r\n<pose>a</pose>\r\n</character_1>\r\nloose 😀 text';
    const { diagnostics } = checkPrompt(text);
    expect(diagnostics.length).toBeGreaterThanOrEqual(2);
    for (const d of diagnostics) {
      expect(d.severity).toBe(DIAGNOSTIC_CODES[d.code]);
      expect({ line: d.line, column: d.column }).toEqual(naivePosition(text, d.range.start));
      expect({ line: d.endLine, column: d.endColumn }).toEqual(naivePosition(text, d.range.end));
    }
    const loose = diagnostics.find((d) => d.code === 'text-outside-tags')!;
    expect([loose.line, loose.column, loose.endColumn]).toEqual([5, 1, 'loose 😀 text'.length + 1]);
  });
});
