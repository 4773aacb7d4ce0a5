import { asc, eq } from 'drizzle-orm';
import { chinaDate } from '../../src/domain/dates.ts';
import type { CreditGrade } from '../../src/domain/creditAssessment.ts';
import { newReference } from '../../src/server/applications/reference.ts';
import { applyTransition, systemActor, type ActorRef, type ApplicationRow } from '../../src/server/applications/transitions.ts';
import type { Database } from '../../src/server/db/client.ts';
import { applications, certificates, users } from '../../src/server/db/schema.ts';
import { issueCreditAssessmentVoucher, type VoucherRow } from '../../src/server/vouchers/issue.ts';
import { testSecrets } from '../helpers/dataKey.ts';

const handler: ActorRef = { actor: 'handler', kind: 'staff', id: null, role: 'handler' };
const reviewer: ActorRef = { actor: 'reviewer', kind: 'staff', id: null, role: 'reviewer' };

/** The registry certificate of a verified driver (linked by ID number); the first recorded if a test added more. */
export async function certificateOf(db: Database, userId: string) {
  const [user] = await db.select().from(users).where(eq(users.id, userId));
  const [certificate] = await db
    .select()
    .from(certificates)
    .where(eq(certificates.holderIdNumber, user!.idNumber!))
    .orderBy(asc(certificates.createdAt), asc(certificates.number));
  return certificate!;
}

/** A credit assessment of `userId` (on their registry certificate unless one is named), submitted by the driver and accepted by a handler. */
export async function acceptedCreditAssessment(db: Database, userId: string, now: Date, options: { certificateId?: string } = {}): Promise<ApplicationRow> {
  const certificate = options.certificateId
    ? (await db.select().from(certificates).where(eq(certificates.id, options.certificateId)))[0]!
    : await certificateOf(db, userId);
  const [draft] = await db
    .insert(applications)
    .values({
      reference: newReference('credit_assessment', chinaDate(now)),
      userId,
      certificateId: certificate.id,
      business: 'credit_assessment',
      provinceCode: certificate.provinceCode,
      issuingAuthorityCode: certificate.issuingAuthorityCode,
      state: 'draft',
      createdAt: now,
    })
    .returning();
  const driver: ActorRef = { actor: 'driver', kind: 'driver', id: userId, role: 'driver' };
  const submitted = await applyTransition(db, draft!, 'submit', driver, {}, now);
  return applyTransition(db, submitted, 'accept', handler, {}, now);
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
    const approved = await applyTransition(tx, application, 'approve', reviewer, { rating }, now);
    const issueOptions = { rating, ...(options.cycle ? { cycle: options.cycle } : {}) };
    return { approved, voucher: await issueCreditAssessmentVoucher(tx, approved, issueOptions, now, { secrets: testSecrets }) };
  });
  // Closed, so the same certificate may apply again (one open application per certificate and business).
  await applyTransition(db, approved, 'complete', systemActor, {}, now);
  return voucher;
}

/** Refuses an accepted application, closing it. */
export async function rejectApplication(db: Database, application: ApplicationRow, now: Date): Promise<void> {
  await applyTransition(db, application, 'reject', reviewer, { reason: 'test' }, now);
}
