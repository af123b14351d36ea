import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../../../../../src/shared/dto';
import { HistoryStore } from '../../../../../../src/main/history/store';
import { searchAsYouType } from '../../../../../../src/renderer/src/features/gallery/searchText';

const PROMPTS = join(__dirname, '../../../../../../../shared/prompts');

describe('searchAsYouType', () => {
  it('makes the word being typed a prefix', () => {
    expect(searchAsYouType('simple_backgr')).toBe('simple_backgr*');
    expect(searchAsYouType('  1girl, silver_h')).toBe('1girl, silver_h*');
    expect(searchAsYouType('rem_(re:ze')).toBe('rem_(re:ze*');
  });

  it('leaves finished words, phrases, exclusions and explicit prefixes as typed', () => {
    expect(searchAsYouType('smile ')).toBe('smile');
    expect(searchAsYouType('smile,')).toBe('smile,');
    expect(searchAsYouType('"long hair"')).toBe('"long hair"');
    expect(searchAsYouType('1girl -maid')).toBe('1girl -maid');
    expect(searchAsYouType('mast*')).toBe('mast*');
    expect(searchAsYouType('1girl >_<')).toBe('1girl >_<');
    expect(searchAsYouType('rem_(re:zero)')).toBe('rem_(re:zero)');
    expect(searchAsYouType('1girl :(')).toBe('1girl :(');
    expect(searchAsYouType('   ')).toBe('');
  });
});

describe('searchAsYouType against the history store', () => {
  let dir: string;
  let store: HistoryStore;
  const names = new Map<string, string>();
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'search-as-you-type-'));
    store = HistoryStore.open(dir);
    for (const [seed, name] of readdirSync(PROMPTS)
      .filter((f) => /\.(xml|txt)$/.test(f))
      .entries()) {
      const prompt = readFileSync(join(PROMPTS, name), 'utf8');
      const id = store.recordFailure(
        { ...DEFAULTS, prompt, negativePrompt: '', seed },
        { code: 'Cancelled', message: 'test' },
      );
      names.set(id, name);
    }
  });
  afterAll(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const hits = (typed: string) =>
    store
      .listGenerations({ search: searchAsYouType(typed) })
      .items.map((g) => names.get(g.id))
      .sort();

  it('finds with a half-typed tag what the whole tag finds', () => {
    const whole = hits('short_hair ');
    expect(whole.length).toBeGreaterThan(0);
    for (const partial of ['short_', 'short_ha', 'short_hair']) expect(hits(partial), partial).toEqual(whole);
    expect(hits('maid -short_hair')).toEqual(['tags-only.txt']);
    expect(hits('zzz_no_such_t')).toEqual([]);
  });
});
