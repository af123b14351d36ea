import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULTS, type GenerationRequest } from '../../../../../src/shared/dto';
import {
  draftOf,
  paramsFromDefaults,
  rerunDraft,
  useStudio,
  INITIAL_PROMPT,
} from '../../../../../src/renderer/src/state/studioStore';
import { checkPrompt, hasErrors } from '../../../../../src/shared/prompt';

const stored: GenerationRequest = {
  prompt: '<character_1>\n<n>x</n>\n</character_1>',
  negativePrompt: 'blurry',
  width: 832,
  height: 1216,
  steps: 18,
  guidance: 4.5,
  shift: 6,
  cfgTrunc: 0.25,
  renormCfg: 0,
  sampler: 'midpoint',
  seed: 123456789,
  batch: 2,
  precision: 'fp16',
  memoryPolicy: 'release',
};

describe('studio store', () => {
  beforeEach(() =>
    useStudio.setState({
      prompt: INITIAL_PROMPT,
      negativePrompt: '',
      params: paramsFromDefaults(),
      promptRevision: 0,
    }),
  );

  it('starts from the official defaults with a random seed, and a starter prompt without errors', () => {
    const p = useStudio.getState().params;
    expect(p).toMatchObject({
      width: DEFAULTS.width,
      height: DEFAULTS.height,
      steps: DEFAULTS.steps,
      guidance: DEFAULTS.guidance,
      seedMode: 'random',
    });
    expect(hasErrors(checkPrompt(INITIAL_PROMPT).diagnostics)).toBe(false);
  });

  it('sends seed null in random mode and the typed seed in fixed mode', () => {
    expect(draftOf(useStudio.getState()).seed).toBeNull();
    useStudio.getState().setParams({ seedMode: 'fixed', seed: 42 });
    expect(draftOf(useStudio.getState())).toMatchObject({
      seed: 42,
      width: DEFAULTS.width,
      prompt: INITIAL_PROMPT,
    });
  });

  it('restores a stored request into prompt and parameters, seed fixed, and marks it as an outside change', () => {
    const before = useStudio.getState().promptRevision;
    useStudio.getState().applyRequest(stored);
    const s = useStudio.getState();
    expect(s.prompt).toBe(stored.prompt);
    expect(s.promptOrigin).toBe('restore');
    expect(s.promptRevision).toBe(before + 1);
    expect(s.negativePrompt).toBe('blurry');
    expect(s.params).toMatchObject({
      width: 832,
      height: 1216,
      steps: 18,
      sampler: 'midpoint',
      precision: 'fp16',
      seed: 123456789,
      seedMode: 'fixed',
      batch: 2,
    });
  });

  it('ignores a prompt change to the same text (no revision bump, so no editor echo)', () => {
    const r = useStudio.getState().promptRevision;
    useStudio.getState().setPrompt(INITIAL_PROMPT, 'composer');
    expect(useStudio.getState().promptRevision).toBe(r);
  });

  it('re-runs a stored request field for field with lineage and a chosen seed', () => {
    const d = rerunDraft(stored, 'gen-1');
    expect(d).toEqual({ ...stored, parentId: 'gen-1' });
    expect(rerunDraft(stored, 'gen-1', null).seed).toBeNull();
  });

  it('takes defaults from settings', () => {
    expect(paramsFromDefaults({ width: 64, steps: 2, sampler: 'midpoint' })).toMatchObject({
      width: 64,
      height: DEFAULTS.height,
      steps: 2,
      sampler: 'midpoint',
    });
  });
});
