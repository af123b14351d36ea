import { crc32, deflateSync } from 'node:zlib';
import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { encodePng, readPngTextChunks, stableJson } from '../../../../../src/main/engine/image/png';
import { StudioError } from '../../../../../src/shared/errors';

function pixels(w: number, h: number): Uint8Array {
  const rgb = new Uint8Array(w * h * 3);
  for (let i = 0; i < rgb.length; i++) rgb[i] = (i * 37) & 255;
  return rgb;
}

/** Chunk types in file order, parsed independently of the module under test. */
function chunkTypes(png: Uint8Array): string[] {
  const b = Buffer.from(png);
  const types: string[] = [];
  for (let pos = 8; pos < b.length;) {
    const len = b.readUInt32BE(pos);
    const type = b.toString('latin1', pos + 4, pos + 8);
    expect(b.readUInt32BE(pos + 8 + len)).toBe(
      crc32(b.subarray(pos + 8, pos + 8 + len), crc32(b.subarray(pos + 4, pos + 8))),
    );
    types.push(type);
    pos += 12 + len;
  }
  return types;
}

function rawChunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(data, crc32(Buffer.from(type, 'latin1'))), 8 + data.length);
  return out;
}

function expectInvalid(fn: () => unknown, ...parts: string[]) {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(StudioError);
    expect((e as StudioError).code).toBe('InvalidRequest');
    for (const p of parts) expect((e as StudioError).message).toContain(p);
    return;
  }
  throw new Error('expected an error');
}

describe('encodePng', () => {
  it('writes RGB8 pixels that decode back, with tEXt parameters and iTXt newbie before IDAT', () => {
    const rgb = pixels(5, 3);
    const png = encodePng(rgb, 5, 3, {
      parameters: 'a cat\nSteps: 28, Seed: 1, Size: 80x48',
      newbie: { b: 1, a: 'é' },
    });
    const img = decode(png);
    expect([img.width, img.height, img.channels, img.depth]).toEqual([5, 3, 3, 8]);
    expect(Array.from(img.data)).toEqual(Array.from(rgb));
    expect(chunkTypes(png)).toEqual(['IHDR', 'tEXt', 'iTXt', 'IDAT', 'IEND']);
    expect(readPngTextChunks(png)).toEqual([
      { keyword: 'parameters', type: 'tEXt', text: 'a cat\nSteps: 28, Seed: 1, Size: 80x48' },
      { keyword: 'newbie', type: 'iTXt', text: '{"a":"é","b":1}' },
    ]);
  });

  it('uses iTXt for parameters that are not Latin-1 and keeps Latin-1 text exact in tEXt', () => {
    const jp = encodePng(pixels(1, 1), 1, 1, { parameters: '猫耳 1girl, ♥' });
    expect(readPngTextChunks(jp)).toEqual([{ keyword: 'parameters', type: 'iTXt', text: '猫耳 1girl, ♥' }]);
    const latin = encodePng(pixels(1, 1), 1, 1, { parameters: 'café ÿ <tag>\t>_<' });
    expect(readPngTextChunks(latin)).toEqual([
      { keyword: 'parameters', type: 'tEXt', text: 'café ÿ <tag>\t>_<' },
    ]);
  });

  it('gives byte-identical files for identical input, whatever the key order of the JSON', () => {
    const a = encodePng(pixels(8, 8), 8, 8, {
      parameters: 'x',
      newbie: { seed: 1, prompt: 'p', nested: { z: 1, y: 2 } },
    });
    const b = encodePng(pixels(8, 8), 8, 8, {
      newbie: { nested: { y: 2, z: 1 }, prompt: 'p', seed: 1 },
      parameters: 'x',
    });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    expect(stableJson({ b: [{ d: 1, c: 2 }], a: null })).toBe('{"a":null,"b":[{"c":2,"d":1}]}');
  });

  it('rejects mismatched buffers and NUL in text', () => {
    expectInvalid(() => encodePng(new Uint8Array(10), 2, 2), '2×2×3');
    expectInvalid(() => encodePng(pixels(1, 1), 1, 1, { parameters: 'a\u0000b' }), 'NUL');
  });
});

describe('readPngTextChunks', () => {
  const base = encodePng(pixels(2, 2), 2, 2);
  const iend = base.length - 12;

  it('finds zTXt and compressed iTXt after IDAT and inflates them', () => {
    const z = rawChunk(
      'zTXt',
      Buffer.concat([
        Buffer.from('parameters\u0000\u0000', 'latin1'),
        deflateSync(Buffer.from('naïve', 'latin1')),
      ]),
    );
    const it8 = rawChunk(
      'iTXt',
      Buffer.concat([
        Buffer.from('Comment\u0000\u0001\u0000en\u0000Kommentar\u0000', 'latin1'),
        deflateSync(Buffer.from('日本語', 'utf8')),
      ]),
    );
    const file = Buffer.concat([base.subarray(0, iend), z, it8, base.subarray(iend)]);
    expect(readPngTextChunks(file)).toEqual([
      { keyword: 'parameters', type: 'zTXt', text: 'naïve' },
      { keyword: 'Comment', type: 'iTXt', text: '日本語' },
    ]);
  });

  it('reports empty, non-PNG, truncated and corrupted files as InvalidRequest naming the source', () => {
    expectInvalid(() => readPngTextChunks(new Uint8Array(0), 'a.png'), 'a.png', 'empty');
    expectInvalid(() => readPngTextChunks(Buffer.from('GIF89a....'), 'b.png'), 'b.png', 'not a PNG');
    expectInvalid(() => readPngTextChunks(base.subarray(0, base.length - 12), 'c.png'), 'c.png', 'truncated');
    expectInvalid(() => readPngTextChunks(base.subarray(0, 40), 'd.png'), 'd.png', 'truncated');
    const withText = Buffer.from(encodePng(pixels(2, 2), 2, 2, { parameters: 'hello' }));
    withText[45] ^= 1; // a byte of the tEXt data
    expectInvalid(() => readPngTextChunks(withText, 'e.png'), 'e.png', 'CRC');
    const badZ = rawChunk('zTXt', Buffer.from('parameters\u0000\u0000not deflate', 'latin1'));
    expectInvalid(
      () => readPngTextChunks(Buffer.concat([base.subarray(0, iend), badZ, base.subarray(iend)]), 'f.png'),
      'f.png',
      'decompressed',
    );
  });
});
