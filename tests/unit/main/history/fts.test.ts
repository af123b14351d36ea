import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StudioError } from '../../../../src/shared/errors';
import { ftsDocument, ftsQuery } from '../../../../src/main/history/fts';
import { HistoryStore } from '../../../../src/main/history/store';
import { cleanupDirs, request, tempDir } from './helpers';

const PROMPTS = join(__dirname, '../../../../../shared/prompts');

/**
 * Danbooru tags of a sample prompt, found independently of the indexer: element values split at commas, keeping only
 * tag-shaped items (no spaces: the natural-language caption is prose, not tags).
 */
function tagsOf(text: string): string[] {
  const values = [...text.matchAll(/>([^<>]+)</g)].map((m) => m[1]!);
  const lists = text.trim().startsWith('<') ? values : [text];
  return lists
    .flatMap((v) => v.split(','))
    .map((t) => t.trim())
    .filter((t) => t !== '' && !/\s/.test(t));
}

describe('ftsDocument and ftsQuery', () => {
  it('strips element markup but keeps tags, including >_< and parentheses', () => {
    const doc = ftsDocument(
      '<character_1>\n  <n>rem_(re:zero)</n>\n  <expression>>_<, smile</expression>\n</character_1>',
    );
    expect(doc.prompt).toBe('rem_(re:zero) >_<, smile');
    expect(doc.words).toBe('rem (re:zero) > <, smile');
  });

  it('quotes every term so tag punctuation is never query syntax', () => {
    expect(ftsQuery('rem_(re:zero)')).toBe('"rem_(re:zero)"');
    expect(ftsQuery('silver_hair, maid')).toBe('"silver_hair" AND "maid"');
    expect(ftsQuery('"long hair" -smile')).toBe('("long hair") NOT ("smile")');
    expect(ftsQuery('mast*')).toBe('"mast" *');
    expect(ftsQuery('say "hi"" there')).toBe('"say" AND "hi" AND "there"');
    expect(ftsQuery('NOT OR AND')).toBe('"NOT" AND "OR" AND "AND"');
    expect(ftsQuery('  , ( : ')).toBeNull();
    expect(() => ftsQuery('-maid')).toThrow(StudioError);
  });
});

describe('search over the sample prompts', () => {
  let store: HistoryStore;
  const ids = new Map<string, string>();
  beforeAll(() => {
    store = HistoryStore.open(tempDir());
    for (const [i, name] of readdirSync(PROMPTS)
      .filter((f) => /\.(xml|txt)$/.test(f))
      .entries()) {
      ids.set(
        name,
        store.recordFailure(request({ prompt: readFileSync(join(PROMPTS, name), 'utf8'), seed: i }), {
          code: 'Cancelled',
          message: 'test',
        }),
      );
    }
  });
  afterAll(() => {
    store.close();
    cleanupDirs();
  });

  it('finds every danbooru tag of every sample prompt, and only prompts that contain it', () => {
    let checked = 0;
    for (const [name, id] of ids) {
      for (const tag of tagsOf(readFileSync(join(PROMPTS, name), 'utf8'))) {
        const found = store.listGenerations({ search: tag, limit: 50 }).items.map((g) => g.id);
        expect(found, `${tag} in ${name}`).toContain(id);
        for (const g of found)
          expect(store.get(g)!.request.prompt.toLowerCase(), tag).toContain(tag.toLowerCase());
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(80);
  });

  it('finds plain words inside tags and prose, and excludes', () => {
    const hits = (q: string) =>
      store
        .listGenerations({ search: q })
        .items.map((g) => [...ids].find(([, v]) => v === g.id)![0])
        .sort();
    expect(hits('cherry blossom')).toEqual(['natural-language.txt']);
    expect(hits('umbrella')).toEqual(['builder-style.xml']);
    expect(hits('maid')).toEqual(['seed-article-style.xml', 'tags-only.txt']);
    expect(hits('maid -short_hair')).toEqual(['tags-only.txt']);
    expect(hits('re:zero')).toEqual(['seed-article-style.xml']);
  });

  it('never hands SQLite a broken MATCH: a NUL (pasted into the search box) ends no string literal', () => {
    expect(ftsQuery('ma\0id')).toBe('"ma id"');
    expect(ftsQuery('"long\0hair" -\0x')).toBe('("long hair") NOT (" x")');
    for (const search of ['ma\0id', 'maid\0', '\0maid*', 'maid -short\0hair'])
      expect(() => store.listGenerations({ search }), JSON.stringify(search)).not.toThrow();
    expect(store.listGenerations({ search: 'maid\0' }).items.length).toBeGreaterThan(0);
  });
});
