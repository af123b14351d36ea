/**
 * Text helpers: BOM handling, what the encoders receive, and offset → line/column mapping (conventions.md §5).
 */
import type { SourceRange } from './types';

export const BOM = '\uFEFF';

/** Length of a leading byte-order mark (0 or 1 UTF-16 code units). */
export function bomLength(text: string): number {
  return text.charCodeAt(0) === 0xfeff ? 1 : 0;
}

/**
 * The prompt exactly as the text encoders (Gemma3 and Jina CLIP v2) receive it: the leading BOM removed and
 * nothing else (no entity decoding, no re-formatting; conventions.md §5).
 */
export function encoderText(text: string): string {
  return text.slice(bomLength(text));
}

/** 1-based line and UTF-16 column. */
export interface LineColumn {
  line: number;
  column: number;
}

/**
 * Maps offsets of one text to 1-based lines and columns: CRLF, LF and lone CR are one break each (as Monaco
 * counts them) and a leading BOM takes no column.
 */
export class LineIndex {
  private readonly starts: number[];
  private readonly bom: number;

  constructor(readonly text: string) {
    this.bom = bomLength(text);
    const starts = [this.bom];
    for (let i = this.bom; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x0d) {
        if (text.charCodeAt(i + 1) === 0x0a) i++;
        starts.push(i + 1);
      } else if (c === 0x0a) {
        starts.push(i + 1);
      }
    }
    this.starts = starts;
  }

  /** Offset (clamped to [0, text.length]) → line/column; an offset inside the BOM or a CRLF pair snaps forward/back. */
  position(offset: number): LineColumn {
    const o = Math.min(Math.max(offset, this.bom), this.text.length);
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: o - this.starts[lo] + 1 };
  }

  /** Offset of a 1-based line/column (clamped to the text). */
  offset(line: number, column: number): number {
    const l = Math.min(Math.max(line, 1), this.starts.length);
    return Math.min(this.starts[l - 1] + Math.max(column, 1) - 1, this.text.length);
  }

  get lineCount(): number {
    return this.starts.length;
  }
}

/** Clamps a range into `[0, length]` with start ≤ end. */
export function clampRange(range: SourceRange, length: number): SourceRange {
  const start = Math.min(Math.max(range.start, 0), length);
  const end = Math.min(Math.max(range.end, start), length);
  return { start, end };
}

/** The string without leading and trailing XML whitespace (space, tab, CR, LF); unlike trim(), a BOM stays. */
export function trimXml(s: string): string {
  return s.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
}

/** True for a string of only XML whitespace (space, tab, CR, LF). */
export function isBlank(s: string): boolean {
  return /^[ \t\r\n]*$/.test(s);
}

/** The dominant line break of a text (CRLF when at least half of the breaks are CRLF), LF for none. */
export function lineBreakOf(text: string): '\n' | '\r\n' {
  const crlf = text.split('\r\n').length - 1;
  const lf = text.split('\n').length - 1;
  return crlf > 0 && crlf * 2 >= lf ? '\r\n' : '\n';
}
