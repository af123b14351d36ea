import { mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  WeightSet,
  bf16BitsToF32,
  f16BitsToF32,
  f32ToBf16Bits,
  f32ToBytes,
  f32ToF16Bits,
  readSafetensorsHeader,
  safetensorsHeader,
  writeSafetensors,
} from '../../../../../src/main/engine/safetensors';
import { StudioError } from '../../../../../src/shared/errors';

const dir = mkdtempSync(join(tmpdir(), 'st-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function expectError(fn: () => unknown, code: string, ...parts: string[]) {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(StudioError);
    expect((e as StudioError).code).toBe(code);
    for (const p of parts) expect((e as StudioError).message).toContain(p);
    return;
  }
  throw new Error('expected an error');
}

describe('dtype conversions', () => {
  it('rounds f32 to bf16 to nearest even and widens exactly', () => {
    expect(f32ToBf16Bits(1)).toBe(0x3f80);
    // 1 + 2^-8 is exactly halfway between two bf16 values: ties to even (down).
    expect(bf16BitsToF32(f32ToBf16Bits(1 + 2 ** -8))).toBe(1);
    expect(bf16BitsToF32(f32ToBf16Bits(1 + 3 * 2 ** -8))).toBe(1 + 2 ** -6);
    expect(bf16BitsToF32(f32ToBf16Bits(-2.5))).toBe(-2.5);
  });
  it('converts f16 both ways including subnormals and overflow', () => {
    expect(f32ToF16Bits(1)).toBe(0x3c00);
    expect(f16BitsToF32(f32ToF16Bits(65504))).toBe(65504);
    expect(f16BitsToF32(f32ToF16Bits(70000))).toBe(Infinity);
    expect(f16BitsToF32(f32ToF16Bits(2 ** -24))).toBe(2 ** -24);
    expect(f16BitsToF32(f32ToF16Bits(0.1))).toBeCloseTo(0.0999755859375, 12);
  });
});

