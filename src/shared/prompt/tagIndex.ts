/**
 * Danbooru tag index: exact and alias lookup, prefix completion ranked by post count, filtered by field.
 *
 * Input is the a1111-sd-webui-tagcomplete CSV (`resources/danbooru-tags.csv`, MIT): one tag per line,
 * `tag,category,count,"alias1,alias2"`, no header, RFC 4180 quoting. Categories are danbooru's: 0 general,
 * 1 artist, 3 copyright, 4 character, 5 meta.
 *
 * Built for a < 300 ms load of 140k tags: keys (tags and aliases) are offsets into the CSV text, not strings;
 * exact lookup uses an open-addressing hash table over those offsets; completion keeps, per 1- and 2-character
 * prefix, the keys in descending post-count order, so a query scans one bucket from the top and stops after
 * `limit` hits.
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

export class TagIndex {
  private readonly table: Int32Array;
  private readonly mask: number;
  private readonly b1: Buckets;
  private readonly b2: Buckets;

  private constructor(
    private readonly pool: string,
    private readonly rows: CsvRows,
  ) {
    const { keyStart, keyEnd, keyEntry } = rows;
    const nKeys = keyStart.length;
    let size = 1;
    while (size < nKeys * 2) size <<= 1;
    this.table = new Int32Array(size).fill(-1);
    this.mask = size - 1;
    // Tags first so a tag wins over an equal alias of another tag; a repeated key stays out of the buckets.
    const live = new Uint8Array(nKeys);
    for (const wantAlias of [false, true]) {
      for (let k = 0; k < nKeys; k++) {
        if ((rows.entryKey[keyEntry[k]] !== k) !== wantAlias) continue;
        if (this.insert(k)) live[k] = 1;
      }
    }
    const c1 = new Int32Array(nKeys);
    const c2 = new Int32Array(nKeys);
    for (let k = 0; k < nKeys; k++) {
      const len = keyEnd[k] - keyStart[k];
      const a = fold(pool.charCodeAt(keyStart[k]));
      c1[k] = live[k] && len >= 1 ? code1(a) : -1;
      c2[k] = live[k] && len >= 2 ? code2(a, fold(pool.charCodeAt(keyStart[k] + 1))) : -1;
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

  private hashRange(start: number, end: number): number {
    let h = 0x811c9dc5;
    for (let i = start; i < end; i++) h = Math.imul(h ^ fold(this.pool.charCodeAt(i)), 0x01000193);
    return h >>> 0;
  }

  private sameKey(a: number, b: number): boolean {
    const { keyStart, keyEnd } = this.rows;
    const len = keyEnd[a] - keyStart[a];
    if (len !== keyEnd[b] - keyStart[b]) return false;
    for (let i = 0; i < len; i++) {
      if (fold(this.pool.charCodeAt(keyStart[a] + i)) !== fold(this.pool.charCodeAt(keyStart[b] + i))) return false;
    }
    return true;
  }

  private insert(k: number): boolean {
    let slot = this.hashRange(this.rows.keyStart[k], this.rows.keyEnd[k]) & this.mask;
    for (;;) {
      const other = this.table[slot];
      if (other < 0) {
        this.table[slot] = k;
        return true;
      }
      if (this.sameKey(other, k)) return false;
      slot = (slot + 1) & this.mask;
    }
  }

  /** Key id equal to `key` (already lower case), or -1. */
  private find(key: string): number {
    let h = 0x811c9dc5;
    for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
    let slot = (h >>> 0) & this.mask;
    for (;;) {
      const k = this.table[slot];
      if (k < 0) return -1;
      if (this.startsWith(k, key) && this.rows.keyEnd[k] - this.rows.keyStart[k] === key.length) return k;
      slot = (slot + 1) & this.mask;
    }
  }

  private startsWith(k: number, p: string): boolean {
    const s = this.rows.keyStart[k];
    if (this.rows.keyEnd[k] - s < p.length) return false;
    for (let i = 0; i < p.length; i++) if (fold(this.pool.charCodeAt(s + i)) !== p.charCodeAt(i)) return false;
    return true;
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
   * first, one result per tag, at most `limit` (default 20), restricted to the field's category.
   */
  complete(prefix: string, options: CompleteOptions = {}): TagMatch[] {
    const p = normalizeTag(prefix);
    const limit = Math.max(0, Math.floor(options.limit ?? 20));
    const wanted = categoryForField(options.field);
    const catCode = wanted === null ? -1 : CATEGORY_NAMES.indexOf(wanted);
    const { keyEntry, entryKey, category } = this.rows;
    const out: TagMatch[] = [];
    if (limit === 0) return out;
    if (p.length === 0) {
      for (let e = 0; e < entryKey.length && out.length < limit; e++) {
        if (catCode < 0 || category[e] === catCode) out.push(this.match(entryKey[e]));
      }
      return out;
    }
    const pair = p.length >= 2 ? code2(p.charCodeAt(0), p.charCodeAt(1)) : -1;
    const b = pair >= 0 ? this.b2 : this.b1;
    const code = pair >= 0 ? pair : code1(p.charCodeAt(0));
    const from = b.start[code];
    const to = b.start[code + 1];
    const seen = new Set<number>();
    for (let i = from; i < to && out.length < limit; i++) {
      const k = b.ids[i];
      const e = keyEntry[k];
      if ((catCode >= 0 && category[e] !== catCode) || seen.has(e) || !this.startsWith(k, p)) continue;
      seen.add(e);
      out.push(this.match(k));
    }
    return out;
  }
}
