/**
 * One-pass scanner of the danbooru tag CSV into typed arrays of offsets (no string per tag), used by TagIndex.
 * Format: `tag,category,count[,aliases]` per line, RFC 4180 quoting (`"a,b"`, `""` for a quote), CRLF or LF.
 * Lines without a quote (97 % of the shipped file) take a fast path of three `indexOf` calls.
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

const VALID_CATEGORY = [true, true, false, true, true, true];

/** Field boundaries of one line: start, end (exclusive) and whether the quoted value holds `""`. */
interface Fields {
  s: number[];
  e: number[];
  escaped: boolean[];
}

/** General RFC 4180 split of text[pos, le) into `f`. */
function splitFields(text: string, pos: number, le: number, f: Fields, lineNo: number, fail: CsvFail): void {
  let i = pos;
  for (;;) {
    if (text.charCodeAt(i) === 34) {
      let j = i + 1;
      let escaped = false;
      let q = text.indexOf('"', j);
      while (q >= 0 && q + 1 < le && text.charCodeAt(q + 1) === 34) {
        escaped = true;
        j = q + 2;
        q = text.indexOf('"', j);
      }
      if (q < 0 || q >= le) fail(lineNo, 'unterminated quoted field');
      f.s.push(i + 1);
      f.e.push(q);
      f.escaped.push(escaped);
      i = q + 1;
      if (i >= le) return;
      if (text.charCodeAt(i) !== 44) fail(lineNo, 'text after a quoted field');
      i++;
    } else {
      let c = text.indexOf(',', i);
      if (c < 0 || c > le) c = le;
      f.s.push(i);
      f.e.push(c);
      f.escaped.push(false);
      if (c >= le) return;
      i = c + 1;
    }
  }
}

/**
 * Scans the CSV. `fail(line, reason)` is called for a malformed record and must throw.
 * @returns `pool` (the text, plus unescaped copies of fields that had `""`) and the rows sorted by post count
 */
export function scanCsv(text: string, fail: CsvFail): { pool: string; rows: CsvRows } {
  const tagS: number[] = [];
  const tagE: number[] = [];
  const cats: number[] = [];
  const counts: number[] = [];
  const aliasFrom: number[] = [];
  const aliasS: number[] = [];
  const aliasE: number[] = [];
  const extras: string[] = [];
  const f: Fields = { s: [], e: [], escaped: [] };
  const n = text.length;
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let lineNo = 0;
  let nextQuote = text.indexOf('"', pos);
  // An unescaped copy goes to `extras`; its start is encoded as -(index + 1) until the pool exists.
  const extra = (s: string, starts: number[], ends: number[]) => {
    extras.push(s);
    starts.push(-extras.length);
    ends.push(s.length);
  };
  const unescape = (from: number, to: number) => text.slice(from, to).replace(/""/g, '"');

  while (pos < n) {
    lineNo++;
    const nl = text.indexOf('\n', pos);
    const next = nl < 0 ? n : nl + 1;
    let le = nl < 0 ? n : nl;
    if (le > pos && text.charCodeAt(le - 1) === 13) le--;
    if (le === pos) {
      pos = next;
      continue;
    }
    // Field bounds as scalars (the hot path allocates nothing): tag s0..e0, category s1..e1, count s2..e2, aliases s3..e3.
    let s0: number, e0: number, s1: number, e1: number, s2: number, e2: number;
    let s3 = -1;
    let e3 = -1;
    let esc0 = false;
    let esc3 = false;
    if (nextQuote >= 0 && nextQuote < pos) nextQuote = text.indexOf('"', pos);
    if (nextQuote < 0 || nextQuote >= le) {
      const c1 = text.indexOf(',', pos);
      const c2 = c1 < 0 || c1 >= le ? -1 : text.indexOf(',', c1 + 1);
      if (c2 < 0 || c2 >= le) fail(lineNo, 'expected 3 or 4 fields');
      let c3 = text.indexOf(',', c2 + 1);
      if (c3 < 0 || c3 > le) c3 = le;
      const c4 = c3 < le ? text.indexOf(',', c3 + 1) : -1;
      if (c4 >= 0 && c4 < le) fail(lineNo, 'expected 3 or 4 fields (quote a list of aliases)');
      s0 = pos;
      e0 = c1;
      s1 = c1 + 1;
      e1 = c2;
      s2 = c2 + 1;
      e2 = c3;
      if (c3 < le) {
        s3 = c3 + 1;
        e3 = le;
      }
    } else {
      f.s.length = f.e.length = f.escaped.length = 0;
      splitFields(text, pos, le, f, lineNo, fail);
      if (f.s.length < 3 || f.s.length > 4) fail(lineNo, `expected 3 or 4 fields, found ${f.s.length}`);
      [s0, s1, s2] = f.s;
      [e0, e1, e2] = f.e;
      esc0 = f.escaped[0];
      if (f.s.length === 4) {
        s3 = f.s[3];
        e3 = f.e[3];
        esc3 = f.escaped[3];
      }
    }

    const catCode = text.charCodeAt(s1) - 48;
    if (e1 - s1 !== 1 || !VALID_CATEGORY[catCode]) fail(lineNo, `unknown category "${text.slice(s1, e1)}"`);
    if (e2 === s2) fail(lineNo, 'empty post count');
    let count = 0;
    for (let c = s2; c < e2; c++) {
      const d = text.charCodeAt(c) - 48;
      if (d < 0 || d > 9) fail(lineNo, `post count "${text.slice(s2, e2)}" is not a non-negative integer`);
      count = count * 10 + d;
    }
    if (e0 === s0) fail(lineNo, 'empty tag');
    if (esc0) extra(unescape(s0, e0), tagS, tagE);
    else {
      tagS.push(s0);
      tagE.push(e0);
    }
    cats.push(catCode);
    counts.push(count);
    aliasFrom.push(aliasS.length);
    if (esc3) {
      for (const alias of unescape(s3, e3).split(',')) if (alias.length > 0) extra(alias, aliasS, aliasE);
    } else {
      for (let a = s3; a < e3; ) {
        let c = text.indexOf(',', a);
        if (c < 0 || c > e3) c = e3;
        if (c > a) {
          aliasS.push(a);
          aliasE.push(c);
        }
        a = c + 1;
      }
    }
    pos = next;
  }
  aliasFrom.push(aliasS.length);
  const pool = resolveExtras(text, extras, [tagS, tagE], [aliasS, aliasE]);
  return { pool, rows: orderRows(tagS, tagE, cats, counts, aliasFrom, aliasS, aliasE) };
}

/** Appends unescaped copies after the text and turns their placeholder starts into pool offsets. */
function resolveExtras(text: string, extras: string[], ...lists: [number[], number[]][]): string {
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
  tagS: number[], tagE: number[], cats: number[], counts: number[],
  aliasFrom: number[], aliasS: number[], aliasE: number[],
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
