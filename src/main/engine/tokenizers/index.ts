/**
 * Prompt → token ids, exactly as the official code builds them (newbie-model.md §2.1–2.4):
 * - Gemma gets system prompt + user prompt (plain concatenation, no chat template), `<bos>` first, no EOS, truncated at
 *   512 tokens — with a warning, never silently. The XML system prompt is used for XML prompts, the other one otherwise
 *   ([EXP] finetune.py `T2IItemProcessor`). An empty negative prompt gives Gemma "" (just `<bos>`) and Jina "".
 * - Jina gets the user prompt only, `<s> … </s>`, truncated at 2048 ([EXP] finetune.py, demo.py).
 * Tokenizer files load with @huggingface/tokenizers from the model folder.
 */
import { readFileSync } from 'node:fs';
import { Tokenizer } from '@huggingface/tokenizers';
import { StudioError } from '../../../shared/errors';

/** Training system prompts ([EXP] finetune.py); note the trailing space after `<Prompt Start>`. */
export const SYSTEM_PROMPTS = {
  xml: 'You are an assistant designed to generate high-quality anime images based on xml format prompts. <Prompt Start> ',
  other:
    'You are an assistant designed to generate high-quality anime images with the highest degree of image-text alignment based on textual prompts. <Prompt Start> ',
} as const;

export const GEMMA_MAX_TOKENS = 512;
export const JINA_MAX_TOKENS = 2048;

export interface TokenizerFiles {
  json: string;
  config?: string;
}

/**
 * Loads a tokenizer from its `tokenizer.json` (+ `tokenizer_config.json` when present).
 * @throws StudioError ModelInvalid naming the file when it cannot be parsed.
 */
export function loadTokenizer(files: TokenizerFiles): Tokenizer {
  try {
    const json = JSON.parse(readFileSync(files.json, 'utf8'));
    const config = files.config ? JSON.parse(readFileSync(files.config, 'utf8')) : {};
    return new Tokenizer(json, config);
  } catch (e) {
    throw new StudioError('ModelInvalid', `${files.json}: the tokenizer cannot be loaded (${(e as Error).message})`);
  }
}

export interface Tokenized {
  ids: number[];
  /** Tokens before truncation (including specials). */
  fullLength: number;
  truncated: boolean;
}

/** A user-facing warning raised while encoding (never silent). */
export interface EncodeWarning {
  code: 'PromptTruncated';
  message: string;
}

function idOf(tok: Tokenizer, token: string, fallback: number): number {
  return tok.token_to_id(token) ?? fallback;
}

/**
 * Gemma ids for the text `system + prompt`: `<bos>` + tokens, cut at `maxTokens`.
 * `<bos>` is ensured even when the tokenizer's post-processor does not add it.
 */
export function tokenizeGemma(tok: Tokenizer, text: string, maxTokens = GEMMA_MAX_TOKENS): Tokenized {
  const bos = idOf(tok, '<bos>', 2);
  let ids = tok.encode(text, { add_special_tokens: true }).ids.map(Number);
  if (ids[0] !== bos) ids = [bos, ...ids];
  const eos = idOf(tok, '<eos>', 1);
  if (ids.length > 1 && ids[ids.length - 1] === eos) ids = ids.slice(0, -1);
  const fullLength = ids.length;
  return { ids: ids.slice(0, maxTokens), fullLength, truncated: fullLength > maxTokens };
}

/** Jina ids: `<s>` + tokens + `</s>`, cut at `maxTokens` keeping `</s>` last. */
export function tokenizeJina(tok: Tokenizer, text: string, maxTokens = JINA_MAX_TOKENS): Tokenized {
  const bos = idOf(tok, '<s>', 0);
  const eos = idOf(tok, '</s>', 2);
  let ids = tok.encode(text, { add_special_tokens: true }).ids.map(Number);
  if (ids[0] !== bos) ids = [bos, ...ids];
  if (ids[ids.length - 1] !== eos) ids = [...ids, eos];
  const fullLength = ids.length;
  if (fullLength <= maxTokens) return { ids, fullLength, truncated: false };
  return { ids: [...ids.slice(0, maxTokens - 1), eos], fullLength, truncated: true };
}

/** The Gemma text for a prompt: system prompt + prompt, or "" for an empty negative prompt (demo.py). */
export function gemmaText(prompt: string, isXml: boolean, isNegative: boolean): string {
  if (isNegative && prompt === '') return '';
  return (isXml ? SYSTEM_PROMPTS.xml : SYSTEM_PROMPTS.other) + prompt;
}

export interface PromptTokens {
  gemma: Tokenized;
  jina: Tokenized;
  warnings: EncodeWarning[];
}

/**
 * Token ids for one prompt (positive or negative) for both encoders.
 * @param isXml whether the prompt is XML (selects the system prompt; detection lives in src/shared/prompt).
 */
export function tokenizePrompt(
  gemmaTok: Tokenizer,
  jinaTok: Tokenizer,
  prompt: string,
  isXml: boolean,
  isNegative: boolean,
): PromptTokens {
  const gemma = tokenizeGemma(gemmaTok, gemmaText(prompt, isXml, isNegative));
  const jina = tokenizeJina(jinaTok, prompt);
  const warnings: EncodeWarning[] = [];
  const which = isNegative ? 'negative prompt' : 'prompt';
  if (gemma.truncated) {
    warnings.push({
      code: 'PromptTruncated',
      message: `The ${which} is ${gemma.fullLength} tokens with the system prompt; the Gemma encoder reads only the first ${GEMMA_MAX_TOKENS}, so the rest is ignored. Shorten it.`,
    });
  }
  if (jina.truncated) {
    warnings.push({
      code: 'PromptTruncated',
      message: `The ${which} is ${jina.fullLength} tokens; the Jina CLIP encoder reads only the first ${JINA_MAX_TOKENS}.`,
    });
  }
  return { gemma, jina, warnings };
}
