import { randomBytes } from 'node:crypto';
import { and, asc, desc, eq, gt, inArray, isNull, ne } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import { requireSensitiveConsent } from './consent.ts';
import type { IdCardOcrResponse, RealNameStatus, RealNameSubmission, VerificationRequest, VerificationResponse } from '../../contract/identity.ts';
import { chinaDate, chinaToday } from '../../domain/dates.ts';
import type { Localized } from '../../domain/errors.ts';
import {
  identityDifferences,
  idCardExpired,
  normalisePersonName,
  REAL_NAME_REJECTION_LABELS,
  REAL_NAME_REVIEW_WORKING_DAYS,
  DRIVER_REVIEW_REASON_LABELS,
  reviewReasons,
  type FieldDifference,
  type PhotoReading,
  type RealNameRejectionReason,
  type ReviewReason,
} from '../../domain/identityMatch.ts';
import type { IdNumberInfo } from '../../domain/idNumber.ts';
import { loadMe } from '../auth/me.ts';
import { userIdNumberColumns, userIdNumberIs } from '../auth/accounts.ts';
import { holderIdNumberIs } from '../registry/certificates.ts';
import { driverSessionPolicy, endSubjectSessions } from '../auth/session.ts';
import { provinceCalendar } from '../calendar/workingCalendar.ts';
import type { AppContext } from '../context.ts';
import type { Executor } from '../db/client.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { applications, auditLog, certificates, idCardPhotos, outbox, provinces, realNameSubmissions, users, verificationRequests, vouchers } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import type { IntakenImage } from '../images/intake.ts';
import type { RateRule } from '../rateLimit/index.ts';
import { maskPhone } from '../../domain/phone.ts';
import type { IdentityCheckResult } from './identityCheck.ts';

/**
 * Real-name binding (PRODUCT §2.2): the photo decides what is bound, the registry must agree, the
 * identity service must agree; anything short of that goes to the province's review queue, and nothing
 * is linked or shown until a clerk approves it.
 */

/** An ID-card photo serves one submission within this time of its upload. */
export const ID_PHOTO_TTL_MS = 30 * 60_000;

export type PhotoRow = typeof idCardPhotos.$inferSelect;
export type SubmissionRow = typeof realNameSubmissions.$inferSelect;

/** What the OCR route answered, kept with the photo so a reload shows the same reading. */
export type StoredReading = Omit<IdCardOcrResponse, 'photoId' | 'side'> & { fieldConfidence?: Partial<Record<string, number>> };

const REFERENCE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';

function newReference(now: Date): string {
  const bytes = randomBytes(6);
  const tail = [...bytes].map((b) => REFERENCE_ALPHABET[b % REFERENCE_ALPHABET.length]).join('');
  return `SM${chinaDate(now).replaceAll('-', '').slice(2)}${tail}`;
}

export const photoNotFound = () =>
  new AppError(422, 'PHOTO_NOT_FOUND', { zh: '照片不存在或已失效，请重新上传', en: 'The photo was not found; upload it again' });
const photoExpired = () =>
  new AppError(422, 'PHOTO_EXPIRED', { zh: '身份证照片已超过30分钟未提交，请重新拍摄上传', en: 'The ID-card photo is more than 30 minutes old; take and upload it again' });
const photoUsed = () =>
  new AppError(422, 'PHOTO_USED', { zh: '这张身份证照片已提交过，请重新拍摄上传', en: 'This ID-card photo has been submitted already; take and upload it again' });
const photoUsedElsewhere = () =>
  new AppError(422, 'PHOTO_USED_BY_ANOTHER_ACCOUNT', {
    zh: '这张身份证照片已由其他账号上传，不能用于本账号。请本人重新拍摄身份证',
    en: 'This ID-card photo was uploaded by another account and cannot be used here. Take a new photo of your own card',
  });
const backRequired = () =>
  new AppError(422, 'ID_CARD_BACK_REQUIRED', { zh: '本省实名认证还需上传身份证国徽面照片', en: 'This province also needs a photo of the back of the ID card (national emblem side)' });
