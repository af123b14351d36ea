/** The serve-mode frame codec: byte arrays survive JSON as bytes, everything else as plain JSON. */
import { describe, expect, it } from 'vitest';
import { base64ToBytes, bytesToBase64, decodeWire, encodeWire } from '../../../../src/shared/wire';

describe('wire codec', () => {
  it('matches Node base64 for every padding case and a large array', () => {
    for (const n of [0, 1, 2, 3, 4, 5, 6, 1000, 100_003]) {
      const bytes = new Uint8Array(n).map((_, i) => (i * 131 + 7) & 255);
      const b64 = bytesToBase64(bytes);
      expect(b64).toBe(Buffer.from(bytes).toString('base64'));
      expect(Buffer.from(base64ToBytes(b64)).equals(Buffer.from(bytes))).toBe(true);
    }
  });

  it('round-trips nested byte arrays, drops undefined fields, leaves look-alike objects alone', () => {
    const preview = new Uint8Array([137, 80, 78, 71, 0, 255]);
    const msg = { type: 'event', channel: 'generation.progress', payload: { step: 3, preview, skip: undefined, list: [new Uint8Array([1]), { $bytes: 1 }] } };
    const text = encodeWire(msg);
    expect(text).not.toContain('skip');
    const back = decodeWire(text) as typeof msg;
    expect(back.payload.preview).toBeInstanceOf(Uint8Array);
    expect(back.payload.preview).toEqual(preview);
    expect(back.payload.list[0]).toEqual(new Uint8Array([1]));
    expect(back.payload.list[1]).toEqual({ $bytes: 1 });
    expect(decodeWire('{"$bytes":"AQI=","other":1}')).toEqual({ $bytes: 'AQI=', other: 1 });
    expect(() => decodeWire('not json')).toThrow(SyntaxError);
  });
});
