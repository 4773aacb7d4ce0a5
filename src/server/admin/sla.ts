import { and, asc, eq, gte, inArray, lte, sql, type SQL } from 'drizzle-orm';
import type { SlaDeadlineRow, SlaResponse } from '../../contract/admin.ts';
import type { BusinessKey } from '../../domain/businessKeys.ts';
import type { WorkingCalendar } from '../../domain/calendar.ts';
import { businessName } from '../../domain/catalog.ts';
import { addDays, chinaDate, chinaDayStart } from '../../domain/dates.ts';
import { provinceCalendar } from '../calendar/workingCalendar.ts';
import type { Executor } from '../db/client.ts';
import { applicationActions, applications, issuingAuthorities } from '../db/schema.ts';
import type { ProvinceRef } from './scope.ts';

export const SLA_WINDOW_DAYS = 30;
const LIST_LIMIT = 200;

/** The date the running clock ends: acceptance while submitted, decision while accepted (same as the queue's index). */
const runningDeadline = sql<string>`(case ${applications.state} when 'submitted' then ${applications.acceptDeadline} when 'accepted' then ${applications.decideDeadline} end)`;

interface Pause {
  from: string;
  to: string | null;
}

/** Working days from `start` to `end`, not counting days while returned for correction (as the deadline clocks do). */
export function elapsedWorkingDays(calendar: WorkingCalendar, start: string, end: string, pauses: readonly Pause[]): number {
  let days = calendar.workingDaysBetween(start, end);
  for (const pause of pauses) {
    const to = pause.to === null || pause.to > end ? end : pause.to;
    if (pause.from >= to || pause.from >= end) continue;
    days -= calendar.workingDaysBetween(pause.from < start ? start : pause.from, to);
  }
  return Math.max(0, days);
}

interface LoggedAction {
  action: string;
  day: string;
}

/** Working days to accept and to decide for one application's log; null for a step not reached. */
export function stepDurations(log: readonly LoggedAction[], calendar: WorkingCalendar): { accept: { on: string; days: number } | null; decide: { on: string; days: number } | null } {
  let submitted: string | null = null;
  let accepted: string | null = null;
  let decided: string | null = null;
  const acceptPauses: Pause[] = [];
  const decidePauses: Pause[] = [];
  let open: Pause | null = null;
  for (const { action, day } of log) {
    if (action === 'submit') submitted ??= day;
    else if (action === 'accept') accepted ??= day;
    else if (action === 'return') {
      open = { from: day, to: null };
      (accepted === null ? acceptPauses : decidePauses).push(open);
    } else if (action === 'resubmit') {
      if (open) open.to = day;
      open = null;
    } else if ((action === 'approve' || action === 'reject') && decided === null) decided = day;
  }
  return {
    accept: submitted && accepted ? { on: accepted, days: elapsedWorkingDays(calendar, submitted, accepted, acceptPauses) } : null,
    decide: accepted && decided ? { on: decided, days: elapsedWorkingDays(calendar, accepted, decided, decidePauses) } : null,
  };
}

const average = (values: number[]) => ({
  count: values.length,
  averageWorkingDays: values.length ? Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 10) / 10 : null,
});

