/**
 * Lexical pre-pass over a prompt and mode detection.
 *
 * Danbooru tags may contain `<`, `>` and `&` (`>_<`, `<o>_<o>`, `tiger_&_bunny`; conventions.md §5). Before the
 * XML lexer runs, every `<` and `&` that cannot start markup or an entity is replaced by `_` (same length, so
 * offsets do not move) and remembered, so the parser reads it as text and the checker reports it as a warning.
 * Inside a known field (`<appearance>` …) only a closing tag or a known tag name starts markup, so `<o>_<o>`
 * stays text there.
 */
import { tagLevel } from './vocabulary';
import type { PromptMode } from './types';
import { encoderText } from './text';

/** An XML name as @xml-tools/parser lexes it (its NameStartChar is effectively `[:A-Za-z_]`). */
// eslint-disable-next-line no-misleading-character-class -- the range of combining marks mirrors the lexer's NameChar
const NAME_AT = /[A-Za-z_:][A-Za-z0-9_:.\-\u00B7\u0300-\u036F\u203F\u2040]*/y;
const ENTITY_AT = /&(?:[A-Za-z_:][A-Za-z0-9_:.-]*|#[0-9]+|#x[0-9A-Fa-f]+);/y;
const TAG_BOUNDARY = /[\s/>]/;

export interface ScanResult {
  /** The input with raw `<` and `&` replaced by `_`; same length, so offsets are shared. */
  sanitized: string;
  /** Offsets of the replaced characters, ascending. */
  raw: number[];
}

function nameAt(text: string, i: number): string | null {
  NAME_AT.lastIndex = i;
  const m = NAME_AT.exec(text);
  return m ? m[0] : null;
}

/** Index just past a tag that starts at `i`: after its `>`, or at the next `<` / end when `>` is missing. */
function tagEnd(text: string, from: number): number {
  for (let j = from; j < text.length; j++) {
    const c = text[j];
    if (c === '>') return j + 1;
    if (c === '<') return j;
  }
  return text.length;
}

/**
 * Index after a comment, CDATA section, DOCTYPE or `<?…?>` starting at `i`, or -1 when it is unterminated or any
 * other `<!…` (which the XML lexer would silently skip): those stay text so nothing of the prompt disappears.
 */
function specialEnd(text: string, i: number): number {
  let close: string;
  if (text.startsWith('<!--', i)) close = '-->';
  else if (text.startsWith('<![CDATA[', i)) close = ']]>';
  else if (text.startsWith('<!DOCTYPE', i)) close = '>';
  else if (/^<\?[A-Za-z_:]/.test(text.slice(i, i + 3))) close = '?>';
  else return -1;
  const j = text.indexOf(close, i + 2);
  if (j < 0) return -1;
  // The lexer matches processing instructions on one line only.
  if (close === '?>' && /[\r\n]/.test(text.slice(i, j))) return -1;
  return j + close.length;
}

/**
 * Replaces the `<` and `&` of a prompt body that are text, not markup, by `_`.
 * A `<` is markup when followed by an XML name or `/name` (in a known field's content: only `/name` or a known
 * tag name), or by `!`/`?`; an `&` is text unless it starts an entity or character reference.
 */
export function sanitizeMarkup(body: string): ScanResult {
  const out: string[] = [];
  const raw: number[] = [];
  let last = 0;
  let inField = false;
  let i = 0;
  const markRaw = (at: number) => {
    out.push(body.slice(last, at), '_');
    last = at + 1;
    raw.push(at);
  };
  while (i < body.length) {
    const c = body[i];
    if (c === '&') {
      ENTITY_AT.lastIndex = i;
      const m = ENTITY_AT.exec(body);
      if (m) i += m[0].length;
      else markRaw(i++);
      continue;
    }
    if (c !== '<') {
      i++;
      continue;
    }
    const next = body[i + 1];
    if (next === '!' || next === '?') {
      const end = specialEnd(body, i);
      if (end < 0) markRaw(i++);
      else i = end;
      continue;
    }
    const closing = next === '/';
    const name = nameAt(body, closing ? i + 2 : i + 1);
    const after = name === null ? undefined : body[i + (closing ? 2 : 1) + name.length];
    const markup =
      name !== null &&
      (!inField || closing || (tagLevel(name) !== null && (after === undefined || TAG_BOUNDARY.test(after))));
    if (!markup) {
      markRaw(i++);
      continue;
    }
    const end = tagEnd(body, i + 1);
    const selfClosing = body[end - 1] === '>' && body[end - 2] === '/';
    inField = !closing && !selfClosing && tagLevel(name) === 'field';
    i = end;
  }
  out.push(body.slice(last));
  return { sanitized: out.join(''), raw };
}

const MARKUP_NAME = /<(\/?)([A-Za-z_:][A-Za-z0-9_:.-]*)(?=[\s/>])/g;

/** True when the text uses the XML prompt language: a known tag, or any tag that is also closed. */
export function looksLikeXml(body: string): boolean {
  const opened = new Set<string>();
  const closed = new Set<string>();
  for (const m of body.matchAll(MARKUP_NAME)) {
    const name = m[2];
    if (tagLevel(name) !== null) return true;
    (m[1] ? closed : opened).add(name);
  }
  for (const name of opened) if (closed.has(name)) return true;
  return false;
}

const STOP_WORDS = new Set(
  'a an the and or but with without of in on at under over into onto from to for by is are was were be her his their its this that while who which as'.split(
    ' ',
  ),
);

/**
 * Mode of a prompt: `xml` when it uses the tag language, else `tags` for comma-separated danbooru-style tags,
 * else `natural` (prose; also for an empty prompt). Only xml vs not-xml changes the system prompt
 * (conventions.md §5). Tags: short comma-separated items (≤ 3 words on average) that read as tags, i.e. few
 * function words ("a", "the", "with" …) or many underscored items.
 */
export function detectMode(text: string): PromptMode {
  const body = encoderText(text);
  if (looksLikeXml(body)) return 'xml';
  const items = body
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (items.length === 0) return 'natural';
  const words = items.flatMap((s) => s.split(/\s+/));
  const meanWords = words.length / items.length;
  const stopRatio = words.filter((w) => STOP_WORDS.has(w.toLowerCase())).length / words.length;
  const underscored = items.filter((s) => s.includes('_')).length / items.length;
  if (items.length === 1 && words.length > 1 && underscored === 0) return 'natural';
  return meanWords <= 3 && (stopRatio < 0.2 || underscored >= 0.3) ? 'tags' : 'natural';
}
