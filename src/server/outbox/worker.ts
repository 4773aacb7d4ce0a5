import { and, asc, eq, isNull, lte, sql } from 'drizzle-orm';
import type { ApplicationState } from '../../domain/stateMachine.ts';
import type { AppContext } from '../context.ts';
import type { Executor } from '../db/client.ts';
import { applications, outbox, realNameSubmissions, users } from '../db/schema.ts';
import { SmsSendError } from '../sms/types.ts';
import { CLOSED_PHONE_PURPOSE } from '../account/closing.ts';
import { isNotifiedAction, latestActionDetails, smsStatusText } from './applicationUpdates.ts';

/**
 * Delivers the outbox: messages written in the same transaction as the change that causes them.
 *
 * Each run claims due rows with `SELECT … FOR UPDATE SKIP LOCKED`, so any number of workers (one per
 * server instance) share the work without taking the same row. A claimed row is handed to the provider
 * while it is still locked, and marked sent in the transaction that claimed it: a second worker can
 * neither see it while it is being sent nor after it was sent.
 *
 * Delivery is at least once, not exactly once: if the process dies (or the database connection drops)
 * after the provider accepted a message but before the commit, the claim is rolled back and the message
 * is sent again later. Claiming one row per transaction (the default `claimLimit`) keeps that window to
 * one message and the time of one commit; a larger limit amortises transactions at the cost of repeating
 * the whole batch after such a crash.
 */

export type OutboxRow = typeof outbox.$inferSelect;

/** A delivery that can never succeed (unknown topic, the driver's account is gone): no retry. */
export class PermanentDeliveryError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'PermanentDeliveryError';
    this.code = code;
  }
}

/** Thrown into a delivery still running when the shutdown grace ends: its claim is rolled back, not counted. */
export class HandedBack extends Error {
  constructor() {
    super('handed back at shutdown');
    this.name = 'HandedBack';
  }
}

export type OutboxContext = Pick<AppContext, 'db' | 'sms' | 'now' | 'logger'> & Partial<Pick<AppContext, 'secrets'>>;

/** Sends one message; runs inside the claiming transaction (`tx` sees the row locked). */
export type TopicHandler = (tx: Executor, row: OutboxRow, ctx: OutboxContext) => Promise<void>;

export interface OutboxWorkerOptions {
  /** Rows claimed per transaction (see the at-least-once note above). Default 1. */
  claimLimit?: number;
  /** Most rows one run handles before yielding. Default 50. */
  maxPerRun?: number;
  /** Failed attempts after which a row is given up (failed_at set). Default 8. */
  maxAttempts?: number;
  /** Wait after the first failure; doubles with each further one. Default 1 minute. */
  baseBackoffMs?: number;
  /** Longest wait between attempts. Default 1 hour. */
  maxBackoffMs?: number;
  /** Polling interval of `start()`. Default 2 s. */
  intervalMs?: number;
  /** Handlers per topic; defaults to `defaultTopicHandlers`. */
  handlers?: Record<string, TopicHandler>;
}

export interface OutboxRunResult {
  sent: number;
  /** Failed this time, will be tried again later. */
  retrying: number;
  /** Given up for good. */
  failed: number;
}

/** Wait before the next attempt after `attempts` failures: base × 2^(attempts−1), capped. */
export function backoffMs(attempts: number, baseMs: number, maxMs: number): number {
  const exponent = Math.max(0, attempts - 1);
  return Math.min(maxMs, baseMs * 2 ** Math.min(exponent, 30));
}

/** A short error description for last_error: codes only, never the message text (it may hold a phone number). */
export function describeFailure(error: unknown): string {
  if (error instanceof SmsSendError) return `sms:${error.provider}:${error.providerCode}`;
  if (error instanceof PermanentDeliveryError) return `permanent:${error.code}`;
  const e = error as { name?: unknown; code?: unknown };
  const name = typeof e?.name === 'string' ? e.name : 'Error';
  return typeof e?.code === 'string' || typeof e?.code === 'number' ? `${name}:${String(e.code)}` : name;
}

