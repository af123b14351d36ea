/**
 * The smallest single replacement that turns one text into another (common prefix and suffix kept), so an edit
 * made outside the editor (composer, restore) leaves the cursor and the undo history of the untouched text alone.
 */

export interface Replacement {
  /** UTF-16 offsets into the old text, half-open. */
  start: number;
  end: number;
  text: string;
}

/** The replacement of old[start, end) by `text` that yields `next`; null when the texts are equal. */
export function minimalReplacement(old: string, next: string): Replacement | null {
  if (old === next) return null;
  let start = 0;
  const max = Math.min(old.length, next.length);
  while (start < max && old.charCodeAt(start) === next.charCodeAt(start)) start++;
  // Do not split a surrogate pair.
  if (start > 0 && isHighSurrogate(old.charCodeAt(start - 1))) start--;
  let oldEnd = old.length;
  let newEnd = next.length;
  while (oldEnd > start && newEnd > start && old.charCodeAt(oldEnd - 1) === next.charCodeAt(newEnd - 1)) {
    oldEnd--;
    newEnd--;
  }
  if (oldEnd < old.length && isLowSurrogate(old.charCodeAt(oldEnd))) {
    oldEnd++;
    newEnd++;
  }
  return { start, end: oldEnd, text: next.slice(start, newEnd) };
}

const isHighSurrogate = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLowSurrogate = (c: number) => c >= 0xdc00 && c <= 0xdfff;
