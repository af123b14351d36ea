/**
 * Error-tolerant prompt parser. Never throws; every range lies inside the text.
 *
 * Lexing is done by @xml-tools/parser (chevrotain; positions for every token, recovery inside broken tags). The
 * prompt is wrapped in a synthetic root, because official prompts have several top-level elements, and offsets
 * are mapped back (conventions.md §5). The element tree is then built from its tokens with a tag stack that
 * knows the vocabulary: a field (`<appearance>`) cannot hold a tag, blocks (`<character_N>`, `<general_tags>`)
 * do not nest, so a missing close tag is reported once, on the element that misses it, instead of cascading.
 */
import { parse as lexAndParseXml } from '@xml-tools/parser';
import { LineIndex, bomLength } from './text';
import { detectMode, sanitizeMarkup } from './scan';
import { makeDiagnostic, type ParsedPrompt, type PromptElement, type PromptNode } from './tree';
import { tagLevel, type TagLevel } from './vocabulary';
import { editDistance } from './suggest';
import type { Diagnostic, DiagnosticCode, QuickFix, SourceRange } from './types';

type Token = ReturnType<typeof lexAndParseXml>['tokenVector'][number];

const PREFIX = '<__newbie_prompt__>';
const SUFFIX = '</__newbie_prompt__>';
const RANK: Record<TagLevel, number> = { root: 0, block: 1, field: 2 };
const TEXT_TOKENS = new Set(['TEXT', 'SEA_WS', 'EntityRef', 'CharRef', 'CData']);
const INSIDE_TOKENS = new Set(['Name', 'EQUALS', 'STRING', 'SLASH']);

interface Frame {
  el: PromptElement;
  level: TagLevel | null;
}

const typeOf = (t: Token | undefined): string | undefined => t?.tokenType.name;

/** Builds the element tree from the lexer's tokens (offsets already in the caller's text). */
class TreeBuilder {
  readonly diagnostics: Diagnostic[] = [];
  private readonly root: PromptElement;
  private readonly stack: Frame[];

  constructor(
    private readonly text: string,
    private readonly lines: LineIndex,
    private readonly shift: number,
  ) {
    const r = { start: 0, end: 0 };
    this.root = {
      kind: 'element', name: '', range: r, openTag: r, nameRange: r, attributes: null, content: r,
      selfClosing: false, closed: true, children: [],
    };
    this.stack = [{ el: this.root, level: null }];
  }

  private off(tokenOffset: number): number {
    return tokenOffset + this.shift;
  }

  private end(t: Token): number {
    return Math.min(t.startOffset + t.image.length + this.shift, this.text.length);
  }

  private report(code: DiagnosticCode, message: string, range: SourceRange, fix?: QuickFix): void {
    this.diagnostics.push(makeDiagnostic(this.lines, code, message, range, fix));
  }

  private get top(): Frame {
    return this.stack[this.stack.length - 1];
  }

  private add(node: PromptNode): void {
    const kids = this.top.el.children;
    const prev = kids[kids.length - 1];
    if (node.kind === 'text' && prev?.kind === 'text' && prev.range.end === node.range.start) {
      prev.range.end = node.range.end;
    } else {
      kids.push(node);
    }
  }

