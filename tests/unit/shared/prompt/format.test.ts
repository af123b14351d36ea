import { describe, expect, it } from 'vitest';
import { checkPrompt, formatPrompt, parsePrompt } from '../../../../src/shared/prompt';
import { haveShared, samplePrompts } from './fixtures';

describe.runIf(haveShared())('formatPrompt on the samples', () => {
  it('leaves the official layout as it is', () => {
    for (const name of ['one-character.xml', 'two-characters.xml']) {
      const { text } = samplePrompts().find((s) => s.name === name)!;
      expect(formatPrompt(text)).toBe(text);
    }
  });

  it('restores the official layout from a flattened, CRLF, BOM copy (keeping BOM and CRLF)', () => {
    const { text } = samplePrompts().find((s) => s.name === 'two-characters.xml')!;
    const flat = '\uFEFF' + text.split('\n').map((l) => l.trim()).filter(Boolean).join('\r\n');
    expect(formatPrompt(flat)).toBe('\uFEFF' + text.replace(/\n/g, '\r\n'));
    const oneLine = text.split('\n').map((l) => l.trim()).join('');
    expect(formatPrompt(oneLine)).toBe(text);
  });

  it('is idempotent and keeps every value on every sample', () => {
    for (const { text } of samplePrompts()) {
      const once = formatPrompt(text);
      expect(formatPrompt(once)).toBe(once);
      const values = (t: string) => (t.match(/>[^<>\n]+</g) ?? []).map((v) => v.slice(1, -1).trim());
      expect(values(once)).toEqual(values(text));
      expect(checkPrompt(once).diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    }
  });
});

describe('formatPrompt', () => {
  it('indents by two spaces, one element per line, blank lines between blocks', () => {
    const text = '<style>x</style><image><caption>a\n  b</caption><character_1><n></n><gender>1girl</gender></character_1><general_tags><count>1girl, solo</count></general_tags></image>';
    const want = [
      '<style>x</style>',
      '',
      '<image>',
      '  <caption>a b</caption>',
      '',
      '  <character_1>',
      '    <n></n>',
      '    <gender>1girl</gender>',
      '  </character_1>',
      '',
      '  <general_tags>',
      '    <count>1girl, solo</count>',
      '  </general_tags>',
      '</image>',
      '',
    ].join('\n');
    expect(formatPrompt(text)).toBe(want);
  });

  it('keeps comments, raw characters, entities and unknown tags', () => {
    const text = '<!-- mine --><character_1><pose>>_< &amp; tiger_&_bunny</pose><n/></character_1>';
    expect(formatPrompt(text)).toBe('<!-- mine -->\n\n<character_1>\n  <pose>>_< &amp; tiger_&_bunny</pose>\n  <n></n>\n</character_1>\n');
  });

  it('returns broken XML and non-XML prompts unchanged', () => {
    for (const text of ['<character_1>\n<n>x\n</character_1>', '1girl,  solo', 'A cat.  ']) {
      expect(formatPrompt(text)).toBe(text);
    }
    expect(parsePrompt('<character_1>\n<n>x\n</character_1>').diagnostics.length).toBe(1);
  });
});
