/**
 * The driver's electronic qualification certificate QR (电子从业资格证): a signed token of the
 * certificate's masked data, made on request with the active key. The QR is short-lived: it carries
 * the instant it was made and is accepted for CERTIFICATE_QR_LIFETIME_SECONDS (the app fetches a new
 * one before that, with a countdown), so a screenshot stops working within minutes. It carries the
 * certificate's status-list entry, so a cancellation is seen online and by offline verifiers.
 */
import { and, eq } from 'drizzle-orm';
import type { ECertificate } from '../../contract/vouchers.ts';
import { categoryLabel } from '../../domain/categories.ts';
import { CERTIFICATE_QR_LIFETIME_SECONDS, signCertificateToken } from '../../domain/certificateToken.ts';
import { chinaDate } from '../../domain/dates.ts';
import { maskIdNumber } from '../../domain/idNumber.ts';
import { maskName } from '../../domain/personName.ts';
import { voucherVerifyUrl } from '../../domain/voucherToken.ts';
import type { Executor } from '../db/client.ts';
import { certificateCategories, certificates, issuingAuthorities, users } from '../db/schema.ts';
import { holderIdNumberIs } from '../registry/certificates.ts';
import { AppError, notFound } from '../errors.ts';
import { activeSigningKey } from './keyStore.ts';
import type { SecretBox } from '../secrets/secretBox.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const certificateNotFound = () => notFound({ zh: '没有找到该从业资格证', en: 'Certificate not found' });

/** 404 unless the certificate is the verified driver's own (same ID number). */
export async function ownECertificate(
  db: Executor,
  secrets: SecretBox,
  certificateId: string,
  userId: string,
  now: Date,
  baseUrl: string,
): Promise<ECertificate> {
  if (!UUID.test(certificateId)) throw certificateNotFound();
  const [user] = await db.select({ idNumber: users.idNumber }).from(users).where(eq(users.id, userId));
  if (!user?.idNumber) throw certificateNotFound();
  const [certificate] = await db
    .select()
    .from(certificates)
    .where(and(eq(certificates.id, certificateId), holderIdNumberIs(user.idNumber)));
  if (!certificate) throw certificateNotFound();
  const categories = (await db.select().from(certificateCategories).where(eq(certificateCategories.certificateId, certificate.id))).filter(
    (c) => !c.cancelledAt,
  );
  if (categories.length === 0) {
    throw new AppError(422, 'CERTIFICATE_CANCELLED', { zh: '该从业资格证已注销，无法出示电子证照', en: 'The certificate has been cancelled; there is no electronic certificate' });
  }
  const [issuer] = await db.select().from(issuingAuthorities).where(eq(issuingAuthorities.code, certificate.issuingAuthorityCode));
  const issuedOn = chinaDate(now);
  const expiresOn = categories.map((c) => c.validTo).sort().at(-1)!;
  const key = await activeSigningKey(db, secrets, now);
  // Whole seconds: the token carries seconds, and the app counts down from what it is told.
  const qrIssuedAt = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const qrExpiresAt = new Date(qrIssuedAt.getTime() + CERTIFICATE_QR_LIFETIME_SECONDS * 1000);
  const token = signCertificateToken(
    {
      certificateId: certificate.id,
      certificateNumberMasked: maskIdNumber(certificate.number),
      holder: maskName(certificate.holderName),
      idMasked: maskIdNumber(certificate.holderIdNumber),
      categories: categories.map((c) => ({ code: c.code, ...(c.qualifiers.length ? { qualifiers: c.qualifiers } : {}), validTo: c.validTo })),
      issuer: issuer?.nameZh ?? certificate.issuingAuthorityCode,
      issuerCode: certificate.issuingAuthorityCode,
      issuedAt: issuedOn,
      expiresAt: expiresOn,
      qrIssuedAt: qrIssuedAt.toISOString(),
      qrExpiresAt: qrExpiresAt.toISOString(),
      statusIndex: certificate.statusIndex,
    },
    key,
  );
  return {
    token,
    verifyUrl: voucherVerifyUrl(baseUrl, token),
    certificate: {
      id: certificate.id,
      numberMasked: maskIdNumber(certificate.number),
      holderName: certificate.holderName,
      idMasked: maskIdNumber(certificate.holderIdNumber),
      categories: categories.map((c) => ({ code: c.code, label: categoryLabel(c.code, c.qualifiers), validFrom: c.validFrom, validTo: c.validTo })),
      issuer: issuer?.nameZh ?? certificate.issuingAuthorityCode,
    },
    issuedOn,
    expiresOn,
    qrIssuedAt: qrIssuedAt.toISOString(),
    qrExpiresAt: qrExpiresAt.toISOString(),
  };
}
