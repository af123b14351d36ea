import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { StudioError } from '../../../../src/shared/errors';
import { TagIndex, categoryForField, type TagMatch } from '../../../../src/shared/prompt';
import { TAGS_CSV, fullIndex, haveShared } from './fixtures';

const CATS: Record<string, string> = { '0': 'general', '1': 'artist', '3': 'copyright', '4': 'character', '5': 'meta' };

interface Row {
  tag: string;
  category: string;
  count: number;
  aliases: string[];
}

/** Reference reader, written apart from the product's scanner: a regex per record. */
function readRows(csv: string): Row[] {
  const field = '"((?:[^"]|"")*)"|([^,\\n]*)';
  const re = new RegExp(`^(?:${field}),(\\d),(\\d+)(?:,(?:${field}))?$`, 'gm');
  return [...csv.replace(/\r/g, '').matchAll(re)].map((m) => ({
    tag: m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2],
    category: CATS[m[3]],
    count: Number(m[4]),
    aliases: (m[5] !== undefined ? m[5].replace(/""/g, '"') : (m[6] ?? '')).split(',').filter(Boolean),
  }));
}

interface Prepared {
  sorted: Row[];
  aliasOwner: Map<string, Row>;
}

/** Rows by count (stable) and the owner of each live alias (not a tag, first owner wins). */
function prepare(rows: Row[]): Prepared {
  const tags = new Set(rows.map((r) => r.tag));
  const aliasOwner = new Map<string, Row>();
  const sorted = [...rows].sort((a, b) => b.count - a.count);
  for (const r of sorted) for (const a of r.aliases) if (!tags.has(a) && !aliasOwner.has(a)) aliasOwner.set(a, r);
  return { sorted, aliasOwner };
}

/** Brute-force completion: every row whose tag or a live alias starts with the prefix, by count. */
function reference({ sorted, aliasOwner }: Prepared, prefix: string, field: string | undefined, limit: number): TagMatch[] {
  const p = prefix.trim().toLowerCase().replace(/\s+/g, '_');
  const cat = categoryForField(field);
  const out: TagMatch[] = [];
  for (const r of sorted) {
    if (out.length >= limit) break;
    if (cat !== null && r.category !== cat) continue;
    if (r.tag.startsWith(p)) out.push({ tag: r.tag, category: r.category as TagMatch['category'], count: r.count });
    else {
      const alias = r.aliases.find((a) => a.startsWith(p) && aliasOwner.get(a) === r);
      if (alias) out.push({ tag: r.tag, category: r.category as TagMatch['category'], count: r.count, alias });
    }
  }
  return out;
}

const SMALL_CSV = [
  'solo,0,5000954,"female_solo,solo_female"',
  '1girl,0,6008644,"1girls,sole_female"',
  'hatsune_miku,4,106634,miku',
  'hat,0,300000,',
  '"don\'t_say_""lazy""",0,1076,don\'t_say_lazy',
  'hatsune_miku_(append),4,1569,',
  'kantoku,1,2331,"afterschool_of_the_5th_year,5th_year"',
  '>_<,0,64724,',
  'tiger_&_bunny,3,9000,t&b',
].join('\r\n');

describe('TagIndex on a small list', () => {
  const index = TagIndex.fromCsv(SMALL_CSV);
  const rows = prepare(readRows(SMALL_CSV));

  it('reads every record, quoted fields and CRLF included', () => {
    expect(index.size).toBe(9);
    expect(index.lookup('don\'t_say_"lazy"')).toEqual({ tag: 'don\'t_say_"lazy"', category: 'general', count: 1076 });
    expect(index.lookup('DON\'T_SAY_LAZY')?.tag).toBe('don\'t_say_"lazy"');
  });

  it('looks up tags and aliases', () => {
    expect(index.lookup('1girls')).toEqual({ tag: '1girl', category: 'general', count: 6008644, alias: '1girls' });
    expect(index.lookup(' Solo ')).toEqual({ tag: 'solo', category: 'general', count: 5000954 });
    expect(index.lookup('blue hair')).toBeUndefined();
    expect(index.lookup('>_<')?.count).toBe(64724);
  });

  it('completes by prefix and alias, most posts first, per field', () => {
    for (const [prefix, field] of [['h', undefined], ['hat', 'n'], ['hat', 'appearance'], ['s', undefined], ['5th', 'artists'], ['', 'n'], ['T&', undefined], ['Hatsune Mi', undefined]] as const) {
      expect(index.complete(prefix, { field, limit: 20 })).toEqual(reference(rows, prefix, field, 20));
    }
    expect(index.complete('hat', { limit: 1 }).map((m) => m.tag)).toEqual(['hat']);
    expect(index.complete('miku').map((m) => [m.tag, m.alias])).toEqual([['hatsune_miku', 'miku']]);
    expect(index.complete('zzz')).toEqual([]);
  });

  it('rejects a malformed list with the line number', () => {
    for (const [csv, line] of [['a,0,1\nb,9,2', 2], ['a,0,1\nb,0,x', 2], ['"a,0,1', 1], ['a,0', 1]] as const) {
      let caught: unknown;
      try {
        TagIndex.fromCsv(csv);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(StudioError);
      expect((caught as StudioError).code).toBe('InvalidRequest');
      expect((caught as StudioError).message).toContain(`line ${line}`);
    }
  });

  it('gives an alias shared with a tag name, or with a more-posted tag, to that tag only', () => {
    const csv = ['hatsune_miku,4,106634,"miku,vocaloid_girl"', 'kagamine_rin,4,50000,vocaloid_girl', 'miku,0,10,'].join('\n');
    const shared = TagIndex.fromCsv(csv);
    const prepared = prepare(readRows(csv));
    expect(shared.lookup('miku')).toEqual({ tag: 'miku', category: 'general', count: 10 });
    expect(shared.lookup('vocaloid_girl')?.tag).toBe('hatsune_miku');
    for (const prefix of ['m', 'mi', 'miku', 'vo', 'vocaloid_girl']) {
      expect(shared.complete(prefix)).toEqual(reference(prepared, prefix, undefined, 20));
    }
    expect(shared.complete('vocaloid').map((m) => m.tag)).toEqual(['hatsune_miku']);
  });

  it('sorts a list that is not in count order', () => {
    const shuffled = TagIndex.fromCsv('b,0,5\na,0,10\nab,0,7');
    expect(shuffled.complete('a').map((m) => m.tag)).toEqual(['a', 'ab']);
    expect(shuffled.complete('').map((m) => m.tag)).toEqual(['a', 'ab', 'b']);
  });
});

describe.runIf(haveShared())('TagIndex on the full danbooru list', () => {
  it('agrees with a brute-force search for seeded random prefixes and every field kind', async () => {
    const index = await fullIndex();
    const rows = readRows(readFileSync(TAGS_CSV, 'utf8'));
    const prepared = prepare(rows);
    expect(index.size).toBe(rows.length);
    let seed = 12345;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const fields = [undefined, 'n', 'artists', 'appearance'];
    for (let i = 0; i < 24; i++) {
      const row = rows[Math.floor(rand() * rows.length)];
      const key = rand() < 0.2 && row.aliases.length ? row.aliases[0] : row.tag;
      const prefix = key.slice(0, 1 + Math.floor(rand() * Math.min(6, key.length)));
      const field = fields[i % fields.length];
      expect([prefix, field, index.complete(prefix, { field, limit: 10 })]).toEqual([prefix, field, reference(prepared, prefix, field, 10)]);
    }
    for (const r of rows.slice(0, 200)) expect(index.lookup(r.tag)?.count).toBe(r.count);
  });
});