  build(tokens: Token[], bodyEnd: number): PromptNode[] {
    let k = 0;
    while (k < tokens.length) {
      const t = tokens[k];
      const type = typeOf(t);
      if (type === 'OPEN' || type === 'INVALID_OPEN_INSIDE') k = this.openTag(tokens, k);
      else if (type === 'SLASH_OPEN' || type === 'INVALID_SLASH_OPEN') k = this.closeTag(tokens, k);
      else if (type !== undefined && TEXT_TOKENS.has(type)) {
        this.add({ kind: 'text', range: { start: this.off(t.startOffset), end: this.end(t) } });
        k++;
      } else if (type === 'DocType' || type === 'XMLDeclOpen') {
        // Declarations are kept as opaque nodes (like comments) up to their closing bracket.
        let j = k + 1;
        while (j < tokens.length && !['CLOSE', 'SPECIAL_CLOSE', 'SLASH_CLOSE'].includes(typeOf(tokens[j]) ?? '')) j++;
        const last = tokens[Math.min(j, tokens.length - 1)];
        this.add({ kind: 'comment', range: { start: this.off(t.startOffset), end: this.end(last) } });
        k = j + 1;
      } else {
        // Comments and processing instructions; INSIDE tokens cannot reach here (tags consume them).
        this.add({ kind: 'comment', range: { start: this.off(t.startOffset), end: this.end(t) } });
        k++;
      }
    }
    while (this.stack.length > 1) this.implicitClose(bodyEnd);
    return this.root.children;
  }

  private openTag(tokens: Token[], k: number): number {
    const lt = tokens[k];
    const start = this.off(lt.startOffset);
    const nameTok = tokens[k + 1];
    if (typeOf(nameTok) !== 'Name' || nameTok.startOffset !== lt.startOffset + lt.image.length) {
      this.report('malformed-tag', '`<` is not followed by a tag name: remove it or write `&lt;`.', { start, end: start + 1 });
      this.add({ kind: 'text', range: { start, end: start + 1 } });
      return k + 1;
    }
    const name = nameTok.image;
    let j = k + 2;
    let expect: 'key' | 'eq' | 'value' = 'key';
    let attrsOk = true;
    while (j < tokens.length && INSIDE_TOKENS.has(typeOf(tokens[j]) ?? '')) {
      const ty = typeOf(tokens[j]);
      if (expect === 'key' && ty === 'Name') expect = 'eq';
      else if (expect === 'eq' && ty === 'EQUALS') expect = 'value';
      else if (expect === 'value' && ty === 'STRING') expect = 'key';
      else attrsOk = false;
      j++;
    }
    const closer = typeOf(tokens[j]);
    const terminated = closer === 'CLOSE' || closer === 'SLASH_CLOSE';
    const end = terminated ? this.end(tokens[j]) : this.end(tokens[j - 1]);
    const openTag = { start, end };
    const nameRange = { start: this.off(nameTok.startOffset), end: this.end(nameTok) };
    const attributes = this.trimmed(nameRange.end, terminated ? this.off(tokens[j].startOffset) : end);
    if (!attrsOk || expect !== 'key') {
      this.report('malformed-tag', `The attributes of \`<${name}>\` are malformed (write \`<${name}>\`; the prompt language uses no attributes).`, openTag);
    }
    if (!terminated) {
      this.report('malformed-tag', `\`<${name}\` is missing its closing \`>\`.`, openTag, {
        title: 'Add `>`',
        edits: [{ range: { start: end, end }, newText: '>' }],
      });
    }
    const selfClosing = closer === 'SLASH_CLOSE';
    const el: PromptElement = {
      kind: 'element', name, range: { ...openTag }, openTag, nameRange,
      attributes: attributes.end > attributes.start ? attributes : null,
      content: { start: end, end }, selfClosing, closed: true, children: [],
    };
    const level = tagLevel(name);
    if (level !== null) {
      // Fields hold no tags and blocks do not nest: an open field/block ends where the next one starts.
      while (this.stack.length > 1 && this.top.level !== null && RANK[this.top.level] >= RANK[level]) {
        this.implicitClose(start);
      }
    }
    this.add(el);
    if (!selfClosing) this.stack.push({ el, level });
    return terminated ? j + 1 : j;
  }

