/**
 * Request validation at the engine boundary: every bad value becomes an InvalidRequest a person can act on.
 */
import { MAX_SEED, type GenerationRequest } from '../../../shared/dto';
import { StudioError } from '../../../shared/errors';

/** Image sides must be multiples of 16 (VAE /8 then patch 2) within the RoPE position limits (512 patches per axis). */
export const MAX_SIDE = 4096;

/**
 * Longest prompt (and negative prompt) in UTF-16 code units. Gemma reads 512 tokens and Jina 2048, so anything near
 * this is already truncated with a warning; far beyond it the tokenizer takes minutes and overflows the JS stack
 * (@huggingface/tokenizers spreads one argument per token: a 450k-character prompt crashed it).
 */
export const MAX_PROMPT_CHARS = 50_000;

const MEMORY_POLICIES = ['auto', 'keep', 'release'];

/** @throws StudioError InvalidRequest naming the field and the allowed range. */
export function validateRequest(r: GenerationRequest): void {
  const bad = (msg: string) => {
    throw new StudioError('InvalidRequest', msg);
  };
  for (const [name, v] of [
    ['width', r.width],
    ['height', r.height],
  ] as const) {
    if (!Number.isInteger(v) || v < 16 || v > MAX_SIDE || v % 16 !== 0) {
      bad(`${name} ${v} is not a multiple of 16 between 16 and ${MAX_SIDE}.`);
    }
  }
  if (!Number.isInteger(r.steps) || r.steps < 1 || r.steps > 1000) bad(`steps ${r.steps} must be an integer from 1 to 1000.`);
  if (!Number.isFinite(r.guidance) || r.guidance < 0 || r.guidance > 100) bad(`guidance ${r.guidance} must be between 0 and 100.`);
  if (!Number.isFinite(r.shift) || r.shift <= 0 || r.shift > 100) bad(`shift ${r.shift} must be greater than 0 and at most 100.`);
  if (!Number.isFinite(r.cfgTrunc) || r.cfgTrunc < 0) bad(`cfgTrunc ${r.cfgTrunc} must be ≥ 0.`);
  if (!Number.isFinite(r.renormCfg) || r.renormCfg < 0) bad(`renormCfg ${r.renormCfg} must be ≥ 0.`);
  if (r.sampler !== 'euler' && r.sampler !== 'midpoint') bad(`sampler ${String(r.sampler)} must be euler or midpoint.`);
  if (!Number.isInteger(r.batch) || r.batch < 1 || r.batch > 64) bad(`batch ${r.batch} must be an integer from 1 to 64.`);
  if (!Number.isSafeInteger(r.seed) || r.seed < 0) bad(`seed ${r.seed} must be an integer from 0 to ${MAX_SEED}.`);
  if (r.seed > MAX_SEED - (r.batch - 1)) bad(`seed ${r.seed} + batch ${r.batch} passes the largest seed ${MAX_SEED}.`);
  if (typeof r.prompt !== 'string' || r.prompt.trim() === '') bad('The prompt is empty.');
  if (typeof r.negativePrompt !== 'string') bad('The negative prompt must be text.');
  for (const [name, text] of [
    ['prompt', r.prompt],
    ['negative prompt', r.negativePrompt],
  ] as const) {
    if (text.length > MAX_PROMPT_CHARS) {
      bad(
        `The ${name} is ${text.length} characters; the limit is ${MAX_PROMPT_CHARS} (the encoders read only the first 512 / 2048 tokens, about 2,000 / 8,000 characters).`,
      );
    }
  }
  if (r.memoryPolicy !== undefined && !MEMORY_POLICIES.includes(r.memoryPolicy)) {
    bad(`memory policy ${String(r.memoryPolicy)} must be auto, keep or release.`);
  }
  if (!['auto', 'bf16', 'fp16', 'fp32'].includes(r.precision)) bad(`precision ${String(r.precision)} must be auto, bf16, fp16 or fp32.`);
}