const idCardExpiredError = () =>
  new AppError(422, 'ID_CARD_EXPIRED', { zh: '身份证已超过有效期限，请使用有效的身份证办理', en: 'The ID card has expired; use a valid card' });
export const alreadyVerified = () =>
  new AppError(409, 'ALREADY_VERIFIED', { zh: '您已完成实名认证，无需重复认证', en: 'Your real name is already verified' });
const alreadyPending = () =>
  new AppError(409, 'REAL_NAME_PENDING', { zh: '您的实名认证正在审核中，请等待审核结果', en: 'Your real-name submission is being reviewed; please wait for the result' });
export const idAlreadyBound = () =>
  new AppError(409, 'ID_ALREADY_BOUND', {
    zh: '该身份证号码已绑定其他账号。如非本人操作，请联系所在省份业务咨询电话处理',
    en: 'This ID number is already bound to another account. If that was not you, call your province’s enquiry line',
  });
const identityMismatch = () =>
  new AppError(422, 'IDENTITY_MISMATCH', { zh: '姓名与身份证号码不匹配，请核对', en: 'The name does not match the ID number; please check' });
export const identityUnavailable = () =>
  new AppError(503, 'IDENTITY_CHECK_UNAVAILABLE', { zh: '身份核验服务暂不可用，请稍后再试，您的信息未被提交', en: 'The identity check service is unavailable; nothing was submitted, try again later' });
const provinceUnsupported = () =>
  new AppError(422, 'ID_PROVINCE_UNSUPPORTED', { zh: '暂不支持该地区的身份证号码在线认证，请到窗口办理', en: 'ID numbers of this region cannot be verified online yet; please visit a service counter' });
const backUnreadable = () =>
  new AppError(422, 'ID_CARD_BACK_UNREADABLE', {
    zh: '未能识别身份证国徽面的有效期限，请在光线充足、无反光处重新拍摄国徽面',
    en: 'The validity period on the back of the ID card could not be read; retake the back in good light without glare',
  });
const tooManyAttempts = (retryAfterSeconds: number) =>
  new AppError(
    429,
    'REAL_NAME_TOO_MANY',
    { zh: `实名认证尝试次数过多，请${Math.ceil(retryAfterSeconds / 60)}分钟后再试`, en: `Too many real-name attempts; try again in ${Math.ceil(retryAfterSeconds / 60)} minutes` },
    { retryAfterSeconds },
  );
const faceCheckNotFound = () =>
  new AppError(404, 'FACE_CHECK_NOT_FOUND', { zh: '未找到进行中的人脸核身，请重新提交实名认证', en: 'No face check is in progress; submit your real-name details again' });
const faceCheckPending = () =>
  new AppError(409, 'FACE_CHECK_PENDING', { zh: '人脸核身尚未完成，请按提示完成后再返回', en: 'The face check is not finished yet; complete it, then come back' });
const faceCheckFailed = () =>
  new AppError(422, 'FACE_CHECK_FAILED', {
    zh: '人脸核身未通过，未绑定任何身份信息。请本人在光线充足处重新认证',
    en: 'The face check did not pass and nothing was bound. The card holder should try again in good light',
  });

// ---------------------------------------------------------------------------------------------------
// Photos

export async function storeIdCardPhoto(ctx: AppContext, userId: string, side: PhotoRow['side'], image: IntakenImage): Promise<string> {
  const id = `${randomBytes(32).toString('hex')}.${image.mime === 'image/png' ? 'png' : 'jpg'}`;
  const storageKey = `identity/${userId}/${id}`;
  await ctx.storage.put(storageKey, image.image, image.mime);
  const now = ctx.now();
  const empty: StoredReading = { fields: {}, confidence: 0, warnings: [], hint: null };
  // A new photo of a side replaces the driver's earlier unused one: only the newest can be submitted.
  await ctx.db
    .update(idCardPhotos)
    .set({ expiresAt: now })
    .where(and(eq(idCardPhotos.userId, userId), eq(idCardPhotos.side, side), isNull(idCardPhotos.usedAt), gt(idCardPhotos.expiresAt, now)));
  await ctx.db.insert(idCardPhotos).values({ id, userId, side, storageKey, sha256: image.sha256, reading: empty, createdAt: now, expiresAt: new Date(now.getTime() + ID_PHOTO_TTL_MS) });
  return id;
}