  private closeTag(tokens: Token[], k: number): number {
    const lt = tokens[k];
    const start = this.off(lt.startOffset);
    const nameTok = typeOf(tokens[k + 1]) === 'Name' ? tokens[k + 1] : undefined;
    let j = nameTok ? k + 2 : k + 1;
    let extra = false;
    while (j < tokens.length && INSIDE_TOKENS.has(typeOf(tokens[j]) ?? '')) {
      extra = true;
      j++;
    }
    const terminated = typeOf(tokens[j]) === 'CLOSE';
    const end = terminated || typeOf(tokens[j]) === 'SLASH_CLOSE' ? this.end(tokens[j]) : this.end(tokens[j - 1]);
    const closeRange = { start, end };
    const next = terminated || typeOf(tokens[j]) === 'SLASH_CLOSE' ? j + 1 : j;
    if (!nameTok) {
      this.report('malformed-tag', '`</` is not followed by a tag name.', closeRange);
      return next;
    }
    const name = nameTok.image;
    if (extra || typeOf(tokens[j]) === 'SLASH_CLOSE') {
      this.report('malformed-tag', `Write the closing tag as \`</${name}>\`, with nothing after the name.`, closeRange);
    } else if (!terminated) {
      this.report('malformed-tag', `\`</${name}\` is missing its closing \`>\`.`, closeRange, {
        title: 'Add `>`',
        edits: [{ range: { start: end, end }, newText: '>' }],
      });
    }
    this.matchClose(name, closeRange, { start: this.off(nameTok.startOffset), end: this.end(nameTok) });
    return next;
  }

  /** Pairs `</name>` with an open element, closing elements left open above it. */
  private matchClose(name: string, closeRange: SourceRange, nameRange: SourceRange): void {
    for (;;) {
      if (this.stack.length === 1) return this.stray(name, closeRange);
      const top = this.top;
      if (top.el.name === name) return this.close(closeRange, nameRange);
      const idx = this.stack.findLastIndex((f, i) => i > 0 && f.el.name === name);
      if (idx > 0) {
        while (this.stack.length - 1 > idx) this.implicitClose(closeRange.start);
        return this.close(closeRange, nameRange);
      }
      const lx = tagLevel(name);
      const lt = top.level;
      if (lx !== null && lt !== null) {
        if (RANK[lx] > RANK[lt]) return this.stray(name, closeRange);
        if (RANK[lx] < RANK[lt]) {
          this.implicitClose(closeRange.start);
          continue;
        }
        return this.mismatch(name, closeRange, nameRange);
      }
      if (lt === null || lt === 'field' || editDistance(name.toLowerCase(), top.el.name.toLowerCase()) <= 2) {
        return this.mismatch(name, closeRange, nameRange);
      }
      return this.stray(name, closeRange);
    }
  }

  private close(closeRange: SourceRange, nameRange: SourceRange): void {
    const { el } = this.stack.pop() as Frame;
    el.closeTag = closeRange;
    el.closeNameRange = nameRange;
    el.content = { start: el.content.start, end: closeRange.start };
    el.range = { start: el.range.start, end: closeRange.end };
  }

  private mismatch(name: string, closeRange: SourceRange, nameRange: SourceRange): void {
    const open = this.top.el;
    const line = this.lines.position(open.openTag.start).line;
    this.report(
      'mismatched-tag',
      `\`</${name}>\` does not match \`<${open.name}>\` (line ${line}): write \`</${open.name}>\`.`,
      closeRange,
      { title: `Change to \`</${open.name}>\``, edits: [{ range: nameRange, newText: open.name }] },
    );
    this.close(closeRange, nameRange);
  }

  private stray(name: string, closeRange: SourceRange): void {
    this.report('stray-closing-tag', `\`</${name}>\` closes nothing: there is no open \`<${name}>\` here.`, closeRange, {
      title: `Remove \`</${name}>\``,
      edits: [{ range: closeRange, newText: '' }],
    });
  }

