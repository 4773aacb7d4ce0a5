import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import {
  certificateIdParamsSchema,
  myCertificatesResponseSchema,
  myVerificationRequestsResponseSchema,
  newVerificationRequestSchema,
  verificationPhotoResponseSchema,
  verificationRequestViewSchema,
  type CertificateView,
  type VerificationRequestView,
} from '../../contract/certificates.ts';
import { errorBodySchema } from '../../contract/common.ts';
import { categoryName, CATEGORY_QUALIFIER_LABELS, CATEGORY_QUALIFIERS } from '../../domain/categories.ts';
import { CANCEL_REASONS, certificateStatusDetail, CERTIFICATE_STATUS_LABELS, type CancelReason, type CertificateCategory } from '../../domain/certificate.ts';
import { chinaToday } from '../../domain/dates.ts';
import type { Localized } from '../../domain/errors.ts';
import { maskIdNumber } from '../../domain/idNumber.ts';
import { driverOf, requireVerifiedDriver } from '../auth/session.ts';
import type { AppContext } from '../context.ts';
import type { Executor } from '../db/client.ts';
import { certificateCategories, certificates, issuingAuthorities, provinces, users, verificationRequests } from '../db/schema.ts';
import { holderIdNumberIs } from '../registry/certificates.ts';
import { AppError } from '../errors.ts';
import { ownPhotoKey, storeUserPhoto } from '../identity/photos.ts';
import { receiveImage } from '../images/upload.ts';

const certificateNotFound = () =>
  new AppError(404, 'CERTIFICATE_NOT_FOUND', { zh: '未找到该从业资格证', en: 'Certificate not found' });

const requestAlreadyOpen = () =>
  new AppError(409, 'VERIFICATION_REQUEST_OPEN', {
    zh: '该项信息已有正在处理的核查申请，请等待发证机关答复',
    en: 'A verification request for this item is already being handled; wait for the issuing authority’s answer',
  });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const verificationFieldLabels: Record<VerificationRequestView['field'], Localized> = {
  holderName: { zh: '姓名', en: 'Name' },
  sex: { zh: '性别', en: 'Sex' },
  birthDate: { zh: '出生日期', en: 'Birth date' },
  nationality: { zh: '国籍', en: 'Nationality' },
  address: { zh: '住址', en: 'Address' },
  number: { zh: '证号', en: 'Certificate number' },
  fileNumber: { zh: '档案号', en: 'File number' },
  quasiDrivingType: { zh: '准驾车型', en: 'Quasi-driving type' },
  serviceUnit: { zh: '服务单位', en: 'Service unit' },
  issuingAuthority: { zh: '发证机关', en: 'Issuing authority' },
  categories: { zh: '从业资格类别', en: 'Qualification categories' },
  validity: { zh: '有效期', en: 'Validity' },
  other: { zh: '其他', en: 'Other' },
};

export const verificationStateLabels: Record<VerificationRequestView['state'], Localized> = {
  submitted: { zh: '待受理', en: 'Awaiting acceptance' },
  accepted: { zh: '核查中', en: 'Being checked' },
  corrected: { zh: '已更正', en: 'Corrected' },
  explained: { zh: '已答复', en: 'Answered' },
};

/** Registry qualifiers are codes (radioactive…) or, in older records, the printed Chinese words. */
function qualifierView(raw: string): { code: string; name: Localized } {
  const code = CATEGORY_QUALIFIERS.find((q) => q === raw || CATEGORY_QUALIFIER_LABELS[q].zh === raw);
  return code ? { code, name: CATEGORY_QUALIFIER_LABELS[code] } : { code: raw, name: { zh: raw, en: raw } };
}

const asCancelReason = (value: string | null): CancelReason | null =>
  value && (CANCEL_REASONS as readonly string[]).includes(value) ? (value as CancelReason) : null;