export async function recordReading(ctx: AppContext, photoId: string, reading: StoredReading): Promise<void> {
  await ctx.db.update(idCardPhotos).set({ reading }).where(eq(idCardPhotos.id, photoId));
}

/** The caller's own unused, unexpired photo of that side; anyone else's does not exist for them. */
async function usablePhoto(db: Executor, userId: string, photoId: string, side: PhotoRow['side'], now: Date): Promise<PhotoRow> {
  const [row] = await db
    .select()
    .from(idCardPhotos)
    .where(and(eq(idCardPhotos.id, photoId), eq(idCardPhotos.userId, userId), eq(idCardPhotos.side, side)));
  if (!row) throw photoNotFound();
  if (row.usedAt) throw photoUsed();
  if (row.expiresAt <= now) throw photoExpired();
  const [elsewhere] = await db
    .select({ id: idCardPhotos.id })
    .from(idCardPhotos)
    .where(and(eq(idCardPhotos.sha256, row.sha256), ne(idCardPhotos.userId, userId)))
    .limit(1);
  if (elsewhere) throw photoUsedElsewhere();
  return row;
}

/** Marks the photos used in the submission's transaction: a second submission with them loses. */
async function consumePhotos(tx: Executor, userId: string, photoIds: string[], now: Date): Promise<void> {
  const used = await tx
    .update(idCardPhotos)
    .set({ usedAt: now })
    .where(and(inArray(idCardPhotos.id, photoIds), eq(idCardPhotos.userId, userId), isNull(idCardPhotos.usedAt), gt(idCardPhotos.expiresAt, now)))
    .returning({ id: idCardPhotos.id });
  if (used.length !== photoIds.length) throw photoUsed();
}

const photoView = (row: PhotoRow): IdCardOcrResponse => {
  const reading = row.reading as StoredReading;
  return {
    photoId: row.id,
    side: row.side,
    fields: reading.fields ?? {},
    confidence: reading.confidence ?? 0,
    warnings: reading.warnings ?? [],
    hint: reading.hint ?? null,
    ...(reading.back ? { back: reading.back } : {}),
    ...(reading.expired !== undefined ? { expired: reading.expired } : {}),
  };
};

// ---------------------------------------------------------------------------------------------------
// Submissions as the driver sees them

const reasonLabels = (codes: readonly string[], labels: Record<string, Localized>): Localized[] => codes.map((code) => labels[code] ?? { zh: code, en: code });

export function driverSubmissionView(row: SubmissionRow): RealNameSubmission {
  return {
    reference: row.reference,
    state: row.state,
    submittedAt: row.createdAt.toISOString(),
    deadline: row.state === 'pending' ? row.deadline : null,
    reviewReasons: reasonLabels(row.reviewReasons, DRIVER_REVIEW_REASON_LABELS),
    rejectionReasons: reasonLabels(row.rejectionReasons, REAL_NAME_REJECTION_LABELS),
    note: row.decisionNote,
    decidedAt: row.decidedAt?.toISOString() ?? null,
  };
}

