import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  GEMMA_MAX_TOKENS,
  SYSTEM_PROMPTS,
  gemmaText,
  loadTokenizer,
  tokenizeGemma,
  tokenizeJina,
  tokenizePrompt,
} from '../../../../../src/main/engine/tokenizers';
import { StudioError } from '../../../../../src/shared/errors';
import { tinyModel } from '../../../../fixtures/tinyModel';

const root = tinyModel();
const gemma = loadTokenizer({ json: join(root, 'text_encoder', 'tokenizer.json'), config: join(root, 'text_encoder', 'tokenizer_config.json') });
const jina = loadTokenizer({ json: join(root, 'clip_model', 'tokenizer.json'), config: join(root, 'clip_model', 'tokenizer_config.json') });

describe('prompt encoding rules (newbie-model.md §2.1-2.4)', () => {
  it('uses the XML system prompt for XML and the other one otherwise, with the trailing space', () => {
    expect(gemmaText('<n>x</n>', true, false)).toBe(SYSTEM_PROMPTS.xml + '<n>x</n>');
    expect(gemmaText('1girl', false, false)).toBe(SYSTEM_PROMPTS.other + '1girl');
    expect(SYSTEM_PROMPTS.xml.endsWith('<Prompt Start> ')).toBe(true);
  });

  it('gives Gemma just <bos> and Jina <s></s> for an empty negative prompt', () => {
    const t = tokenizePrompt(gemma, jina, '', true, true);
    expect(t.gemma.ids).toEqual([2]);
    expect(t.jina.ids).toEqual([0, 2]);
    expect(t.warnings).toEqual([]);
  });

  it('starts Gemma ids with <bos> and adds no <eos>; wraps Jina ids in <s> … </s>', () => {
    const g = tokenizeGemma(gemma, 'blue_hair, smile');
    expect(g.ids[0]).toBe(2);
    expect(g.ids.slice(1)).not.toContain(1);
    const j = tokenizeJina(jina, 'blue_hair, smile');
    expect(j.ids[0]).toBe(0);
    expect(j.ids[j.ids.length - 1]).toBe(2);
    expect(j.ids.slice(1, -1)).not.toContain(1); // no pads inside
  });

  it('truncates Gemma at 512 tokens and says so', () => {
    const long = Array.from({ length: 400 }, (_, i) => `tag_${i}`).join(', ');
    const t = tokenizePrompt(gemma, jina, long, false, false);
    expect(t.gemma.ids.length).toBe(GEMMA_MAX_TOKENS);
    expect(t.gemma.truncated).toBe(true);
    expect(t.gemma.fullLength).toBeGreaterThan(GEMMA_MAX_TOKENS);
    expect(t.warnings[0].code).toBe('PromptTruncated');
    expect(t.warnings[0].message).toContain(String(t.gemma.fullLength));
  });

  it('refuses an unreadable tokenizer file with ModelInvalid naming it', () => {
    expect(() => loadTokenizer({ json: join(root, 'model_index.json') })).toThrow(StudioError);
  });
});
