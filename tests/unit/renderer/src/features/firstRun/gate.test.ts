import { describe, expect, it } from 'vitest';
import type { ModelCheckReport } from '../../../../../../src/shared/apiTypes';
import { firstRunPhase } from '../../../../../../src/renderer/src/features/firstRun/gate';

const report = (ok: boolean): ModelCheckReport => ({
  folder: '/m',
  root: '/m',
  ok,
  testModel: false,
  components: [],
  tokenizers: {},
  problems: ok ? [] : [{ component: 'vae', code: 'ModelIncomplete', message: 'vae missing' }],
  notes: [],
});

describe('firstRunPhase', () => {
  it('checking until the model check has answered', () => {
    expect(firstRunPhase(null, null, false)).toBe('checking');
  });
  it('the studio once a usable model is configured', () => {
    expect(firstRunPhase(report(true), null, false)).toBe('studio');
  });
  it('the first-run screen without a folder, or with one that fails the check', () => {
    expect(firstRunPhase(null, 'No model folder is set.', false)).toBe('firstRun');
    expect(firstRunPhase(report(false), null, false)).toBe('firstRun');
  });
  it('stays in the studio once entered (a folder broken later is reported in Settings)', () => {
    expect(firstRunPhase(report(false), null, true)).toBe('studio');
    expect(firstRunPhase(null, 'No model folder is set.', true)).toBe('studio');
  });
});