export async function realNameStatus(ctx: AppContext, userId: string): Promise<RealNameStatus> {
  const now = ctx.now();
  const [user] = await ctx.db.select({ verifiedAt: users.verifiedAt }).from(users).where(eq(users.id, userId));
  const [latest] = await ctx.db.select().from(realNameSubmissions).where(eq(realNameSubmissions.userId, userId)).orderBy(desc(realNameSubmissions.createdAt)).limit(1);
  const photos = await ctx.db
    .select()
    .from(idCardPhotos)
    .where(and(eq(idCardPhotos.userId, userId), isNull(idCardPhotos.usedAt), gt(idCardPhotos.expiresAt, now)))
    .orderBy(desc(idCardPhotos.createdAt));
  const requiring = await ctx.db.select({ code: provinces.code }).from(provinces).where(eq(provinces.requiresIdCardBack, true)).orderBy(asc(provinces.code));
  const portrait = photos.find((p) => p.side === 'portrait');
  const back = photos.find((p) => p.side === 'back');
  let status: RealNameStatus['status'] = 'none';
  const faceCheckUrl = latest?.state === 'face_check' ? latest.faceUrl : null;
  if (user?.verifiedAt) status = 'verified';
  else if (latest && (latest.state === 'pending' || latest.state === 'face_check' || latest.state === 'rejected' || latest.state === 'failed')) status = latest.state;
  return {
    status,
    submission: latest ? driverSubmissionView(latest) : null,
    portrait: portrait ? photoView(portrait) : null,
    back: back ? photoView(back) : null,
    provincesRequiringBack: requiring.map((r) => r.code),
    faceCheckUrl,
  };
}

// ---------------------------------------------------------------------------------------------------
// Submitting

export interface IdentityCheckRecord {
  provider: string;
  result: IdentityCheckResult | 'not_checked';
  face?: { outcome: string; similarity?: number; code?: string; liveness?: string };
}

function readingOf(photo: PhotoRow): PhotoReading {
  const stored = photo.reading as StoredReading;
  return { fields: stored.fields ?? {}, confidence: stored.confidence ?? 0, ...(stored.fieldConfidence ? { fieldConfidence: stored.fieldConfidence } : {}) };
}

function claimedOf(input: VerificationRequest, id: IdNumberInfo): Record<string, string> {
  return {
    name: normalisePersonName(input.name),
    idNumber: id.idNumber,
    sex: id.sex,
    ethnicity: input.ethnicity.trim().replace(/族$/, ''),
    birthDate: id.birthDate,
    address: input.address.trim(),
  };
}

function faceRedirectUrl(ctx: AppContext, request: FastifyRequest): string {
  const base = ctx.config.publicBaseUrl?.replace(/\/+$/, '') ?? `${request.protocol}://${request.host}`;
  return `${base}/real-name?face=1`;
}

async function openSubmission(tx: Executor, values: typeof realNameSubmissions.$inferInsert): Promise<SubmissionRow> {
  try {
    const [row] = await tx.insert(realNameSubmissions).values(values).returning();
    return row!;
  } catch (error) {
    if (isUniqueViolation(error, 'real_name_submissions_one_open_uq')) throw alreadyPending();
    throw error;
  }
}

async function queueDecisionSms(tx: Executor, submission: SubmissionRow, now: Date): Promise<void> {
  await tx.insert(outbox).values({ createdAt: now, availableAt: now, topic: 'sms.real_name_decision', payload: { submissionId: submission.id, state: submission.state } });
}

/**
 * Binds the submission's identity to its account, in the caller's transaction. When the ID number was
 * bound to another phone, that account gives it up: its applications, requests and vouchers follow the
 * person to the new phone, and its sessions end.
 */
