import { describe, expect, it } from 'vitest';
import {
  diffParams,
  diffPrompts,
  diffTags,
} from '../../../../../../src/renderer/src/features/gallery/promptDiff';
import type { HistoryEntry } from '../../../../../../src/shared/apiTypes';
import { DEFAULTS } from '../../../../../../src/shared/dto';

const A = `<character_1>
<n>hatsune_miku</n>
<clothing>school_uniform, serafuku</clothing>
</character_1>
<general_tags>
<count>1girl, solo</count>
</general_tags>`;
const B = `<character_1>
<n>hatsune_miku</n>
<clothing>serafuku, pleated_skirt</clothing>
<expression>smile</expression>
</character_1>
<general_tags>
<count>1girl, solo</count>
<style>anime_style</style>
</general_tags>`;

describe('diffTags', () => {
  it('marks kept, removed and added tags', () => {
    expect(diffTags('a, b, c', 'c, d')).toEqual([
      { tag: 'a', status: 'removed' },
      { tag: 'b', status: 'removed' },
      { tag: 'c', status: 'same' },
      { tag: 'd', status: 'added' },
    ]);
  });
});

describe('diffPrompts', () => {
  it('compares field by field and places added fields in their block', () => {
    const d = diffPrompts(A, B);
    expect(d.map((f) => [f.block, f.field, f.status])).toEqual([
      ['character_1', 'n', 'same'],
      ['character_1', 'clothing', 'changed'],
      ['character_1', 'expression', 'added'],
      ['general_tags', 'count', 'same'],
      ['general_tags', 'style', 'added'],
    ]);
    const clothing = d[1];
    expect(clothing.tags.filter((t) => t.status !== 'same').map((t) => `${t.status}:${t.tag}`)).toEqual([
      'removed:school_uniform',
      'added:pleated_skirt',
    ]);
  });

  it('compares non-XML prompts as one part', () => {
    const d = diffPrompts('1girl, solo', '1girl, solo, smile');
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ block: 'prompt', status: 'changed' });
    expect(d[0].tags.find((t) => t.status === 'added')?.tag).toBe('smile');
  });
});

describe('diffParams', () => {
  const entry = (seed: number, steps: number): HistoryEntry => ({
    id: `g${seed}`,
    createdAt: 0,
    status: 'finished',
    source: 'studio',
    request: { ...DEFAULTS, prompt: 'x', negativePrompt: '', seed, steps },
    precision: { gemma: 'fp32', jina: 'fp32', dit: 'fp32', vae: 'fp32' },
    provider: 'cpu',
    modelIdentity: 'm',
    modelName: 'tiny',
    appVersion: '0.1.0',
    error: null,
    timings: null,
    peakVram: null,
    peakRam: null,
    predictedVram: null,
    parentId: null,
    importInfo: null,
    images: [],
  });
  it('lists every parameter and flags the differing ones', () => {
    const rows = diffParams(entry(1, 4), entry(2, 4));
    expect(rows.find((r) => r.name === 'Seed')).toEqual({ name: 'Seed', left: '1', right: '2', same: false });
    expect(rows.find((r) => r.name === 'Steps')?.same).toBe(true);
    expect(rows.find((r) => r.name === 'Resolved dtypes')?.left).toBe(
      'Gemma fp32 · Jina fp32 · DiT fp32 · VAE fp32',
    );
  });
});
