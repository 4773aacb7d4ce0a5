import { and, eq, inArray, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chinaDate } from '../../src/domain/dates.ts';
import { newReference } from '../../src/server/applications/reference.ts';
import { applyTransition, type ApplicationRow } from '../../src/server/applications/transitions.ts';
import type { Database } from '../../src/server/db/client.ts';
import { applications, certificates, outbox, users } from '../../src/server/db/schema.ts';
import { backoffMs, OutboxWorker, type OutboxContext } from '../../src/server/outbox/worker.ts';
import { ConsoleSmsProvider, SmsSendError, type SmsMessage } from '../../src/server/sms/index.ts';
import { handlerActor, reviewerActor, submittedDraft } from '../helpers/applications.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { loginDriver } from '../helpers/driverLogin.ts';
import { userPhoneIs } from '../../src/server/auth/accounts.ts';
import { holderIdNumberIs } from '../../src/server/registry/certificates.ts';

const MINUTE = 60_000;
const silent = { info: () => {}, warn: () => {} };

/** The console provider with a record of every accepted message and failures on demand. */
class FlakySms extends ConsoleSmsProvider {
  accepted: SmsMessage[] = [];
  /** Fail the next n sends. */
  failNext = 0;
  failAlways = false;
  delayMs = 0;
  override async send(message: SmsMessage): Promise<void> {
    if (this.delayMs) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (this.failAlways || this.failNext > 0) {
      this.failNext = Math.max(0, this.failNext - 1);
      throw new SmsSendError('console', 'isv.BUSINESS_LIMIT_CONTROL', `refused ${message.phone}`);
    }
    this.accepted.push(message);
    await super.send(message);
  }
}

const handler = handlerActor;
const reviewer = reviewerActor;

async function driverOf(db: Database, phone: string) {
  const [user] = await db.select().from(users).where(userPhoneIs(phone));
  const [certificate] = await db.select().from(certificates).where(holderIdNumberIs(user!.idNumber!));
  return { user: user!, certificate: certificate! };
}

/** A submitted application of the driver, through the real transition executor. */
async function submitted(db: Database, phone: string, business: string, now: Date, personalInfo: Record<string, unknown> = {}): Promise<ApplicationRow> {
  const { user, certificate } = await driverOf(db, phone);
  return submittedDraft(db, { userId: user.id, certificateId: certificate.id, business, personalInfo, at: now });
}

/** Closed applications, each with one due outbox row: many messages without the one-open-application rule in the way. */
async function queuedUpdates(db: Database, phone: string, count: number, now: Date): Promise<string[]> {
  const { user, certificate } = await driverOf(db, phone);
  const references: string[] = [];
  for (let i = 0; i < count; i++) {
    const reference = newReference('credit_assessment', chinaDate(now));
    const [row] = await db
      .insert(applications)
      .values({
        reference,
        userId: user.id,
        certificateId: certificate.id,
        business: 'credit_assessment',
        provinceCode: certificate.provinceCode,
        issuingAuthorityCode: certificate.issuingAuthorityCode,
        state: 'rejected',
        createdAt: now,
      })
      .returning();
    await db.insert(outbox).values({
      topic: 'sms.application_update',
      payload: { applicationId: row!.id, userId: user.id, reference, action: 'reject', state: 'rejected', day: chinaDate(now) },
      availableAt: now,
    });
    references.push(reference);
  }
  return references;
}

