/**
 * Platform-independent Gaussian noise for the initial latent.
 *
 * Generator: Philox4x32-10, a counter-based generator (Salmon, Moraes, Dror, Shaw 2011, "Parallel random numbers:
 * as easy as 1, 2, 3", SC'11; reference code Random123 `philox.h`). Output block n is a pure function
 * `philox(counter = [n_lo, n_hi, 0, 0], key = [seed_lo, seed_hi])`, so any element can be computed without the ones
 * before it and no hidden state exists.
 * Gaussians: Box-Muller (Box & Muller 1958) on pairs of 32-bit words: u1 = (w0 + ½)·2⁻³², u2 = w1·2⁻³²,
 * z0 = √(−2 ln u1)·cos(2π u2), z1 = √(−2 ln u1)·sin(2π u2); block n gives gaussians 4n..4n+3 from (w0,w1), (w2,w3).
 *
 * Why the bits are the same on every machine and in every process:
 * - Philox uses only 32-bit integer multiply/xor/add (`Math.imul`, 16-bit limb products exact in doubles): exact.
 * - `Math.log/sin/cos` are "implementation-approximated" in ECMAScript and may differ between engines or versions,
 *   so ln and sin/cos here are our own series built from +, −, ×, ÷ and √ only. ECMAScript defines + − × ÷ as
 *   IEEE-754 binary64 operations, each correctly rounded and never fused or reordered; √ is correctly rounded by
 *   IEEE-754 and every engine emits the hardware square-root instruction for Math.sqrt.
 * - The final float64 → float32 store (Float32Array) is round-to-nearest-even everywhere.
 * No time, no process state, no thread count enters: one seed gives one latent, forever.
 */
import { StudioError } from '../../../shared/errors';
import { MAX_SEED } from '../../../shared/dto';

/** Identity of this noise stream, stored with every image: change it if the algorithm ever changes. */
export const NOISE_ALGORITHM = 'philox4x32-10+box-muller/v1';

/** Channels of the FLUX VAE latent the DiT works on (newbie-model.md §2.5). */
export const LATENT_CHANNELS = 16;
/** Pixels per latent cell (VAE downsampling factor). */
export const VAE_SCALE = 8;

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;
const TWO_POW_32 = 4294967296;
const INV_TWO_POW_32 = 1 / TWO_POW_32;

/** High 32 bits of the 64-bit product of two u32, from 16-bit limbs (every partial product < 2^32: exact). */
function mulhi32(a: number, b: number): number {
  const al = a & 0xffff;
  const ah = a >>> 16;
  const bl = b & 0xffff;
  const bh = b >>> 16;
  const lo = al * bl;
  const m1 = ah * bl;
  const m2 = al * bh;
  const carry = ((lo >>> 16) + (m1 & 0xffff) + (m2 & 0xffff)) >>> 16;
  return (ah * bh + (m1 >>> 16) + (m2 >>> 16) + carry) >>> 0;
}

/**
 * One Philox4x32 block (Random123 `philox4x32_R`): `rounds` rounds, key bumped between rounds.
 * @param ctr four u32 counter words; @param key two u32 key words; @param out receives four u32 words.
 */
