/**
 * One-pass scanner of the danbooru tag CSV into typed arrays of offsets (no string per tag), used by TagIndex.
 * Format: `tag,category,count[,aliases]` per line, RFC 4180 quoting (`"a,b"`, `""` for a quote), CRLF or LF.
 *
 * Written for a fast cold start: typed arrays sized by a first line count (pushing 140k numbers into plain arrays
 * costs more than that pass), and small methods, so V8 optimises the hot loop early instead of spending 100 ms
 * compiling one large function while the loop runs unoptimised. Lines without a quote (97 % of the shipped file)
 * take the `plain` path; quoted lines, errors and `""` escapes go through rarely used methods.
 */

/** Keys (tags and aliases) as [start, end) offsets into `pool`, grouped by entry in descending post count. */
export interface CsvRows {
  keyStart: Int32Array;
  keyEnd: Int32Array;
  /** Entry (tag) each key belongs to. */
  keyEntry: Int32Array;
  /** Key id of each entry's own tag. */
  entryKey: Int32Array;
  /** Danbooru category code per entry (0 general, 1 artist, 3 copyright, 4 character, 5 meta). */
  category: Uint8Array;
  /** Post count per entry. */
  count: Float64Array;
}

export type CsvFail = (line: number, reason: string) => never;

function countLines(text: string, from: number): number {
  let lines = 0;
  for (let p = from; p < text.length; lines++) {
    const nl = text.indexOf('\n', p);
    p = nl < 0 ? text.length : nl + 1;
  }
  return lines;
}

class Scanner {
  readonly tagS: Int32Array;
  readonly tagE: Int32Array;
  readonly cats: Uint8Array;
  readonly counts: Float64Array;
  readonly aliasFrom: Int32Array;
  aliasS: Int32Array;
  aliasE: Int32Array;
  nAliases = 0;
  nEntries = 0;
  /** Unescaped copies of `""` fields; a start of -(i + 1) names extras[i] until the pool exists. */
  readonly extras: string[] = [];

  constructor(
    readonly text: string,
    cap: number,
    readonly fail: CsvFail,
  ) {
    this.tagS = new Int32Array(cap);
    this.tagE = new Int32Array(cap);
    this.cats = new Uint8Array(cap);
    this.counts = new Float64Array(cap);
    this.aliasFrom = new Int32Array(cap + 1);
    this.aliasS = new Int32Array(Math.max(16, cap >> 1));
    this.aliasE = new Int32Array(Math.max(16, cap >> 1));
  }

  /** A line without quotes: `tag,category,count[,alias]`. */
  plain(pos: number, le: number, lineNo: number): void {
    const text = this.text;
    const c1 = text.indexOf(',', pos);
    const c2 = c1 < 0 || c1 >= le ? -1 : text.indexOf(',', c1 + 1);
    if (c2 < 0 || c2 >= le) this.bad(lineNo, 'expected 3 or 4 fields');
    let c3 = text.indexOf(',', c2 + 1);
    if (c3 < 0 || c3 > le) c3 = le;
    else {
      const c4 = text.indexOf(',', c3 + 1);
      if (c4 >= 0 && c4 < le) this.bad(lineNo, 'expected 3 or 4 fields (quote a list of aliases)');
    }
    this.record(pos, c1, c1 + 1, c2, c2 + 1, c3, lineNo);
    if (c3 + 1 < le) this.pushAlias(c3 + 1, le);
  }

  /** A line with quotes: general RFC 4180 split, then the same record. */
  quoted(pos: number, le: number, lineNo: number): void {
    const s: number[] = [];
    const e: number[] = [];
    const esc: boolean[] = [];
    const text = this.text;
    for (let i = pos; ; ) {
      if (text.charCodeAt(i) === 34) {
        let q = text.indexOf('"', i + 1);
        let escaped = false;
        while (q >= 0 && q + 1 < le && text.charCodeAt(q + 1) === 34) {
          escaped = true;
          q = text.indexOf('"', q + 2);
        }
        if (q < 0 || q >= le) this.bad(lineNo, 'unterminated quoted field');
        s.push(i + 1);
        e.push(q);
        esc.push(escaped);
        i = q + 1;
        if (i >= le) break;
        if (text.charCodeAt(i) !== 44) this.bad(lineNo, 'text after a quoted field');
        i++;
      } else {
        let c = text.indexOf(',', i);
        if (c < 0 || c > le) c = le;
        s.push(i);
        e.push(c);
        esc.push(false);
        if (c >= le) break;
        i = c + 1;
      }
    }
    if (s.length < 3 || s.length > 4) this.bad(lineNo, `expected 3 or 4 fields, found ${s.length}`);
    const unescape = (k: number) => text.slice(s[k], e[k]).replace(/""/g, '"');
    this.record(s[0], e[0], s[1], e[1], s[2], e[2], lineNo);
    if (esc[0]) {
      const tag = unescape(0);
      this.tagS[this.nEntries - 1] = this.extra(tag);
      this.tagE[this.nEntries - 1] = tag.length;
    }
    if (s.length === 4) {
      if (esc[3]) {
        for (const alias of unescape(3).split(',')) if (alias.length > 0) this.pushAlias(this.extra(alias), alias.length);
      } else {
        for (let a = s[3]; a < e[3]; ) {
          let c = text.indexOf(',', a);
          if (c < 0 || c > e[3]) c = e[3];
          if (c > a) this.pushAlias(a, c);
          a = c + 1;
        }
      }
    }
  }