describe('safetensors reader', () => {
  const good = join(dir, 'good.safetensors');
  writeSafetensors(
    good,
    [
      { name: 'w', dtype: 'BF16', shape: [2, 3], data: f32ToBytes([1, 2, 3, 4, 5, 6], 'BF16') },
      { name: 'b', dtype: 'F32', shape: [3], data: f32ToBytes([0.5, -1, 2], 'F32') },
    ],
    { format: 'pt' },
    3, // odd padding: data starts at an unaligned offset
  );

  it('reads names, shapes, absolute offsets and values', () => {
    const h = readSafetensorsHeader(good);
    expect([...h.tensors.keys()]).toEqual(['w', 'b']);
    expect(h.tensors.get('w')!.shape).toEqual([2, 3]);
    expect(h.tensors.get('w')!.offset % 2).toBe(1);
    expect(h.metadata).toEqual({ format: 'pt' });
    const ws = WeightSet.fromFile(good);
    expect(Array.from(ws.readF32('w'))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(ws.readF32('b'))).toEqual([0.5, -1, 2]);
  });

  it('names the file for a truncated file', () => {
    const p = join(dir, 'trunc.safetensors');
    writeFileSync(p, readFileSync(good));
    truncateSync(p, readSafetensorsHeader(good).fileSize - 4);
    expectError(() => readSafetensorsHeader(p), 'ModelInvalid', p, 'tensor b');
  });

  it('rejects an out-of-range offset, a wrong dtype size and a bad length prefix', () => {
    const bad = (name: string, header: object, dataBytes: number) => {
      const json = Buffer.from(JSON.stringify(header));
      const len = Buffer.alloc(8);
      len.writeBigUInt64LE(BigInt(json.length));
      const p = join(dir, name);
      writeFileSync(p, Buffer.concat([len, json, Buffer.alloc(dataBytes)]));
      return p;
    };
    const p1 = bad('oob.safetensors', { x: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, 8);
    expectError(() => readSafetensorsHeader(p1), 'ModelInvalid', p1, 'tensor x', 'past the end');
    const p2 = bad('dtype.safetensors', { x: { dtype: 'F32', shape: [4], data_offsets: [0, 8] } }, 8);
    expectError(() => readSafetensorsHeader(p2), 'ModelInvalid', p2, 'tensor x', 'needs 16 bytes');
    const p3 = bad('unk.safetensors', { x: { dtype: 'Q4', shape: [4], data_offsets: [0, 8] } }, 8);
    expectError(() => readSafetensorsHeader(p3), 'ModelInvalid', 'unsupported dtype');
    // A flipped byte in `__metadata__` turns it into a tensor entry without a dtype (seen with `models check`).
    const p5 = bad('meta.safetensors', { '__metadatb__': { format: 'pt' }, x: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, 8);
    expectError(() => readSafetensorsHeader(p5), 'ModelInvalid', p5, '"__metadatb__" has no dtype');
    const p4 = join(dir, 'huge.safetensors');
    const len = Buffer.alloc(16);
    len.writeBigUInt64LE(2n ** 60n);
    writeFileSync(p4, len);
    expectError(() => readSafetensorsHeader(p4), 'ModelInvalid', p4, 'header length');
    expectError(() => readSafetensorsHeader(join(dir, 'none.safetensors')), 'ModelIncomplete', 'none.safetensors');
  });

  it('resolves HF-cache symlinks to the real blob', () => {
    const blobs = join(dir, 'blobs');
    const snap = join(dir, 'snapshots', 'abc', 'transformer');
    mkdirSync(blobs, { recursive: true });
    mkdirSync(snap, { recursive: true });
    writeSafetensors(join(blobs, 'sha1'), [{ name: 'a', dtype: 'F32', shape: [1], data: f32ToBytes([7], 'F32') }]);
    symlinkSync('../../../blobs/sha1', join(snap, 'model.safetensors'));
    const h = readSafetensorsHeader(join(snap, 'model.safetensors'));
    expect(h.realPath).toBe(join(blobs, 'sha1'));
    expect(h.tensors.get('a')!.file).toBe(join(blobs, 'sha1'));
  });

  it('loads sharded indexes and names a missing shard', () => {
    const d = join(dir, 'sharded');
    mkdirSync(d);
    writeSafetensors(join(d, 'm-1.safetensors'), [{ name: 'a', dtype: 'F32', shape: [1], data: f32ToBytes([1], 'F32') }]);
    writeSafetensors(join(d, 'm-2.safetensors'), [{ name: 'b', dtype: 'F32', shape: [1], data: f32ToBytes([2], 'F32') }]);
    writeFileSync(join(d, 'index.json'), JSON.stringify({ weight_map: { a: 'm-1.safetensors', b: 'm-2.safetensors' } }));
    const ws = WeightSet.fromIndex(join(d, 'index.json'));
    expect(ws.names().sort()).toEqual(['a', 'b']);
    expect(ws.readF32('b')[0]).toBe(2);
    writeFileSync(join(d, 'index2.json'), JSON.stringify({ weight_map: { a: 'm-1.safetensors', c: 'm-3.safetensors' } }));
    expectError(() => WeightSet.fromIndex(join(d, 'index2.json')), 'ModelIncomplete', 'm-3.safetensors');
  });

  it('refuses to read a U8 tensor as numbers with ModelInvalid naming the tensor', () => {
    const p = join(dir, 'u8.safetensors');
    writeSafetensors(p, [{ name: 'q', dtype: 'U8', shape: [2], data: new Uint8Array([1, 2]) }]);
    expectError(() => WeightSet.fromFile(p).readF32('q'), 'ModelInvalid', p, 'tensor q', 'U8');
  });

  it('pads the header to 8 bytes', () => {
    const h = safetensorsHeader([{ name: 'x', dtype: 'F32', shape: [1] }]);
    expect((h.length - 8) % 8).toBe(0);
  });
});
