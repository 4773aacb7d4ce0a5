import { randomBytes } from 'node:crypto';
import { asc, eq } from 'drizzle-orm';
import type { CreditGrade } from '../../src/domain/creditAssessment.ts';
import { chinaDate } from '../../src/domain/dates.ts';
import { newReference } from '../../src/server/applications/reference.ts';
import { driverActor } from '../../src/server/applications/service.ts';
import { applyTransition, systemActor, type ActorRef, type ApplicationRow } from '../../src/server/applications/transitions.ts';
import type { Database } from '../../src/server/db/client.ts';
import { applications, certificateCategories, certificates, users } from '../../src/server/db/schema.ts';
import { issueCreditAssessmentVoucher, type VoucherRow } from '../../src/server/vouchers/issue.ts';
import type { TestApp } from './app.ts';
import { testSecrets } from './dataKey.ts';
import { userPhoneIs } from '../../src/server/auth/accounts.ts';
import { certificateNumberColumns, holderIdNumberColumns, holderIdNumberIs } from '../../src/server/registry/certificates.ts';

/**
 * Applications, certificates and vouchers written straight to the database through the transition
 * executor, for tests whose subject comes after them (the driver's and the staff's sides are tested
 * through the API in their own files).
 */

export const handlerActor: ActorRef = { actor: 'handler', kind: 'staff', id: null, role: 'handler' };
export const reviewerActor: ActorRef = { actor: 'reviewer', kind: 'staff', id: null, role: 'reviewer' };

export interface CategorySpec {
  code: string;
  firstIssueDate: string;
  validFrom: string;
  validTo: string;
  cancelledAt?: string | null;
}

/** A further registry certificate of a demo driver (one open application per certificate and business). */
export async function insertCertificate(t: TestApp, phone: string, categories: CategorySpec[], extra: { serviceUnit?: string; quasiDrivingType?: string } = {}): Promise<string> {
  const db = t.database.db;
  const [user] = await db.select().from(users).where(userPhoneIs(phone));
  if (!user?.idNumber || !user.name || !user.provinceCode) throw new Error(`${phone} is not a verified demo driver`);
  const [certificate] = await db
    .insert(certificates)
    .values({
      ...certificateNumberColumns(`T${randomBytes(8).toString('hex')}`),
      ...holderIdNumberColumns(user.idNumber),
      holderName: user.name,
      sex: user.sex ?? 'M',
      birthDate: user.birthDate ?? '1985-01-01',
      address: user.address ?? '',
      quasiDrivingType: extra.quasiDrivingType ?? 'A2',
      serviceUnit: extra.serviceUnit ?? '北京顺通物流有限公司',
      issuingAuthorityCode: `${user.provinceCode}0000`,
      provinceCode: user.provinceCode,
    })
    .returning({ id: certificates.id });
  for (const category of categories) {
    await db.insert(certificateCategories).values({ certificateId: certificate!.id, ...category, qualifiers: [] });
  }
  return certificate!.id;
}

/** The answers of a complete card business (renewal, replacement) for demo driver 13800000001. */
export const cardAnswers = { sex: 'M', phone: '13800000001', quasiDrivingType: 'A2', reason: '证件到期', address: '北京市朝阳区建国路88号', contactName: '王建国', contactPhone: '13800000001', delivery: 'mail' };

/** The registry certificate of a verified driver (linked by ID number); the first recorded if a test added more. */
export async function certificateOf(db: Database, userId: string) {
  const [user] = await db.select().from(users).where(eq(users.id, userId));
  const [certificate] = await db
    .select()
    .from(certificates)
    .where(holderIdNumberIs(user!.idNumber!))
    .orderBy(asc(certificates.createdAt), asc(certificates.number));
  return certificate!;
}

/** A draft of `business` on `certificateId` by `userId`, opened at `at`, then submitted by the driver. */
export async function submittedDraft(
  db: Database,
  options: { userId: string; certificateId: string; business: string; variant?: string | null; personalInfo?: Record<string, unknown>; at: Date },
): Promise<ApplicationRow> {
  const [certificate] = await db.select().from(certificates).where(eq(certificates.id, options.certificateId));
  if (!certificate) throw new Error(`no certificate ${options.certificateId}`);
  const [draft] = await db
    .insert(applications)
    .values({
      reference: newReference(options.business, chinaDate(options.at)),
      userId: options.userId,
      certificateId: certificate.id,
      business: options.business,
      variant: options.variant ?? null,
      provinceCode: certificate.provinceCode,
      issuingAuthorityCode: certificate.issuingAuthorityCode,
      state: 'draft',
      personalInfo: options.personalInfo ?? {},
      createdAt: options.at,
      updatedAt: options.at,
    })
    .returning();
  return db.transaction((tx) => applyTransition(tx, draft!, 'submit', driverActor(options.userId), {}, options.at));
}

/** A submitted application of the driver with `phone`; `at` is the submission instant (the test clock by default). */
export async function submittedApplication(
  t: TestApp,
  options: { phone: string; certificateId: string; business: string; variant?: string | null; personalInfo?: Record<string, unknown>; at?: Date },
): Promise<ApplicationRow> {
  const [user] = await t.database.db.select().from(users).where(userPhoneIs(options.phone));
  return submittedDraft(t.database.db, {
    ...options,
    userId: user!.id,
    personalInfo: { name: user!.name, ...(options.personalInfo ?? {}) },
    at: options.at ?? t.clock.now(),
  });
}

/** A credit assessment of `userId` (on their registry certificate unless one is named), submitted by the driver and accepted by a handler. */
export async function acceptedCreditAssessment(db: Database, userId: string, now: Date, options: { certificateId?: string } = {}): Promise<ApplicationRow> {
  const certificateId = options.certificateId ?? (await certificateOf(db, userId)).id;
  const application = await submittedDraft(db, { userId, certificateId, business: 'credit_assessment', at: now });
  return applyTransition(db, application, 'accept', handlerActor, {}, now);
}

/**
 * What the reviewer's approval does: approve with the rating and issue the voucher, in one transaction.
 * `cycle` names the rated cycle as a reviewer may; otherwise it follows from the submission day.
 */
export async function approveWithVoucher(
  db: Database,
  application: ApplicationRow,
  rating: CreditGrade,
  now: Date,
  options: { cycle?: { start: string; end: string } } = {},
): Promise<VoucherRow> {
  const { approved, voucher } = await db.transaction(async (tx) => {
    const approved = await applyTransition(tx, application, 'approve', reviewerActor, { rating }, now);
    const issueOptions = { rating, ...(options.cycle ? { cycle: options.cycle } : {}) };
    return { approved, voucher: await issueCreditAssessmentVoucher(tx, approved, issueOptions, now, { secrets: testSecrets }) };
  });
  // Closed, so the same certificate may apply again (one open application per certificate and business).
  await applyTransition(db, approved, 'complete', systemActor, {}, now);
  return voucher;
}

/** Refuses an accepted application, closing it. */
export async function rejectApplication(db: Database, application: ApplicationRow, now: Date): Promise<void> {
  await applyTransition(db, application, 'reject', reviewerActor, { reason: 'test' }, now);
}
