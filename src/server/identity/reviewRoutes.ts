import { and, asc, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { errorBodySchema } from '../../contract/common.ts';
import { idParamsSchema, provinceQuerySchema } from '../../contract/admin.ts';
import {
  identitySettingsSchema,
  identitySettingsUpdateSchema,
  realNamePhotoParamsSchema,
  realNameQueueQuerySchema,
  realNameQueueResponseSchema,
  realNameRejectSchema,
  realNameReviewDetailSchema,
  type RealNameReviewDetail,
  type RealNameReviewSummary,
} from '../../contract/realNameReview.ts';
import { chinaDate } from '../../domain/dates.ts';
import { REAL_NAME_REJECTION_LABELS, REVIEW_REASON_LABELS, sameHolderName } from '../../domain/identityMatch.ts';
import { maskIdNumber } from '../../domain/idNumber.ts';
import { maskName } from '../../domain/personName.ts';
import { maskPhone } from '../../domain/phone.ts';
import { adminProvince } from '../admin/scope.ts';
import { auditChange } from '../audit/log.ts';
import type { AppContext } from '../context.ts';
import type { Executor } from '../db/client.ts';
import { certificates, idCardPhotos, issuingAuthorities, provinces, realNameSubmissions, staff, users } from '../db/schema.ts';
import { holderIdNumberIs } from '../registry/certificates.ts';
import { provinceScope } from '../staff/access.ts';
import { requireStaff, staffOf } from '../staff/principal.ts';
import { approveSubmission, rejectSubmission, submissionNotFound, type IdentityCheckRecord, type SubmissionRow } from './realName.ts';

/**
 * 实名认证审核: the handlers of the ID number's province decide the submissions that could not be bound
 * automatically, with the photo, the reading, the driver's corrections, the registry and the identity
 * service's answer side by side. Reads of the details and the photo are audited as sensitive reads.
 */

const errors = Object.fromEntries([400, 401, 403, 404, 409, 422].map((status) => [status, errorBodySchema]));
const tags = ['staff'];

type ReviewState = RealNameReviewSummary['state'];
const asReviewState = (state: SubmissionRow['state']): ReviewState => (state === 'approved' || state === 'rejected' ? state : 'pending');

const labelled = (codes: readonly string[], labels: Record<string, { zh: string; en: string }>) => codes.map((code) => ({ code, label: labels[code] ?? { zh: code, en: code } }));

function summary(row: SubmissionRow, phone: string, today: string): RealNameReviewSummary {
  const claimed = row.claimed;
  const open = row.state === 'pending' && row.deadline;
  return {
    id: row.id,
    reference: row.reference,
    state: asReviewState(row.state),
    provinceCode: row.provinceCode,
    nameMasked: maskName(claimed.name ?? ''),
    idNumberMasked: maskIdNumber(row.idNumber),
    phoneMasked: maskPhone(phone),
    reviewReasons: labelled(row.reviewReasons, REVIEW_REASON_LABELS),
    submittedAt: row.createdAt.toISOString(),
    deadline: row.deadline,
    deadlineStatus: open ? (today > row.deadline! ? 'overdue' : today === row.deadline ? 'due_today' : 'on_time') : null,
    decidedAt: row.decidedAt?.toISOString() ?? null,
  };
}

const REVIEWED_STATES = ['pending', 'approved', 'rejected'] as const;

/** A submission a clerk may see: of their province, and one that reached the review queue. */
async function visibleSubmission(db: Executor, id: string, provinceCode: string | null): Promise<{ row: SubmissionRow; phone: string }> {
  const [found] = await db
    .select({ row: realNameSubmissions, phone: users.phone })
    .from(realNameSubmissions)
    .innerJoin(users, eq(users.id, realNameSubmissions.userId))
    .where(and(eq(realNameSubmissions.id, id), inArray(realNameSubmissions.state, [...REVIEWED_STATES]), provinceCode ? eq(realNameSubmissions.provinceCode, provinceCode) : undefined));
  if (!found) throw submissionNotFound();
  return found;
}

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

async function detail(db: Executor, id: string, provinceCode: string | null, now: Date): Promise<RealNameReviewDetail> {
  const { row, phone } = await visibleSubmission(db, id, provinceCode);
  const claimed = row.claimed;
  const reading = row.reading as { fields?: Record<string, unknown>; confidence?: number; back?: Record<string, unknown> };
  const fields = reading.fields ?? {};
  const registry = await db
    .select({ number: certificates.number, holderName: certificates.holderName, authority: issuingAuthorities.nameZh })
    .from(certificates)
    .innerJoin(issuingAuthorities, eq(issuingAuthorities.code, certificates.issuingAuthorityCode))
    .where(holderIdNumberIs(row.idNumber))
    // By number (sealed: sorted here, not in SQL).
    .then((rows) => rows.sort((a, b) => (a.number < b.number ? -1 : a.number > b.number ? 1 : 0)));
  const [bound] = row.boundUserId ? await db.select({ phone: users.phone, idNumber: users.idNumber }).from(users).where(eq(users.id, row.boundUserId)) : [];
  const [decider] = row.decidedBy ? await db.select({ username: staff.username }).from(staff).where(eq(staff.id, row.decidedBy)) : [];
  const check = row.identityCheck as unknown as IdentityCheckRecord;
  return {
    ...summary(row, phone, chinaDate(now)),
    submitted: {
      name: text(claimed.name),
      idNumber: text(claimed.idNumber),
      sex: text(claimed.sex),
      ethnicity: text(claimed.ethnicity),
      birthDate: text(claimed.birthDate),
      address: text(claimed.address),
    },
    reading: {
      name: text(fields.name),
      idNumber: text(fields.idNumber),
      sex: text(fields.sex),
      ethnicity: text(fields.ethnicity),
      birthDate: text(fields.birthDate),
      address: text(fields.address),
      confidence: reading.confidence ?? 0,
    },
    back: reading.back ? { issuingAuthority: text(reading.back.issuingAuthority), validFrom: text(reading.back.validFrom), validTo: text(reading.back.validTo) } : null,
    differences: row.differences as RealNameReviewDetail['differences'],
    registry: registry.map((r) => ({ certificateNumber: r.number, holderName: r.holderName, sameName: sameHolderName(r.holderName, claimed.name ?? ''), issuingAuthority: r.authority })),
    identityCheck: { provider: check.provider, result: check.result, faceResult: check.face?.outcome ?? null, similarity: check.face?.similarity ?? null },
    // Only while that account still holds the number: approving moves it.
    boundElsewhere: bound && bound.idNumber === row.idNumber ? { phoneMasked: maskPhone(bound.phone) } : null,
    hasBackPhoto: row.backPhotoId !== null,
    rejectionReasons: labelled(row.rejectionReasons, REAL_NAME_REJECTION_LABELS),
    note: row.decisionNote,
    decidedBy: decider?.username ?? null,
  };
}

export async function realNameReviewRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const security: Record<string, string[]>[] = [{ bearer: [] }];
  // Handlers decide (province admins may act as handlers); system admins read every province.
  const read = requireStaff(ctx, ['handler', 'province_admin', 'system_admin']);
  const act = requireStaff(ctx, ['handler', 'province_admin']);

  api.get(
    '/staff/real-name-reviews',
    { onRequest: read, schema: { tags, security, querystring: realNameQueueQuerySchema, response: { 200: realNameQueueResponseSchema, ...errors } } },
    async (request) => {
      const scope = provinceScope(staffOf(request), request.query.province);
      const now = ctx.now();
      const inScope: SQL | undefined = scope ? eq(realNameSubmissions.provinceCode, scope) : undefined;
      const rows = await ctx.db
        .select({ row: realNameSubmissions, phone: users.phone })
        .from(realNameSubmissions)
        .innerJoin(users, eq(users.id, realNameSubmissions.userId))
        .where(and(inScope, eq(realNameSubmissions.state, request.query.state)))
        .orderBy(request.query.state === 'pending' ? asc(realNameSubmissions.deadline) : desc(realNameSubmissions.decidedAt), asc(realNameSubmissions.createdAt))
        .limit(request.query.limit);
      const countRows = await ctx.db
        .select({ state: realNameSubmissions.state, count: sql<number>`count(*)::int` })
        .from(realNameSubmissions)
        .where(and(inScope, inArray(realNameSubmissions.state, [...REVIEWED_STATES])))
        .groupBy(realNameSubmissions.state);
      const today = chinaDate(now);
      return { items: rows.map(({ row, phone }) => summary(row, phone, today)), counts: Object.fromEntries(countRows.map((r) => [r.state, r.count])), today };
    },
  );

  api.get(
    '/staff/real-name-reviews/:id',
    { onRequest: read, schema: { tags, security, params: idParamsSchema, response: { 200: realNameReviewDetailSchema, ...errors } } },
    async (request) => {
      const now = ctx.now();
      const view = await detail(ctx.db, request.params.id, provinceScope(staffOf(request)), now);
      // The full ID number and the reading are sensitive personal information: each read is on record.
      await auditChange(ctx.db, request, view.provinceCode, { event: 'real_name.read', targetKind: 'real_name_submission', targetId: view.id }, now);
      return view;
    },
  );

  api.get(
    '/staff/real-name-reviews/:id/photos/:side',
    { onRequest: read, schema: { tags, security, params: realNamePhotoParamsSchema } },
    async (request, reply) => {
      const now = ctx.now();
      const { row } = await visibleSubmission(ctx.db, request.params.id, provinceScope(staffOf(request)));
      const photoId = request.params.side === 'back' ? row.backPhotoId : row.photoId;
      if (!photoId) throw submissionNotFound();
      const [photo] = await ctx.db.select({ storageKey: idCardPhotos.storageKey }).from(idCardPhotos).where(eq(idCardPhotos.id, photoId));
      if (!photo) throw submissionNotFound();
      const data = await ctx.storage.get(photo.storageKey);
      await auditChange(ctx.db, request, row.provinceCode, { event: 'real_name.read_photo', targetKind: 'real_name_submission', targetId: row.id, details: { side: request.params.side } }, now);
      // Private: every fetch must reach the server to be audited.
      return reply
        .header('cache-control', 'no-store')
        .type(photo.storageKey.endsWith('.png') ? 'image/png' : 'image/jpeg')
        .send(data);
    },
  );

  api.post(
    '/staff/real-name-reviews/:id/approve',
    { onRequest: act, schema: { tags, security, params: idParamsSchema, response: { 200: realNameReviewDetailSchema, ...errors } } },
    async (request) => {
      const now = ctx.now();
      const who = staffOf(request);
      const scope = provinceScope(who);
      await ctx.db.transaction(async (tx) => {
        const approved = await approveSubmission(tx, request.params.id, scope, who.id, now);
        await auditChange(tx, request, approved.provinceCode, { event: 'real_name.approve', targetKind: 'real_name_submission', targetId: approved.id, details: { movedFromAnotherPhone: approved.movedFrom !== null } }, now);
      });
      request.server.outboxWorker?.wake();
      return detail(ctx.db, request.params.id, scope, now);
    },
  );

  api.post(
    '/staff/real-name-reviews/:id/reject',
    { onRequest: act, schema: { tags, security, params: idParamsSchema, body: realNameRejectSchema, response: { 200: realNameReviewDetailSchema, ...errors } } },
    async (request) => {
      const now = ctx.now();
      const who = staffOf(request);
      const scope = provinceScope(who);
      await ctx.db.transaction(async (tx) => {
        const rejected = await rejectSubmission(tx, request.params.id, scope, who.id, request.body, now);
        await auditChange(tx, request, rejected.provinceCode, { event: 'real_name.reject', targetKind: 'real_name_submission', targetId: rejected.id, details: { reasons: request.body.reasons } }, now);
      });
      request.server.outboxWorker?.wake();
      return detail(ctx.db, request.params.id, scope, now);
    },
  );

  const admin = requireStaff(ctx, ['province_admin', 'system_admin']);
  const identitySettings = async (code: string, name: { zh: string; en: string }) => {
    const [row] = await ctx.db.select({ requiresIdCardBack: provinces.requiresIdCardBack }).from(provinces).where(eq(provinces.code, code));
    return { province: { code, name }, requiresIdCardBack: row?.requiresIdCardBack ?? false };
  };

  api.get(
    '/staff/admin/identity-settings',
    { onRequest: admin, schema: { tags, security, querystring: provinceQuerySchema, response: { 200: identitySettingsSchema, ...errors } } },
    async (request) => {
      const province = await adminProvince(ctx.db, request, request.query.province);
      return identitySettings(province.code, province.name);
    },
  );

  api.put(
    '/staff/admin/identity-settings',
    { onRequest: admin, schema: { tags, security, body: identitySettingsUpdateSchema, response: { 200: identitySettingsSchema, ...errors } } },
    async (request) => {
      const now = ctx.now();
      const province = await adminProvince(ctx.db, request, request.body.province);
      await ctx.db.transaction(async (tx) => {
        await tx.update(provinces).set({ requiresIdCardBack: request.body.requiresIdCardBack }).where(eq(provinces.code, province.code));
        await auditChange(tx, request, province.code, { event: 'admin.identity.update', targetKind: 'province', targetId: province.code, details: { requiresIdCardBack: request.body.requiresIdCardBack } }, now);
      });
      return identitySettings(province.code, province.name);
    },
  );
}
