/**
 * Full-text search over prompts (conventions.md §6): what goes into the FTS5 index and how a user's query is escaped.
 *
 * The index (`generations_fts`, migration 2) has two columns, both tokenized by `unicode61` with `_` as a token
 * character, so a danbooru tag such as `silver_hair` is one token:
 * - `prompt`: the prompt with XML element markup removed (tags stay whole: `silver_hair`, `1girl`, `rem_(re:zero)`);
 * - `words`:  the same text with `_` turned into spaces, so the plain word `hair` finds `silver_hair`.
 * A query term is matched as a quoted FTS5 phrase in either column; the query is tokenized like the documents, so
 * `rem_(re:zero)` becomes the phrase `rem_ re zero` and finds exactly that tag.
 */
import { StudioError } from '../../shared/errors';

/** Element markup of the prompt language (`<character_1>`, `</n>`, `<image/>`); never `>_<`, which is a tag. */
const ELEMENT_MARKUP = /<\/?[A-Za-z][\w.:-]*\s*\/?>/g;

/** The two FTS column texts for one prompt. */
export interface FtsDocument {
  prompt: string;
  words: string;
}

/** Builds the FTS row for a prompt: markup stripped, whitespace collapsed; `words` with `_` as a word break. */
export function ftsDocument(prompt: string): FtsDocument {
  const text = prompt.replace(ELEMENT_MARKUP, ' ').replace(/\s+/g, ' ').trim();
  return { prompt: text, words: text.replace(/_/g, ' ') };
}

/** A term carries something the tokenizer keeps (letters, digits, `_`); `(` or `:` alone would be an empty phrase. */
const HAS_TOKEN = /[\p{L}\p{N}_]/u;

/** A quoted FTS5 string. NUL ends FTS5's string literal early ("unterminated string"): it becomes a space. */
const quote = (s: string): string => `"${s.replace(/"/g, '""').replace(/\0/g, ' ')}"`;

/**
 * Turns what a person typed into a safe FTS5 MATCH expression.
 *
 * Terms are separated by whitespace or commas (a pasted tag list works); `"two words"` is one phrase; a trailing `*`
 * is a prefix search; a leading `-` excludes the term. All remaining terms must match (AND). Every term is quoted, so
 * FTS5 operators and punctuation in tags (`rem_(re:zero)`, `>_<`, `^^^`) are never parsed as query syntax.
 *
 * @returns the MATCH expression, or `null` when the query holds no searchable term (treat as "no search").
 * @throws StudioError `InvalidRequest` when the query only excludes terms (FTS5 cannot match "everything but").
 */
export function ftsQuery(input: string): string | null {
  const include: string[] = [];
  const exclude: string[] = [];
  const re = /(-?)"([^"]*)"|[^\s,]+/g;
  for (const m of input.matchAll(re)) {
    let negate = false;
    let body: string;
    let prefix = false;
    if (m[2] !== undefined) {
      negate = m[1] === '-';
      body = m[2];
    } else {
      body = m[0];
      if (body.startsWith('-') && body.length > 1) {
        negate = true;
        body = body.slice(1);
      }
      if (body.endsWith('*') && body.length > 1) {
        prefix = true;
        body = body.slice(0, -1);
      }
    }
    if (!HAS_TOKEN.test(body)) continue;
    const phrase = prefix ? `${quote(body)} *` : quote(body);
    (negate ? exclude : include).push(phrase);
  }
  if (include.length === 0) {
    if (exclude.length === 0) return null;
    throw new StudioError(
      'InvalidRequest',
      'The search only excludes terms; add at least one word or tag to look for.',
      'Example: "1girl -maid" finds 1girl images without maid.',
    );
  }
  if (exclude.length === 0) return include.join(' AND ');
  return `(${include.join(' AND ')}) NOT (${exclude.join(' OR ')})`;
}
