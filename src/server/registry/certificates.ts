import { asc, eq, inArray, type SQL } from 'drizzle-orm';
import type { CancelReason, Certificate } from '../../domain/certificate.ts';
import type { Executor } from '../db/client.ts';
import { certificateCategories, certificates, issuingAuthorities } from '../db/schema.ts';
import { blindIndex, matchesBlindIndex } from '../secrets/blindIndex.ts';

export type CertificateRow = typeof certificates.$inferSelect;

/**
 * `certificates.holder_id_number = idNumber`, through the blind index: the holder's ID number is sealed
 * (db/sealedColumns.ts), so every lookup of the registry by ID number goes through here.
 */
export const holderIdNumberIs = (idNumber: string): SQL => matchesBlindIndex(certificates.holderIdNumberIndex, 'id_number', idNumber);

/** `certificates.number = number`, through the blind index. */
export const certificateNumberIs = (number: string): SQL => matchesBlindIndex(certificates.numberIndex, 'certificate_number', number);

/** The columns to write with a certificate number: the sealed value and its index. */
export const certificateNumberColumns = (number: string) => ({ number, numberIndex: blindIndex('certificate_number', number) });

/** The columns to write with a holder's ID number: the sealed value and its index. */
export const holderIdNumberColumns = (idNumber: string) => ({ holderIdNumber: idNumber, holderIdNumberIndex: blindIndex('id_number', idNumber) });

/** A registry certificate as the domain sees it, plus where it is kept. */
export interface RegistryCertificate extends Certificate {
  provinceCode: string;
  issuingAuthorityName: { zh: string; en: string };
}

async function withCategories(db: Executor, rows: CertificateRow[]): Promise<RegistryCertificate[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((row) => row.id);
  const categories = await db
    .select()
    .from(certificateCategories)
    .where(inArray(certificateCategories.certificateId, ids))
    .orderBy(asc(certificateCategories.firstIssueDate), asc(certificateCategories.code));
  const authorityCodes = [...new Set(rows.map((row) => row.issuingAuthorityCode))];
  const authorities = await db.select().from(issuingAuthorities).where(inArray(issuingAuthorities.code, authorityCodes));
  const authorityName = new Map(authorities.map((a) => [a.code, { zh: a.nameZh, en: a.nameEn }]));
  return rows.map((row) => ({
    id: row.id,
    number: row.number,
    holderIdNumber: row.holderIdNumber,
    holderName: row.holderName,
    sex: row.sex === 'F' ? 'F' : 'M',
    birthDate: row.birthDate,
    nationality: row.nationality,
    address: row.address,
    fileNumber: row.fileNumber,
    quasiDrivingType: row.quasiDrivingType,
    issuingAuthorityCode: row.issuingAuthorityCode,
    serviceUnit: row.serviceUnit,
    provinceCode: row.provinceCode,
    issuingAuthorityName: authorityName.get(row.issuingAuthorityCode) ?? { zh: row.issuingAuthorityCode, en: row.issuingAuthorityCode },
    categories: categories
      .filter((category) => category.certificateId === row.id)
      .map((category) => ({
        code: category.code,
        qualifiers: category.qualifiers,
        firstIssueDate: category.firstIssueDate,
        validFrom: category.validFrom,
        validTo: category.validTo,
        cancelledAt: category.cancelledAt,
        cancelReason: category.cancelReason as CancelReason | null,
      })),
  }));
}

export async function findCertificate(db: Executor, id: string): Promise<RegistryCertificate | undefined> {
  const rows = await db.select().from(certificates).where(eq(certificates.id, id));
  return (await withCategories(db, rows))[0];
}

/** Several certificates in one query, for list views; ids not in the registry are left out. */
export async function findCertificates(db: Executor, ids: readonly string[]): Promise<RegistryCertificate[]> {
  if (ids.length === 0) return [];
  const rows = await db.select().from(certificates).where(inArray(certificates.id, [...new Set(ids)]));
  return withCategories(db, rows);
}

/** The certificates registered to an ID number (the holder's own, found after real-name verification). */
export async function certificatesOfHolder(db: Executor, idNumber: string): Promise<RegistryCertificate[]> {
  const rows = await db.select().from(certificates).where(holderIdNumberIs(idNumber)).orderBy(asc(certificates.createdAt));
  return withCategories(db, rows);
}
