import { and, asc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { StaffVerificationRequest, VerificationAnswer } from '../../contract/admin.ts';
import type { VerificationRequestView } from '../../contract/certificates.ts';
import { chinaDate, isIsoDate } from '../../domain/dates.ts';
import { maskIdNumber } from '../../domain/idNumber.ts';
import { maskName } from '../../domain/personName.ts';
import { QUASI_DRIVING_TYPES } from '../../domain/quasiDriving.ts';
import { provinceCalendar } from '../calendar/workingCalendar.ts';
import { verificationFieldLabels, verificationStateLabels } from '../certificates/routes.ts';
import type { Executor } from '../db/client.ts';
import { certificateCategories, certificates, issuingAuthorities, outbox, verificationRequests } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { certificateNumberColumns, certificateNumberIs } from '../registry/certificates.ts';

/**
 * 信息核查: a driver says the registry is wrong; the issuing province accepts the request (which starts a
 * 2-working-day clock) and answers it — by correcting the registry, in the same transaction, or by
 * explaining why the record stands.
 */

export const VERIFICATION_ANSWER_WORKING_DAYS = 2;

type RequestRow = typeof verificationRequests.$inferSelect;
type CertificateRow = typeof certificates.$inferSelect;
type CategoryRow = typeof certificateCategories.$inferSelect;

export const verificationRequestNotFound = () =>
  new AppError(404, 'VERIFICATION_REQUEST_NOT_FOUND', { zh: '未找到该核查申请', en: 'Verification request not found' });

const wrongState = (state: string) =>
  new AppError(
    409,
    'VERIFICATION_REQUEST_STATE',
    {
      zh: `该核查申请当前为“${verificationStateLabels[state as RequestRow['state']]?.zh ?? state}”，不能执行此操作`,
      en: `The request is "${verificationStateLabels[state as RequestRow['state']]?.en ?? state}"; this is not possible now`,
    },
    { state },
  );

const correctionRequired = () =>
  new AppError(400, 'CORRECTION_REQUIRED', { zh: '更正答复须写明更正的项目和新值', en: 'A correction needs the item and its new value' });

const correctionInvalid = (en: string, zh: string) => new AppError(400, 'CORRECTION_INVALID', { zh, en });

function registryValue(field: string, certificate: CertificateRow, categories: readonly CategoryRow[], authorityName: string): string {
  switch (field) {
    case 'holderName':
      return certificate.holderName;
    case 'sex':
      return certificate.sex === 'F' ? '女' : '男';
    case 'birthDate':
      return certificate.birthDate;
    case 'nationality':
      return certificate.nationality;
    case 'address':
      return certificate.address;
    case 'number':
      return certificate.number;
    case 'fileNumber':
      return certificate.fileNumber;
    case 'quasiDrivingType':
      return certificate.quasiDrivingType;
    case 'serviceUnit':
      return certificate.serviceUnit;
    case 'issuingAuthority':
      return `${authorityName}（${certificate.issuingAuthorityCode}）`;
    case 'categories':
    case 'validity':
      return categories.map((c) => `${c.code} ${c.validFrom}–${c.validTo}${c.cancelledAt ? ` (cancelled ${c.cancelledAt})` : ''}`).join('; ');
    default:
      return '';
  }
}

export interface RequestScope {
  /** Null: every province (system admins). */
  provinceCode: string | null;
}

async function loadViews(db: Executor, where: SQL | undefined, today: string, limit?: number): Promise<StaffVerificationRequest[]> {
  let query = db
    .select({
      request: verificationRequests,
      certificate: certificates,
      authority: { code: issuingAuthorities.code, zh: issuingAuthorities.nameZh, en: issuingAuthorities.nameEn },
    })
    .from(verificationRequests)
    .innerJoin(certificates, eq(certificates.id, verificationRequests.certificateId))
    .innerJoin(issuingAuthorities, eq(issuingAuthorities.code, certificates.issuingAuthorityCode))
    .where(where)
    // Open work first, the nearest deadline first; then the newest answered.
    .orderBy(
      sql`case ${verificationRequests.state} when 'accepted' then 0 when 'submitted' then 1 else 2 end`,
      asc(verificationRequests.answerDeadline),
      asc(verificationRequests.createdAt),
    )
    .$dynamic();
  if (limit) query = query.limit(limit);
  const rows = await query;
  if (rows.length === 0) return [];
  const categories = await db
    .select()
    .from(certificateCategories)
    .where(inArray(certificateCategories.certificateId, [...new Set(rows.map((r) => r.certificate.id))]))
    .orderBy(asc(certificateCategories.firstIssueDate), asc(certificateCategories.code));
  return rows.map(({ request, certificate, authority }) => {
    const own = categories.filter((c) => c.certificateId === certificate.id);
    const field = request.field as VerificationRequestView['field'];
    const open = request.state === 'accepted' && request.answerDeadline;
    return {
      id: request.id,
      state: request.state,
      stateLabel: verificationStateLabels[request.state],
      field,
      fieldLabel: verificationFieldLabels[field] ?? { zh: request.field, en: request.field },
      expectedValue: request.expectedValue,
      registryValue: registryValue(request.field, certificate, own, authority.zh),
      note: request.note,
      hasPhoto: request.photoKey !== null,
      provinceCode: request.provinceCode,
      certificate: {
        id: certificate.id,
        number: certificate.number,
        holderName: certificate.holderName,
        holderIdNumberMasked: maskIdNumber(certificate.holderIdNumber),
        issuingAuthority: { code: authority.code, name: { zh: authority.zh, en: authority.en } },
        categories: own.map((c) => ({ code: c.code, firstIssueDate: c.firstIssueDate, validFrom: c.validFrom, validTo: c.validTo })),
      },
      createdAt: request.createdAt.toISOString(),
      acceptedAt: request.acceptedAt?.toISOString() ?? null,
      answerDeadline: request.answerDeadline,
      deadlineStatus: open ? (today > request.answerDeadline! ? 'overdue' : today === request.answerDeadline ? 'due_today' : 'on_time') : null,
      answeredAt: request.answeredAt?.toISOString() ?? null,
      answer: request.answer,
    };
  });
}

export async function listVerificationRequests(
  db: Executor,
  scope: RequestScope,
  filter: { state?: RequestRow['state'] | undefined; limit: number },
  now: Date,
): Promise<{ items: StaffVerificationRequest[]; counts: Record<string, number>; today: string }> {
  const today = chinaDate(now);
  const inScope = scope.provinceCode ? eq(verificationRequests.provinceCode, scope.provinceCode) : undefined;
  const items = await loadViews(db, and(inScope, filter.state ? eq(verificationRequests.state, filter.state) : undefined), today, filter.limit);
  const countRows = await db
    .select({ state: verificationRequests.state, count: sql<number>`count(*)::int` })
    .from(verificationRequests)
    .where(inScope)
    .groupBy(verificationRequests.state);
  return { items, counts: Object.fromEntries(countRows.map((r) => [r.state, r.count])), today };
}

/** A request of the staff member's province, locked for the change; another province's answers 404. */
async function lockedRequest(tx: Executor, id: string, scope: RequestScope): Promise<RequestRow> {
  const [row] = await tx
    .select()
    .from(verificationRequests)
    .where(scope.provinceCode ? and(eq(verificationRequests.id, id), eq(verificationRequests.provinceCode, scope.provinceCode)) : eq(verificationRequests.id, id))
    .for('update');
  if (!row) throw verificationRequestNotFound();
  return row;
}

export async function verificationRequestView(db: Executor, id: string, now: Date): Promise<StaffVerificationRequest> {
  const [view] = await loadViews(db, eq(verificationRequests.id, id), chinaDate(now));
  if (!view) throw verificationRequestNotFound();
  return view;
}

async function acceptLocked(tx: Executor, row: RequestRow, now: Date): Promise<{ acceptedAt: Date; answerDeadline: string }> {
  const calendar = await provinceCalendar(tx, row.provinceCode);
  const answerDeadline = calendar.addWorkingDays(chinaDate(now), VERIFICATION_ANSWER_WORKING_DAYS);
  await tx.update(verificationRequests).set({ state: 'accepted', acceptedAt: now, answerDeadline }).where(eq(verificationRequests.id, row.id));
  return { acceptedAt: now, answerDeadline };
}

/** Accepts a submitted request: the answer is due 2 working days later by the province's calendar. */
export async function acceptVerificationRequest(tx: Executor, id: string, scope: RequestScope, now: Date): Promise<{ provinceCode: string; answerDeadline: string }> {
  const row = await lockedRequest(tx, id, scope);
  if (row.state !== 'submitted') throw wrongState(row.state);
  const { answerDeadline } = await acceptLocked(tx, row, now);
  return { provinceCode: row.provinceCode, answerDeadline };
}

export interface AppliedCorrection {
  field: string;
  category?: string;
  from: string;
  to: string;
}

const SEX_VALUES: Record<string, 'M' | 'F'> = { M: 'M', F: 'F', 男: 'M', 女: 'F' };

/**
 * A correction as the audit log keeps it: the holder's name, certificate number (usually the ID number)
 * and address are personal data kept sealed in the registry, so the log shows them masked.
 */
export function correctionOnRecord(correction: AppliedCorrection): AppliedCorrection {
  const mask = correction.field === 'holderName' ? maskName : correction.field === 'number' ? maskIdNumber : correction.field === 'address' ? () => '***' : undefined;
  return mask ? { ...correction, from: mask(correction.from), to: mask(correction.to) } : correction;
}

/** Writes a correction to the registry (certificates / certificate_categories); returns what changed. */
async function applyCorrection(tx: Executor, certificate: CertificateRow, correction: NonNullable<VerificationAnswer['correction']>, now: Date): Promise<AppliedCorrection> {
  const { field, value } = correction;
  const setCertificate = async (patch: Partial<typeof certificates.$inferInsert>, from: string): Promise<AppliedCorrection> => {
    await tx.update(certificates).set({ ...patch, updatedAt: now }).where(eq(certificates.id, certificate.id));
    return { field, from, to: value };
  };
  switch (field) {
    case 'holderName':
      return setCertificate({ holderName: value }, certificate.holderName);
    case 'nationality':
      return setCertificate({ nationality: value }, certificate.nationality);
    case 'address':
      return setCertificate({ address: value }, certificate.address);
    case 'fileNumber':
      return setCertificate({ fileNumber: value }, certificate.fileNumber);
    case 'serviceUnit':
      return setCertificate({ serviceUnit: value }, certificate.serviceUnit);
    case 'sex': {
      const sex = SEX_VALUES[value];
      if (!sex) throw correctionInvalid('Sex must be 男/女 (M/F)', '性别应为“男”或“女”');
      return setCertificate({ sex }, certificate.sex);
    }
    case 'birthDate':
      if (!isIsoDate(value)) throw correctionInvalid('Dates are written YYYY-MM-DD', '日期格式应为 YYYY-MM-DD');
      return setCertificate({ birthDate: value }, certificate.birthDate);
    case 'quasiDrivingType': {
      // A licence may hold several classes, printed together (e.g. "A2D").
      const classes = value.toUpperCase().match(/[A-Z]\d?/g) ?? [];
      if (classes.join('') !== value.toUpperCase() || !classes.every((c) => (QUASI_DRIVING_TYPES as readonly string[]).includes(c))) {
        throw correctionInvalid('Not a quasi-driving type (A1 A2 A3 B1 B2 C1 … P)', '准驾车型无效（A1 A2 A3 B1 B2 C1 … P）');
      }
      return setCertificate({ quasiDrivingType: value.toUpperCase() }, certificate.quasiDrivingType);
    }
    case 'number': {
      const [taken] = await tx.select({ id: certificates.id }).from(certificates).where(certificateNumberIs(value));
      if (taken && taken.id !== certificate.id) {
        throw new AppError(409, 'CERTIFICATE_NUMBER_TAKEN', { zh: '该证号已属于另一份从业资格证', en: 'Another certificate has this number' });
      }
      return setCertificate(certificateNumberColumns(value), certificate.number);
    }
    case 'issuingAuthority': {
      const [authority] = await tx.select().from(issuingAuthorities).where(eq(issuingAuthorities.code, value));
      if (!authority || authority.provinceCode !== certificate.provinceCode) {
        throw new AppError(422, 'AUTHORITY_NOT_IN_PROVINCE', { zh: '发证机关须为本省的发证机关', en: 'The issuing authority must be one of this province' });
      }
      return setCertificate({ issuingAuthorityCode: value }, certificate.issuingAuthorityCode);
    }
    case 'categoryFirstIssueDate':
    case 'categoryValidFrom':
    case 'categoryValidTo': {
      if (!isIsoDate(value)) throw correctionInvalid('Dates are written YYYY-MM-DD', '日期格式应为 YYYY-MM-DD');
      const [category] = correction.category
        ? await tx
            .select()
            .from(certificateCategories)
            .where(and(eq(certificateCategories.certificateId, certificate.id), eq(certificateCategories.code, correction.category)))
        : [];
      if (!category) throw new AppError(422, 'CATEGORY_NOT_FOUND', { zh: '该证件没有这个从业资格类别', en: 'The certificate has no such category' });
      const column = ({ categoryFirstIssueDate: 'firstIssueDate', categoryValidFrom: 'validFrom', categoryValidTo: 'validTo' } as const)[field];
      const next = { firstIssueDate: category.firstIssueDate, validFrom: category.validFrom, validTo: category.validTo, [column]: value };
      if (next.validFrom > next.validTo) throw correctionInvalid('The validity would end before it starts', '有效期止不能早于有效期起');
      await tx.update(certificateCategories).set({ [column]: value }).where(eq(certificateCategories.id, category.id));
      await tx.update(certificates).set({ updatedAt: now }).where(eq(certificates.id, certificate.id));
      return { field, category: category.code, from: category[column], to: value };
    }
  }
}

/** Answers a request (accepting it first if need be); a correction changes the registry in the same transaction. */
export async function answerVerificationRequest(
  tx: Executor,
  id: string,
  scope: RequestScope,
  input: VerificationAnswer,
  now: Date,
): Promise<{ provinceCode: string; certificateId: string; correction: AppliedCorrection | null }> {
  const row = await lockedRequest(tx, id, scope);
  if (row.state !== 'submitted' && row.state !== 'accepted') throw wrongState(row.state);
  if (input.outcome === 'corrected' && !input.correction) throw correctionRequired();
  if (row.state === 'submitted') await acceptLocked(tx, row, now);
  let correction: AppliedCorrection | null = null;
  if (input.outcome === 'corrected') {
    const [certificate] = await tx.select().from(certificates).where(eq(certificates.id, row.certificateId)).for('update');
    if (!certificate) throw verificationRequestNotFound();
    correction = await applyCorrection(tx, certificate, input.correction!, now);
  }
  await tx.update(verificationRequests).set({ state: input.outcome, answeredAt: now, answer: input.answer }).where(eq(verificationRequests.id, row.id));
  // The driver hears of the answer by SMS, sent through the outbox once this commits.
  await tx.insert(outbox).values({
    createdAt: now,
    availableAt: now,
    topic: 'sms.verification_answered',
    payload: { requestId: row.id, userId: row.userId, outcome: input.outcome },
  });
  return { provinceCode: row.provinceCode, certificateId: row.certificateId, correction };
}
