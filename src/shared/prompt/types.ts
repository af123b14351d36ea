/**
 * Plain data types of the NewBie prompt language (structured-clone safe, shared by main and renderer).
 *
 * Offsets are UTF-16 code unit indices into the string the caller passed in (a leading BOM included), so
 * `text.slice(range.start, range.end)` is the node's source. Lines and columns are 1-based, columns in UTF-16
 * code units with the BOM not counted, and CRLF, LF or a lone CR each count as one line break (what Monaco
 * shows; conventions.md §5).
 */

/** Half-open offset range `[start, end)` into the input text. */
export interface SourceRange {
  start: number;
  end: number;
}

/** XML (structured, own system prompt), danbooru tags, or natural language (conventions.md §5). */
export type PromptMode = 'xml' | 'tags' | 'natural';

export type Severity = 'error' | 'warning' | 'info';

/** One replacement; applying several edits of one fix must go from the last range to the first. */
export interface TextEdit {
  range: SourceRange;
  newText: string;
}

/** A quick fix offered with a diagnostic ("Replace with `blue_hair`"). */
export interface QuickFix {
  title: string;
  edits: TextEdit[];
}

/**
 * A problem found in a prompt. `line`/`column` mark the start, `endLine`/`endColumn` the position just after
 * the end (Monaco's exclusive end column).
 */
export interface Diagnostic {
  severity: Severity;
  /** Stable machine code, e.g. `unclosed-tag`; the list is DIAGNOSTIC_CODES. */
  code: DiagnosticCode;
  message: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  range: SourceRange;
  fix?: QuickFix;
}

/** Every diagnostic code with its severity (errors make the prompt ambiguous; warnings and infos do not). */
export const DIAGNOSTIC_CODES = {
  'empty-prompt': 'error',
  'unclosed-tag': 'error',
  'mismatched-tag': 'error',
  'stray-closing-tag': 'error',
  'malformed-tag': 'error',
  'duplicate-character': 'error',
  'text-outside-tags': 'error',
  'loose-text': 'warning',
  'unknown-tag': 'warning',
  'name-instead-of-n': 'warning',
  'misplaced-tag': 'warning',
  'tag-spaces': 'warning',
  'count-mismatch': 'warning',
  'character-gap': 'warning',
  'raw-markup-char': 'warning',
  'missing-count': 'info',
  'unknown-danbooru-tag': 'info',
  'danbooru-alias': 'info',
} as const satisfies Record<string, Severity>;

export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;

/** Result of checkPrompt: the detected mode and every diagnostic, sorted by position. */
export interface PromptCheck {
  mode: PromptMode;
  diagnostics: Diagnostic[];
}
