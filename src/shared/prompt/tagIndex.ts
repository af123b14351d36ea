/**
 * Danbooru tag index: exact and alias lookup, prefix completion ranked by post count, filtered by field.
 *
 * Input is the a1111-sd-webui-tagcomplete CSV (`resources/danbooru-tags.csv`, MIT): one tag per line,
 * `tag,category,count,"alias1,alias2"`, no header, RFC 4180 quoting. Categories are danbooru's: 0 general,
 * 1 artist, 3 copyright, 4 character, 5 meta.
 *
 * Built for a < 300 ms load of 140k tags: keys (tags and aliases) are offsets into the CSV text, not strings,
 * grouped per 1- and 2-character prefix in descending post-count order (two counting sorts, no hashing). A
 * completion scans one bucket from the top and stops after `limit` hits; an exact lookup scans one bucket
 * (≤ ~5k keys in the shipped list).
 */
import { StudioError } from '../errors';
import { scanCsv, type CsvRows } from './tagCsv';

export type TagCategory = 'general' | 'artist' | 'copyright' | 'character' | 'meta';

const CATEGORY_NAMES: (TagCategory | undefined)[] = ['general', 'artist', undefined, 'copyright', 'character', 'meta'];

/** A tag found by lookup or completion. `alias` is the alias that matched, when it was not the tag itself. */
export interface TagMatch {
  tag: string;
  category: TagCategory;
  /** Number of danbooru posts with the tag. */
  count: number;
  alias?: string;
}

export interface CompleteOptions {
  /**
   * Prompt field being edited: `n` → character tags, `artists` → artist tags, any other field → general tags;
   * undefined → every category.
   */
  field?: string;
  /** Maximum results (default 20). */
  limit?: number;
}

/** Category a field's completions come from, or null for all. */
export function categoryForField(field: string | undefined): TagCategory | null {
  if (field === undefined || field === '') return null;
  if (field === 'n' || field === 'name') return 'character';
  if (field === 'artists') return 'artist';
  return 'general';
}

/** Normal form of a query: trimmed, lower case, inner whitespace as one underscore. */
export function normalizeTag(s: string): string {
  return s.trim().toLowerCase().replace(/\s+/g, '_');
}

const fold = (c: number): number => (c >= 65 && c <= 90 ? c + 32 : c);

/**
 * Keys grouped by a prefix code (counting sort into one array), each group in key order = descending post count.
 * Group g holds ids[start[g] .. start[g + 1]).
 */
interface Buckets {
  start: Int32Array;
  ids: Int32Array;
}

/** 1-character code: the UTF-16 unit. */
const code1 = (a: number): number => a;
/** 2-character code for ASCII pairs; other pairs fall back to the 1-character bucket. */
const code2 = (a: number, b: number): number => (a < 128 && b < 128 ? a * 128 + b : -1);

function buildBuckets(codes: Int32Array, groups: number): Buckets {
  const start = new Int32Array(groups + 1);
  for (let k = 0; k < codes.length; k++) if (codes[k] >= 0) start[codes[k] + 1]++;
  for (let g = 0; g < groups; g++) start[g + 1] += start[g];
  const fill = start.slice(0, groups);
  const ids = new Int32Array(start[groups]);
  for (let k = 0; k < codes.length; k++) {
    const c = codes[k];
    if (c >= 0) ids[fill[c]++] = k;
  }
  return { start, ids };
}

/** The danbooru tag index: build with `TagIndex.fromCsv(text)`, then `lookup(tag)` and `complete(prefix, {field, limit})`. */
export class TagIndex {
  private readonly b1: Buckets;
  private readonly b2: Buckets;

  private constructor(
    private readonly pool: string,
    private readonly rows: CsvRows,
  ) {
    const { keyStart, keyEnd } = rows;
    const nKeys = keyStart.length;
    const c1 = new Int32Array(nKeys);
    const c2 = new Int32Array(nKeys);
    for (let k = 0; k < nKeys; k++) {
      const len = keyEnd[k] - keyStart[k];
      const a = fold(pool.charCodeAt(keyStart[k]));
      c1[k] = len >= 1 ? code1(a) : -1;
      c2[k] = len >= 2 ? code2(a, fold(pool.charCodeAt(keyStart[k] + 1))) : -1;
    }
    this.b1 = buildBuckets(c1, 65536);
    this.b2 = buildBuckets(c2, 128 * 128);
  }

