import { describe, expect, it } from 'vitest';
import {
  elementsOf,
  encoderText,
  parsePrompt,
  sliceOf,
  walkElements,
  type PromptElement,
} from '../../../../src/shared/prompt';
import { haveShared, naivePosition, samplePrompts } from './fixtures';

const names = (els: PromptElement[]) => els.map((e) => e.name);
const value = (text: string, el: PromptElement) => sliceOf(text, el.content);

describe.runIf(haveShared())('sample prompts of ../shared/prompts', () => {
  it.each(samplePrompts())('$name parses without syntax errors and with ranges that point at the source', ({ text }) => {
    const p = parsePrompt(text);
    expect(p.diagnostics).toEqual([]);
    for (const el of walkElements(p.nodes)) {
      expect(text.slice(el.openTag.start, el.openTag.end)).toBe(`<${el.name}>`);
      expect(text.slice(el.closeTag!.start, el.closeTag!.end)).toBe(`</${el.name}>`);
      expect(el.closed).toBe(true);
    }
  });

  it('reads the official two-character layout into blocks and fields', () => {
    const { text } = samplePrompts().find((s) => s.name === 'two-characters.xml')!;
    const p = parsePrompt(text);
    const top = elementsOf(p.nodes);
    expect(names(top)).toEqual(['character_1', 'character_2', 'general_tags']);
    expect(names(elementsOf(top[0].children))).toEqual(['n', 'gender', 'appearance', 'clothing', 'expression', 'action', 'position']);
    const n = elementsOf(top[0].children)[0];
    // Independent: the value sits between "<n>" and "</n>" on the second line of the file.
    const line2 = text.split('\n')[1];
    expect(value(text, n)).toBe(line2.slice(line2.indexOf('<n>') + 3, line2.indexOf('</n>')));
  });

  it('reads the builder layout: a style line before an <image> root with a caption', () => {
    const { text } = samplePrompts().find((s) => s.name === 'builder-style.xml')!;
    const p = parsePrompt(text);
    const top = elementsOf(p.nodes);
    expect(names(top)).toEqual(['style', 'image']);
    expect(names(elementsOf(top[1].children))).toEqual(['caption', 'character_1', 'character_2', 'general_tags']);
  });

  it('keeps danbooru names with parentheses and colons as written', () => {
    const { text } = samplePrompts().find((s) => s.name === 'seed-article-style.xml')!;
    const ns = [...walkElements(parsePrompt(text).nodes)].filter((e) => e.name === 'n').map((e) => value(text, e));
    expect(ns).toEqual(['rem_(re:zero)', 'ram_(re:zero)']);
  });

  it('treats tags and prose as one text node (no XML parse)', () => {
    for (const name of ['tags-only.txt', 'natural-language.txt']) {
      const { text } = samplePrompts().find((s) => s.name === name)!;
      const p = parsePrompt(text);
      expect(p.mode).not.toBe('xml');
      expect(p.nodes).toEqual([{ kind: 'text', range: { start: 0, end: text.length } }]);
    }
  });
});

describe('tolerant parsing', () => {
  it('accepts a BOM and CRLF, counting columns without the BOM and CRLF as one break', () => {
    const lf = '<character_1>\n  <n>x</n>\n</character_1>\n';
    const text = '\uFEFF' + lf.replace(/\n/g, '\r\n');
    const p = parsePrompt(text);
    expect(p.diagnostics).toEqual([]);
    expect(p.bom).toBe(1);
    const n = [...walkElements(p.nodes)].find((e) => e.name === 'n')!;
    expect(p.lines.position(n.openTag.start)).toEqual(naivePosition(text, n.openTag.start));
    expect(p.lines.position(n.openTag.start)).toEqual({ line: 2, column: 3 });
    expect(p.lines.position(p.nodes[0].range.start)).toEqual({ line: 1, column: 1 });
    expect(encoderText(text)).toBe(text.slice(1));
  });

  it('parses without indentation, with entities kept raw', () => {
    const text = '<character_1><n>a &amp; b</n><appearance>x&#33;</appearance></character_1>';
    const p = parsePrompt(text);
    expect(p.diagnostics).toEqual([]);
    const vals = [...walkElements(p.nodes)].filter((e) => e.name !== 'character_1').map((e) => value(text, e));
    expect(vals).toEqual(['a &amp; b', 'x&#33;']);
  });

  it('accepts raw <, > and & inside values and lists them as raw characters', () => {
    const text = '<character_1><expression>>_<, <o>_<o></expression><n>tiger_&_bunny</n></character_1>';
    const p = parsePrompt(text);
    expect(p.diagnostics).toEqual([]);
    const vals = [...walkElements(p.nodes)].filter((e) => e.name !== 'character_1').map((e) => value(text, e));
    expect(vals).toEqual(['>_<, <o>_<o>', 'tiger_&_bunny']);
    // Independent: every <, > or & that is not inside one of the six real tags.
    const markup = new Set<number>();
    for (const tag of ['<character_1>', '</character_1>', '<expression>', '</expression>', '<n>', '</n>']) {
      for (let i = text.indexOf(tag); i >= 0; i = text.indexOf(tag, i + 1)) for (let k = 0; k < tag.length; k++) markup.add(i + k);
    }
    const expected = [...text.matchAll(/[<>&]/g)].map((m) => m.index).filter((i) => !markup.has(i));
    expect(expected.length).toBe(7);
    expect(p.rawChars).toEqual(expected);
  });

  it('keeps comments, declarations and unterminated markup in the tree instead of dropping them', () => {
    const text = '<?xml version="1.0"?>\n<!-- note -->\n<n>x</n>\n<!-- open';
    const p = parsePrompt(text);
    const kinds = p.nodes.filter((n) => n.kind !== 'text' || sliceOf(text, n.range).trim()).map((n) => [n.kind, sliceOf(text, n.range).trim()]);
    expect(kinds).toEqual([
      ['comment', '<?xml version="1.0"?>'],
      ['comment', '<!-- note -->'],
      ['element', '<n>x</n>'],
      ['text', '<!-- open'],
    ]);
  });
});

