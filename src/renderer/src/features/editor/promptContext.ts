/**
 * Where the cursor is in a NewBie prompt, for completion and hover: typing a tag name (after `<` or `</`) in the top
 * level, a `<character_N>` block or `<general_tags>`; or typing a value inside a field (`<clothing>…`), with the
 * comma-separated item being typed. Offsets are UTF-16 code units into the text (Monaco's model offsets).
 */
import {
  GENERAL_BLOCK,
  ROOT_TAGS,
  characterIndex,
  parsePrompt,
  tagLevel,
  walkElements,
  type PromptElement,
  type TagContext,
} from '../../../../shared/prompt';

export type CursorContext =
  | {
      kind: 'tag';
      /** Block the new element goes in. */
      context: TagContext;
      /** `</…`: completing a close tag. */
      closing: boolean;
      /** Name typed so far (after `<` / `</`). */
      prefix: string;
      /** Offset where the name starts (just after `<` or `</`). */
      nameStart: number;
      /** Innermost element left open before the cursor (what `</` should close), if any. */
      openElement: string | null;
      /** Highest `N` of the `<character_N>` blocks already in the text (0 when none). */
      lastCharacter: number;
    }
  | {
      kind: 'value';
      /** Field element name (`clothing`, `n`, `count` …). */
      field: string;
      /** Block the field sits in. */
      context: TagContext;
      /** The item typed so far (from the last comma, leading spaces skipped). */
      prefix: string;
      /** Offset where the item starts. */
      itemStart: number;
    }
  | { kind: 'none' };

const TAG_BEFORE = /<(\/?)([A-Za-z_][A-Za-z0-9_.:-]*)?$/;

/**
 * Elements whose content holds `offset` (content.start ≤ offset ≤ content.end), outermost first. An unclosed
 * element also holds the blank text after its content (the parser ends its content at its last child).
 */
function enclosing(text: string, elements: Iterable<PromptElement>, offset: number): PromptElement[] {
  const chain: PromptElement[] = [];
  for (const el of elements) {
    if (el.selfClosing || offset < el.content.start) continue;
    const inside =
      offset <= el.content.end || (!el.closed && text.slice(el.content.end, offset).trim() === '');
    if (inside) chain.push(el);
  }
  return chain.sort((a, b) => a.content.start - b.content.start);
}

function contextOf(chain: readonly PromptElement[]): TagContext {
  for (let i = chain.length - 1; i >= 0; i--) {
    const name = chain[i].name;
    if (characterIndex(name) !== null) return 'character';
    if (name === GENERAL_BLOCK) return 'general';
    if (ROOT_TAGS.includes(name)) return 'top';
  }
  return 'top';
}

function lastCharacterIndex(elements: Iterable<PromptElement>): number {
  let max = 0;
  for (const el of elements) max = Math.max(max, characterIndex(el.name) ?? 0);
  return max;
}

/** The completion/hover context at `offset` in `text`. Never throws. */
export function cursorContext(text: string, offset: number): CursorContext {
  const before = text.slice(0, offset);
  const lineStart = Math.max(before.lastIndexOf('\n'), before.lastIndexOf('\r')) + 1;
  const tag = TAG_BEFORE.exec(before.slice(lineStart));
  if (tag) {
    const tagStart = offset - tag[0].length;
    // Parse without the half-typed tag so it cannot change the tree around it.
    const rest = text.slice(offset).replace(/^[A-Za-z0-9_.:-]*>?/, '');
    const stripped = text.slice(0, tagStart) + rest;
    const parsed = parsePrompt(stripped);
    const chain = enclosing(stripped, walkElements(parsed.nodes), tagStart);
    const open = [...chain].reverse().find((el) => !el.closed) ?? chain[chain.length - 1] ?? null;
    const inner = chain[chain.length - 1];
    // Inside a field a `<` that does not close it is a raw character of a tag such as `>_<` (conventions.md §5).
    const inField = inner !== undefined && tagLevel(inner.name) === 'field';
    if (!inField || tag[1] === '/')
      return {
        kind: 'tag',
        context: contextOf(chain),
        closing: tag[1] === '/',
        prefix: tag[2] ?? '',
        nameStart: offset - (tag[2] ?? '').length,
        openElement: open ? open.name : null,
        lastCharacter: lastCharacterIndex(walkElements(parsed.nodes)),
      };
  }
  const parsed = parsePrompt(text);
  if (parsed.mode !== 'xml') return { kind: 'none' };
  const chain = enclosing(text, walkElements(parsed.nodes), offset);
  const inner = chain[chain.length - 1];
  if (!inner || tagLevel(inner.name) === 'root' || tagLevel(inner.name) === 'block') return { kind: 'none' };
  const valueBefore = text.slice(inner.content.start, offset);
  const comma = valueBefore.lastIndexOf(',');
  let itemStart = inner.content.start + comma + 1;
  while (itemStart < offset && /\s/.test(text[itemStart])) itemStart++;
  return {
    kind: 'value',
    field: inner.name,
    context: contextOf(chain.slice(0, -1)),
    prefix: text.slice(itemStart, offset),
    itemStart,
  };
}

/** The word (tag name or danbooru tag) under `offset`, with its range; tags end at `<`, `>`, `,` or a line break. */
export function wordAt(
  text: string,
  offset: number,
): { word: string; start: number; end: number; inTag: boolean } | null {
  const isTagChar = (c: string) => !/[<>,\r\n/]/.test(c);
  let start = offset;
  while (start > 0 && isTagChar(text[start - 1])) start--;
  let end = offset;
  while (end < text.length && isTagChar(text[end])) end++;
  while (start < end && /\s/.test(text[start])) start++;
  while (end > start && /\s/.test(text[end - 1])) end--;
  if (end <= start || offset < start || offset > end) return null;
  const inTag = text[start - 1] === '<' || (text[start - 1] === '/' && text[start - 2] === '<');
  return { word: text.slice(start, end), start, end, inTag };
}

/** The element whose open or close tag name is under `offset`, with the block it sits in. */
export function elementAt(text: string, offset: number): { name: string; context: TagContext } | null {
  const parsed = parsePrompt(text);
  const all = [...walkElements(parsed.nodes)];
  const hit = all.find(
    (el) =>
      (el.nameRange.start <= offset && offset <= el.nameRange.end) ||
      (el.closeNameRange !== undefined &&
        el.closeNameRange.start <= offset &&
        offset <= el.closeNameRange.end),
  );
  if (!hit) return null;
  const chain = enclosing(text, all, hit.range.start).filter((el) => el !== hit);
  return { name: hit.name, context: contextOf(chain) };
}
