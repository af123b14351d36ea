/**
 * Seeded fuzz test: thousands of random mutations of the sample prompts. The language functions must never
 * throw, every range must lie inside the text, and line/column must agree with an independent walk.
 */
import { describe, expect, it } from 'vitest';
import {
  DIAGNOSTIC_CODES,
  TagIndex,
  checkPrompt,
  composerToPrompt,
  detectMode,
  formatPrompt,
  parsePrompt,
  promptToComposer,
  type PromptNode,
  type SourceRange,
} from '../../../../src/shared/prompt';
import { haveShared, naivePosition, samplePrompts } from './fixtures';
import { mulberry32 } from '../../../fixtures/prng';

const MUTATIONS = 3000;

const SNIPPETS = [
  '<', '>', '&', '</', '/>', '<!--', '-->', '<![CDATA[', ']]>', '<?xml version="1.0"?>', '<?', '<!DOCTYPE x>', '"', "'", '=',
  '>_<', '<o>_<o>', 'tiger_&_bunny', '&amp;', '&#60;', '&#x3c;', '&bogus', '<3', '\r\n', '\n', '\r', '\t', '\uFEFF', '😀', '\u0301',
  '<character_1>', '</character_1>', '<character_2>', '<character_0>', '<n>', '</n>', '<name>', '</name>', '<gender>1girl</gender>',
  '<gender>1boy</gender>', '<pose>', '</pose>', '<general_tags>', '</general_tags>', '<count>', '</count>', '<image>', '</image>',
  '<caption>', '</caption>', '<style>', '</style>', '<appearance>blue hair, ', ', long hair', 'rem_(re:zero)', '\\(', ',', ' ',
  '<a b="1">', '<a b>', '</a b>', '< x>', '<x/ >', '$character_1$', '(smile:1.2)', '<lora:x:1>',
];

function mutate(text: string, rand: () => number): string {
  const at = () => Math.floor(rand() * (text.length + 1));
  const steps = 1 + Math.floor(rand() * 4);
  for (let s = 0; s < steps; s++) {
    const op = Math.floor(rand() * 7);
    const i = at();
    if (op <= 2) {
      text = text.slice(0, i) + SNIPPETS[Math.floor(rand() * SNIPPETS.length)] + text.slice(i);
    } else if (op === 3) {
      text = text.slice(0, i) + text.slice(Math.min(text.length, i + 1 + Math.floor(rand() * 30)));
    } else if (op === 4) {
      const j = Math.min(text.length, i + Math.floor(rand() * 60));
      text = text.slice(0, j) + text.slice(i, j) + text.slice(j);
    } else if (op === 5) {
      const lines = text.split('\n');
      const a = Math.floor(rand() * lines.length);
      const b = Math.floor(rand() * lines.length);
      [lines[a], lines[b]] = [lines[b], lines[a]];
      text = lines.join('\n');
    } else {
      text = text.slice(0, i);
    }
  }
  return text;
}

function expectInside(r: SourceRange, length: number, what: string): void {
  if (!(r.start >= 0 && r.start <= r.end && r.end <= length)) {
    throw new Error(`${what} range ${r.start}..${r.end} is outside 0..${length}`);
  }
}

/** Every node inside its parent's range, siblings in order without overlap. */
function checkTree(nodes: readonly PromptNode[], outer: SourceRange, length: number): void {
  let prevEnd = outer.start;
  for (const n of nodes) {
    expectInside(n.range, length, n.kind);
    if (n.range.start < prevEnd || n.range.end > outer.end) throw new Error(`${n.kind} ${n.range.start}..${n.range.end} escapes ${outer.start}..${outer.end} (prev end ${prevEnd})`);
    prevEnd = n.range.end;
    if (n.kind === 'element') {
      for (const r of [n.openTag, n.nameRange, n.content, n.closeTag, n.closeNameRange, n.attributes]) if (r) expectInside(r, length, 'element part');
      checkTree(n.children, n.content, length);
    }
  }
}

const MODES = ['xml', 'tags', 'natural'];

/** Cheap deep-equality assertion for the hot loop (JSON form). */
function same(got: unknown, want: unknown, what: string): void {
  const a = JSON.stringify(got);
  const b = JSON.stringify(want);
  if (a !== b) throw new Error(`${what}: got ${a}, want ${b}`);
}

const SMALL = TagIndex.fromCsv('1girl,0,100,1girls\nblue_hair,0,50,\nsolo,0,40,\n>_<,0,30,');

describe.runIf(haveShared())('fuzz (seeded)', () => {
  it(`${MUTATIONS} mutations of the samples: no throw, ranges inside the text, positions exact`, () => {
    const rand = mulberry32(20251129);
    const seeds = samplePrompts().map((s) => s.text);
    let withErrors = 0;
    let formatted = 0;
    for (let k = 0; k < MUTATIONS; k++) {
      const text = mutate(seeds[k % seeds.length], rand);
      try {
        const parsed = parsePrompt(text);
        same(MODES.includes(parsed.mode), true, 'mode');
        same(detectMode(text), parsed.mode, 'detectMode');
        checkTree(parsed.nodes, { start: 0, end: text.length }, text.length);
        const { diagnostics } = checkPrompt(text, k % 2 ? { tagIndex: SMALL } : {});
        for (const d of diagnostics) {
          expectInside(d.range, text.length, d.code);
          same(d.severity, DIAGNOSTIC_CODES[d.code], `${d.code} severity`);
          same({ line: d.line, column: d.column }, naivePosition(text, d.range.start), `${d.code} start`);
          same({ line: d.endLine, column: d.endColumn }, naivePosition(text, d.range.end), `${d.code} end`);
          for (const e of d.fix?.edits ?? []) expectInside(e.range, text.length, `${d.code} fix`);
        }
        const syntaxErrors = parsed.diagnostics.length > 0;
        if (syntaxErrors) withErrors++;
        const once = formatPrompt(text);
        const xml = composerToPrompt(promptToComposer(text));
        if (parsed.mode === 'xml' && !syntaxErrors) {
          formatted++;
          same(formatPrompt(once), once, 'format is idempotent');
          same(parsePrompt(once).diagnostics, [], 'formatted text parses cleanly');
          same(composerToPrompt(promptToComposer(xml)), xml, 'composer round trip is stable');
        }
      } catch (e) {
        throw new Error(`mutation ${k} failed on ${JSON.stringify(text)}: ${(e as Error).message}`, { cause: e });
      }
    }
    // The corpus must exercise both sides.
    expect(withErrors).toBeGreaterThan(MUTATIONS / 20);
    expect(formatted).toBeGreaterThan(MUTATIONS / 20);
  });
});
