/**
 * From a stored voucher to what the driver sees: the render document (PNG/PDF share one layout) and
 * the JSON summary. The voucher row and the certificate register are the only inputs, so a voucher
 * renders the same each time it is downloaded.
 */
import type { FastifyRequest } from 'fastify';
import { and, eq } from 'drizzle-orm';
import { categoryLabel, isCreditAssessedCategory } from '../../domain/categories.ts';
import { CREDIT_GRADE_LABELS, type CreditGrade } from '../../domain/creditAssessment.ts';
import { maskIdNumber } from '../../domain/idNumber.ts';
import { voucherVerifyUrl, type VoucherRating } from '../../domain/voucherToken.ts';
import type { VoucherSummary } from '../../contract/vouchers.ts';
import type { Config } from '../config.ts';
import type { Executor } from '../db/client.ts';
import { applications, certificateCategories, certificates, issuingAuthorities, vouchers } from '../db/schema.ts';
import { notFound } from '../errors.ts';
import type { VoucherDocument } from './render.ts';
import type { VoucherRow } from './issue.ts';

export const VOUCHER_TITLE = '道路运输驾驶员诚信考核凭证';
/** File names start with this; Content-Disposition carries it RFC 5987-encoded. */
export const VOUCHER_FILE_STEM = '诚信考核凭证';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const voucherNotFound = () =>
  notFound({ zh: '没有找到该办件的考核凭证', en: 'There is no voucher for this application' });

/** The base of verify URLs: PUBLIC_BASE_URL, else the origin the request came to. */
export function publicBase(config: Config, request: FastifyRequest): string {
  return config.publicBaseUrl?.replace(/\/+$/, '') ?? `${request.protocol}://${request.host}`;
}

/** The voucher of `applicationId` if it belongs to `userId`; 404 for anyone else, as if it did not exist. */
export async function ownVoucher(db: Executor, applicationId: string, userId: string): Promise<VoucherRow> {
  if (!UUID.test(applicationId)) throw voucherNotFound();
  const [row] = await db
    .select({ voucher: vouchers })
    .from(vouchers)
    .innerJoin(applications, eq(applications.id, vouchers.applicationId))
    .where(and(eq(vouchers.applicationId, applicationId), eq(applications.userId, userId), eq(applications.business, 'credit_assessment')));
  if (!row) throw voucherNotFound();
  return row.voucher;
}

export async function voucherDocument(db: Executor, voucher: VoucherRow, baseUrl: string): Promise<VoucherDocument> {
  const [certificate] = await db.select().from(certificates).where(eq(certificates.id, voucher.certificateId));
  if (!certificate) throw voucherNotFound();
  const categories = await db.select().from(certificateCategories).where(eq(certificateCategories.certificateId, certificate.id));
  const [issuer] = await db.select({ nameZh: issuingAuthorities.nameZh }).from(issuingAuthorities).where(eq(issuingAuthorities.code, voucher.issuerCode));
  const assessed = categories.filter((c) => isCreditAssessedCategory(c.code));
  return {
    title: VOUCHER_TITLE,
    holderName: certificate.holderName,
    idMasked: maskIdNumber(certificate.holderIdNumber),
    // Usually the ID number itself, so it is masked like one.
    certificateNumber: maskIdNumber(certificate.number),
    categories: (assessed.length ? assessed : categories).map((c) => categoryLabel(c.code, c.qualifiers)),
    cycle: { start: voucher.cycleStart, end: voucher.cycleEnd },
    rating: voucher.rating as VoucherRating,
    issuer: issuer?.nameZh ?? voucher.issuerCode,
    issuedAt: voucher.issuedOn,
    serial: voucher.serial,
    verifyUrl: voucherVerifyUrl(baseUrl, voucher.token),
  };
}

export async function voucherSummary(db: Executor, voucher: VoucherRow, baseUrl: string, apiPrefix: string): Promise<VoucherSummary> {
  const [issuer] = await db
    .select({ nameZh: issuingAuthorities.nameZh, nameEn: issuingAuthorities.nameEn })
    .from(issuingAuthorities)
    .where(eq(issuingAuthorities.code, voucher.issuerCode));
  const rating = voucher.rating as CreditGrade;
  return {
    serial: voucher.serial,
    rating,
    ratingLabel: CREDIT_GRADE_LABELS[rating],
    cycle: { start: voucher.cycleStart, end: voucher.cycleEnd },
    issuedOn: voucher.issuedOn,
    expiresOn: voucher.expiresOn,
    issuer: issuer?.nameZh ?? voucher.issuerCode,
    issuerName: { zh: issuer?.nameZh ?? voucher.issuerCode, en: issuer?.nameEn || issuer?.nameZh || voucher.issuerCode },
    verifyUrl: voucherVerifyUrl(baseUrl, voucher.token),
    token: voucher.token,
    pngUrl: `${apiPrefix}/applications/${voucher.applicationId}/voucher.png`,
    pdfUrl: `${apiPrefix}/applications/${voucher.applicationId}/voucher.pdf`,
    status: voucher.revokedAt ? 'revoked' : voucher.supersededBy ? 'superseded' : 'valid',
    ...(voucher.revokedAt ? { revokedAt: voucher.revokedAt.toISOString() } : {}),
    ...(voucher.supersededAt ? { supersededAt: voucher.supersededAt.toISOString() } : {}),
  };
}

/** `attachment; filename="voucher-SERIAL.png"; filename*=UTF-8''诚信考核凭证-SERIAL.png` (RFC 6266 / 5987). */
export function attachmentDisposition(serial: string, extension: 'png' | 'pdf'): string {
  const ascii = `voucher-${serial}.${extension}`;
  const utf8 = encodeURIComponent(`${VOUCHER_FILE_STEM}-${serial}.${extension}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${utf8}`;
}
