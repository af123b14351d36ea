import { describe, expect, it } from 'vitest';
import { minimalReplacement } from '../../../../../../src/renderer/src/features/editor/textEdit';

const apply = (old: string, r: { start: number; end: number; text: string } | null) =>
  r ? old.slice(0, r.start) + r.text + old.slice(r.end) : old;

describe('minimalReplacement', () => {
  it('returns null for equal texts', () => {
    expect(minimalReplacement('abc', 'abc')).toBeNull();
  });

  it('replaces only the changed middle', () => {
    const r = minimalReplacement('<n>miku</n>', '<n>rin</n>');
    expect(r).toEqual({ start: 3, end: 7, text: 'rin' });
  });

  it('handles insertions, deletions and repeated characters', () => {
    for (const [a, b] of [
      ['aaaa', 'aaaaa'],
      ['abcabc', 'abc'],
      ['', 'x'],
      ['x', ''],
      ['hello world', 'hello brave new world'],
    ]) {
      expect(apply(a, minimalReplacement(a, b))).toBe(b);
    }
  });

  it('never splits a surrogate pair', () => {
    const a = 'x\u{1F600}y';
    const b = 'x\u{1F601}y';
    const r = minimalReplacement(a, b);
    expect(r).not.toBeNull();
    expect(r!.start).toBe(1);
    expect(r!.text).toBe('\u{1F601}');
    expect(apply(a, r)).toBe(b);
  });
});
