/**
 * Comma-separated values: danbooru tag lists as items with source ranges.
 */
import type { SourceRange } from './types';

/** One item of a tag list: trimmed text and its range in the prompt. */
export interface ValueItem {
  text: string;
  range: SourceRange;
}

/**
 * Splits `text[range]` on commas (and on line breaks when `lines` is set) into trimmed, non-empty items.
 * @returns items in order, each with its range in `text`
 */
export function splitItems(text: string, range: SourceRange, lines = false): ValueItem[] {
  const out: ValueItem[] = [];
  const sep = lines ? /[,\r\n]/g : /,/g;
  const value = text.slice(range.start, range.end);
  let from = 0;
  const push = (to: number) => {
    let s = from;
    let e = to;
    while (s < e && /\s/.test(value[s])) s++;
    while (e > s && /\s/.test(value[e - 1])) e--;
    if (e > s) out.push({ text: value.slice(s, e), range: { start: range.start + s, end: range.start + e } });
  };
  for (const m of value.matchAll(sep)) {
    push(m.index);
    from = m.index + 1;
  }
  push(value.length);
  return out;
}

/** Splits a tag list value into trimmed, non-empty tags (`"a, b,,c"` → `["a", "b", "c"]`). */
export function splitTags(value: string): string[] {
  return splitItems(value, { start: 0, end: value.length }).map((i) => i.text);
}

/** Joins tags the way the official prompts write them: comma and one space. */
export function joinTags(tags: readonly string[]): string {
  return tags
    .map((t) => t.trim())
    .filter((t) => t.length > 0)
    .join(', ');
}
