import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  deterministicLog,
  deterministicSinCos2Pi,
  gaussianNoise,
  initialLatent,
  philox4x32,
} from '../../../../../src/main/engine/noise/philox';
import { StudioError } from '../../../../../src/shared/errors';

const hex = (words: ArrayLike<number>) => Array.from(words, (w) => w.toString(16).padStart(8, '0')).join(' ');

describe('Philox4x32 known answers (Random123 kat_vectors)', () => {
  // Lines "philox4x32 R ctr[4] key[2]   out[4]" of Random123's examples/kat_vectors.
  const kat: Array<[number, string, string, string]> = [
    [7, '00000000 00000000 00000000 00000000', '00000000 00000000', '5f6fb709 0d893f64 4f121f81 4f730a48'],
    [7, 'ffffffff ffffffff ffffffff ffffffff', 'ffffffff ffffffff', '5207ddc2 45165e59 4d8ee751 8c52f662'],
    [7, '243f6a88 85a308d3 13198a2e 03707344', 'a4093822 299f31d0', '4dfccaba 190a87f0 c47362ba b6b5242a'],
    [10, '00000000 00000000 00000000 00000000', '00000000 00000000', '6627e8d5 e169c58d bc57ac4c 9b00dbd8'],
    [10, 'ffffffff ffffffff ffffffff ffffffff', 'ffffffff ffffffff', '408f276d 41c83b0e a20bc7c6 6d5451fd'],
    [10, '243f6a88 85a308d3 13198a2e 03707344', 'a4093822 299f31d0', 'd16cfe09 94fdcceb 5001e420 24126ea1'],
  ];
  const words = (s: string) => s.split(' ').map((w) => parseInt(w, 16));
  for (const [rounds, ctr, key, out] of kat) {
    it(`philox4x32-${rounds}(${ctr} | ${key})`, () => {
      expect(hex(philox4x32(words(ctr), words(key), rounds))).toBe(out);
    });
  }

  // An independent BigInt implementation of the same round function agrees on many random inputs
  // (exercises the 16-bit-limb mulhi on every carry pattern, not only the six vectors above).
  it('agrees with a BigInt reference on 2000 random blocks', () => {
    const M0 = 0xd2511f53n;
    const M1 = 0xcd9e8d57n;
    const mask = 0xffffffffn;
    const ref = (c: bigint[], k: bigint[]) => {
      for (let r = 0; r < 10; r++) {
        if (r > 0) k = [(k[0] + 0x9e3779b9n) & mask, (k[1] + 0xbb67ae85n) & mask];
        const p0 = M0 * c[0];
        const p1 = M1 * c[2];
        c = [((p1 >> 32n) ^ c[1] ^ k[0]) & mask, p1 & mask, ((p0 >> 32n) ^ c[3] ^ k[1]) & mask, p0 & mask];
      }
      return c.map(Number);
    };
    let state = 12345;
    const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) ^ (state >>> 7);
    for (let i = 0; i < 2000; i++) {
      const ctr = [next() >>> 0, next() >>> 0, next() >>> 0, next() >>> 0];
      const key = [next() >>> 0, next() >>> 0];
      expect(Array.from(philox4x32(ctr, key))).toEqual(ref(ctr.map(BigInt), key.map(BigInt)));
    }
  });
});

describe('deterministic elementary functions', () => {
  it('log, sin and cos agree with Math to about 1 ulp', () => {
    let logErr = 0;
    let trigErr = 0;
    for (let i = 1; i < 20000; i++) {
      const x = (i + 0.5) / 20000;
      logErr = Math.max(
        logErr,
        Math.abs(deterministicLog(x) - Math.log(x)) / Math.max(1, Math.abs(Math.log(x))),
      );
      const [s, c] = deterministicSinCos2Pi(x);
      trigErr = Math.max(
        trigErr,
        Math.abs(s - Math.sin(2 * Math.PI * x)),
        Math.abs(c - Math.cos(2 * Math.PI * x)),
      );
    }
    expect(logErr).toBeLessThanOrEqual(4e-16);
    expect(trigErr).toBeLessThan(1e-15);
    expect(deterministicLog(2 ** -33)).toBeCloseTo(-33 * Math.LN2, 13);
    expect(deterministicLog(1)).toBe(0);
    expect(deterministicSinCos2Pi(0)).toEqual([0, 1]);
    expect(deterministicSinCos2Pi(0.25)[0]).toBe(1);
  });
});

