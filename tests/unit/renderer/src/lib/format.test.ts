import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatDuration,
  formatPlan,
  parseDateInput,
  shortCount,
} from '../../../../../src/renderer/src/lib/format';

describe('format', () => {
  it('formats bytes with binary prefixes', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(8 * 1024 ** 3)).toBe('8.0 GiB');
    expect(formatBytes(null)).toBe('–');
  });
  it('formats durations', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(12_300)).toBe('12.3 s');
    expect(formatDuration(245_000)).toBe('4 min 05 s');
    expect(formatDuration(3_720_000)).toBe('1 h 02 min');
    expect(formatDuration(-1)).toBe('–');
  });
  it('formats a precision plan in component order', () => {
    expect(formatPlan({ vae: 'fp32', dit: 'bf16', gemma: 'bf16', jina: 'bf16' })).toBe(
      'Gemma bf16 · Jina bf16 · DiT bf16 · VAE fp32',
    );
    expect(formatPlan(null)).toBe('–');
  });
  it('parses date inputs at local midnight', () => {
    expect(parseDateInput('2026-05-01')).toBe(new Date(2026, 4, 1).getTime());
    expect(parseDateInput('yesterday')).toBeUndefined();
  });
  it('shortens post counts', () => {
    expect(shortCount(812)).toBe('812');
    expect(shortCount(4321)).toBe('4.3k');
    expect(shortCount(45_000)).toBe('45k');
    expect(shortCount(4_400_000)).toBe('4.4M');
    expect(shortCount(12_000_000)).toBe('12M');
  });
});