  /** Closes the top element where the next tag (or the text) begins, reporting it as unclosed. */
  private implicitClose(at: number): void {
    const { el } = this.stack.pop() as Frame;
    const contentEnd = Math.max(el.content.start, this.trimmed(el.content.start, at).end);
    el.closed = false;
    el.content = { start: el.content.start, end: contentEnd };
    el.range = { start: el.range.start, end: contentEnd };
    const last = el.children[el.children.length - 1];
    if (last?.kind === 'text') {
      last.range.end = Math.min(last.range.end, contentEnd);
      if (last.range.end <= last.range.start) el.children.pop();
    }
    this.report('unclosed-tag', `\`<${el.name}>\` is never closed: add \`</${el.name}>\`.`, el.openTag, {
      title: `Add \`</${el.name}>\``,
      edits: [{ range: { start: contentEnd, end: contentEnd }, newText: `</${el.name}>` }],
    });
  }

  /** [start, end) without trailing XML whitespace. */
  private trimmed(start: number, end: number): SourceRange {
    let e = end;
    while (e > start && /[ \t\r\n]/.test(this.text[e - 1])) e--;
    let s = start;
    while (s < e && /[ \t\r\n]/.test(this.text[s])) s++;
    return { start: s, end: e };
  }

  reportLexErrors(errors: { offset: number; length: number }[], bodyStart: number, bodyEnd: number): void {
    for (const e of errors) {
      const start = this.off(e.offset);
      if (start < bodyStart || start >= bodyEnd) continue;
      const end = Math.min(start + Math.max(1, e.length), bodyEnd);
      this.report('malformed-tag', `Unexpected \`${this.text.slice(start, end)}\` inside a tag.`, { start, end });
    }
  }
}

/** `>` characters in text nodes (legal XML, but still raw markup characters in a value). */
function rawGreaterThan(text: string, nodes: readonly PromptNode[], out: number[]): void {
  for (const n of nodes) {
    if (n.kind === 'element') rawGreaterThan(text, n.children, out);
    else if (n.kind === 'text') {
      for (let i = text.indexOf('>', n.range.start); i >= 0 && i < n.range.end; i = text.indexOf('>', i + 1)) out.push(i);
    }
  }
}

/** The last parse: the editor, checker, formatter and composer usually ask for the same text in a row. */
let last: ParsedPrompt | undefined;

/**
 * Parses a prompt into a tree with source ranges. Never throws; in tags/natural mode the tree is one text node.
 * The result of the previous call is reused for the same text, so treat it as read-only.
 * @param text the prompt as stored (a BOM, CRLF, entities and raw `<`/`>`/`&` in values are all accepted)
 * @returns the tree, the mode, syntax diagnostics (unclosed/mismatched/stray/malformed tags) and raw characters
 */
export function parsePrompt(text: string): ParsedPrompt {
  if (last?.text !== text) last = parseUncached(text);
  return last;
}

function parseUncached(text: string): ParsedPrompt {
  const lines = new LineIndex(text);
  const bom = bomLength(text);
  const mode = detectMode(text);
  if (mode !== 'xml') {
    const nodes: PromptNode[] = text.length > bom ? [{ kind: 'text', range: { start: bom, end: text.length } }] : [];
    return { text, bom, mode, nodes, diagnostics: [], rawChars: [], lines };
  }
  const body = text.slice(bom);
  const { sanitized, raw } = sanitizeMarkup(body);
  const { tokenVector, lexErrors } = lexAndParseXml(PREFIX + sanitized + SUFFIX);
  const bodyStart = PREFIX.length;
  const bodyEnd = PREFIX.length + body.length;
  const tokens = tokenVector.filter((t) => t.startOffset >= bodyStart && t.startOffset < bodyEnd);
  const builder = new TreeBuilder(text, lines, bom - PREFIX.length);
  const nodes = builder.build(tokens, text.length);
  builder.reportLexErrors(lexErrors, bom, text.length);
  const rawChars = raw.map((o) => o + bom);
  rawGreaterThan(text, nodes, rawChars);
  rawChars.sort((a, b) => a - b);
  const diagnostics = builder.diagnostics.sort((a, b) => a.range.start - b.range.start);
  return { text, bom, mode, nodes, diagnostics, rawChars, lines };
}
