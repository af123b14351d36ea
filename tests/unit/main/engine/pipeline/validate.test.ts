import { describe, expect, it } from 'vitest';
import { MAX_PROMPT_CHARS, validateRequest } from '../../../../../src/main/engine/pipeline/validate';
import { DEFAULTS, MAX_SEED, type GenerationRequest } from '../../../../../src/shared/dto';
import { StudioError } from '../../../../../src/shared/errors';

const ok: GenerationRequest = { ...DEFAULTS, prompt: '1girl', negativePrompt: '', seed: 0, batch: 1 };

function code(r: Partial<GenerationRequest>): string | null {
  try {
    validateRequest({ ...ok, ...r });
    return null;
  } catch (e) {
    expect(e).toBeInstanceOf(StudioError);
    return (e as StudioError).code;
  }
}

describe('validateRequest', () => {
  it('accepts the defaults and the largest seed with batch 1', () => {
    expect(code({})).toBeNull();
    expect(code({ seed: MAX_SEED })).toBeNull();
  });
  it('refuses a batch that would pass the largest seed (float rounding at 2^53 included)', () => {
    expect(code({ seed: MAX_SEED, batch: 2 })).toBe('InvalidRequest');
    expect(code({ seed: MAX_SEED - 1, batch: 2 })).toBeNull();
  });
  it('refuses sizes that are not multiples of 16, fractional steps, negative seeds and empty prompts', () => {
    expect(code({ width: 1000 })).toBe('InvalidRequest');
    expect(code({ height: 0 })).toBe('InvalidRequest');
    expect(code({ steps: 2.5 })).toBe('InvalidRequest');
    expect(code({ seed: -1 })).toBe('InvalidRequest');
    expect(code({ seed: 1.5 })).toBe('InvalidRequest');
    expect(code({ prompt: '  \n' })).toBe('InvalidRequest');
    expect(code({ sampler: 'dpm' as never })).toBe('InvalidRequest');
  });
});

describe('validateRequest: input a CLI user can type', () => {
  it('refuses an unknown memory policy and accepts the three known ones', () => {
    expect(code({ memoryPolicy: 'bogus' as never })).toBe('InvalidRequest');
    for (const m of ['auto', 'keep', 'release'] as const) expect(code({ memoryPolicy: m })).toBeNull();
  });
  it('refuses a prompt or negative prompt above MAX_PROMPT_CHARS before the tokenizer sees it', () => {
    expect(code({ prompt: 'a'.repeat(MAX_PROMPT_CHARS) })).toBeNull();
    expect(code({ prompt: 'a'.repeat(MAX_PROMPT_CHARS + 1) })).toBe('InvalidRequest');
    expect(code({ negativePrompt: 'b'.repeat(MAX_PROMPT_CHARS + 1) })).toBe('InvalidRequest');
    expect(() => validateRequest({ ...ok, prompt: 'x'.repeat(MAX_PROMPT_CHARS + 7) })).toThrow(`${MAX_PROMPT_CHARS + 7} characters`);
  });
});