describe('recovery: one error on the element at fault, no cascade', () => {
  const lines = ['<character_1>', '<n>x</n>', '<appearance>blue_hair', '<clothing>dress</clothing>', '</character_1>', '<general_tags>', '<count>1girl</count>', '</general_tags>'];
  it('an unclosed field ends where the next field starts', () => {
    const text = lines.join('\n');
    const p = parsePrompt(text);
    expect(p.diagnostics.map((d) => [d.code, d.line])).toEqual([['unclosed-tag', 3]]);
    const char = elementsOf(p.nodes)[0];
    expect(names(elementsOf(char.children))).toEqual(['n', 'appearance', 'clothing']);
    expect(value(text, elementsOf(char.children)[1])).toBe('blue_hair');
    expect(names(elementsOf(p.nodes))).toEqual(['character_1', 'general_tags']);
    const fix = p.diagnostics[0].fix!.edits[0];
    const fixed = text.slice(0, fix.range.start) + fix.newText + text.slice(fix.range.end);
    expect(parsePrompt(fixed).diagnostics).toEqual([]);
  });

  it('an unclosed block ends where the next block starts', () => {
    const text = ['<character_1>', '<n>x</n>', '<character_2>', '<n>y</n>', '</character_2>'].join('\n');
    const p = parsePrompt(text);
    expect(p.diagnostics.map((d) => [d.code, d.line, d.column])).toEqual([['unclosed-tag', 1, 1]]);
    expect(names(elementsOf(p.nodes))).toEqual(['character_1', 'character_2']);
  });

  it('a misspelt close tag is a mismatch on its own line', () => {
    const text = ['<character_1>', '<clothing>dress</clothes>', '</character_1>'].join('\n');
    const p = parsePrompt(text);
    expect(p.diagnostics.map((d) => [d.code, d.line, d.column])).toEqual([['mismatched-tag', 2, '<clothing>dress'.length + 1]]);
    expect(p.diagnostics[0].fix!.edits).toEqual([{ range: { start: text.indexOf('clothes'), end: text.indexOf('clothes') + 7 }, newText: 'clothing' }]);
  });

  it('a close tag with no open tag is stray', () => {
    const text = ['<character_1>', ' blue</appearance>', '</character_1>'].join('\n');
    expect(parsePrompt(text).diagnostics.map((d) => [d.code, d.line])).toEqual([['stray-closing-tag', 2]]);
  });

  it('a missing > and an unclosed root at the end of the text', () => {
    const text = ['<image>', '<character_1>', '<n>x</n', '</character_1>'].join('\n');
    const got = parsePrompt(text).diagnostics.map((d) => [d.code, d.line]);
    expect(got).toEqual([
      ['unclosed-tag', 1],
      ['malformed-tag', 3],
    ]);
  });

  it('reports characters the lexer cannot place inside a tag', () => {
    const text = '<n>x</n>\n<gender!>1girl</gender>';
    expect(parsePrompt(text).diagnostics.map((d) => [d.code, d.line, d.column])).toEqual([['malformed-tag', 2, 8]]);
  });
});
