import { and, asc, eq, gte, inArray, isNull, lte, or } from 'drizzle-orm';
import type { CalendarOverrideView } from '../../contract/admin.ts';
import { computeDeadlines } from '../../domain/deadlines.ts';
import type { ApplicationAction } from '../../domain/stateMachine.ts';
import { provinceCalendar } from '../calendar/workingCalendar.ts';
import type { Executor } from '../db/client.ts';
import { applicationActions, applications, calendarOverrides } from '../db/schema.ts';
import { AppError } from '../errors.ts';

export type CalendarOverrideRow = typeof calendarOverrides.$inferSelect;

export const overrideExists = (date: string) =>
  new AppError(409, 'CALENDAR_OVERRIDE_EXISTS', { zh: `${date} 已有调整，请先删除原有调整`, en: `${date} already has an override; delete it first` }, { date });

export const overrideNotFound = () => new AppError(404, 'CALENDAR_OVERRIDE_NOT_FOUND', { zh: '未找到该日期调整', en: 'Calendar override not found' });

export const overrideView = (row: CalendarOverrideRow): CalendarOverrideView => ({
  id: row.id,
  provinceCode: row.provinceCode,
  date: row.date,
  kind: row.kind,
  note: row.note,
});

export async function overridesInYear(db: Executor, provinceCode: string | null, year: number): Promise<CalendarOverrideRow[]> {
  return db
    .select()
    .from(calendarOverrides)
    .where(
      and(
        provinceCode === null ? isNull(calendarOverrides.provinceCode) : eq(calendarOverrides.provinceCode, provinceCode),
        gte(calendarOverrides.date, `${year}-01-01`),
        lte(calendarOverrides.date, `${year}-12-31`),
      ),
    )
    .orderBy(asc(calendarOverrides.date));
}

/** States whose deadline clock runs; a returned application's clock is paused (no date to recompute). */
const RUNNING: string[] = ['submitted', 'accepted'];

/**
 * Recomputes the cached deadlines of the province's running applications after its calendar changed on
 * `date`: only a deadline on or after the changed day can move. The action log stays the source of truth;
 * this keeps the queue's indexed deadline columns in step with it.
 */
export async function recomputeDeadlines(tx: Executor, provinceCode: string, date: string): Promise<number> {
  const open = await tx
    .select({ id: applications.id })
    .from(applications)
    .where(
      and(
        eq(applications.provinceCode, provinceCode),
        inArray(applications.state, RUNNING),
        or(gte(applications.acceptDeadline, date), gte(applications.decideDeadline, date)),
      ),
    );
  if (open.length === 0) return 0;
  const calendar = await provinceCalendar(tx, provinceCode);
  const logs = await tx
    .select({ applicationId: applicationActions.applicationId, action: applicationActions.action, at: applicationActions.createdAt })
    .from(applicationActions)
    .where(inArray(applicationActions.applicationId, open.map((row) => row.id)))
    .orderBy(asc(applicationActions.id));
  let changed = 0;
  for (const { id } of open) {
    const log = logs.filter((entry) => entry.applicationId === id).map((entry) => ({ action: entry.action as ApplicationAction, at: entry.at }));
    const deadlines = computeDeadlines(log, calendar);
    const updated = await tx
      .update(applications)
      .set({ acceptDeadline: deadlines.accept?.deadline ?? null, decideDeadline: deadlines.decide?.deadline ?? null })
      .where(eq(applications.id, id))
      .returning({ id: applications.id });
    changed += updated.length;
  }
  return changed;
}
