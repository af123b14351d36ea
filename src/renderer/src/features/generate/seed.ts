/**
 * Seeds (conventions.md §1): integers 0 ≤ seed ≤ 2^53 − 1; "random" draws uniformly from [0, 2^32 − 1]; batch image
 * i uses seed + i, so a batch must end at or below 2^53 − 1.
 */
import { MAX_SEED, RANDOM_SEED_MAX } from '../../../../shared/dto';

export { RANDOM_SEED_MAX };

/** A uniform draw from [0, 2^32 − 1] with the platform CSPRNG (`crypto.getRandomValues`). */
export function randomSeed(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0];
}

/** Parses a typed seed: decimal digits only, 0 … 2^53 − 1; null when not a valid seed. */
export function parseSeed(text: string): number | null {
  const t = text.trim();
  if (!/^\d{1,16}$/.test(t)) return null;
  const n = Number(t);
  return Number.isSafeInteger(n) && n <= MAX_SEED ? n : null;
}

/** Why a fixed seed cannot be used with this batch, or null (seed + batch − 1 must stay ≤ 2^53 − 1). */
export function seedBatchProblem(seed: number, batch: number): string | null {
  if (seed > MAX_SEED - (batch - 1))
    return `Seed ${seed} with a batch of ${batch} passes the largest seed (2^53 − 1): use a smaller seed.`;
  return null;
}