describe('gaussianNoise', () => {
  it('has the moments of N(0, 1)', () => {
    const n = 1 << 20;
    const z = gaussianNoise(20240601, n);
    let m1 = 0,
      m2 = 0,
      m3 = 0,
      m4 = 0,
      tail = 0;
    for (const v of z) {
      m1 += v;
      m2 += v * v;
      m3 += v * v * v;
      m4 += v * v * v * v;
      if (Math.abs(v) > 1.959964) tail++;
    }
    m1 /= n;
    m2 /= n;
    m3 /= n;
    m4 /= n;
    // Bounds at ~5 standard errors: se(mean) = 1/√n, se(m2) = √2/√n, se(m3) = √15/√n, se(m4) = √96/√n.
    const se = 1 / Math.sqrt(n);
    expect(Math.abs(m1)).toBeLessThan(5 * se);
    expect(Math.abs(m2 - 1)).toBeLessThan(5 * Math.SQRT2 * se);
    expect(Math.abs(m3)).toBeLessThan(5 * Math.sqrt(15) * se);
    expect(Math.abs(m4 - 3)).toBeLessThan(5 * Math.sqrt(96) * se);
    // P(|z| > 1.96) = 0.05
    expect(Math.abs(tail / n - 0.05)).toBeLessThan(5 * Math.sqrt(0.05 * 0.95) * se);
    // Neighbouring samples (same Box-Muller pair and across blocks) are uncorrelated.
    let lag1 = 0;
    for (let i = 1; i < n; i++) lag1 += z[i] * z[i - 1];
    expect(Math.abs(lag1 / n)).toBeLessThan(5 * se);
  });

  it('same seed gives the same bits; prefixes agree; other seeds differ', () => {
    const a = gaussianNoise(7, 1000);
    const b = gaussianNoise(7, 1000);
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
    expect(Array.from(gaussianNoise(7, 13))).toEqual(Array.from(a.subarray(0, 13)));
    expect(Array.from(gaussianNoise(8, 8))).not.toEqual(Array.from(a.subarray(0, 8)));
    // Seeds differing only in the high key word (≥ 2^32) give different streams.
    expect(Array.from(gaussianNoise(2 ** 32 + 7, 8))).not.toEqual(Array.from(a.subarray(0, 8)));
    expect(gaussianNoise(Number.MAX_SAFE_INTEGER, 4).every(Number.isFinite)).toBe(true);
  });

  it('gives identical bits in a separate Node process', () => {
    const seeds = [0, 1, 4242, 2 ** 32 - 1, 2 ** 40 + 3, Number.MAX_SAFE_INTEGER];
    const digest = (seed: number) => createHash('sha256').update(gaussianNoise(seed, 4099)).digest('hex');
    const dir = mkdtempSync(join(tmpdir(), 'philox-'));
    try {
      const script = join(dir, 'child.ts');
      const modulePath = resolve(__dirname, '../../../../../src/main/engine/noise/philox.ts');
      writeFileSync(
        script,
        `import { createHash } from 'node:crypto';\nimport { gaussianNoise } from ${JSON.stringify(modulePath)};\n` +
          `console.log(JSON.stringify(${JSON.stringify(seeds)}.map((s) => createHash('sha256').update(gaussianNoise(s, 4099)).digest('hex'))));\n`,
      );
      const tsx = resolve(__dirname, '../../../../../node_modules/tsx/dist/cli.mjs');
      const child = spawnSync(process.execPath, [tsx, script], { encoding: 'utf8', timeout: 30_000 });
      expect(child.status, child.stderr).toBe(0);
      expect(JSON.parse(child.stdout.trim())).toEqual(seeds.map(digest));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects seeds outside 0..2^53−1 and bad counts', () => {
    for (const seed of [-1, 1.5, 2 ** 53, Number.NaN])
      expect(() => gaussianNoise(seed, 4)).toThrow(StudioError);
    expect(() => gaussianNoise(1, -1)).toThrow(StudioError);
  });
});

describe('initialLatent', () => {
  it('is [16, H/8, W/8] and batch image i equals the seed + i latent', () => {
    const z = initialLatent(100, 64, 96);
    expect(z.length).toBe(16 * 8 * 12);
    expect(Array.from(z)).toEqual(Array.from(gaussianNoise(100, 16 * 8 * 12)));
    expect(Array.from(initialLatent(102, 64, 96))).not.toEqual(Array.from(z));
  });
  it('rejects sizes that are not positive multiples of 16', () => {
    for (const [h, w] of [
      [0, 64],
      [72, 64],
      [64, 1000],
      [64.5, 64],
    ]) {
      try {
        initialLatent(1, h, w);
        throw new Error('expected an error');
      } catch (e) {
        expect((e as StudioError).code).toBe('InvalidRequest');
      }
    }
  });
});
