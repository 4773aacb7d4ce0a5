import { describe, expect, it } from 'vitest';
import { formatDate, formatDateTime, formatTime } from './dates.ts';

describe('one date format per language', () => {
  it('writes days and instants the same way everywhere, in China time', () => {
    expect(formatDate('2026-12-01', 'zh-CN')).toBe('2026年12月1日');
    expect(formatDate('2026-12-01', 'en')).toBe('1 Dec 2026');
    // 06:37 UTC is 14:37 in Beijing; 20:00 UTC on 30 Nov is already 1 Dec there.
    expect(formatDateTime('2026-12-01T06:37:00Z', 'zh-CN')).toBe('2026-12-01 14:37');
    expect(formatDateTime('2026-12-01T06:37:00Z', 'en')).toBe('1 Dec 2026, 14:37');
    expect(formatDate('2026-11-30T20:00:00Z', 'zh-CN')).toBe('2026年12月1日');
    expect(formatTime('2026-12-01T06:37:00Z')).toBe('14:37');
  });

  it('shows a dash for nothing and leaves what is no date alone', () => {
    expect(formatDate(null, 'en')).toBe('—');
    expect(formatDateTime('', 'zh-CN')).toBe('—');
    expect(formatDate('soon', 'en')).toBe('soon');
  });
});