  /**
   * Builds the index from the CSV text. Throws StudioError `InvalidRequest` naming the line when a record is not
   * `tag,category,count[,aliases]` with category 0/1/3/4/5 and a non-negative integer count.
   */
  static fromCsv(text: string): TagIndex {
    const { pool, rows } = scanCsv(text, (line, reason) => {
      throw new StudioError('InvalidRequest', `Danbooru tag list, line ${line}: ${reason}.`, 'Expected "tag,category,count,aliases" lines.');
    });
    return new TagIndex(pool, rows);
  }

  /** The bucket holding every key that starts with `p` (lower case, non-empty): [from, to) into its ids. */
  private bucketOf(p: string): { b: Buckets; from: number; to: number } {
    const pair = p.length >= 2 ? code2(p.charCodeAt(0), p.charCodeAt(1)) : -1;
    const b = pair >= 0 ? this.b2 : this.b1;
    const c = pair >= 0 ? pair : code1(p.charCodeAt(0));
    return c < 65536 ? { b, from: b.start[c], to: b.start[c + 1] } : { b, from: 0, to: 0 };
  }

  private startsWith(k: number, p: string): boolean {
    const s = this.rows.keyStart[k];
    if (this.rows.keyEnd[k] - s < p.length) return false;
    for (let i = 0; i < p.length; i++) if (fold(this.pool.charCodeAt(s + i)) !== p.charCodeAt(i)) return false;
    return true;
  }

  private isTagKey(k: number): boolean {
    return this.rows.entryKey[this.rows.keyEntry[k]] === k;
  }

  /**
   * Key equal to `key` (lower case): a tag if one has this name, else the alias of the most-posted tag that
   * has it, else -1. Scans one prefix bucket (a few thousand keys at most).
   */
  private find(key: string): number {
    if (key.length === 0) return -1;
    const { b, from, to } = this.bucketOf(key);
    let alias = -1;
    for (let i = from; i < to; i++) {
      const k = b.ids[i];
      if (this.rows.keyEnd[k] - this.rows.keyStart[k] !== key.length || !this.startsWith(k, key)) continue;
      if (this.isTagKey(k)) return k;
      if (alias < 0) alias = k;
    }
    return alias;
  }

  private match(k: number): TagMatch {
    const { keyStart, keyEnd, keyEntry, entryKey, category, count } = this.rows;
    const e = keyEntry[k];
    const t = entryKey[e];
    const m: TagMatch = {
      tag: this.pool.slice(keyStart[t], keyEnd[t]),
      category: CATEGORY_NAMES[category[e]] as TagCategory,
      count: count[e],
    };
    if (t !== k) m.alias = this.pool.slice(keyStart[k], keyEnd[k]);
    return m;
  }

  /** Number of tags (aliases not counted). */
  get size(): number {
    return this.rows.entryKey.length;
  }

  /** Exact lookup of a tag or an alias (case-insensitive; spaces are not turned into underscores). */
  lookup(tag: string): TagMatch | undefined {
    const k = this.find(tag.trim().toLowerCase());
    return k < 0 ? undefined : this.match(k);
  }

  /**
   * Tags whose name or an alias starts with `prefix` (normalised: lower case, spaces → underscores), most posts
   * first, one result per tag, at most `limit` (default 20), restricted to the field's category. An alias that
   * is also a tag's name, or an alias of a more-posted tag, names that tag only.
   */
  complete(prefix: string, options: CompleteOptions = {}): TagMatch[] {
    const p = normalizeTag(prefix);
    const limit = Math.max(0, Math.floor(options.limit ?? 20));
    const wanted = categoryForField(options.field);
    const catCode = wanted === null ? -1 : CATEGORY_NAMES.indexOf(wanted);
    const { keyEntry, entryKey, category, keyStart, keyEnd } = this.rows;
    const out: TagMatch[] = [];
    if (limit === 0) return out;
    if (p.length === 0) {
      for (let e = 0; e < entryKey.length && out.length < limit; e++) {
        if (catCode < 0 || category[e] === catCode) out.push(this.match(entryKey[e]));
      }
      return out;
    }
    const { b, from, to } = this.bucketOf(p);
    const seen = new Set<number>();
    for (let i = from; i < to && out.length < limit; i++) {
      const k = b.ids[i];
      const e = keyEntry[k];
      if ((catCode >= 0 && category[e] !== catCode) || seen.has(e) || !this.startsWith(k, p)) continue;
      // Rare: an alias shared with a tag name or a more-posted tag belongs to that one.
      if (!this.isTagKey(k) && this.find(this.pool.slice(keyStart[k], keyEnd[k]).toLowerCase()) !== k) continue;
      seen.add(e);
      out.push(this.match(k));
    }
    return out;
  }
}
