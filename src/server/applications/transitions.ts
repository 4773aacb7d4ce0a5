import { and, asc, eq, sql } from 'drizzle-orm';
import type { BusinessKey, DeliveryMethod } from '../../domain/businessKeys.ts';
import { chinaDate } from '../../domain/dates.ts';
import { computeDeadlines } from '../../domain/deadlines.ts';
import {
  nextState,
  STATE_LABELS,
  validateActionInput,
  type ActionInput,
  type Actor,
  type ApplicationAction,
  type ApplicationState,
  type TransitionContext,
} from '../../domain/stateMachine.ts';
import { provinceCalendar } from '../calendar/workingCalendar.ts';
import type { Executor } from '../db/client.ts';
import { applicationActions, applications, outbox } from '../db/schema.ts';
import { AppError } from '../errors.ts';

export type ApplicationRow = typeof applications.$inferSelect;

/** What of an application the state machine looks at: its business, and the delivery the driver chose. */
export function transitionContextOf(application: ApplicationRow): TransitionContext {
  const delivery = (application.personalInfo as { delivery?: DeliveryMethod }).delivery;
  return { business: application.business as BusinessKey, ...(delivery ? { delivery } : {}) };
}

/** Who acts: the state machine's actor plus the account behind it, for the audit trail. */
export interface ActorRef {
  actor: Actor;
  kind: 'driver' | 'staff' | 'system';
  id: string | null;
  /** The account's role as recorded in the log (e.g. 'driver', 'handler', 'province_admin'). */
  role: string;
}

export const systemActor: ActorRef = { actor: 'system', kind: 'system', id: null, role: 'system' };

/** States a driver hears about by SMS (and sees in My Office). */
const NOTIFY_DRIVER: ReadonlySet<ApplicationAction> = new Set(['accept', 'return', 'decline', 'approve', 'reject', 'mail', 'ready_for_pickup']);

export interface TransitionInput extends ActionInput {
  payload?: Record<string, unknown>;
}

export const stateChangedConflict = (current: ApplicationState) =>
  new AppError(
    409,
    'STATE_CHANGED',
    {
      zh: `办件状态已变为“${STATE_LABELS[current].zh}”，请刷新后再试`,
      en: `The application is now "${STATE_LABELS[current].en}"; refresh and try again`,
    },
    { state: current },
  );

/**
 * Performs one action on an application inside the caller's transaction: checks it against the state
 * machine, writes the new state only if nobody changed the application meanwhile (optimistic version
 * check: the loser of a race gets 409 and nothing changes), appends the action to the log, recomputes
 * the deadlines from the log, and queues the driver's notification in the outbox.
 */
export async function applyTransition(
  tx: Executor,
  application: ApplicationRow,
  action: ApplicationAction,
  by: ActorRef,
  input: TransitionInput,
  now: Date,
): Promise<ApplicationRow> {
  const from = application.state as ApplicationState;
  const to = nextState(from, action, by.actor, transitionContextOf(application));
  validateActionInput(action, application.business as BusinessKey, input);

  const log = await tx
    .select({ action: applicationActions.action, createdAt: applicationActions.createdAt })
    .from(applicationActions)
    .where(eq(applicationActions.applicationId, application.id))
    .orderBy(asc(applicationActions.id));
  const calendar = await provinceCalendar(tx, application.provinceCode);
  const deadlines = computeDeadlines(
    [...log.map((entry) => ({ action: entry.action as ApplicationAction, at: entry.createdAt })), { action, at: now }],
    calendar,
  );

  const [updated] = await tx
    .update(applications)
    .set({
      state: to,
      version: sql`${applications.version} + 1`,
      updatedAt: now,
      submittedAt: application.submittedAt ?? (action === 'submit' ? now : null),
      acceptDeadline: deadlines.accept?.deadline ?? null,
      decideDeadline: deadlines.decide?.deadline ?? null,
    })
    .where(and(eq(applications.id, application.id), eq(applications.version, application.version)))
    .returning();
  if (!updated) {
    const [current] = await tx.select({ state: applications.state }).from(applications).where(eq(applications.id, application.id));
    throw stateChangedConflict((current?.state ?? from) as ApplicationState);
  }

  await tx.insert(applicationActions).values({
    applicationId: application.id,
    action,
    fromState: from,
    toState: to,
    actorKind: by.kind,
    actorId: by.id,
    actorRole: by.role,
    reasonCodes: [...(input.reasonCodes ?? [])],
    reasonText: input.reason ?? null,
    payload: {
      ...(input.payload ?? {}),
      ...(input.rating ? { rating: input.rating } : {}),
      ...(input.trackingNumber ? { trackingNumber: input.trackingNumber } : {}),
    },
    createdAt: now,
  });

  if (NOTIFY_DRIVER.has(action)) {
    await tx.insert(outbox).values({
      createdAt: now,
      availableAt: now,
      topic: 'sms.application_update',
      payload: { applicationId: application.id, userId: application.userId, reference: application.reference, action, state: to, day: chinaDate(now) },
    });
  }
  return updated;
}
