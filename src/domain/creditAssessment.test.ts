import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DomainError } from './errors.ts';
import { addDays, daysBetween, fromDayNumber, toDayNumber } from './dates.ts';
import { DEFAULT_GRADE_THRESHOLDS, assessmentCycle, gradeForPenaltyPoints, previousCycle, totalPenaltyPoints, CREDIT_GRADE_LABELS } from './creditAssessment.ts';

describe('assessmentCycle', () => {
  it('counts 12-month cycles from the first issue date', () => {
    expect(assessmentCycle('2018-03-15', '2018-03-15')).toEqual({ index: 0, start: '2018-03-15', end: '2019-03-14' });
    expect(assessmentCycle('2018-03-15', '2026-03-14')).toEqual({ index: 7, start: '2025-03-15', end: '2026-03-14' });
    expect(assessmentCycle('2018-03-15', '2026-03-15')).toEqual({ index: 8, start: '2026-03-15', end: '2027-03-14' });
  });

  it('keeps a 29 February anniversary without drifting', () => {
    expect(assessmentCycle('2020-02-29', '2021-03-01')).toEqual({ index: 1, start: '2021-02-28', end: '2022-02-27' });
    expect(assessmentCycle('2020-02-29', '2024-02-29')).toEqual({ index: 4, start: '2024-02-29', end: '2025-02-27' });
  });

  it('gives the previous cycle, none in the first', () => {
    expect(previousCycle('2018-03-15', '2026-05-01')).toEqual({ index: 7, start: '2025-03-15', end: '2026-03-14' });
    expect(previousCycle('2018-03-15', '2018-12-01')).toBeNull();
  });

  it('refuses a date before the first issue', () => {
    expect(() => assessmentCycle('2018-03-15', '2018-03-14')).toThrow(DomainError);
  });

  it('always contains today, and consecutive cycles touch', () => {
    const day = (min: string, max: string) => fc.integer({ min: toDayNumber(min), max: toDayNumber(max) }).map(fromDayNumber);
    fc.assert(
      fc.property(day('1990-01-01', '2025-12-31'), fc.integer({ min: 0, max: 8000 }), (first, offset) => {
        const today = addDays(first, offset);
        const c = assessmentCycle(first, today);
        expect(c.start <= today && today <= c.end).toBe(true);
        expect(daysBetween(c.start, c.end)).toBeGreaterThanOrEqual(363);
        expect(daysBetween(c.start, c.end)).toBeLessThanOrEqual(365);
        expect(assessmentCycle(first, addDays(c.end, 1)).start).toBe(addDays(c.end, 1));
      }),
    );
  });
});

describe('grades', () => {
  it('grades by penalty points with the default thresholds', () => {
    expect(gradeForPenaltyPoints(0)).toBe('AAA');
    expect(gradeForPenaltyPoints(1)).toBe('AA');
    expect(gradeForPenaltyPoints(10)).toBe('AA');
    expect(gradeForPenaltyPoints(11)).toBe('A');
    expect(gradeForPenaltyPoints(19)).toBe('A');
    expect(gradeForPenaltyPoints(20)).toBe('B');
    expect(gradeForPenaltyPoints(45)).toBe('B');
    expect(CREDIT_GRADE_LABELS.A.zh).toBe('基本合格');
  });

  it('uses configured thresholds', () => {
    expect(gradeForPenaltyPoints(3, { AAA: 3, AA: 10, A: 19 })).toBe('AAA');
    expect(gradeForPenaltyPoints(12, { ...DEFAULT_GRADE_THRESHOLDS, AA: 12 })).toBe('AA');
    expect(() => gradeForPenaltyPoints(3, { AAA: 10, AA: 5, A: 19 })).toThrow(/INVALID_GRADE_THRESHOLDS/);
  });

  it('rejects negative or fractional points', () => {
    expect(() => gradeForPenaltyPoints(-1)).toThrow(/INVALID_PENALTY_POINTS/);
    expect(() => gradeForPenaltyPoints(1.5)).toThrow(/INVALID_PENALTY_POINTS/);
  });

  it('adds violation points of the allowed values only', () => {
    expect(totalPenaltyPoints([1, 3, 5, 10])).toBe(19);
    expect(() => totalPenaltyPoints([2])).toThrow(/INVALID_VIOLATION_POINTS/);
  });
});