export async function bindSubmission(tx: Executor, submission: SubmissionRow, now: Date, by: 'system' | 'staff'): Promise<{ movedFrom: string | null }> {
  const claimed = submission.claimed;
  const [bound] = await tx.select({ id: users.id, phone: users.phone }).from(users).where(and(userIdNumberIs(submission.idNumber), ne(users.id, submission.userId)));
  if (bound) {
    if (bound.id !== submission.boundUserId) throw idAlreadyBound();
    await tx
      .update(users)
      .set({ verifiedAt: null, ...userIdNumberColumns(null), name: null, sex: null, ethnicity: null, birthDate: null, address: null, provinceCode: null, idPhotoKey: null })
      .where(eq(users.id, bound.id));
    await tx.update(applications).set({ userId: submission.userId }).where(eq(applications.userId, bound.id));
    await tx.update(verificationRequests).set({ userId: submission.userId }).where(eq(verificationRequests.userId, bound.id));
    await tx.update(vouchers).set({ userId: submission.userId }).where(eq(vouchers.userId, bound.id));
    await endSubjectSessions(tx, driverSessionPolicy, bound.id, now);
    // The old phone hears that its identity went elsewhere: if that was not its owner, they can act.
    await tx.insert(outbox).values({ createdAt: now, availableAt: now, topic: 'sms.real_name_moved', payload: { submissionId: submission.id, userId: bound.id } });
  }
  const [photo] = await tx.select({ storageKey: idCardPhotos.storageKey }).from(idCardPhotos).where(eq(idCardPhotos.id, submission.photoId));
  try {
    const updated = await tx
      .update(users)
      .set({
        verifiedAt: now,
        ...userIdNumberColumns(submission.idNumber),
        name: claimed.name ?? null,
        sex: claimed.sex ?? null,
        ethnicity: claimed.ethnicity ?? null,
        birthDate: claimed.birthDate ?? null,
        address: claimed.address ?? null,
        // The province of the ID number; certificates keep their own issuing province.
        provinceCode: submission.provinceCode,
        idPhotoKey: photo?.storageKey ?? null,
      })
      .where(and(eq(users.id, submission.userId), isNull(users.verifiedAt)))
      .returning({ id: users.id });
    if (updated.length === 0) throw alreadyVerified();
  } catch (error) {
    if (isUniqueViolation(error, 'users_id_number_index_uq')) throw idAlreadyBound();
    throw error;
  }
  if (by === 'system') {
    // Bound without a clerk: the binding itself is on record, with the account it was moved from.
    const [user] = await tx.select({ phone: users.phone }).from(users).where(eq(users.id, submission.userId));
    await tx.insert(auditLog).values({
      staffId: null,
      username: `driver ${maskPhone(user?.phone ?? '')}`,
      role: 'system',
      provinceCode: submission.provinceCode,
      event: 'real_name.bind',
      targetKind: 'real_name_submission',
      targetId: submission.id,
      details: { userId: submission.userId, ...(bound ? { movedFromUserId: bound.id, movedFromPhone: maskPhone(bound.phone) } : {}) },
      at: now,
    });
  }
  return { movedFrom: bound?.id ?? null };
}

async function certificatesOf(db: Executor, idNumber: string): Promise<number> {
  return (await db.select({ id: certificates.id }).from(certificates).where(holderIdNumberIs(idNumber))).length;
}

async function answer(ctx: AppContext, userId: string, submission: SubmissionRow, faceCheckUrl: string | null = null): Promise<VerificationResponse> {
  const verified = submission.state === 'verified' || submission.state === 'approved';
  return {
    outcome: verified ? 'verified' : submission.state === 'face_check' ? 'face_check' : 'review',
    user: await loadMe(ctx.db, userId),
    certificatesFound: verified ? await certificatesOf(ctx.db, submission.idNumber) : 0,
    submission: driverSubmissionView(submission),
    faceCheckUrl,
  };
}

interface Assessment {
  differences: FieldDifference[];
  registryNames: string[];
  boundUserId: string | null;
}