/** The certificates whose holder is this ID number, with their categories and statuses on `today`. */
export async function certificatesOfHolder(db: Executor, idNumber: string, today: string): Promise<CertificateView[]> {
  const rows = await db
    .select({
      certificate: certificates,
      authority: { code: issuingAuthorities.code, zh: issuingAuthorities.nameZh, en: issuingAuthorities.nameEn },
      province: { code: provinces.code, zh: provinces.nameZh, en: provinces.nameEn },
    })
    .from(certificates)
    .innerJoin(issuingAuthorities, eq(issuingAuthorities.code, certificates.issuingAuthorityCode))
    .innerJoin(provinces, eq(provinces.code, certificates.provinceCode))
    .where(holderIdNumberIs(idNumber));
  if (rows.length === 0) return [];
  // By number (sealed: sorted here, not in SQL).
  rows.sort((a, b) => (a.certificate.number < b.certificate.number ? -1 : a.certificate.number > b.certificate.number ? 1 : 0));
  const categoryRows = await db
    .select()
    .from(certificateCategories)
    .where(inArray(certificateCategories.certificateId, rows.map((r) => r.certificate.id)))
    .orderBy(asc(certificateCategories.firstIssueDate), asc(certificateCategories.code));

  const views = rows.map(({ certificate, authority, province }): CertificateView => {
    const own = categoryRows.filter((c) => c.certificateId === certificate.id);
    const domainCategories: CertificateCategory[] = own.map((c) => ({
      code: c.code,
      qualifiers: c.qualifiers,
      firstIssueDate: c.firstIssueDate,
      validFrom: c.validFrom,
      validTo: c.validTo,
      cancelledAt: c.cancelledAt,
      cancelReason: asCancelReason(c.cancelReason),
    }));
    const detail = certificateStatusDetail({ categories: domainCategories }, today);
    return {
      id: certificate.id,
      number: certificate.number,
      fileNumber: certificate.fileNumber,
      holderName: certificate.holderName,
      holderIdNumberMasked: maskIdNumber(certificate.holderIdNumber),
      sex: certificate.sex === 'F' ? 'F' : 'M',
      birthDate: certificate.birthDate,
      nationality: certificate.nationality,
      address: certificate.address,
      quasiDrivingType: certificate.quasiDrivingType,
      issuingAuthority: { code: authority.code, name: { zh: authority.zh, en: authority.en } },
      province: { code: province.code, name: { zh: province.zh, en: province.en } },
      serviceUnit: certificate.serviceUnit,
      status: { status: detail.status, label: detail.label, reason: detail.reason, expiresOn: detail.expiresOn, renewalWindowOpen: detail.renewalWindowOpen },
      categories: own.map((c, i) => {
        const status = detail.categories[i]!;
        return {
          code: c.code,
          name: categoryName(c.code),
          label: status.label,
          qualifiers: c.qualifiers.map(qualifierView),
          firstIssueDate: c.firstIssueDate,
          validFrom: c.validFrom,
          validTo: c.validTo,
          cancelledAt: c.cancelledAt,
          cancelReason: c.cancelReason,
          status: status.status,
          statusLabel: CERTIFICATE_STATUS_LABELS[status.status],
          reason: status.reason,
          daysToExpiry: status.daysToExpiry,
          renewalWindowOpen: status.renewalWindowOpen,
        };
      }),
    };
  });
  // Usable certificates first; greyed-out ones after, each group by number.
  const rank = { valid: 0, grace: 1, expired: 2, cancelled: 3 } as const;
  return views.sort((a, b) => rank[a.status.status] - rank[b.status.status] || a.number.localeCompare(b.number));
}

async function holderIdNumber(db: Executor, userId: string): Promise<string> {
  const [user] = await db.select({ idNumber: users.idNumber }).from(users).where(eq(users.id, userId));
  if (!user?.idNumber) throw new AppError(403, 'REAL_NAME_REQUIRED', { zh: '请先完成实名认证', en: 'Please complete real-name verification first' });
  return user.idNumber;
}

type RequestRow = typeof verificationRequests.$inferSelect;

function requestView(row: RequestRow, certificateNumber: string, authority: { code: string; zh: string; en: string }): VerificationRequestView {
  return {
    id: row.id,
    certificateId: row.certificateId,
    certificateNumber,
    field: row.field as VerificationRequestView['field'],
    fieldLabel: verificationFieldLabels[row.field as VerificationRequestView['field']] ?? { zh: row.field, en: row.field },
    expectedValue: row.expectedValue,
    note: row.note,
    hasPhoto: row.photoKey !== null,
    state: row.state,
    stateLabel: verificationStateLabels[row.state],
    issuingAuthority: { code: authority.code, name: { zh: authority.zh, en: authority.en } },
    createdAt: row.createdAt.toISOString(),
    acceptedAt: row.acceptedAt?.toISOString() ?? null,
    answerDeadline: row.answerDeadline,
    answeredAt: row.answeredAt?.toISOString() ?? null,
    answer: row.answer,
  };
}

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema, 413: errorBodySchema, 415: errorBodySchema, 422: errorBodySchema };