function philoxBlock(
  c0: number,
  c1: number,
  c2: number,
  c3: number,
  k0: number,
  k1: number,
  rounds: number,
  out: Uint32Array,
): void {
  for (let r = 0; r < rounds; r++) {
    if (r > 0) {
      k0 = (k0 + W0) >>> 0;
      k1 = (k1 + W1) >>> 0;
    }
    const hi0 = mulhi32(M0, c0);
    const lo0 = Math.imul(M0, c0) >>> 0;
    const hi1 = mulhi32(M1, c2);
    const lo1 = Math.imul(M1, c2) >>> 0;
    c0 = (hi1 ^ c1 ^ k0) >>> 0;
    c1 = lo1;
    c2 = (hi0 ^ c3 ^ k1) >>> 0;
    c3 = lo0;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
}

/**
 * Philox4x32-R block function, exposed for known-answer tests (Random123 `kat_vectors`).
 * @param ctr 4 u32 words; @param key 2 u32 words; @param rounds 10 for Philox4x32-10.
 * @returns 4 u32 words.
 */
export function philox4x32(ctr: ArrayLike<number>, key: ArrayLike<number>, rounds = 10): Uint32Array {
  const out = new Uint32Array(4);
  philoxBlock(
    ctr[0] >>> 0,
    ctr[1] >>> 0,
    ctr[2] >>> 0,
    ctr[3] >>> 0,
    key[0] >>> 0,
    key[1] >>> 0,
    rounds,
    out,
  );
  return out;
}

const LN2_HI = 6.9314718036912381649e-1; // fdlibm ln2_hi: low bits zero, so e·LN2_HI is exact for |e| < 2^11
const LN2_LO = 1.90821492927058770002e-10;
const SQRT_HALF = Math.SQRT1_2; // a constant, not a computed approximation
const LOG_TERMS = 14;
/** 1/(2k+1), k = 0..LOG_TERMS: the atanh series coefficients (each a correctly rounded division). */
const LOG_COEF = Array.from({ length: LOG_TERMS + 1 }, (_, k) => 1 / (2 * k + 1));

/**
 * Natural logarithm of x ∈ (0, ∞) from basic IEEE operations only (deterministic on every platform).
 * x = m·2^e with m ∈ [√½, √2); ln m = 2·atanh(s), s = (m−1)/(m+1), |s| ≤ 0.172, series to s^29 (< 1e-22).
 * Accuracy about 1 ulp of binary64. Returns −∞ for 0 and NaN for negative or NaN input, like Math.log.
 */
export function deterministicLog(x: number): number {
  if (!(x > 0)) return x === 0 ? -Infinity : NaN;
  if (x === Infinity) return Infinity;
  let m = x;
  let e = 0;
  while (m < SQRT_HALF) {
    m *= 2;
    e--;
  }
  while (m >= Math.SQRT2) {
    m *= 0.5;
    e++;
  }
  const f = m - 1;
  const s = f / (2 + f);
  const z = s * s;
  let poly = LOG_COEF[LOG_TERMS];
  for (let k = LOG_TERMS - 1; k >= 0; k--) poly = poly * z + LOG_COEF[k];
  return e * LN2_HI + (e * LN2_LO + 2 * s * poly);
}

const HALF_PI = Math.PI / 2; // division by 2 is exact
const SIN_COEF = [
  1,
  -1 / 6,
  1 / 120,
  -1 / 5040,
  1 / 362880,
  -1 / 39916800,
  1 / 6227020800,
  -1 / 1307674368000,
  1 / 355687428096000,
  -1 / 121645100408832000,
  1 / 51090942171709440000,
];
const COS_COEF = [
  1,
  -1 / 2,
  1 / 24,
  -1 / 720,
  1 / 40320,
  -1 / 3628800,
  1 / 479001600,
  -1 / 87178291200,
  1 / 20922789888000,
  -1 / 6402373705728000,
  1 / 2432902008176640000,
];

/** Taylor series of sin and cos on [0, π/4] (last terms < 1e-19), Horner in φ². */
function sinCosSmall(phi: number): [number, number] {
  const z = phi * phi;
  let s = SIN_COEF[SIN_COEF.length - 1];
  for (let k = SIN_COEF.length - 2; k >= 0; k--) s = s * z + SIN_COEF[k];
  let c = COS_COEF[COS_COEF.length - 1];
  for (let k = COS_COEF.length - 2; k >= 0; k--) c = c * z + COS_COEF[k];
  return [s * phi, c];
}

/**
 * [sin(2π·u), cos(2π·u)] for u ∈ [0, 1) from basic IEEE operations only.
 * Reduction is exact: quadrant q = ⌊4u⌋, r = 4u − q (exact for u with ≤ 50 significant bits, as here),
 * reflected to r ≤ ½ so the series only sees φ = r·π/2 ≤ π/4.
 */
export function deterministicSinCos2Pi(u: number): [number, number] {
  const u4 = u * 4;
  const q = Math.floor(u4);
  const r = u4 - q;
  let s: number;
  let c: number;
  if (r <= 0.5) {
    [s, c] = sinCosSmall(r * HALF_PI);
  } else {
    const [s2, c2] = sinCosSmall((1 - r) * HALF_PI);
    s = c2;
    c = s2;
  }
  switch (q & 3) {
    case 0:
      return [s, c];
    case 1:
      return [c, -s];
    case 2:
      return [-s, -c];
    default:
      return [-c, s];
  }
}

function checkSeed(seed: number): void {
  if (!Number.isSafeInteger(seed) || seed < 0 || seed > MAX_SEED) {
    throw new StudioError(
      'InvalidRequest',
      `Seed ${seed} is not an integer between 0 and ${MAX_SEED} (2^53 − 1).`,
    );
  }
}

/**
 * `count` independent standard normal samples for `seed`, float32.
 * Element i comes from Philox block ⌊i/4⌋ (counter [n_lo, n_hi, 0, 0], key [seed mod 2^32, ⌊seed / 2^32⌋]), so a
 * longer request starts with the same values as a shorter one. Tail limit √(−2 ln 2⁻³³) ≈ 6.8σ.
 * @param seed integer, 0 ≤ seed ≤ 2^53 − 1 (conventions.md §1)
 * @param count number of samples (non-negative integer)
 * @returns Float32Array [count], mean 0, variance 1
 * @throws StudioError InvalidRequest for a seed or count out of range
 */
export function gaussianNoise(seed: number, count: number): Float32Array {
  checkSeed(seed);
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new StudioError('InvalidRequest', `Noise sample count ${count} is not a non-negative integer.`);
  }
  const k0 = seed % TWO_POW_32;
  const k1 = Math.floor(seed / TWO_POW_32);
  const out = new Float32Array(count);
  const words = new Uint32Array(4);
  const blocks = Math.ceil(count / 4);
  for (let n = 0; n < blocks; n++) {
    philoxBlock(n % TWO_POW_32, Math.floor(n / TWO_POW_32), 0, 0, k0, k1, 10, words);
    for (let pair = 0; pair < 2; pair++) {
      const i = 4 * n + 2 * pair;
      if (i >= count) break;
      const u1 = (words[2 * pair] + 0.5) * INV_TWO_POW_32;
      const u2 = words[2 * pair + 1] * INV_TWO_POW_32;
      const radius = Math.sqrt(-2 * deterministicLog(u1));
      const [sin, cos] = deterministicSinCos2Pi(u2);
      out[i] = radius * cos;
      if (i + 1 < count) out[i + 1] = radius * sin;
    }
  }
  return out;
}

/**
 * The initial latent z ~ N(0, 1) at t = 0 for an image of `height`×`width` pixels (newbie-model.md §2.5).
 * Batch image i uses `seed + i` (conventions.md §1); the caller adds i.
 * @param seed integer, 0 ≤ seed ≤ 2^53 − 1
 * @param height image height in pixels, a positive multiple of 16
 * @param width image width in pixels, a positive multiple of 16
 * @returns Float32Array, shape [16, height/8, width/8], C-order (channel, row, column)
 * @throws StudioError InvalidRequest for a bad seed or size
 */
export function initialLatent(seed: number, height: number, width: number): Float32Array {
  for (const [name, v] of [
    ['height', height],
    ['width', width],
  ] as const) {
    if (!Number.isSafeInteger(v) || v <= 0 || v % 16 !== 0) {
      throw new StudioError('InvalidRequest', `Image ${name} ${v} is not a positive multiple of 16 pixels.`);
    }
  }
  return gaussianNoise(seed, LATENT_CHANNELS * (height / VAE_SCALE) * (width / VAE_SCALE));
}