/** 'sms.application_update': the driver's application changed state; tell them by SMS. */
export const sendApplicationUpdateSms: TopicHandler = async (tx, row, ctx) => {
  const payload = row.payload as { applicationId?: unknown; action?: unknown; state?: unknown };
  if (typeof payload.applicationId !== 'string' || typeof payload.action !== 'string' || !isNotifiedAction(payload.action)) {
    throw new PermanentDeliveryError('BAD_PAYLOAD', 'application update without application id or known action');
  }
  const [found] = await tx
    .select({ reference: applications.reference, state: applications.state, phone: users.phone })
    .from(applications)
    .innerJoin(users, eq(users.id, applications.userId))
    .where(eq(applications.id, payload.applicationId));
  if (!found) throw new PermanentDeliveryError('APPLICATION_GONE', 'application or its driver no longer exists');
  // The state the message was written for, not today's: a later change has its own message.
  const state = (typeof payload.state === 'string' ? payload.state : found.state) as ApplicationState;
  const details = await latestActionDetails(tx, payload.applicationId, payload.action);
  ensureReachable(found.phone);
  await ctx.sms.send({
    phone: found.phone,
    template: 'application_update',
    params: { applicationNo: found.reference, status: smsStatusText(payload.action, state, details) },
  });
};

/** The driver's real-name submission was decided; the SMS says which way (the app shows why). */
const REAL_NAME_STATUS: Record<string, string> = { approved: '实名认证审核通过', rejected: '实名认证未通过，请查看原因后重新提交' };

export const sendRealNameDecisionSms: TopicHandler = async (tx, row, ctx) => {
  const payload = row.payload as { submissionId?: unknown; state?: unknown };
  const status = typeof payload.state === 'string' ? REAL_NAME_STATUS[payload.state] : undefined;
  if (typeof payload.submissionId !== 'string' || !status) throw new PermanentDeliveryError('BAD_PAYLOAD', 'real-name decision without submission id or known state');
  const [found] = await tx
    .select({ reference: realNameSubmissions.reference, phone: users.phone })
    .from(realNameSubmissions)
    .innerJoin(users, eq(users.id, realNameSubmissions.userId))
    .where(eq(realNameSubmissions.id, payload.submissionId));
  if (!found) throw new PermanentDeliveryError('SUBMISSION_GONE', 'real-name submission or its driver no longer exists');
  ensureReachable(found.phone);
  await ctx.sms.send({ phone: found.phone, template: 'application_update', params: { applicationNo: found.reference, status } });
};

/** The ID number this phone was bound to moved to another phone after a real-name check there. */
export const sendRealNameMovedSms: TopicHandler = async (tx, row, ctx) => {
  const payload = row.payload as { submissionId?: unknown; userId?: unknown };
  if (typeof payload.submissionId !== 'string' || typeof payload.userId !== 'string') throw new PermanentDeliveryError('BAD_PAYLOAD', 'identity move without submission or user');
  const [submission] = await tx.select({ reference: realNameSubmissions.reference }).from(realNameSubmissions).where(eq(realNameSubmissions.id, payload.submissionId));
  const [user] = await tx.select({ phone: users.phone }).from(users).where(eq(users.id, payload.userId));
  if (!submission || !user) throw new PermanentDeliveryError('SUBMISSION_GONE', 'real-name submission or the old account no longer exists');
  ensureReachable(user.phone);
  await ctx.sms.send({
    phone: user.phone,
    template: 'application_update',
    params: { applicationNo: submission.reference, status: '您的身份证已绑定到新的手机号，本号码已退出登录；如非本人操作，请立即联系所在省份业务咨询电话' },
  });
};

/** 'sms.verification_answered': the issuing authority answered the driver's information-verification request. */
export const sendVerificationAnsweredSms: TopicHandler = async (tx, row, ctx) => {
  const payload = row.payload as { userId?: unknown; outcome?: unknown };
  const outcome = VERIFICATION_OUTCOME_TEXT[String(payload.outcome)];
  if (typeof payload.userId !== 'string' || !outcome) throw new PermanentDeliveryError('BAD_PAYLOAD', 'verification answer without driver or known outcome');
  const [driver] = await tx.select({ phone: users.phone }).from(users).where(eq(users.id, payload.userId));
  if (!driver) throw new PermanentDeliveryError('DRIVER_GONE', 'the driver no longer exists');
  ensureReachable(driver.phone);
  await ctx.sms.send({ phone: driver.phone, template: 'verification_answered', params: { outcome } });
};