/** Decides after every check has answered: bind now, or open a review with every reason. */
async function settle(
  ctx: AppContext,
  base: Omit<typeof realNameSubmissions.$inferInsert, 'state' | 'reviewReasons' | 'deadline' | 'identityCheck'> & { id?: string },
  assessment: Assessment,
  check: IdentityCheckRecord,
  faceConfirmed: boolean,
): Promise<SubmissionRow> {
  const now = ctx.now();
  const reasons: ReviewReason[] = reviewReasons({
    differences: assessment.differences,
    registryNames: assessment.registryNames,
    name: String((base.claimed as Record<string, string>).name),
    // A passed face check is what a move to a new phone needs.
    boundElsewhere: assessment.boundUserId !== null && !faceConfirmed,
    identityCheck: check.result === 'inconclusive' ? 'inconclusive' : check.result === 'match' ? 'match' : 'not_checked',
    manualOnly: ctx.identityCheck.manualOnly === true,
  });
  const calendar = reasons.length ? await provinceCalendar(ctx.db, base.provinceCode) : undefined;
  return ctx.db.transaction(async (tx) => {
    const values = {
      ...base,
      identityCheck: check as unknown as Record<string, unknown>,
      reviewReasons: reasons,
      state: reasons.length ? ('pending' as const) : ('verified' as const),
      deadline: calendar ? calendar.addWorkingDays(chinaDate(now), REAL_NAME_REVIEW_WORKING_DAYS) : null,
      faceToken: base.faceToken ?? null,
    };
    let row: SubmissionRow;
    if (base.id) {
      // A face check that came back: the submission moves on from 'face_check'.
      const [updated] = await tx
        .update(realNameSubmissions)
        .set({ state: values.state, reviewReasons: values.reviewReasons, deadline: values.deadline, identityCheck: values.identityCheck })
        .where(and(eq(realNameSubmissions.id, base.id), eq(realNameSubmissions.state, 'face_check')))
        .returning();
      if (!updated) throw faceCheckNotFound();
      row = updated;
    } else {
      await consumePhotos(tx, base.userId, [base.photoId, ...(base.backPhotoId ? [base.backPhotoId] : [])], now);
      row = await openSubmission(tx, values);
    }
    if (row.state === 'verified') await bindSubmission(tx, row, now, 'system');
    return row;
  });
}

/** Each attempt may cost a paid identity-service call and says whether a name fits a number: both are limited. */
const attemptsByAccount: RateRule[] = [
  { name: 'real-name-account-hour', limit: 10, windowSeconds: 3600 },
  { name: 'real-name-account-day', limit: 20, windowSeconds: 86_400 },
];
const attemptsByIdNumber: RateRule[] = [
  { name: 'real-name-id-hour', limit: 5, windowSeconds: 3600 },
  { name: 'real-name-id-day', limit: 10, windowSeconds: 86_400 },
];

async function limitAttempts(ctx: AppContext, userId: string, idNumber: string): Promise<void> {
  for (const [key, rules] of [
    [`real-name:user:${userId}`, attemptsByAccount],
    [`real-name:id:${idNumber}`, attemptsByIdNumber],
  ] as const) {
    const decision = await ctx.rateLimiter.consume(key, rules);
    if (!decision.allowed) throw tooManyAttempts(Math.max(60, decision.retryAfterSeconds));
  }
}

