/**
 * Syntax tree of a prompt, with source ranges into the caller's text (see types.ts for offset rules).
 */
import { DIAGNOSTIC_CODES, type Diagnostic, type DiagnosticCode, type PromptMode, type QuickFix, type SourceRange } from './types';
import type { LineIndex } from './text';

/** Text between tags (whitespace, values, entities and raw characters, exactly as written). */
export interface PromptText {
  kind: 'text';
  range: SourceRange;
}

/** An XML comment `<!-- … -->`: kept by the formatter, not seen as a value. */
export interface PromptComment {
  kind: 'comment';
  range: SourceRange;
}

export interface PromptElement {
  kind: 'element';
  /** Tag name as written (case kept). */
  name: string;
  /** Whole element: from `<` of the open tag to after the close tag (or the end of the content when unclosed). */
  range: SourceRange;
  /** The open tag `<name …>` (or `<name/>`). */
  openTag: SourceRange;
  /** The name inside the open tag. */
  nameRange: SourceRange;
  /** Raw attribute text inside the open tag (after the name), when there is any. */
  attributes: SourceRange | null;
  /** Between the tags; empty (at openTag.end) for a self-closing element. */
  content: SourceRange;
  /** The close tag `</name>`, absent when self-closing or never closed. */
  closeTag?: SourceRange;
  /** The name inside the close tag. */
  closeNameRange?: SourceRange;
  selfClosing: boolean;
  /** False when the parser had to close it implicitly (an `unclosed-tag` error was reported). */
  closed: boolean;
  children: PromptNode[];
}

export type PromptNode = PromptElement | PromptText | PromptComment;

/** Result of parsePrompt. */
export interface ParsedPrompt {
  /** The text as given (BOM included). */
  text: string;
  /** 1 when the text starts with a BOM, else 0. */
  bom: number;
  mode: PromptMode;
  /** Top-level nodes in order (XML mode); for tags/natural mode one text node spanning the prompt. */
  nodes: PromptNode[];
  /** Syntax diagnostics (XML mode only): unclosed, mismatched, stray or malformed tags. */
  diagnostics: Diagnostic[];
  /** Offsets of `<`, `>` and `&` that are text, not markup (XML mode). */
  rawChars: number[];
  lines: LineIndex;
}

/** Builds a diagnostic with the catalogue severity of its code and line/column from the index. */
export function makeDiagnostic(
  lines: LineIndex,
  code: DiagnosticCode,
  message: string,
  range: SourceRange,
  fix?: QuickFix,
): Diagnostic {
  const s = lines.position(range.start);
  const e = lines.position(range.end);
  const d: Diagnostic = {
    severity: DIAGNOSTIC_CODES[code],
    code,
    message,
    line: s.line,
    column: s.column,
    endLine: e.line,
    endColumn: e.column,
    range: { start: range.start, end: range.end },
  };
  if (fix) d.fix = fix;
  return d;
}

/** The element children of a node list. */
export function elementsOf(nodes: readonly PromptNode[]): PromptElement[] {
  return nodes.filter((n): n is PromptElement => n.kind === 'element');
}

/** Source text of a range. */
export function sliceOf(text: string, range: SourceRange): string {
  return text.slice(range.start, range.end);
}

/** Depth-first walk over every element (parents before children). */
export function* walkElements(nodes: readonly PromptNode[]): Generator<PromptElement> {
  for (const n of nodes) {
    if (n.kind !== 'element') continue;
    yield n;
    yield* walkElements(n.children);
  }
}