/** 'sms.account_closed': confirms the closing to the phone the account had (sealed in the message). */
export const sendAccountClosedSms: TopicHandler = async (_tx, row, ctx) => {
  const payload = row.payload as { phone?: unknown; date?: unknown };
  if (typeof payload.phone !== 'string' || typeof payload.date !== 'string') throw new PermanentDeliveryError('BAD_PAYLOAD', 'account closing without phone or date');
  if (!ctx.secrets) throw new PermanentDeliveryError('NO_DATA_KEY', 'the worker cannot open sealed phones');
  await ctx.sms.send({ phone: ctx.secrets.open(CLOSED_PHONE_PURPOSE, payload.phone), template: 'account_closed', params: { date: payload.date } });
};

/** A closed account has no phone left to tell. */
function ensureReachable(phone: string): void {
  if (phone.startsWith('closed:')) throw new PermanentDeliveryError('ACCOUNT_CLOSED', 'the driver closed the account');
}

const VERIFICATION_OUTCOME_TEXT: Record<string, string> = { corrected: '发证机关已更正证件信息', explained: '发证机关已作出说明' };

export const defaultTopicHandlers: Record<string, TopicHandler> = {
  'sms.application_update': sendApplicationUpdateSms,
  'sms.real_name_decision': sendRealNameDecisionSms,
  'sms.real_name_moved': sendRealNameMovedSms,
  'sms.verification_answered': sendVerificationAnsweredSms,
  'sms.account_closed': sendAccountClosedSms,
};

export class OutboxWorker {
  readonly #ctx: OutboxContext;
  readonly #claimLimit: number;
  readonly #maxPerRun: number;
  readonly #maxAttempts: number;
  readonly #baseBackoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #intervalMs: number;
  readonly #handlers: Record<string, TopicHandler>;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<OutboxRunResult> | undefined;
  #rerun = false;
  #stopped = true;
  #stopping = false;
  /** Aborted when a stop's grace runs out: the delivery in hand is abandoned and its claim rolled back. */
  #handBack = new AbortController();

  constructor(ctx: OutboxContext, options: OutboxWorkerOptions = {}) {
    this.#ctx = ctx;
    this.#claimLimit = Math.max(1, options.claimLimit ?? 1);
    this.#maxPerRun = Math.max(1, options.maxPerRun ?? 50);
    this.#maxAttempts = Math.max(1, options.maxAttempts ?? 8);
    this.#baseBackoffMs = options.baseBackoffMs ?? 60_000;
    this.#maxBackoffMs = options.maxBackoffMs ?? 60 * 60_000;
    this.#intervalMs = options.intervalMs ?? 2_000;
    this.#handlers = options.handlers ?? defaultTopicHandlers;
  }