  /** Stores one entry: tag [s0, e0), category digit at s1, count digits [s2, e2). */
  private record(s0: number, e0: number, s1: number, e1: number, s2: number, e2: number, lineNo: number): void {
    const text = this.text;
    const cat = text.charCodeAt(s1) - 48;
    if (e1 - s1 !== 1 || cat < 0 || cat > 5 || cat === 2) this.bad(lineNo, `unknown category "${text.slice(s1, e1)}"`);
    if (e2 === s2) this.bad(lineNo, 'empty post count');
    let count = 0;
    for (let c = s2; c < e2; c++) {
      const d = text.charCodeAt(c) - 48;
      if (d < 0 || d > 9) this.bad(lineNo, `post count "${text.slice(s2, e2)}" is not a non-negative integer`);
      count = count * 10 + d;
    }
    if (e0 === s0) this.bad(lineNo, 'empty tag');
    const n = this.nEntries++;
    this.tagS[n] = s0;
    this.tagE[n] = e0;
    this.cats[n] = cat;
    this.counts[n] = count;
    this.aliasFrom[n] = this.nAliases;
  }

  /** Adds aliases: the comma-separated names in [from, to) (or one unescaped copy, see `extra`). */
  pushAlias(from: number, to: number): void {
    if (from < 0) return this.pushKey(from, to);
    for (let a = from; a < to; ) {
      let c = this.text.indexOf(',', a);
      if (c < 0 || c > to) c = to;
      if (c > a) this.pushKey(a, c);
      a = c + 1;
    }
  }

  private pushKey(start: number, end: number): void {
    if (this.nAliases === this.aliasS.length) {
      const grow = (a: Int32Array) => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.aliasS = grow(this.aliasS);
      this.aliasE = grow(this.aliasE);
    }
    this.aliasS[this.nAliases] = start;
    this.aliasE[this.nAliases++] = end;
  }

  private extra(value: string): number {
    this.extras.push(value);
    return -this.extras.length;
  }

  private bad(lineNo: number, reason: string): never {
    return this.fail(lineNo, reason);
  }
}

/**
 * Scans the CSV. `fail(line, reason)` is called for a malformed record and must throw.
 * @returns `pool` (the text, plus unescaped copies of fields that had `""`) and the rows sorted by post count
 */
export function scanCsv(text: string, fail: CsvFail): { pool: string; rows: CsvRows } {
  const n = text.length;
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const sc = new Scanner(text, countLines(text, start), fail);
  let nextQuote = text.indexOf('"', start);
  let lineNo = 0;
  for (let pos = start; pos < n; ) {
    lineNo++;
    const nl = text.indexOf('\n', pos);
    const next = nl < 0 ? n : nl + 1;
    let le = nl < 0 ? n : nl;
    if (le > pos && text.charCodeAt(le - 1) === 13) le--;
    if (le > pos) {
      if (nextQuote >= 0 && nextQuote < pos) nextQuote = text.indexOf('"', pos);
      if (nextQuote >= 0 && nextQuote < le) sc.quoted(pos, le, lineNo);
      else sc.plain(pos, le, lineNo);
    }
    pos = next;
  }
  sc.aliasFrom[sc.nEntries] = sc.nAliases;
  const tagS = sc.tagS.subarray(0, sc.nEntries);
  const tagE = sc.tagE.subarray(0, sc.nEntries);
  const aliasS = sc.aliasS.subarray(0, sc.nAliases);
  const aliasE = sc.aliasE.subarray(0, sc.nAliases);
  const pool = resolveExtras(text, sc.extras, [tagS, tagE], [aliasS, aliasE]);
  return { pool, rows: orderRows(tagS, tagE, sc.cats, sc.counts, sc.aliasFrom, aliasS, aliasE) };
}

/** Appends unescaped copies after the text and turns their placeholder starts into pool offsets. */
function resolveExtras(text: string, extras: string[], ...lists: [Int32Array, Int32Array][]): string {
  if (extras.length === 0) return text;
  const at: number[] = [];
  let o = text.length + 1;
  for (const s of extras) {
    at.push(o);
    o += s.length + 1;
  }
  for (const [starts, ends] of lists) {
    for (let k = 0; k < starts.length; k++) {
      if (starts[k] < 0) {
        const s = at[-starts[k] - 1];
        starts[k] = s;
        ends[k] = s + ends[k];
      }
    }
  }
  return text + '\n' + extras.join('\n');
}

/** Lays the keys out entry by entry in descending post count (stable; no sort when already in order). */
function orderRows(
  tagS: Int32Array, tagE: Int32Array, cats: Uint8Array, counts: Float64Array,
  aliasFrom: Int32Array, aliasS: Int32Array, aliasE: Int32Array,
): CsvRows {
  const nEntries = tagS.length;
  let order: number[] | null = null;
  for (let r = 1; r < nEntries; r++) {
    if (counts[r] > counts[r - 1]) {
      order = Array.from({ length: nEntries }, (_, k) => k).sort((a, b) => counts[b] - counts[a] || a - b);
      break;
    }
  }
  const nKeys = nEntries + aliasS.length;
  const rows: CsvRows = {
    keyStart: new Int32Array(nKeys),
    keyEnd: new Int32Array(nKeys),
    keyEntry: new Int32Array(nKeys),
    entryKey: new Int32Array(nEntries),
    category: new Uint8Array(nEntries),
    count: new Float64Array(nEntries),
  };
  let k = 0;
  for (let e = 0; e < nEntries; e++) {
    const r = order ? order[e] : e;
    rows.entryKey[e] = k;
    rows.category[e] = cats[r];
    rows.count[e] = counts[r];
    rows.keyStart[k] = tagS[r];
    rows.keyEnd[k] = tagE[r];
    rows.keyEntry[k++] = e;
    for (let a = aliasFrom[r]; a < aliasFrom[r + 1]; a++) {
      rows.keyStart[k] = aliasS[a];
      rows.keyEnd[k] = aliasE[a];
      rows.keyEntry[k++] = e;
    }
  }
  return rows;
}