export async function submitRealName(ctx: AppContext, request: FastifyRequest, userId: string, input: VerificationRequest, id: IdNumberInfo): Promise<VerificationResponse> {
  const now = ctx.now();
  const [current] = await ctx.db.select({ verifiedAt: users.verifiedAt }).from(users).where(eq(users.id, userId));
  if (current?.verifiedAt) throw alreadyVerified();
  await requireSensitiveConsent(ctx.db, userId, 'id_card');
  // Asked before anything is checked, so a missing face consent costs no attempt.
  if (ctx.identityCheck.faceCheck && ctx.config.identity.IDENTITY_FACE_CHECK === 'always') await requireSensitiveConsent(ctx.db, userId, 'face');
  const [open] = await ctx.db
    .select({ id: realNameSubmissions.id })
    .from(realNameSubmissions)
    .where(and(eq(realNameSubmissions.userId, userId), eq(realNameSubmissions.state, 'pending')));
  if (open) throw alreadyPending();
  // A face check the driver never finished does not hold the account: starting again ends it.
  await ctx.db
    .update(realNameSubmissions)
    .set({ state: 'failed', decidedAt: now, decisionNote: 'face check abandoned' })
    .where(and(eq(realNameSubmissions.userId, userId), eq(realNameSubmissions.state, 'face_check')));

  const [province] = await ctx.db.select().from(provinces).where(eq(provinces.code, id.provinceCode));
  if (!province) throw provinceUnsupported();

  const photo = await usablePhoto(ctx.db, userId, input.photoId, 'portrait', now);
  let backPhoto: PhotoRow | undefined;
  if (input.backPhotoId) backPhoto = await usablePhoto(ctx.db, userId, input.backPhotoId, 'back', now);
  if (province.requiresIdCardBack && !backPhoto) throw backRequired();
  const back = backPhoto ? (backPhoto.reading as StoredReading).back : undefined;
  // A back side counts only with its validity read: any picture would do otherwise.
  if (backPhoto && !back?.validTo) throw backUnreadable();
  if (back && idCardExpired(back.validTo, chinaToday(now))) throw idCardExpiredError();
  await limitAttempts(ctx, userId, id.idNumber);

  const claimed = claimedOf(input, id);
  const reading = readingOf(photo);
  const differences = identityDifferences(reading, { name: claimed.name!, idNumber: id.idNumber, sex: id.sex, birthDate: id.birthDate });
  const registryNames = [...new Set((await ctx.db.select({ holderName: certificates.holderName }).from(certificates).where(holderIdNumberIs(id.idNumber))).map((r) => r.holderName))];
  const [bound] = await ctx.db.select({ id: users.id }).from(users).where(and(userIdNumberIs(id.idNumber), ne(users.id, userId)));

  const check: IdentityCheckRecord = { provider: ctx.identityCheck.name, result: ctx.identityCheck.manualOnly ? 'not_checked' : await ctx.identityCheck.check(claimed.name!, id.idNumber) };
  if (check.result === 'mismatch') throw identityMismatch();
  if (check.result === 'unavailable') throw identityUnavailable();

  const assessment: Assessment = { differences, registryNames, boundUserId: bound?.id ?? null };
  const base = {
    reference: newReference(now),
    userId,
    provinceCode: province.code,
    idNumber: id.idNumber,
    claimed,
    photoId: photo.id,
    backPhotoId: backPhoto?.id ?? null,
    reading: { ...reading, ...(back ? { back } : {}) } as unknown as Record<string, unknown>,
    differences,
    registryNames,
    boundUserId: assessment.boundUserId,
    createdAt: now,
  };

  const face = ctx.identityCheck.faceCheck;
  // An inconclusive name check goes to a clerk as it is: a face comparison with no record to compare with would only fail.
  const faceNeeded = face !== undefined && check.result === 'match' && (ctx.config.identity.IDENTITY_FACE_CHECK === 'always' || bound !== undefined);
  if (face && faceNeeded) {
    await requireSensitiveConsent(ctx.db, userId, 'face');
    const session = await face.start({ name: claimed.name!, idNumber: id.idNumber, redirectUrl: faceRedirectUrl(ctx, request) });
    if (session === 'unavailable') throw identityUnavailable();
    const row = await ctx.db.transaction(async (tx) => {
      await consumePhotos(tx, userId, [photo.id, ...(backPhoto ? [backPhoto.id] : [])], now);
      return openSubmission(tx, { ...base, state: 'face_check', faceToken: session.token, faceUrl: session.url, identityCheck: check as unknown as Record<string, unknown> });
    });
    return answer(ctx, userId, row, session.url);
  }

  const row = await settle(ctx, base, assessment, check, false);
  request.log.info({ userId, outcome: row.state, reasons: row.reviewReasons }, 'real-name submission');
  return answer(ctx, userId, row);
}