  /** Delivers what is due now; concurrent calls on one worker share a single run. */
  runOnce(): Promise<OutboxRunResult> {
    if (this.#running) {
      this.#rerun = true;
      return this.#running;
    }
    const run = this.#drain().finally(() => {
      this.#running = undefined;
    });
    this.#running = run;
    return run;
  }

  /** Polls every `intervalMs` until stopped. */
  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#stopping = false;
    this.#handBack = new AbortController();
    this.#schedule(0);
  }

  /** Asks for a run soon (after a state change), without waiting for the next poll. */
  wake(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#rerun = true;
      return;
    }
    this.#schedule(0);
  }

  /**
   * Stops claiming and waits for the delivery in hand, so the database can be closed after it. Rows of
   * the batch not yet delivered are handed back at once (their locks go with the commit); with `graceMs`,
   * a delivery still running when it ends is abandoned and its transaction rolled back, so the row is
   * free for another instance (delivered at least once, as after a crash).
   */
  async stop(graceMs?: number): Promise<void> {
    this.#stopped = true;
    this.#stopping = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const running = this.#running;
    if (!running) return;
    const timer = graceMs === undefined ? undefined : setTimeout(() => this.#handBack.abort(), graceMs);
    try {
      await running.catch(() => undefined);
    } finally {
      clearTimeout(timer);
    }
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.runOnce()
        .catch((error: unknown) => this.#ctx.logger.error({ err: { type: describeFailure(error) } }, 'outbox run failed'))
        .finally(() => this.#schedule(this.#intervalMs));
    }, delayMs);
    this.#timer.unref();
  }

  async #drain(): Promise<OutboxRunResult> {
    const total: OutboxRunResult = { sent: 0, retrying: 0, failed: 0 };
    let handled = 0;
    do {
      this.#rerun = false;
      // Once stop() was called, finish the batch in hand and leave the rest to the next start.
      while (handled < this.#maxPerRun && !this.#stopping) {
        const batch = await this.#claimAndDeliver(Math.min(this.#claimLimit, this.#maxPerRun - handled));
        if (batch.claimed === 0) break;
        handled += batch.claimed;
        total.sent += batch.sent;
        total.retrying += batch.retrying;
        total.failed += batch.failed;
      }
    } while (this.#rerun && handled < this.#maxPerRun && !this.#stopping);
    return total;
  }

  async #claimAndDeliver(limit: number): Promise<OutboxRunResult & { claimed: number }> {
    return this.#ctx.db.transaction(async (tx) => {
      const now = this.#ctx.now();
      const due = await tx
        .select()
        .from(outbox)
        .where(and(isNull(outbox.sentAt), isNull(outbox.failedAt), lte(outbox.availableAt, now)))
        .orderBy(asc(outbox.availableAt), asc(outbox.id))
        .limit(limit)
        .for('update', { skipLocked: true });
      const result = { claimed: due.length, sent: 0, retrying: 0, failed: 0 };
      for (const row of due) {
        // Stopping: the rest of the batch is handed back unclaimed when this transaction commits.
        if (this.#stopping) break;
        const outcome = await this.#deliver(tx, row);
        result[outcome]++;
      }
      return result;
    });
  }

  async #deliver(tx: Executor, row: OutboxRow): Promise<'sent' | 'retrying' | 'failed'> {
    const handler = this.#handlers[row.topic];
    try {
      if (!handler) throw new PermanentDeliveryError('UNKNOWN_TOPIC', `no handler for topic ${row.topic}`);
      // A savepoint, so a handler's failed query does not abort the claiming transaction.
      await abandonedOn(this.#handBack.signal, tx.transaction((inner) => handler(inner, row, this.#ctx)));
    } catch (error) {
      if (error instanceof HandedBack) {
        this.#ctx.logger.warn({ outbox: { id: row.id, topic: row.topic } }, 'shutdown grace ended during a delivery: its claim is handed back');
        throw error; // rolls the claiming transaction back
      }
      const attempts = row.attempts + 1;
      const lastError = describeFailure(error);
      const now = this.#ctx.now();
      const giveUp = error instanceof PermanentDeliveryError || attempts >= this.#maxAttempts;
      await tx
        .update(outbox)
        .set({
          attempts,
          lastError,
          ...(giveUp ? { failedAt: now } : { availableAt: new Date(now.getTime() + backoffMs(attempts, this.#baseBackoffMs, this.#maxBackoffMs)) }),
        })
        .where(eq(outbox.id, row.id));
      this.#ctx.logger.warn({ outbox: { id: row.id, topic: row.topic, attempts, error: lastError, givenUp: giveUp } }, 'outbox delivery failed');
      return giveUp ? 'failed' : 'retrying';
    }
    await tx
      .update(outbox)
      .set({ sentAt: this.#ctx.now(), attempts: sql`${outbox.attempts} + 1`, lastError: null })
      .where(eq(outbox.id, row.id));
    return 'sent';
  }
}

/** `work`, unless `signal` aborts first (then a HandedBack error; `work` itself is left behind). */
function abandonedOn<T>(signal: AbortSignal, work: Promise<T>): Promise<T> {
  if (signal.aborted) return Promise.reject(new HandedBack());
  let onAbort: (() => void) | undefined;
  const abandoned = new Promise<never>((_, reject) => {
    onAbort = () => reject(new HandedBack());
    signal.addEventListener('abort', onAbort, { once: true });
  });
  work.catch(() => undefined); // a late failure of abandoned work is nobody's to handle
  return Promise.race([work, abandoned]).finally(() => signal.removeEventListener('abort', onAbort!));
}
