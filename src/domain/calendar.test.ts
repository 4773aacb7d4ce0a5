import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { calendarCoverage, createWorkingCalendar, deadlineWithPauses } from './calendar.ts';
import { addDays, fromDayNumber, toDayNumber } from './dates.ts';

const cal = createWorkingCalendar();

describe('official calendar', () => {
  it('covers 2004 to at least 2026', () => {
    const c = calendarCoverage();
    expect(c.firstYear).toBe(2004);
    expect(c.lastYear).toBeGreaterThanOrEqual(2026);
    expect(cal.hasOfficialData(2026)).toBe(true);
    expect(cal.hasOfficialData(2003)).toBe(false);
  });

  it('knows the 2025 National Day holiday and its make-up working days', () => {
    expect(cal.isWorkingDay('2025-09-28')).toBe(true); // Sunday, make-up day
    expect(cal.isWorkingDay('2025-10-11')).toBe(true); // Saturday, make-up day
    for (let d = 1; d <= 8; d++) expect(cal.isWorkingDay(`2025-10-0${d}`), `10-0${d}`).toBe(false);
    expect(cal.isWorkingDay('2025-10-09')).toBe(true);
    expect(cal.isWorkingDay('2025-10-12')).toBe(false); // ordinary Sunday
    expect(cal.describeDay('2025-10-01')).toEqual({ date: '2025-10-01', working: false, source: 'official', name: '国庆节' });
  });

  it('counts deadlines across National Day 2025', () => {
    // Submitted Tuesday 30 September: the next working days are 9 and 10 October.
    expect(cal.addWorkingDays('2025-09-30', 1)).toBe('2025-10-09');
    expect(cal.addWorkingDays('2025-09-30', 2)).toBe('2025-10-10');
    expect(cal.addWorkingDays('2025-09-30', 3)).toBe('2025-10-11'); // the make-up Saturday counts
    expect(cal.addWorkingDays('2025-09-26', 1)).toBe('2025-09-28'); // Friday → make-up Sunday
    expect(cal.workingDaysBetween('2025-09-26', '2025-10-12')).toBe(6); // 28, 29, 30 Sep and 9, 10, 11 Oct
  });

  it('counts deadlines across the 2026 Spring Festival (15–23 Feb, make-up 14 and 28 Feb)', () => {
    expect(cal.isWorkingDay('2026-02-14')).toBe(true);
    expect(cal.isWorkingDay('2026-02-28')).toBe(true);
    expect(cal.isWorkingDay('2026-02-16')).toBe(false);
    expect(cal.addWorkingDays('2026-02-13', 1)).toBe('2026-02-14');
    expect(cal.addWorkingDays('2026-02-13', 2)).toBe('2026-02-24');
    expect(cal.addWorkingDays('2026-02-14', 3)).toBe('2026-02-26');
    expect(cal.workingDaysBetween('2026-02-13', '2026-02-24')).toBe(2);
  });

  it('gives remaining working days, 0 on the day and negative when overdue', () => {
    expect(cal.remainingWorkingDays('2025-10-10', '2025-09-30')).toBe(2);
    expect(cal.remainingWorkingDays('2025-10-10', '2025-10-10')).toBe(0);
    expect(cal.remainingWorkingDays('2025-10-10', '2025-10-13')).toBe(-2); // 11 (make-up) and 13
  });
});

describe('overrides and years without data', () => {
  it('lets a province add a holiday or a working day', () => {
    const local = createWorkingCalendar([
      { date: '2025-10-09', kind: 'holiday', note: '地方假日' },
      { date: '2025-10-12', kind: 'workday' },
    ]);
    expect(local.isWorkingDay('2025-10-09')).toBe(false);
    expect(local.describeDay('2025-10-09')).toMatchObject({ source: 'override', name: '地方假日' });
    expect(local.addWorkingDays('2025-09-30', 1)).toBe('2025-10-10');
    expect(local.isWorkingDay('2025-10-12')).toBe(true);
  });

  it('falls back to Monday–Friday for a year without official data and says so', () => {
    expect(cal.hasOfficialData(2099)).toBe(false);
    expect(cal.describeDay('2099-01-01')).toEqual({ date: '2099-01-01', working: true, source: 'weekday_rule' }); // a Thursday
    expect(cal.isWorkingDay('2099-01-03')).toBe(false); // Saturday
    const withOverride = createWorkingCalendar([{ date: '2099-01-01', kind: 'holiday', note: '元旦' }]);
    expect(withOverride.isWorkingDay('2099-01-01')).toBe(false);
  });

  it('rejects malformed dates', () => {
    expect(() => cal.isWorkingDay('2025-13-01')).toThrow(RangeError);
    expect(() => createWorkingCalendar([{ date: '2025/10/01', kind: 'holiday' }])).toThrow(RangeError);
  });
});