/** Due today, overdue, and average working days to accept and decide over the last 30 days, per issuing authority. */
export async function slaOverview(db: Executor, province: ProvinceRef | null, now: Date): Promise<SlaResponse> {
  const today = chinaDate(now);
  const from = addDays(today, -(SLA_WINDOW_DAYS - 1));
  const inProvince = (column: typeof applications.provinceCode | typeof issuingAuthorities.provinceCode): SQL | undefined =>
    province ? eq(column, province.code) : undefined;

  const authorities = await db
    .select()
    .from(issuingAuthorities)
    .where(inProvince(issuingAuthorities.provinceCode))
    .orderBy(asc(issuingAuthorities.provinceCode), asc(issuingAuthorities.code));

  const running = and(inProvince(applications.provinceCode), inArray(applications.state, ['submitted', 'accepted']));
  const counts = await db
    .select({
      authority: applications.issuingAuthorityCode,
      running: sql<number>`count(*)::int`,
      dueToday: sql<number>`(count(*) filter (where ${runningDeadline} = ${today}))::int`,
      overdue: sql<number>`(count(*) filter (where ${runningDeadline} < ${today}))::int`,
    })
    .from(applications)
    .where(running)
    .groupBy(applications.issuingAuthorityCode);

  const urgent = await db
    .select({
      id: applications.id,
      reference: applications.reference,
      business: applications.business,
      variant: applications.variant,
      state: applications.state,
      provinceCode: applications.provinceCode,
      issuingAuthorityCode: applications.issuingAuthorityCode,
      // As text: a bare date expression would be parsed into a Date by some drivers.
      deadline: sql<string>`${runningDeadline}::text`,
    })
    .from(applications)
    .where(and(running, lte(runningDeadline, today)))
    .orderBy(asc(runningDeadline), asc(applications.id))
    .limit(LIST_LIMIT * 2);

  const calendars = new Map<string, WorkingCalendar>();
  const calendarOf = async (code: string) => {
    let calendar = calendars.get(code);
    if (!calendar) {
      calendar = await provinceCalendar(db, code);
      calendars.set(code, calendar);
    }
    return calendar;
  };

  const dueToday: SlaDeadlineRow[] = [];
  const overdue: SlaDeadlineRow[] = [];
  for (const row of urgent) {
    const deadline = String(row.deadline);
    const calendar = await calendarOf(row.provinceCode);
    const entry: SlaDeadlineRow = {
      id: row.id,
      reference: row.reference,
      business: row.business as BusinessKey,
      businessName: businessName(row.business, row.variant),
      state: row.state as 'submitted' | 'accepted',
      provinceCode: row.provinceCode,
      issuingAuthorityCode: row.issuingAuthorityCode,
      clock: row.state === 'submitted' ? 'accept' : 'decide',
      deadline,
      remainingWorkingDays: calendar.remainingWorkingDays(deadline, today),
    };
    const list = deadline === today ? dueToday : overdue;
    if (list.length < LIST_LIMIT) list.push(entry);
  }

  // Applications that reached acceptance or a decision in the window, with their whole logs.
  const windowStart = chinaDayStart(from);
  const reached = await db
    .selectDistinct({ id: applicationActions.applicationId })
    .from(applicationActions)
    .innerJoin(applications, eq(applications.id, applicationActions.applicationId))
    .where(and(inProvince(applications.provinceCode), inArray(applicationActions.action, ['accept', 'approve', 'reject']), gte(applicationActions.createdAt, windowStart)));
  const ids = reached.map((r) => r.id);
  const logs = ids.length
    ? await db
        .select({
          applicationId: applicationActions.applicationId,
          action: applicationActions.action,
          at: applicationActions.createdAt,
          authority: applications.issuingAuthorityCode,
          provinceCode: applications.provinceCode,
        })
        .from(applicationActions)
        .innerJoin(applications, eq(applications.id, applicationActions.applicationId))
        .where(inArray(applicationActions.applicationId, ids))
        .orderBy(asc(applicationActions.id))
    : [];
  const byApplication = new Map<string, typeof logs>();
  for (const entry of logs) byApplication.set(entry.applicationId, [...(byApplication.get(entry.applicationId) ?? []), entry]);
  const toAccept = new Map<string, number[]>();
  const toDecide = new Map<string, number[]>();
  for (const entries of byApplication.values()) {
    const first = entries[0]!;
    const steps = stepDurations(
      entries.map((e) => ({ action: e.action, day: chinaDate(e.at) })),
      await calendarOf(first.provinceCode),
    );
    if (steps.accept && steps.accept.on >= from) toAccept.set(first.authority, [...(toAccept.get(first.authority) ?? []), steps.accept.days]);
    if (steps.decide && steps.decide.on >= from) toDecide.set(first.authority, [...(toDecide.get(first.authority) ?? []), steps.decide.days]);
  }

  const rows = authorities.map((authority) => {
    const count = counts.find((c) => c.authority === authority.code);
    return {
      code: authority.code,
      name: { zh: authority.nameZh, en: authority.nameEn },
      provinceCode: authority.provinceCode,
      running: count?.running ?? 0,
      dueToday: count?.dueToday ?? 0,
      overdue: count?.overdue ?? 0,
      toAccept: average(toAccept.get(authority.code) ?? []),
      toDecide: average(toDecide.get(authority.code) ?? []),
    };
  });
  return {
    province,
    today,
    window: { from, to: today, days: SLA_WINDOW_DAYS },
    totals: {
      running: rows.reduce((n, r) => n + r.running, 0),
      dueToday: rows.reduce((n, r) => n + r.dueToday, 0),
      overdue: rows.reduce((n, r) => n + r.overdue, 0),
      toAccept: average([...toAccept.values()].flat()),
      toDecide: average([...toDecide.values()].flat()),
    },
    authorities: rows,
    dueToday,
    overdue,
  };
}
