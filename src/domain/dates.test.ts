import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addDays, addMonths, addYears, ageOn, chinaDate, chinaDayStart, daysBetween, fromDayNumber, isIsoDate, toDayNumber, weekday } from './dates.ts';

describe('dates', () => {
  it('recognises real calendar dates only', () => {
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2023-02-29')).toBe(false);
    expect(isIsoDate('2023-2-1')).toBe(false);
    expect(isIsoDate('2023-13-01')).toBe(false);
    expect(isIsoDate(20230101)).toBe(false);
  });

  it('adds days and months, clamping to the end of the month', () => {
    expect(addDays('2024-12-31', 1)).toBe('2025-01-01');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(addMonths('2024-01-31', 1)).toBe('2024-02-29');
    expect(addMonths('2025-03-31', -1)).toBe('2025-02-28');
    expect(addYears('2024-02-29', 1)).toBe('2025-02-28');
    expect(addYears('2024-02-29', 4)).toBe('2028-02-29');
    expect(daysBetween('2025-01-01', '2025-12-31')).toBe(364);
  });

  it('knows the weekday', () => {
    expect(weekday('2025-10-01')).toBe(3); // Wednesday
    expect(weekday('2025-09-28')).toBe(0);
    expect(weekday('1969-12-31')).toBe(3);
  });

  it('gives the China date of an instant regardless of the host time zone', () => {
    expect(chinaDate(new Date('2025-12-31T15:59:59Z'))).toBe('2025-12-31');
    expect(chinaDate(new Date('2025-12-31T16:00:00Z'))).toBe('2026-01-01');
    expect(chinaDate('2026-01-01T00:30:00+08:00')).toBe('2026-01-01');
  });

  it('starts a China day at 16:00 UTC the day before, across month, year and leap-day ends', () => {
    expect(chinaDayStart('2026-01-01').toISOString()).toBe('2025-12-31T16:00:00.000Z');
    expect(chinaDayStart('2024-03-01').toISOString()).toBe('2024-02-29T16:00:00.000Z');
    for (const date of ['2025-12-31', '2024-02-29', '2026-07-15'] as const) {
      const start = chinaDayStart(date).getTime();
      expect(chinaDate(start)).toBe(date);
      expect(chinaDate(start - 1)).toBe(addDays(date, -1));
    }
  });

  it('computes age in full years', () => {
    expect(ageOn('1966-03-01', '2026-02-28')).toBe(59);
    expect(ageOn('1966-03-01', '2026-03-01')).toBe(60);
    expect(ageOn('2000-02-29', '2001-02-28')).toBe(0);
    expect(ageOn('2000-02-29', '2001-03-01')).toBe(1);
  });

  it('day numbers round-trip', () => {
    fc.assert(
      fc.property(fc.integer({ min: -25_000, max: 60_000 }), (n) => {
        expect(toDayNumber(fromDayNumber(n))).toBe(n);
      }),
    );
  });
});
