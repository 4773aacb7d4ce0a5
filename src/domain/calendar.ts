/**
 * Working days of Chinese government offices: the State Council's holiday arrangement, including make-up
 * working days (调休) on weekends, plus a province's own overrides.
 *
 * Official data comes from the `chinese-days` package's published JSON (2004 onwards, updated yearly). We
 * read the data rather than calling its date functions, which mix UTC and local time and answer wrongly
 * on machines west of UTC. A year without official data falls back to Monday–Friday plus overrides, and
 * `hasOfficialData(year)` says so, so the UI can warn that deadlines in that year are provisional.
 */

import holidayData from 'chinese-days/dist/chinese-days.json' with { type: 'json' };
import { addDays, daysBetween, isIsoDate, weekday, yearOf } from './dates.ts';

interface HolidayData {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
}

const DATA = holidayData as unknown as HolidayData;

export interface CalendarOverride {
  date: string;
  kind: 'workday' | 'holiday';
  note?: string;
}

/** Years covered by the official State Council arrangement in the shipped data. */
const OFFICIAL_YEARS: ReadonlySet<number> = new Set(Object.keys(DATA.holidays).map((d) => Number(d.slice(0, 4))));

export interface CalendarCoverage {
  /** First and last year with official holiday data. */
  firstYear: number;
  lastYear: number;
  years: number[];
}

export function calendarCoverage(): CalendarCoverage {
  const years = [...OFFICIAL_YEARS].sort((a, b) => a - b);
  return { firstYear: years[0] ?? 0, lastYear: years[years.length - 1] ?? 0, years };
}

export interface DayInfo {
  date: string;
  working: boolean;
  /** Where the answer comes from. */
  source: 'override' | 'official' | 'weekday_rule';
  /** Holiday name ('国庆节', …) or override note. */
  name?: string;
}

export interface WorkingCalendar {
  isWorkingDay(date: string): boolean;
  describeDay(date: string): DayInfo;
  /** The nth working day after `start` (start itself never counts). n = 0 gives `start`. */
  addWorkingDays(start: string, n: number): string;
  /** Working days in (a, b]: after a, up to and including b. Negative when b is before a. */
  workingDaysBetween(a: string, b: string): number;
  /** Working days left until a deadline: 0 on the deadline itself, negative when overdue. */
  remainingWorkingDays(deadline: string, today: string): number;
  hasOfficialData(year: number): boolean;
  /** See `deadlineWithPauses`. */
  deadlineWithPauses(startDate: string, n: number, pauses: readonly Pause[]): PausedDeadline;
}

function assertDate(date: string): void {
  if (!isIsoDate(date)) throw new RangeError(`Not a calendar date 'YYYY-MM-DD': ${JSON.stringify(date)}`);
}

// Working days are counted over at most this many calendar days, so a bad input can't loop forever.
const MAX_SPAN_DAYS = 366 * 20;

export function createWorkingCalendar(overrides: readonly CalendarOverride[] = []): WorkingCalendar {
  const byDate = new Map<string, CalendarOverride>();
  for (const o of overrides) {
    assertDate(o.date);
    byDate.set(o.date, o); // a later override of the same day wins
  }

  function describeDay(date: string): DayInfo {
    assertDate(date);
    const o = byDate.get(date);
    if (o) return { date, working: o.kind === 'workday', source: 'override', ...(o.note ? { name: o.note } : {}) };
    if (OFFICIAL_YEARS.has(yearOf(date))) {
      const makeUp = DATA.workdays[date];
      if (makeUp) return { date, working: true, source: 'official', name: holidayName(makeUp) };
      const holiday = DATA.holidays[date];
      if (holiday) return { date, working: false, source: 'official', name: holidayName(holiday) };
      const wd = weekday(date);
      return { date, working: wd >= 1 && wd <= 5, source: 'official' };
    }
    const wd = weekday(date);
    return { date, working: wd >= 1 && wd <= 5, source: 'weekday_rule' };
  }

  function isWorkingDay(date: string): boolean {
    return describeDay(date).working;
  }

  function addWorkingDays(start: string, n: number): string {
    assertDate(start);
    if (!Number.isInteger(n) || n < 0) throw new RangeError('addWorkingDays expects a whole number ≥ 0');
    let date = start;
    let counted = 0;
    for (let i = 0; counted < n; i++) {
      if (i > MAX_SPAN_DAYS) throw new RangeError('No working days found: check the calendar overrides');
      date = addDays(date, 1);
      if (isWorkingDay(date)) counted++;
    }
    return date;
  }

  function workingDaysBetween(a: string, b: string): number {
    assertDate(a);
    assertDate(b);
    const span = daysBetween(a, b);
    if (Math.abs(span) > MAX_SPAN_DAYS) throw new RangeError('Date span too long for working-day counting');
    if (span < 0) return -workingDaysBetween(b, a);
    let count = 0;
    for (let i = 1; i <= span; i++) if (isWorkingDay(addDays(a, i))) count++;
    return count;
  }

  function remainingWorkingDays(deadline: string, today: string): number {
    return workingDaysBetween(today, deadline);
  }

  const calendar: WorkingCalendar = {
    isWorkingDay,
    describeDay,
    addWorkingDays,
    workingDaysBetween,
    remainingWorkingDays,
    hasOfficialData: (year: number) => OFFICIAL_YEARS.has(year),
    deadlineWithPauses: (startDate, n, pauses) => deadlineWithPauses(calendar, startDate, n, pauses),
  };
  return calendar;
}

// Data names look like "National Day,国庆节,3": English, Chinese, length of the holiday.
function holidayName(raw: string): string {
  return raw.split(',')[1] ?? raw;
}

export interface Pause {
  /** First day of the pause (the day the application was returned). */
  from: string;
  /** Day the clock restarts (the day it was resubmitted); null while still paused. */
  to: string | null;
}

export interface PausedDeadline {
  /** The deadline, or null while the clock is paused (it cannot be known yet). */
  deadline: string | null;
  paused: boolean;
}

/**
 * The deadline n working days after `startDate` when the clock stops during pauses (an application
 * returned for correction). Working days after a pause's `from` up to and including its `to` don't count;
 * counting resumes the day after `to`. With an open pause the deadline is unknown (null).
 */
export function deadlineWithPauses(
  calendar: WorkingCalendar,
  startDate: string,
  n: number,
  pauses: readonly Pause[],
): PausedDeadline {
  assertDate(startDate);
  const sorted = [...pauses].sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
  let cursor = startDate;
  let remaining = n;
  for (const pause of sorted) {
    if (pause.to !== null && pause.to < pause.from) throw new RangeError('A pause cannot end before it starts');
    if (pause.from < cursor) {
      // A pause starting before the count resumes (or before the start) only stretches the resume point.
      if (pause.to === null) return { deadline: null, paused: true };
      if (pause.to > cursor) cursor = pause.to;
      continue;
    }
    const usedBeforePause = calendar.workingDaysBetween(cursor, pause.from);
    if (usedBeforePause >= remaining) break; // deadline falls before this pause
    remaining -= usedBeforePause;
    if (pause.to === null) return { deadline: null, paused: true };
    cursor = pause.to;
  }
  return { deadline: calendar.addWorkingDays(cursor, remaining), paused: false };
}
