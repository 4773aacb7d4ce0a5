/**
 * Bulk reads and writes of the certificates registry for import and export. Every read and write of
 * holder fields (name, ID number) done in bulk goes through this module, beside `certificates.ts`
 * for single certificates.
 *
 * Writes change a row only when a value differs, so re-importing the same file changes nothing (and
 * `updated_at` keeps its time): new certificates of a batch are inserted in one statement, existing
 * ones are compared after opening (their personal fields are sealed) and updated one by one when they
 * differ, and the categories of the batch are upserted in one statement.
 */
import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm';
import type { CancelReason } from '../../domain/certificate.ts';
import type { CategoryQualifier } from '../../domain/categories.ts';
import type { RegistryRecord } from '../../domain/registryRow.ts';
import type { Executor } from '../db/client.ts';
import { certificateCategories, certificates } from '../db/schema.ts';
import { blindIndex } from '../secrets/blindIndex.ts';
import { certificateNumberColumns, holderIdNumberColumns } from './certificates.ts';
import { queryRows } from '../db/rows.ts';

const query = queryRows;

export type RecordOutcome = 'inserted' | 'updated' | 'unchanged';

export interface BatchOutcome {
  /** Per record of the batch, in order: what happened, or the province the number already belongs to. */
  outcomes: (RecordOutcome | { otherProvince: string })[];
}

/**
 * Upserts a batch of checked records (rows of one certificate agree on its fields; one row per
 * certificate and category). A number registered in another province is left alone and reported.
 * `importDay` dates a category cancellation the registry did not know of yet.
 */
export async function upsertRegistryRecords(tx: Executor, records: readonly RegistryRecord[], importDay: string, now: Date): Promise<BatchOutcome> {
  // Numbers, names and ID numbers are sealed (random per write): certificates are found by the number's
  // blind index and compared here, after opening, never in SQL.
  const indexOf = new Map<string, string>();
  for (const r of records) if (!indexOf.has(r.certificateNumber)) indexOf.set(r.certificateNumber, blindIndex('certificate_number', r.certificateNumber));
  const existingRows = (numberIndexes: string[]) =>
    numberIndexes.length
      ? tx
          .select({
            id: certificates.id,
            numberIndex: certificates.numberIndex,
            provinceCode: certificates.provinceCode,
            holderIdNumber: certificates.holderIdNumber,
            holderName: certificates.holderName,
            sex: certificates.sex,
            birthDate: certificates.birthDate,
            fileNumber: certificates.fileNumber,
            quasiDrivingType: certificates.quasiDrivingType,
            issuingAuthorityCode: certificates.issuingAuthorityCode,
            serviceUnit: certificates.serviceUnit,
          })
          .from(certificates)
          .where(inArray(certificates.numberIndex, numberIndexes))
      : Promise.resolve([]);
  const existing = new Map((await existingRows([...new Set(indexOf.values())])).map((row) => [row.numberIndex, row]));
  const provinceOf = new Map<string, string>();
  for (const [number, index] of indexOf) {
    const row = existing.get(index);
    if (row) provinceOf.set(number, row.provinceCode);
  }
  const writable = records.filter((r) => (provinceOf.get(r.certificateNumber) ?? r.provinceCode) === r.provinceCode);

  const firstOfCertificate = new Map<string, RegistryRecord>();
  for (const record of writable) if (!firstOfCertificate.has(record.certificateNumber)) firstOfCertificate.set(record.certificateNumber, record);
  const fieldsOf = (r: RegistryRecord) => ({
    ...holderIdNumberColumns(r.holderIdNumber),
    holderName: r.holderName,
    sex: r.sex,
    birthDate: r.birthDate,
    fileNumber: r.fileNumber,
    quasiDrivingType: r.quasiDrivingType,
    issuingAuthorityCode: r.issuingAuthorityCode,
    serviceUnit: r.serviceUnit,
  });

  const changedCertificates = new Set<string>();
  const ids = new Map<string, string>();
  const fresh = [...firstOfCertificate.values()].filter((r) => !existing.has(indexOf.get(r.certificateNumber)!));
  if (fresh.length) {
    const inserted = await tx
      .insert(certificates)
      .values(fresh.map((r) => ({ ...certificateNumberColumns(r.certificateNumber), ...fieldsOf(r), provinceCode: r.provinceCode, createdAt: now, updatedAt: now })))
      .onConflictDoNothing({ target: certificates.numberIndex })
      .returning({ id: certificates.id, numberIndex: certificates.numberIndex });
    const insertedIds = new Map(inserted.map((row) => [row.numberIndex, row.id]));
    for (const r of fresh) {
      const id = insertedIds.get(indexOf.get(r.certificateNumber)!);
      if (id) ids.set(r.certificateNumber, id);
    }
    // Inserted meanwhile by another import: compared and updated like any existing certificate below.
    const raced = fresh.filter((r) => !ids.has(r.certificateNumber)).map((r) => indexOf.get(r.certificateNumber)!);
    for (const row of await existingRows(raced)) existing.set(row.numberIndex, row);
  }
  for (const r of firstOfCertificate.values()) {
    if (ids.has(r.certificateNumber)) continue;
    const row = existing.get(indexOf.get(r.certificateNumber)!);
    if (!row || row.provinceCode !== r.provinceCode) continue;
    ids.set(r.certificateNumber, row.id);
    const next = fieldsOf(r);
    const differs =
      row.holderIdNumber !== next.holderIdNumber ||
      row.holderName !== next.holderName ||
      row.sex !== next.sex ||
      row.birthDate !== next.birthDate ||
      row.fileNumber !== next.fileNumber ||
      row.quasiDrivingType !== next.quasiDrivingType ||
      row.issuingAuthorityCode !== next.issuingAuthorityCode ||
      row.serviceUnit !== next.serviceUnit;
    if (differs) {
      await tx.update(certificates).set({ ...next, updatedAt: now }).where(eq(certificates.id, row.id));
      changedCertificates.add(r.certificateNumber);
    }
  }

  const categoryRows = writable.filter((r) => ids.has(r.certificateNumber)).map((r) => ({
    certificate_id: ids.get(r.certificateNumber)!,
    code: r.category,
    qualifiers: r.qualifiers,
    first_issue_date: r.firstIssueDate,
    valid_from: r.validFrom,
    valid_to: r.validTo,
    cancelled_at: r.cancelled ? importDay : null,
    cancel_reason: r.cancelled ? r.cancelReason : null,
  }));
  const categoryOutcome = new Map<string, boolean>();
  if (categoryRows.length) {
    const written = await query<{ certificate_id: string; code: string; inserted: boolean }>(
      tx,
      sql`insert into certificate_categories as k (certificate_id, code, qualifiers, first_issue_date, valid_from, valid_to, cancelled_at, cancel_reason)
          select r.certificate_id, r.code, r.qualifiers, r.first_issue_date, r.valid_from, r.valid_to, r.cancelled_at, r.cancel_reason
          from jsonb_to_recordset(${JSON.stringify(categoryRows)}::jsonb) as r(certificate_id uuid, code text, qualifiers jsonb, first_issue_date date,
               valid_from date, valid_to date, cancelled_at date, cancel_reason text)
          on conflict (certificate_id, code) do update set
            qualifiers = excluded.qualifiers, first_issue_date = excluded.first_issue_date, valid_from = excluded.valid_from,
            valid_to = excluded.valid_to, cancel_reason = excluded.cancel_reason,
            cancelled_at = case when excluded.cancelled_at is null then null else coalesce(k.cancelled_at, excluded.cancelled_at) end
          where (k.qualifiers, k.first_issue_date, k.valid_from, k.valid_to, k.cancel_reason, k.cancelled_at is null)
                is distinct from
                (excluded.qualifiers, excluded.first_issue_date, excluded.valid_from, excluded.valid_to, excluded.cancel_reason, excluded.cancelled_at is null)
          returning k.certificate_id, k.code, (xmax = 0) as inserted`,
    );
    for (const row of written) categoryOutcome.set(`${row.certificate_id} ${row.code}`, row.inserted);
    const touched = [...new Set(written.filter((row) => !row.inserted).map((row) => row.certificate_id))];
    if (touched.length) {
      await tx.execute(sql`update certificates set updated_at = ${now} where id in (select (jsonb_array_elements_text(${JSON.stringify(touched)}::jsonb))::uuid)`);
    }
  }

  return {
    outcomes: records.map((r) => {
      const province = provinceOf.get(r.certificateNumber);
      if (province !== undefined && province !== r.provinceCode) return { otherProvince: province };
      const category = categoryOutcome.get(`${ids.get(r.certificateNumber)} ${r.category}`);
      if (category === true) return 'inserted';
      if (category === false || changedCertificates.has(r.certificateNumber)) return 'updated';
      return 'unchanged';
    }),
  };
}

