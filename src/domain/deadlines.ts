/**
 * Service deadlines (PRODUCT §4.2): accept within 2 working days of submission, decide within 3 working
 * days of acceptance. Two clocks, each paused while the application is returned for correction:
 * - the acceptance clock starts at the first submission; returns before the first acceptance pause it;
 * - the decision clock starts at the first acceptance; returns after it pause it (re-accepting a
 *   corrected application is part of the review, so it runs on the decision clock).
 */

import type { ApplicationAction } from './stateMachine.ts';
import type { Pause, PausedDeadline, WorkingCalendar } from './calendar.ts';
import { chinaDate } from './dates.ts';

export const ACCEPTANCE_WORKING_DAYS = 2;
export const DECISION_WORKING_DAYS = 3;

export interface TimedAction {
  action: ApplicationAction;
  /** When it happened (Date or ISO timestamp); counted as its date in China. */
  at: Date | string;
}

export interface ClockDeadline extends PausedDeadline {
  /** Date the clock started. */
  startedOn: string;
  /** Date the clock's goal was reached (accepted / decided), or null while running. */
  metOn: string | null;
}

export interface ApplicationDeadlines {
  accept: ClockDeadline | null;
  decide: ClockDeadline | null;
  /** The clock that is running (or paused) now; null before submission and once decided. */
  current: 'accept' | 'decide' | null;
}

const DECISIONS: readonly ApplicationAction[] = ['approve', 'reject'];
const ENDS_BEFORE_ACCEPTANCE: readonly ApplicationAction[] = ['withdraw', 'decline'];

export function computeDeadlines(log: readonly TimedAction[], calendar: WorkingCalendar): ApplicationDeadlines {
  let acceptStart: string | null = null;
  let acceptMet: string | null = null;
  let decideStart: string | null = null;
  let decideMet: string | null = null;
  let ended = false;
  const acceptPauses: Pause[] = [];
  const decidePauses: Pause[] = [];
  let openPause: Pause | null = null;

  for (const entry of log) {
    const day = chinaDate(entry.at);
    switch (entry.action) {
      case 'submit':
        acceptStart ??= day;
        break;
      case 'accept':
        if (decideStart === null) {
          decideStart = day;
          acceptMet = day;
        }
        break;
      case 'return':
        openPause = { from: day, to: null };
        (decideStart === null ? acceptPauses : decidePauses).push(openPause);
        break;
      case 'resubmit':
        if (openPause) openPause.to = day;
        openPause = null;
        break;
      default:
        if (DECISIONS.includes(entry.action) && decideMet === null) decideMet = day;
        if (ENDS_BEFORE_ACCEPTANCE.includes(entry.action)) ended = true;
    }
  }

  const accept: ClockDeadline | null = acceptStart
    ? { ...calendar.deadlineWithPauses(acceptStart, ACCEPTANCE_WORKING_DAYS, acceptPauses), startedOn: acceptStart, metOn: acceptMet }
    : null;
  const decide: ClockDeadline | null = decideStart
    ? { ...calendar.deadlineWithPauses(decideStart, DECISION_WORKING_DAYS, decidePauses), startedOn: decideStart, metOn: decideMet }
    : null;
  let current: ApplicationDeadlines['current'] = null;
  if (!ended && decideMet === null) current = decide ? 'decide' : accept ? 'accept' : null;
  return { accept, decide, current };
}

export type DeadlineStatus = 'on_time' | 'due_today' | 'overdue' | 'paused';

export interface DeadlineView {
  status: DeadlineStatus;
  deadline: string | null;
  /** Working days left (0 on the day, negative when overdue), null while paused. */
  remainingWorkingDays: number | null;
}

/** How a running deadline looks today, for "overdue and due today first" in the staff queue. */
export function deadlineStatus(deadline: PausedDeadline, today: string, calendar: WorkingCalendar): DeadlineView {
  if (deadline.paused || deadline.deadline === null) return { status: 'paused', deadline: null, remainingWorkingDays: null };
  const remaining = calendar.remainingWorkingDays(deadline.deadline, today);
  const status: DeadlineStatus = today > deadline.deadline ? 'overdue' : today === deadline.deadline ? 'due_today' : 'on_time';
  return { status, deadline: deadline.deadline, remainingWorkingDays: remaining };
}
