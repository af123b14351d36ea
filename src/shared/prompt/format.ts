/**
 * Formatter to the canonical layout of the official README (newbie-model.md §3): one element per line,
 * two-space indent, a blank line between top-level elements and around blocks. Values are kept as written
 * (trimmed; line breaks inside a value become one space); comments and loose text keep their own line.
 */
import { parsePrompt } from './parse';
import { BOM, isBlank, lineBreakOf, trimXml } from './text';
import { sliceOf, type PromptElement, type PromptNode } from './tree';

const INDENT = '  ';

const isContainer = (n: PromptNode): boolean => n.kind === 'element' && n.children.some((c) => c.kind === 'element');

/** A value on one line: trimmed, and each line break with the spaces around it turned into one space. */
function oneLine(s: string): string {
  return trimXml(s).replace(/[ \t]*(?:\r\n|\r|\n)[ \t\r\n]*/g, ' ');
}

class Printer {
  readonly lines: string[] = [];
  constructor(private readonly text: string) {}

  private src(n: { range: { start: number; end: number } }): string {
    return sliceOf(this.text, n.range);
  }

  nodes(nodes: readonly PromptNode[], depth: number, topLevel: boolean): void {
    let prev: PromptNode | null = null;
    for (const n of nodes) {
      if (n.kind === 'text' && isBlank(this.src(n))) continue;
      if (prev && (topLevel || isContainer(prev) || isContainer(n))) this.lines.push('');
      this.node(n, depth);
      prev = n;
    }
  }

  private node(n: PromptNode, depth: number): void {
    const pad = INDENT.repeat(depth);
    if (n.kind === 'comment') {
      this.lines.push(pad + this.src(n));
    } else if (n.kind === 'text') {
      for (const line of trimXml(this.src(n)).split(/\r\n|\r|\n/)) {
        if (!isBlank(line)) this.lines.push(pad + trimXml(line));
      }
    } else {
      this.element(n, depth, pad);
    }
  }

  private element(el: PromptElement, depth: number, pad: string): void {
    const attrs = el.attributes ? ' ' + oneLine(sliceOf(this.text, el.attributes)) : '';
    if (isContainer(el)) {
      this.lines.push(`${pad}<${el.name}${attrs}>`);
      this.nodes(el.children, depth + 1, false);
      this.lines.push(`${pad}</${el.name}>`);
    } else {
      this.lines.push(`${pad}<${el.name}${attrs}>${oneLine(sliceOf(this.text, el.content))}</${el.name}>`);
    }
  }
}

/**
 * Formats an XML prompt to the canonical layout. Returns the text unchanged when it is not XML (tags or
 * natural language) or has syntax errors (formatting a broken tree would silently move text). Keeps a BOM and
 * the dominant line break (LF or CRLF); ends with one line break. Idempotent.
 */
export function formatPrompt(text: string): string {
  const parsed = parsePrompt(text);
  if (parsed.mode !== 'xml' || parsed.diagnostics.some((d) => d.severity === 'error')) return text;
  const printer = new Printer(text);
  printer.nodes(parsed.nodes, 0, true);
  const eol = lineBreakOf(text);
  return (parsed.bom ? BOM : '') + printer.lines.join(eol) + eol;
}
