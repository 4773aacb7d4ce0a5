/**
 * Issuing the credit-assessment voucher (诚信考核凭证) when a reviewer approves an assessment with a
 * rating. Runs inside the approval's transaction so the voucher, the state change and any supersession
 * commit together or not at all.
 *
 * Rules (documented here because verifiers and staff rely on them):
 * - Cycle: the last complete 12-month cycle (counted from the earliest first-issue date among the
 *   certificate's credit-assessed categories) before the day the application was submitted; while
 *   the certificate is still in its first cycle, that first cycle. A caller may name the cycle instead.
 * - Validity: from the day of issue to VOUCHER_VALIDITY_YEARS after the cycle's last day, inclusive,
 *   i.e. until the next cycle's assessment is due and has had a year to be issued.
 * - Serial: 'CX' + year of issue + 8 characters of the unambiguous alphabet (e.g. CX2026K7MXP3AD).
 * - A later voucher for the same certificate and cycle supersedes every earlier one still standing.
 */
import { randomInt } from 'node:crypto';
import { and, eq, isNull, ne, sql } from 'drizzle-orm';
import { isCreditAssessedCategory } from '../../domain/categories.ts';
import { assessmentCycle, previousCycle, type AssessmentCycle, type CreditGrade } from '../../domain/creditAssessment.ts';
import { addYears, chinaDate } from '../../domain/dates.ts';
import { maskIdNumber } from '../../domain/idNumber.ts';
import { maskName } from '../../domain/personName.ts';
import { signVoucher, type VoucherClaims } from '../../domain/voucherToken.ts';
import { REFERENCE_ALPHABET } from '../applications/reference.ts';
import type { ApplicationRow } from '../applications/transitions.ts';
import type { AppContext } from '../context.ts';
import type { Executor } from '../db/client.ts';
import { certificateCategories, certificates, issuingAuthorities, vouchers } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { activeSigningKey } from './keyStore.ts';
import { queryRows } from '../db/rows.ts';

export const VOUCHER_VALIDITY_YEARS = 1;
export const VOUCHER_SERIAL_PREFIX = 'CX';

export type VoucherRow = typeof vouchers.$inferSelect;

export function newVoucherSerial(issuedOn: string): string {
  let random = '';
  for (let i = 0; i < 8; i += 1) random += REFERENCE_ALPHABET[randomInt(REFERENCE_ALPHABET.length)];
  return `${VOUCHER_SERIAL_PREFIX}${issuedOn.slice(0, 4)}${random}`;
}

/** Accepts what people type (lower case, spaces). */
export function normalizeVoucherSerial(input: string): string {
  return input.toUpperCase().replace(/[^0-9A-Z]/g, '');
}

const notCreditAssessment = () =>
  new AppError(422, 'NOT_CREDIT_ASSESSMENT', { zh: '只有诚信考核办件才签发考核凭证', en: 'Only credit assessments have a voucher' });

const noAssessedCategory = () =>
  new AppError(422, 'NO_DRIVER_CATEGORY', {
    zh: '该从业资格证没有需要诚信考核的驾驶员类别',
    en: 'The certificate has no driver category that takes the credit assessment',
  });

const alreadyIssued = () =>
  new AppError(409, 'VOUCHER_ALREADY_ISSUED', { zh: '该办件已签发考核凭证', en: 'A voucher has already been issued for this application' });

/** The cycle an application rates (see the rules above). */
export function ratedCycle(firstIssueDate: string, submittedOn: string): AssessmentCycle {
  return previousCycle(firstIssueDate, submittedOn) ?? assessmentCycle(firstIssueDate, submittedOn);
}

export interface IssueVoucherOptions {
  rating: CreditGrade;
  /** The cycle rated, when the reviewer names it; otherwise derived from the submission day. */
  cycle?: { start: string; end: string };
}

/**
 * Issues and stores the voucher of an approved credit assessment; call it in the approval's transaction.
 * Returns the new voucher row. 409 VOUCHER_ALREADY_ISSUED if the application already has one.
 */
export async function issueCreditAssessmentVoucher(
  tx: Executor,
  application: ApplicationRow,
  options: IssueVoucherOptions,
  now: Date,
  ctx: Pick<AppContext, 'secrets'>,
): Promise<VoucherRow> {
  if (application.business !== 'credit_assessment') throw notCreditAssessment();
  const [existing] = await tx.select({ id: vouchers.id }).from(vouchers).where(eq(vouchers.applicationId, application.id));
  if (existing) throw alreadyIssued();

  const [certificate] = await tx.select().from(certificates).where(eq(certificates.id, application.certificateId));
  if (!certificate) throw new AppError(404, 'CERTIFICATE_NOT_FOUND', { zh: '未找到从业资格证', en: 'Certificate not found' });
  const categories = await tx.select().from(certificateCategories).where(eq(certificateCategories.certificateId, certificate.id));
  const assessed = categories.filter((c) => isCreditAssessedCategory(c.code)).map((c) => c.firstIssueDate).sort();
  const firstIssueDate = assessed[0];
  if (!firstIssueDate) throw noAssessedCategory();

  const issuedOn = chinaDate(now);
  const cycle = options.cycle ?? ratedCycle(firstIssueDate, application.submittedAt ? chinaDate(application.submittedAt) : issuedOn);
  const [authority] = await tx
    .select({ code: issuingAuthorities.code, nameZh: issuingAuthorities.nameZh })
    .from(issuingAuthorities)
    .where(eq(issuingAuthorities.code, application.issuingAuthorityCode));
  if (!authority) throw new AppError(500, 'ISSUER_MISSING', { zh: '发证机关数据缺失', en: 'The issuing authority is missing' });

  const key = await activeSigningKey(tx, ctx.secrets, now);
  const expiresOn = addYears(cycle.end, VOUCHER_VALIDITY_YEARS);
  const serial = newVoucherSerial(issuedOn);
  // The voucher's entry in the status list, carried in its token (so taken before signing).
  const [indexed] = await queryRows<{ index: string | number }>(tx, sql`select nextval('status_list_index_seq') as index`);
  const statusIndex = Number(indexed?.index);
  const claims: Omit<VoucherClaims, 'kid'> = {
    serial,
    holder: maskName(certificate.holderName),
    idMasked: maskIdNumber(certificate.holderIdNumber),
    certificateNumberMasked: maskIdNumber(certificate.number),
    rating: options.rating,
    cycleStart: cycle.start,
    cycleEnd: cycle.end,
    issuer: authority.nameZh,
    issuerCode: authority.code,
    issuedAt: issuedOn,
    expiresAt: expiresOn < issuedOn ? issuedOn : expiresOn,
    statusIndex,
  };
  const token = signVoucher(claims, key);

  const [voucher] = await tx
    .insert(vouchers)
    .values({
      serial,
      applicationId: application.id,
      certificateId: certificate.id,
      userId: application.userId,
      rating: options.rating,
      cycleStart: cycle.start,
      cycleEnd: cycle.end,
      issuerCode: authority.code,
      kid: key.kid,
      token,
      statusIndex,
      issuedOn,
      expiresOn: claims.expiresAt,
      createdAt: now,
    })
    .returning();
  if (!voucher) throw new Error('voucher insert returned nothing');

  // Earlier vouchers of the same certificate and cycle stop standing from now on.
  await tx
    .update(vouchers)
    .set({ supersededBy: serial, supersededAt: now })
    .where(
      and(
        eq(vouchers.certificateId, certificate.id),
        eq(vouchers.cycleStart, cycle.start),
        ne(vouchers.id, voucher.id),
        isNull(vouchers.supersededBy),
      ),
    );
  return voucher;
}
