/**
 * Seeded pseudo-random numbers for the tiny model generator. Deterministic across platforms and Node versions:
 * integer arithmetic only (Math.imul), Box–Muller with Math.log/cos/sin on doubles, then rounded to f32/bf16,
 * so the same seed gives byte-identical files. Generator: sfc32 (Chris Doty-Humphrey, PractRand), seeded
 * through a 32-bit FNV-1a hash of a string key so each tensor's values depend only on (seed, component, name).
 */

/** 32-bit FNV-1a of a string's UTF-16 code units. */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** A small seeded generator: uniform [0,1) and standard normal draws. */
export class SeededRng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare: number | null = null;

  /** @param seed integer 0 ≤ seed ≤ 2^53−1; @param key a label that separates independent streams. */
  constructor(seed: number, key: string) {
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 2 ** 32) >>> 0;
    this.a = fnv1a32(key) ^ lo;
    this.b = fnv1a32(`${key}#b`) ^ hi;
    this.c = fnv1a32(`${key}#c`);
    this.d = 1;
    for (let i = 0; i < 15; i++) this.nextU32(); // warm up sfc32
  }

  nextU32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in (0, 1): never 0, so log() below is finite. */
  uniform(): number {
    return (this.nextU32() + 0.5) / 2 ** 32;
  }

  /** Standard normal N(0,1) by Box–Muller (pairs; the second value is kept for the next call). */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    const r = Math.sqrt(-2 * Math.log(this.uniform()));
    const theta = 2 * Math.PI * this.uniform();
    this.spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  /** Fills a Float32Array with mean + std·N(0,1). */
  fillNormal(out: Float32Array, mean: number, std: number): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = mean + std * this.normal();
    return out;
  }
}