/** The verified driver's certificates and their information-verification requests (信息核查申请). */
export async function certificateRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const auth = requireVerifiedDriver(ctx);

  api.get('/me/certificates', { onRequest: auth, schema: { tags: ['certificates'], response: { 200: myCertificatesResponseSchema, ...errors } } }, async (request) => {
    const idNumber = await holderIdNumber(ctx.db, driverOf(request).userId);
    return { certificates: await certificatesOfHolder(ctx.db, idNumber, chinaToday(ctx.now())) };
  });

  api.post(
    '/me/verification-requests/photos',
    { onRequest: auth, schema: { tags: ['certificates'], consumes: ['multipart/form-data'], response: { 201: verificationPhotoResponseSchema, ...errors } } },
    async (request, reply) => {
      const image = await receiveImage(ctx, request, driverOf(request).userId);
      const photoId = await storeUserPhoto(ctx, 'verification', driverOf(request).userId, image);
      return reply.status(201).send({ photoId, warnings: image.quality.warnings.map(({ code, zh, en }) => ({ code, zh, en })) });
    },
  );

  api.post(
    '/me/certificates/:id/verification-requests',
    {
      onRequest: auth,
      schema: { tags: ['certificates'], params: certificateIdParamsSchema, body: newVerificationRequestSchema, response: { 201: verificationRequestViewSchema, ...errors } },
    },
    async (request, reply) => {
      const { userId } = driverOf(request);
      const idNumber = await holderIdNumber(ctx.db, userId);
      if (!UUID.test(request.params.id)) throw certificateNotFound();
      const [found] = await ctx.db
        .select({
          certificate: certificates,
          authority: { code: issuingAuthorities.code, zh: issuingAuthorities.nameZh, en: issuingAuthorities.nameEn },
        })
        .from(certificates)
        .innerJoin(issuingAuthorities, eq(issuingAuthorities.code, certificates.issuingAuthorityCode))
        .where(and(eq(certificates.id, request.params.id), holderIdNumberIs(idNumber)));
      // Someone else's certificate is answered exactly like one that does not exist.
      if (!found) throw certificateNotFound();
      const { field, expectedValue, note, photoId } = request.body;
      const photoKey = photoId ? await ownPhotoKey(ctx, 'verification', userId, photoId) : null;

      // One step with closing the account: the account's row is held (shared) while the request goes in,
      // so a closing either sees it and refuses, or comes first and this request is refused.
      const row = await ctx.db.transaction(async (tx) => {
        const [account] = await tx.select({ closedAt: users.closedAt }).from(users).where(eq(users.id, userId)).for('share');
        if (!account || account.closedAt) throw new AppError(401, 'UNAUTHENTICATED', { zh: '请先登录', en: 'Please log in' });
        const open = await tx
          .select({ id: verificationRequests.id })
          .from(verificationRequests)
          .where(
            and(
              eq(verificationRequests.certificateId, found.certificate.id),
              eq(verificationRequests.userId, userId),
              eq(verificationRequests.field, field),
              inArray(verificationRequests.state, ['submitted', 'accepted']),
            ),
          );
        if (open.length > 0) throw requestAlreadyOpen();

        const [inserted] = await tx
          .insert(verificationRequests)
          .values({
            userId,
            certificateId: found.certificate.id,
            // Routed to the province of the issuing authority, which answers it.
            provinceCode: found.certificate.provinceCode,
            field,
            expectedValue,
            note: note ?? '',
            photoKey,
            state: 'submitted',
            createdAt: ctx.now(),
          })
          .returning();
        return inserted;
      });
      request.log.info({ verificationRequestId: row!.id, field }, 'verification request submitted');
      return reply.status(201).send(requestView(row!, found.certificate.number, found.authority));
    },
  );

  api.get(
    '/me/verification-requests',
    { onRequest: auth, schema: { tags: ['certificates'], response: { 200: myVerificationRequestsResponseSchema, ...errors } } },
    async (request) => {
      const rows = await ctx.db
        .select({
          request: verificationRequests,
          number: certificates.number,
          authority: { code: issuingAuthorities.code, zh: issuingAuthorities.nameZh, en: issuingAuthorities.nameEn },
        })
        .from(verificationRequests)
        .innerJoin(certificates, eq(certificates.id, verificationRequests.certificateId))
        .innerJoin(issuingAuthorities, eq(issuingAuthorities.code, certificates.issuingAuthorityCode))
        .where(eq(verificationRequests.userId, driverOf(request).userId))
        .orderBy(desc(verificationRequests.createdAt));
      return { requests: rows.map((r) => requestView(r.request, r.number, r.authority)) };
    },
  );
}
