/**
 * Bulk reads and writes of the certificates registry for import and export. Every read and write of
 * holder fields (name, ID number) done in bulk goes through this module, beside `certificates.ts`
 * for single certificates.
 *
 * Writes are set-based: one statement upserts a batch of certificates, one its categories, each
 * changing a row only when a value differs, so re-importing the same file changes nothing (and
 * `updated_at` keeps its time).
 */
import { sql } from 'drizzle-orm';
import type { CancelReason } from '../../domain/certificate.ts';
import type { CategoryQualifier } from '../../domain/categories.ts';
import type { RegistryRecord } from '../../domain/registryRow.ts';
import type { Executor } from '../db/client.ts';

type Rows<T> = { rows: T[] };
async function query<T>(db: Executor, statement: ReturnType<typeof sql>): Promise<T[]> {
  return ((await db.execute(statement)) as unknown as Rows<T>).rows;
}

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
  const numbers = [...new Set(records.map((r) => r.certificateNumber))];
  const existing = await query<{ number: string; province_code: string }>(
    tx,
    sql`select number, province_code from certificates where number in (select jsonb_array_elements_text(${JSON.stringify(numbers)}::jsonb))`,
  );
  const provinceOf = new Map(existing.map((row) => [row.number, row.province_code]));
  const writable = records.filter((r) => (provinceOf.get(r.certificateNumber) ?? r.provinceCode) === r.provinceCode);

  const firstOfCertificate = new Map<string, RegistryRecord>();
  for (const record of writable) if (!firstOfCertificate.has(record.certificateNumber)) firstOfCertificate.set(record.certificateNumber, record);
  const certificateRows = [...firstOfCertificate.values()].map((r) => ({
    number: r.certificateNumber,
    holder_id_number: r.holderIdNumber,
    holder_name: r.holderName,
    sex: r.sex,
    birth_date: r.birthDate,
    file_number: r.fileNumber,
    quasi_driving_type: r.quasiDrivingType,
    issuing_authority_code: r.issuingAuthorityCode,
    province_code: r.provinceCode,
    service_unit: r.serviceUnit,
  }));

  const changedCertificates = new Set<string>();
  const ids = new Map<string, string>();
  if (certificateRows.length) {
    const written = await query<{ id: string; number: string; inserted: boolean }>(
      tx,
      sql`insert into certificates as c (number, holder_id_number, holder_name, sex, birth_date, file_number, quasi_driving_type,
                                          issuing_authority_code, province_code, service_unit, created_at, updated_at)
          select r.number, r.holder_id_number, r.holder_name, r.sex, r.birth_date, r.file_number, r.quasi_driving_type,
                 r.issuing_authority_code, r.province_code, r.service_unit, ${now}, ${now}
          from jsonb_to_recordset(${JSON.stringify(certificateRows)}::jsonb) as r(number text, holder_id_number text, holder_name text, sex text,
               birth_date date, file_number text, quasi_driving_type text, issuing_authority_code text, province_code text, service_unit text)
          on conflict (number) do update set
            holder_id_number = excluded.holder_id_number, holder_name = excluded.holder_name, sex = excluded.sex,
            birth_date = excluded.birth_date, file_number = excluded.file_number, quasi_driving_type = excluded.quasi_driving_type,
            issuing_authority_code = excluded.issuing_authority_code, service_unit = excluded.service_unit, updated_at = excluded.updated_at
          where (c.holder_id_number, c.holder_name, c.sex, c.birth_date, c.file_number, c.quasi_driving_type, c.issuing_authority_code, c.service_unit)
                is distinct from
                (excluded.holder_id_number, excluded.holder_name, excluded.sex, excluded.birth_date, excluded.file_number,
                 excluded.quasi_driving_type, excluded.issuing_authority_code, excluded.service_unit)
            and c.province_code = excluded.province_code
          returning c.id, c.number, (xmax = 0) as inserted`,
    );
    for (const row of written) {
      ids.set(row.number, row.id);
      if (!row.inserted) changedCertificates.add(row.number);
    }
    const missing = certificateRows.map((r) => r.number).filter((n) => !ids.has(n));
    if (missing.length) {
      const found = await query<{ id: string; number: string }>(
        tx,
        sql`select id, number from certificates where number in (select jsonb_array_elements_text(${JSON.stringify(missing)}::jsonb))`,
      );
      for (const row of found) ids.set(row.number, row.id);
    }
  }

  const categoryRows = writable.map((r) => ({
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

/** A province's registry as records, one per certificate and category, in certificate-number order, a page at a time. */
export async function* provinceRecords(db: Executor, provinceCode: string, pageSize = 5000): AsyncGenerator<RegistryRecord[]> {
  let after = '';
  for (;;) {
    const rows = await query<{
      number: string;
      holder_name: string;
      holder_id_number: string;
      sex: string;
      birth_date: string;
      quasi_driving_type: string;
      issuing_authority_code: string;
      province_code: string;
      service_unit: string;
      file_number: string;
      code: string;
      qualifiers: string[];
      first_issue_date: string;
      valid_from: string;
      valid_to: string;
      cancelled_at: string | null;
      cancel_reason: string | null;
    }>(
      db,
      sql`select c.number, c.holder_name, c.holder_id_number, c.sex, to_char(c.birth_date, 'YYYY-MM-DD') as birth_date, c.quasi_driving_type,
                 c.issuing_authority_code, c.province_code, c.service_unit, c.file_number, k.code, k.qualifiers,
                 to_char(k.first_issue_date, 'YYYY-MM-DD') as first_issue_date, to_char(k.valid_from, 'YYYY-MM-DD') as valid_from,
                 to_char(k.valid_to, 'YYYY-MM-DD') as valid_to, to_char(k.cancelled_at, 'YYYY-MM-DD') as cancelled_at, k.cancel_reason
          from certificates c join certificate_categories k on k.certificate_id = c.id
          where c.province_code = ${provinceCode}
            and c.number in (select number from certificates where province_code = ${provinceCode} and number > ${after} order by number limit ${pageSize})
          order by c.number, k.code`,
    );
    if (rows.length === 0) return;
    yield rows.map((row) => ({
      certificateNumber: row.number,
      holderName: row.holder_name,
      holderIdNumber: row.holder_id_number,
      sex: row.sex === 'F' ? 'F' : 'M',
      birthDate: row.birth_date,
      quasiDrivingType: row.quasi_driving_type,
      category: row.code,
      qualifiers: (row.qualifiers ?? []) as CategoryQualifier[],
      firstIssueDate: row.first_issue_date,
      validFrom: row.valid_from,
      validTo: row.valid_to,
      issuingAuthorityCode: row.issuing_authority_code,
      provinceCode: row.province_code,
      serviceUnit: row.service_unit,
      cancelled: row.cancelled_at !== null,
      cancelReason: (row.cancelled_at !== null ? (row.cancel_reason ?? 'other') : null) as CancelReason | null,
      fileNumber: row.file_number,
    }));
    after = rows.at(-1)!.number;
  }
}