describe('outbox: application updates by SMS', () => {
  let t: TestApp;
  let sms: FlakySms;
  let ctx: OutboxContext;

  beforeAll(async () => {
    sms = new FlakySms(silent);
    t = await createTestApp({ adapters: { sms } });
    t.clock.set('2026-03-02T02:00:00Z');
    ctx = { db: t.database.db, sms, now: t.clock.now, logger: t.app.log };
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(async () => {
    // Nothing left over from the previous test: every pending row is settled.
    await t.database.db.update(outbox).set({ failedAt: new Date(0) }).where(and(isNull(outbox.sentAt), isNull(outbox.failedAt)));
    sms.accepted = [];
    sms.failNext = 0;
    sms.failAlways = false;
    sms.delayMs = 0;
  });

  /** Rows written with the database's clock become due once the test clock has passed them. */
  const pastDatabaseClock = () => t.clock.set(new Date(Date.now() + MINUTE));

  it('tells the driver of a state change once, with the reference and the state in words', async () => {
    t.clock.set('2026-03-02T02:00:00Z');
    const application = await submitted(t.database.db, '13800000001', 'credit_assessment', t.clock.now());
    const accepted = await applyTransition(t.database.db, application, 'accept', handler, {}, t.clock.now());
    pastDatabaseClock();

    const worker = new OutboxWorker(ctx);
    expect(await worker.runOnce()).toEqual({ sent: 1, retrying: 0, failed: 0 });
    expect(sms.accepted).toHaveLength(1);
    expect(sms.accepted[0]).toMatchObject({ phone: '13800000001', template: 'application_update', params: { applicationNo: application.reference, status: '已受理' } });
    const [row] = await t.database.db.select().from(outbox).where(eq(outbox.id, (await pendingOrSent(application.id))[0]!.id));
    expect(row!.sentAt).not.toBeNull();
    expect(row!.attempts).toBe(1);

    expect(await worker.runOnce()).toEqual({ sent: 0, retrying: 0, failed: 0 });
    expect(sms.accepted).toHaveLength(1);
    await applyTransition(t.database.db, accepted, 'reject', reviewer, { reasonCodes: ['not_qualified'] }, t.clock.now());
  });

  async function pendingOrSent(applicationId: string) {
    const rows = await t.database.db.select().from(outbox);
    return rows.filter((row) => (row.payload as { applicationId?: string }).applicationId === applicationId);
  }

  it('lists every item to correct when returned, and the tracking number when mailed', async () => {
    t.clock.set('2026-03-03T02:00:00Z');
    let application = await submitted(t.database.db, '13800000001', 'replacement', t.clock.now(), { delivery: 'mail' });
    application = await applyTransition(
      t.database.db,
      application,
      'return',
      handler,
      { reasonCodes: ['material_unclear', 'info_incorrect'], reason: '住址与身份证不一致' },
      t.clock.now(),
    );
    pastDatabaseClock();
    const worker = new OutboxWorker(ctx);
    await worker.runOnce();
    expect(sms.accepted.map((m) => m.params.status)).toEqual(['退回补正（请补正：材料图片不清晰、个人信息填写有误、住址与身份证不一致）']);

    application = await applyTransition(t.database.db, application, 'resubmit', { actor: 'driver', kind: 'driver', id: application.userId, role: 'driver' }, {}, t.clock.now());
    application = await applyTransition(t.database.db, application, 'accept', handler, {}, t.clock.now());
    application = await applyTransition(t.database.db, application, 'approve', reviewer, {}, t.clock.now());
    await applyTransition(t.database.db, application, 'mail', handler, { trackingNumber: 'SF1234567890', payload: { carrier: '顺丰速运' } }, t.clock.now());
    pastDatabaseClock();
    sms.accepted = [];
    expect((await worker.runOnce()).sent).toBe(3);
    expect(sms.accepted.map((m) => m.params.status)).toEqual(['已受理', '审核通过', '证件已邮寄（顺丰速运，运单号SF1234567890）']);
    expect(new Set(sms.accepted.map((m) => m.params.applicationNo))).toEqual(new Set([application.reference]));
  });

  it('two workers on one database send every message exactly once', async () => {
    t.clock.set('2026-03-04T02:00:00Z');
    const references = await queuedUpdates(t.database.db, '13800000002', 30, t.clock.now());
    sms.delayMs = 2; // keep each claim open a moment so the workers overlap
    const options = { maxPerRun: 1_000 };
    const a = new OutboxWorker(ctx, options);
    const b = new OutboxWorker(ctx, options);
    const [ra, rb] = await Promise.all([a.runOnce(), b.runOnce()]);
    expect(ra.sent + rb.sent).toBe(30);

    const sends = new Map<string, number>();
    for (const message of sms.accepted) sends.set(message.params.applicationNo!, (sends.get(message.params.applicationNo!) ?? 0) + 1);
    expect([...sends.keys()].sort()).toEqual([...references].sort());
    expect([...sends.values()].every((n) => n === 1)).toBe(true);
    expect(await Promise.all([a.runOnce(), b.runOnce()])).toEqual([
      { sent: 0, retrying: 0, failed: 0 },
      { sent: 0, retrying: 0, failed: 0 },
    ]);
  });

  it('two workers with an SMS failure in between: the failed message is retried after its back-off and still sent once', async () => {
    t.clock.set('2026-03-05T02:00:00Z');
    const references = await queuedUpdates(t.database.db, '13800000002', 6, t.clock.now());
    sms.failNext = 1;
    const a = new OutboxWorker(ctx);
    const b = new OutboxWorker(ctx);
    const first = await Promise.all([a.runOnce(), b.runOnce()]);
    expect(first.reduce((n, r) => n + r.sent, 0)).toBe(5);
    expect(first.reduce((n, r) => n + r.retrying, 0)).toBe(1);

    const [failed] = await t.database.db.select().from(outbox).where(eq(outbox.lastError, 'sms:console:isv.BUSINESS_LIMIT_CONTROL'));
    expect(failed).toMatchObject({ attempts: 1, sentAt: null, failedAt: null });
    // No personal data in the recorded error.
    expect(failed!.lastError).not.toContain('13800000002');
    expect(failed!.availableAt.getTime()).toBe(t.clock.now().getTime() + MINUTE);

    t.clock.advance(MINUTE - 1_000);
    expect((await a.runOnce()).sent).toBe(0);
    t.clock.advance(1_000);
    expect((await Promise.all([a.runOnce(), b.runOnce()])).reduce((n, r) => n + r.sent, 0)).toBe(1);

    const counts = new Map<string, number>();
    for (const m of sms.accepted) counts.set(m.params.applicationNo!, (counts.get(m.params.applicationNo!) ?? 0) + 1);
    expect(references.map((r) => counts.get(r))).toEqual(references.map(() => 1));
    const [retried] = await t.database.db.select().from(outbox).where(eq(outbox.id, failed!.id));
    expect(retried).toMatchObject({ attempts: 2, lastError: null });
    expect(retried!.sentAt).not.toBeNull();
  });

  it('backs off 1, 2, 4 … minutes (capped) and gives up after the last attempt', async () => {
    t.clock.set('2026-03-06T02:00:00Z');
    const [reference] = await queuedUpdates(t.database.db, '13800000002', 1, t.clock.now());
    sms.failAlways = true;
    const worker = new OutboxWorker(ctx, { maxAttempts: 5, baseBackoffMs: MINUTE, maxBackoffMs: 5 * MINUTE });
    const [pending] = await t.database.db.select({ id: outbox.id }).from(outbox).where(and(isNull(outbox.sentAt), isNull(outbox.failedAt)));
    const row = async () => (await t.database.db.select().from(outbox).where(eq(outbox.id, pending!.id)))[0]!;

    const waits: number[] = [];
    for (let attempt = 1; attempt <= 4; attempt++) {
      const before = t.clock.now().getTime();
      expect(await worker.runOnce()).toEqual({ sent: 0, retrying: 1, failed: 0 });
      const current = await row();
      expect(current.attempts).toBe(attempt);
      waits.push((current.availableAt.getTime() - before) / MINUTE);
      // Not retried before it is due.
      t.clock.set(new Date(current.availableAt.getTime() - 1));
      expect(await worker.runOnce()).toEqual({ sent: 0, retrying: 0, failed: 0 });
      t.clock.advance(1);
    }
    expect(waits).toEqual([1, 2, 4, 5]);

    expect(await worker.runOnce()).toEqual({ sent: 0, retrying: 0, failed: 1 });
    const given = await row();
    expect(given.attempts).toBe(5);
    expect(given.failedAt).not.toBeNull();
    sms.failAlways = false;
    t.clock.advance(24 * 60 * MINUTE);
    expect(await worker.runOnce()).toEqual({ sent: 0, retrying: 0, failed: 0 });
    expect(sms.accepted.filter((m) => m.params.applicationNo === reference)).toHaveLength(0);
  });

  it('gives up at once on a message that can never be delivered', async () => {
    t.clock.set('2026-03-07T02:00:00Z');
    const [row] = await t.database.db.insert(outbox).values({ topic: 'unknown.topic', payload: {}, availableAt: t.clock.now() }).returning();
    const [bad] = await t.database.db
      .insert(outbox)
      .values({ topic: 'sms.application_update', payload: { applicationId: '00000000-0000-4000-8000-000000000000', action: 'accept' }, availableAt: t.clock.now() })
      .returning();
    expect(await new OutboxWorker(ctx).runOnce()).toEqual({ sent: 0, retrying: 0, failed: 2 });
    const rows = await t.database.db.select().from(outbox).where(inArray(outbox.id, [row!.id, bad!.id]));
    expect(rows.map((r) => r.lastError).sort()).toEqual(['permanent:APPLICATION_GONE', 'permanent:UNKNOWN_TOPIC']);
    expect(rows.every((r) => r.failedAt !== null && r.attempts === 1)).toBe(true);
  });

  it('the started worker polls, is woken, and stops cleanly', async () => {
    t.clock.set('2026-03-08T02:00:00Z');
    const [reference] = await queuedUpdates(t.database.db, '13800000002', 1, t.clock.now());
    const worker = new OutboxWorker(ctx, { intervalMs: 20 });
    worker.start();
    await expect.poll(() => sms.accepted.some((m) => m.params.applicationNo === reference), { timeout: 5_000 }).toBe(true);
    const [later] = await queuedUpdates(t.database.db, '13800000002', 1, t.clock.now());
    worker.wake();
    await expect.poll(() => sms.accepted.some((m) => m.params.applicationNo === later), { timeout: 5_000 }).toBe(true);
    await worker.stop();
    const [afterStop] = await queuedUpdates(t.database.db, '13800000002', 1, t.clock.now());
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(sms.accepted.some((m) => m.params.applicationNo === afterStop)).toBe(false);
  });

  it('a stop hands back the claim of a delivery still hanging when the grace ends, for another worker to send', async () => {
    t.clock.set('2026-03-08T03:00:00Z');
    const [reference] = await queuedUpdates(t.database.db, '13800000002', 1, t.clock.now());
    sms.delayMs = 60_000; // the provider hangs
    const worker = new OutboxWorker(ctx, { intervalMs: 20 });
    worker.start();
    await new Promise((resolve) => setTimeout(resolve, 300)); // claimed and in the provider's hands
    const started = Date.now();
    await worker.stop(200);
    expect(Date.now() - started).toBeLessThan(2_000);
    const [row] = await t.database.db.select().from(outbox).where(and(isNull(outbox.sentAt), isNull(outbox.failedAt)));
    // Rolled back: not sent, no attempt counted, free to claim.
    expect(row).toMatchObject({ attempts: 0, lastError: null });
    sms.delayMs = 0;
    expect(await new OutboxWorker(ctx).runOnce()).toMatchObject({ sent: 1 });
    expect(sms.accepted.filter((m) => m.params.applicationNo === reference)).toHaveLength(1);
  });

  it('the app owns one worker, which app.close() stops', () => {
    expect(t.app.outboxWorker).toBeInstanceOf(OutboxWorker);
  });

  it('My Office lists the driver’s updates newest first, in both languages, to that driver only', async () => {
    t.clock.set('2026-03-09T02:00:00Z');
    const driver = await loginDriver(t.app, '13800000003');
    let application = await submitted(t.database.db, '13800000003', 'credit_assessment', t.clock.now());
    t.clock.advance(MINUTE);
    application = await applyTransition(t.database.db, application, 'return', handler, { reasonCodes: ['photo_nonconforming'] }, t.clock.now());
    t.clock.advance(MINUTE);
    application = await applyTransition(t.database.db, application, 'resubmit', { actor: 'driver', kind: 'driver', id: application.userId, role: 'driver' }, {}, t.clock.now());
    t.clock.advance(MINUTE);
    await applyTransition(t.database.db, application, 'accept', handler, {}, t.clock.now());

    const response = await t.app.inject({ method: 'GET', url: '/api/v1/me/notifications', headers: driver.headers });
    expect(response.statusCode).toBe(200);
    const { notifications } = response.json() as { notifications: { action: string; reference: string; message: { zh: string; en: string }; stateLabel: { zh: string } }[] };
    expect(notifications.map((n) => n.action)).toEqual(['accept', 'return']);
    expect(notifications[0]!.stateLabel.zh).toBe('已受理');
    expect(notifications[1]!.message.zh).toContain('照片不符合要求');
    expect(notifications[1]!.message.en).toContain('The photo does not meet the requirements');
    expect(notifications.every((n) => n.reference === application.reference)).toBe(true);

    const other = await loginDriver(t.app, '13800000004');
    const theirs = await t.app.inject({ method: 'GET', url: '/api/v1/me/notifications', headers: other.headers });
    expect((theirs.json() as { notifications: unknown[] }).notifications).toEqual([]);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me/notifications' })).statusCode).toBe(401);
  });
});

describe('backoffMs', () => {
  it('doubles from the base and stops at the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffMs(n, MINUTE, 60 * MINUTE) / MINUTE)).toEqual([1, 2, 4, 8, 16, 32, 60]);
    expect(backoffMs(1_000, MINUTE, 60 * MINUTE)).toBe(60 * MINUTE);
  });
});