/**
 * A province's registry as records, one per certificate and category, a page of certificates at a time
 * (in the order they were stored: the numbers are sealed, so the database cannot sort by them).
 */
export async function* provinceRecords(db: Executor, provinceCode: string, pageSize = 5000): AsyncGenerator<RegistryRecord[]> {
  let after: string | undefined;
  for (;;) {
    const page = await db
      .select()
      .from(certificates)
      .where(and(eq(certificates.provinceCode, provinceCode), after === undefined ? undefined : gt(certificates.id, after)))
      .orderBy(asc(certificates.id))
      .limit(pageSize);
    if (page.length === 0) return;
    const categories = await db
      .select()
      .from(certificateCategories)
      .where(inArray(certificateCategories.certificateId, page.map((row) => row.id)))
      .orderBy(asc(certificateCategories.code));
    const byCertificate = new Map<string, (typeof categories)[number][]>();
    for (const category of categories) byCertificate.set(category.certificateId, [...(byCertificate.get(category.certificateId) ?? []), category]);
    yield page.flatMap((row) =>
      (byCertificate.get(row.id) ?? []).map((category) => ({
        certificateNumber: row.number,
        holderName: row.holderName,
        holderIdNumber: row.holderIdNumber,
        sex: row.sex === 'F' ? ('F' as const) : ('M' as const),
        birthDate: row.birthDate,
        quasiDrivingType: row.quasiDrivingType,
        category: category.code as RegistryRecord['category'],
        qualifiers: (category.qualifiers ?? []) as CategoryQualifier[],
        firstIssueDate: category.firstIssueDate,
        validFrom: category.validFrom,
        validTo: category.validTo,
        issuingAuthorityCode: row.issuingAuthorityCode,
        provinceCode: row.provinceCode,
        serviceUnit: row.serviceUnit,
        cancelled: category.cancelledAt !== null,
        cancelReason: (category.cancelledAt !== null ? (category.cancelReason ?? 'other') : null) as CancelReason | null,
        fileNumber: row.fileNumber,
      })),
    );
    after = page.at(-1)!.id;
  }
}
