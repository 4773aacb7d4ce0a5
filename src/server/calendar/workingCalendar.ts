import { eq, isNull, or } from 'drizzle-orm';
import { createWorkingCalendar, type WorkingCalendar } from '../../domain/calendar.ts';
import type { Executor } from '../db/client.ts';
import { calendarOverrides } from '../db/schema.ts';

/**
 * The working-day calendar of a province: the State Council's holidays and make-up days, then the
 * nationwide overrides, then the province's own (a province's entry wins for its date).
 */
export async function provinceCalendar(db: Executor, provinceCode: string): Promise<WorkingCalendar> {
  const rows = await db
    .select()
    .from(calendarOverrides)
    .where(or(isNull(calendarOverrides.provinceCode), eq(calendarOverrides.provinceCode, provinceCode)));
  const national = rows.filter((row) => row.provinceCode === null);
  const provincial = rows.filter((row) => row.provinceCode !== null);
  const byDate = new Map([...national, ...provincial].map((row) => [row.date, { date: row.date, kind: row.kind, note: row.note }]));
  return createWorkingCalendar([...byDate.values()]);
}