/** The phone is back from the provider's face check: fetch the result and settle the submission. */
export async function completeFaceCheck(ctx: AppContext, request: FastifyRequest, userId: string, token: string): Promise<VerificationResponse> {
  const face = ctx.identityCheck.faceCheck;
  const [submission] = await ctx.db
    .select()
    .from(realNameSubmissions)
    .where(and(eq(realNameSubmissions.userId, userId), eq(realNameSubmissions.faceToken, token), eq(realNameSubmissions.state, 'face_check')));
  if (!submission || !face) throw faceCheckNotFound();
  const result = await face.result(token);
  // The provider's answer must be about the identity submitted, not one it was somehow given instead.
  if (result.outcome === 'pass' && result.idNumber !== undefined && result.idNumber !== submission.idNumber) result.outcome = 'fail';
  if (result.outcome === 'pending') throw faceCheckPending();
  if (result.outcome === 'unavailable') throw identityUnavailable();
  const check: IdentityCheckRecord = {
    ...(submission.identityCheck as unknown as IdentityCheckRecord),
    face: {
      outcome: result.outcome,
      ...(result.similarity !== undefined ? { similarity: result.similarity } : {}),
      ...(result.code ? { code: result.code } : {}),
      ...(result.liveness ? { liveness: result.liveness } : {}),
    },
  };
  if (result.outcome === 'fail') {
    await ctx.db
      .update(realNameSubmissions)
      .set({ state: 'failed', identityCheck: check as unknown as Record<string, unknown>, decidedAt: ctx.now() })
      .where(and(eq(realNameSubmissions.id, submission.id), eq(realNameSubmissions.state, 'face_check')));
    request.log.info({ userId, code: result.code }, 'face check failed');
    throw faceCheckFailed();
  }
  let row: SubmissionRow;
  try {
    row = await settle(
      ctx,
      { ...submission, id: submission.id },
      { differences: submission.differences as FieldDifference[], registryNames: submission.registryNames, boundUserId: submission.boundUserId },
      check,
      true,
    );
  } catch (error) {
    // Bound elsewhere meanwhile, or already verified: this check is over either way.
    await ctx.db
      .update(realNameSubmissions)
      .set({ state: 'failed', identityCheck: check as unknown as Record<string, unknown>, decidedAt: ctx.now() })
      .where(and(eq(realNameSubmissions.id, submission.id), eq(realNameSubmissions.state, 'face_check')));
    throw error;
  }
  request.log.info({ userId, outcome: row.state, reasons: row.reviewReasons }, 'real-name submission after face check');
  return answer(ctx, userId, row);
}

// ---------------------------------------------------------------------------------------------------
// Decisions by the province's clerks

export const submissionNotFound = () => new AppError(404, 'REAL_NAME_REVIEW_NOT_FOUND', { zh: '未找到该实名认证申请', en: 'Real-name submission not found' });
const notPending = () => new AppError(409, 'STATE_CHANGED', { zh: '该实名认证申请已处理，请刷新后查看', en: 'This submission has been decided already; reload to see it' });

/** The pending submission, locked for the decision; another province's does not exist for the clerk. */
async function lockedPending(tx: Executor, id: string, provinceCode: string | null): Promise<SubmissionRow> {
  const [row] = await tx
    .select()
    .from(realNameSubmissions)
    .where(and(eq(realNameSubmissions.id, id), provinceCode ? eq(realNameSubmissions.provinceCode, provinceCode) : undefined))
    .for('update');
  if (!row) throw submissionNotFound();
  if (row.state !== 'pending') throw notPending();
  return row;
}

export async function approveSubmission(tx: Executor, id: string, provinceCode: string | null, staffId: string, now: Date): Promise<SubmissionRow & { movedFrom: string | null }> {
  const row = await lockedPending(tx, id, provinceCode);
  const { movedFrom } = await bindSubmission(tx, row, now, 'staff');
  const [updated] = await tx
    .update(realNameSubmissions)
    .set({ state: 'approved', decidedAt: now, decidedBy: staffId })
    .where(and(eq(realNameSubmissions.id, id), eq(realNameSubmissions.state, 'pending')))
    .returning();
  if (!updated) throw notPending();
  await queueDecisionSms(tx, updated, now);
  return { ...updated, movedFrom };
}

export async function rejectSubmission(
  tx: Executor,
  id: string,
  provinceCode: string | null,
  staffId: string,
  decision: { reasons: RealNameRejectionReason[]; note: string },
  now: Date,
): Promise<SubmissionRow> {
  await lockedPending(tx, id, provinceCode);
  const [updated] = await tx
    .update(realNameSubmissions)
    .set({ state: 'rejected', decidedAt: now, decidedBy: staffId, rejectionReasons: decision.reasons, decisionNote: decision.note || null })
    .where(and(eq(realNameSubmissions.id, id), eq(realNameSubmissions.state, 'pending')))
    .returning();
  if (!updated) throw notPending();
  await queueDecisionSms(tx, updated, now);
  return updated;
}