describe('calendar properties', () => {
  const anyDate = fc.integer({ min: toDayNumber('2023-01-01'), max: toDayNumber('2027-06-30') }).map(fromDayNumber);
  const n = fc.integer({ min: 0, max: 40 });

  it('addWorkingDays(d, n) is a working day for n ≥ 1 and workingDaysBetween inverts it', () => {
    fc.assert(
      fc.property(anyDate, fc.integer({ min: 1, max: 40 }), (d, k) => {
        const due = cal.addWorkingDays(d, k);
        expect(cal.isWorkingDay(due)).toBe(true);
        expect(cal.workingDaysBetween(d, due)).toBe(k);
      }),
    );
  });

  it('is strictly increasing in n', () => {
    fc.assert(
      fc.property(anyDate, n, (d, k) => {
        expect(cal.addWorkingDays(d, k + 1) > cal.addWorkingDays(d, k)).toBe(true);
      }),
    );
  });

  it('workingDaysBetween is additive and antisymmetric', () => {
    fc.assert(
      fc.property(anyDate, fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 60 }), (a, x, y) => {
        const b = addDays(a, x);
        const c = addDays(b, y);
        expect(cal.workingDaysBetween(a, c)).toBe(cal.workingDaysBetween(a, b) + cal.workingDaysBetween(b, c));
        expect(cal.workingDaysBetween(c, a) + cal.workingDaysBetween(a, c)).toBe(0);
      }),
    );
  });
});

describe('deadlineWithPauses', () => {
  // Week of Monday 2025-11-03: no holidays.
  it('without pauses equals addWorkingDays', () => {
    expect(deadlineWithPauses(cal, '2025-11-03', 2, [])).toEqual({ deadline: '2025-11-05', paused: false });
    expect(cal.deadlineWithPauses('2025-09-30', 2, [])).toEqual({ deadline: '2025-10-10', paused: false });
  });

  it('shifts the deadline by the working days spent returned', () => {
    // Submitted Mon 3rd, returned Tue 4th (1 day used), resubmitted Thu 6th: 1 day left → Fri 7th.
    expect(cal.deadlineWithPauses('2025-11-03', 2, [{ from: '2025-11-04', to: '2025-11-06' }])).toEqual({ deadline: '2025-11-07', paused: false });
    // Returned the day it was submitted, resubmitted the next Monday: full 2 days from then.
    expect(cal.deadlineWithPauses('2025-11-03', 2, [{ from: '2025-11-03', to: '2025-11-10' }]).deadline).toBe('2025-11-12');
  });

  it('is unknown while still paused', () => {
    expect(cal.deadlineWithPauses('2025-11-03', 2, [{ from: '2025-11-04', to: null }])).toEqual({ deadline: null, paused: true });
  });

  it('ignores a pause after the deadline and handles several pauses', () => {
    expect(cal.deadlineWithPauses('2025-11-03', 2, [{ from: '2025-11-07', to: '2025-11-10' }]).deadline).toBe('2025-11-05');
    const twice = cal.deadlineWithPauses('2025-11-03', 3, [
      { from: '2025-11-04', to: '2025-11-05' },
      { from: '2025-11-06', to: '2025-11-10' },
    ]);
    // used: 4th (1), resumed 5th, used 6th (2), resumed 10th, 1 left → 11th.
    expect(twice.deadline).toBe('2025-11-11');
  });

  it('pauses never make a deadline earlier', () => {
    const start = '2025-09-22';
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 20 }), fc.integer({ min: 1, max: 5 }), (a, len, k) => {
        const from = addDays(start, a);
        const to = addDays(from, len);
        const paused = cal.deadlineWithPauses(start, k, [{ from, to }]).deadline!;
        expect(paused >= cal.addWorkingDays(start, k)).toBe(true);
        expect(paused).toBe(
          cal.workingDaysBetween(start, from) >= k ? cal.addWorkingDays(start, k) : cal.addWorkingDays(to, k - cal.workingDaysBetween(start, from)),
        );
      }),
    );
  });
});
