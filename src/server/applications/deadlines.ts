import { chinaDate } from '../../domain/dates.ts';
import { deadlineWithPauses, type Pause, type WorkingCalendar } from '../../domain/calendar.ts';

/** Working days the office has (PRODUCT §4.2, the service guide's promise to drivers). */
export const ACCEPT_WITHIN_WORKING_DAYS = 2;
export const DECIDE_WITHIN_WORKING_DAYS = 3;

export interface Deadlines {
  acceptDeadline: string | null;
  decideDeadline: string | null;
}

/**
 * Deadlines from the action log alone: acceptance counts from the first submission, the decision from
 * acceptance, and each clock stops from a return for correction until the resubmission. While an
 * application is returned, its running deadline is unknown (null) — the driver holds the clock.
 */
export function deadlinesFromLog(log: readonly { action: string; createdAt: Date }[], calendar: WorkingCalendar): Deadlines {
  const day = (instant: Date) => chinaDate(instant);
  const submitted = log.find((entry) => entry.action === 'submit');
  // A return after acceptance sends the application back through acceptance: the latest one counts.
  const accepted = log.findLast((entry) => entry.action === 'accept');
  const pauses: Pause[] = [];
  for (const entry of log) {
    if (entry.action === 'return') pauses.push({ from: day(entry.createdAt), to: null });
    if (entry.action === 'resubmit' && pauses.at(-1)?.to === null) pauses.at(-1)!.to = day(entry.createdAt);
  }
  const acceptDeadline = submitted
    ? deadlineWithPauses(calendar, day(submitted.createdAt), ACCEPT_WITHIN_WORKING_DAYS, accepted ? pauses.filter((p) => p.from <= day(accepted.createdAt)) : pauses).deadline
    : null;
  const decideDeadline = accepted
    ? deadlineWithPauses(calendar, day(accepted.createdAt), DECIDE_WITHIN_WORKING_DAYS, pauses.filter((p) => p.from >= day(accepted.createdAt))).deadline
    : null;
  return { acceptDeadline, decideDeadline };
}
