import { and, count, eq, isNull, ne } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { errorBodySchema } from '../../contract/common.ts';
import { idCardOcrResponseSchema, verificationRequestSchema, verificationResponseSchema, type VerificationRequest } from '../../contract/identity.ts';
import { chinaToday } from '../../domain/dates.ts';
import type { Localized } from '../../domain/errors.ts';
import { parseIdNumber, type IdNumberInfo } from '../../domain/idNumber.ts';
import { loadMe } from '../auth/me.ts';
import { driverOf, requireDriver } from '../auth/session.ts';
import type { AppContext } from '../context.ts';
import { certificates, provinces, users } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { requestLanguage } from '../http/language.ts';
import { intakeImage, readUploadedFile } from '../images/intake.ts';
import { ocrUnreadable, type IdCardReading } from './ocr.ts';
import { ownPhotoKey, storeUserPhoto, uploadMissing } from './photos.ts';

const MIN_CONFIDENCE = 0.6;

const retakeHint: Localized = {
  zh: '未能识别出有效的身份证号码。请将身份证人像面平放，在光线充足、无反光处重新拍摄上传；也可以直接手动填写下面的信息。',
  en: 'No valid ID number could be read. Lay the portrait side of the card flat and retake the photo in good light without glare, or type the details below yourself.',
};

interface Problem {
  field: keyof VerificationRequest;
  code: string;
  messages: Localized;
}

const problem = (field: Problem['field'], code: string, zh: string, en: string): Problem => ({ field, code, messages: { zh, en } });

/** Chinese names, with the middle dot of minority names (阿卜杜·热合曼); look-alike dots are normalised. */
const NAME = /^\p{Script=Han}+(?:·\p{Script=Han}+)*$/u;
const HAN = /^\p{Script=Han}+$/u;

export function normaliseName(name: string): string {
  return name.replace(/\s+/g, '').replace(/[•・．.‧∙⋅]/g, '·');
}

/** Every problem with what the driver submitted, in the order they appear on the form. */
export function verificationProblems(input: VerificationRequest, today: string): { problems: Problem[]; id?: IdNumberInfo } {
  const problems: Problem[] = [];
  const name = normaliseName(input.name);
  const nameLength = [...name].length;
  if (nameLength < 2 || nameLength > 30 || !NAME.test(name)) {
    problems.push(problem('name', 'NAME_INVALID', '姓名应为2至30个汉字，少数民族姓名可使用“·”分隔', 'The name must be 2 to 30 Chinese characters; minority names may use “·” between parts'));
  }
  const parsed = parseIdNumber(input.idNumber, today);
  let id: IdNumberInfo | undefined;
  if (!parsed.ok) {
    problems.push({ field: 'idNumber', code: parsed.error.code, messages: parsed.error.messages });
  } else {
    id = parsed.value;
    if (input.sex !== id.sex) {
      problems.push(problem('sex', 'ID_SEX_MISMATCH', '性别与身份证号码不一致，请核对', 'The sex does not match the ID number; please check'));
    }
  }
  const ethnicity = input.ethnicity.trim().replace(/族$/, '');
  if (!HAN.test(ethnicity) || [...ethnicity].length > 10) {
    problems.push(problem('ethnicity', 'ETHNICITY_INVALID', '请填写民族，如“汉”', 'Enter the ethnic group, e.g. “汉”'));
  }
  if (id && input.birthDate !== id.birthDate) {
    problems.push(problem('birthDate', 'ID_BIRTHDATE_MISMATCH', '出生日期与身份证号码不一致，请核对', 'The birth date does not match the ID number; please check'));
  }
  const address = input.address.trim();
  if ([...address].length < 5 || [...address].length > 120) {
    problems.push(problem('address', 'ADDRESS_INVALID', '请填写身份证上的住址（5至120个字）', 'Enter the address as printed on the card (5 to 120 characters)'));
  }
  return { problems, ...(id ? { id } : {}) };
}

const alreadyVerified = () =>
  new AppError(409, 'ALREADY_VERIFIED', { zh: '您已完成实名认证，无需重复认证', en: 'Your real name is already verified' });

const idAlreadyBound = () =>
  new AppError(409, 'ID_ALREADY_BOUND', {
    zh: '该身份证号码已绑定其他账号。如非本人操作，请联系所在省份业务咨询电话处理',
    en: 'This ID number is already bound to another account. If that was not you, call your province’s enquiry line',
  });

const identityMismatch = () =>
  new AppError(422, 'IDENTITY_MISMATCH', { zh: '姓名与身份证号码不匹配，请核对', en: 'The name does not match the ID number; please check' });

const identityUnavailable = () =>
  new AppError(503, 'IDENTITY_CHECK_UNAVAILABLE', { zh: '身份核验服务暂不可用，请稍后再试', en: 'The identity check service is unavailable; try again later' });

function isUniqueViolation(error: unknown): boolean {
  for (let e: unknown = error; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: unknown }).code === '23505') return true;
  }
  return false;
}

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 409: errorBodySchema, 413: errorBodySchema, 415: errorBodySchema, 422: errorBodySchema, 503: errorBodySchema };

/** Real-name verification: read the ID card, check what the driver confirms, bind the identity. */
export async function identityRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.post(
    '/identity/id-card-ocr',
    {
      onRequest: requireDriver(ctx),
      schema: { tags: ['identity'], consumes: ['multipart/form-data'], response: { 200: idCardOcrResponseSchema, ...errors } },
    },
    async (request) => {
      const { userId } = driverOf(request);
      const part = await request.file();
      if (!part) throw uploadMissing();
      const image = await intakeImage(await readUploadedFile(part));
      // Stored before reading, so a driver whose card cannot be read can still type the fields.
      const photoId = await storeUserPhoto(ctx, 'identity', userId, image);
      let reading: IdCardReading;
      try {
        reading = await ctx.idCardReader.read(image.image);
      } catch (error) {
        request.log.warn({ err: error instanceof AppError ? { code: error.code } : { name: (error as Error)?.name } }, 'ID card could not be read');
        throw ocrUnreadable({ photoId });
      }
      const fields = reading.fields;
      const warnings: { code: string; zh: string; en: string }[] = image.quality.warnings.map(({ code, zh, en }) => ({ code, zh, en }));
      const idValid = fields.idNumber ? parseIdNumber(fields.idNumber, chinaToday(ctx.now())).ok : false;
      if (fields.idNumber && !idValid) {
        warnings.push({ code: 'OCR_ID_NUMBER_DOUBTFUL', zh: '识别出的身份证号码可能有误，请仔细核对', en: 'The ID number read may be wrong; check it carefully' });
      }
      // What the cross-checks emptied or doubt, each with why.
      for (const { code, zh, en } of reading.doubts) warnings.push({ code, zh, en });
      if (idValid && reading.confidence < MIN_CONFIDENCE) {
        warnings.push({ code: 'OCR_LOW_CONFIDENCE', zh: '部分信息识别不够确定，请逐项核对', en: 'Some details were read with low certainty; check each one' });
      }
      request.log.info({ confidence: reading.confidence, durationMs: reading.durationMs, read: Object.keys(fields) }, 'ID card read');
      return { photoId, fields, confidence: reading.confidence, warnings, hint: idValid ? null : retakeHint };
    },
  );

  api.post(
    '/identity/verification',
    { onRequest: requireDriver(ctx), schema: { tags: ['identity'], body: verificationRequestSchema, response: { 200: verificationResponseSchema, ...errors } } },
    async (request) => {
      const { userId } = driverOf(request);
      const [current] = await ctx.db.select({ verifiedAt: users.verifiedAt }).from(users).where(eq(users.id, userId));
      if (current?.verifiedAt) throw alreadyVerified();

      const input = request.body;
      const { problems, id } = verificationProblems(input, chinaToday(ctx.now()));
      const first = problems[0];
      if (first || !id) {
        const language = requestLanguage(request);
        throw new AppError(422, first?.code ?? 'ID_FORMAT', first?.messages ?? { zh: '身份证号码无效', en: 'Invalid ID number' }, {
          problems: problems.map((p) => ({ field: p.field, code: p.code, message: p.messages[language] })),
        });
      }
      const photoKey = await ownPhotoKey(ctx, 'identity', userId, input.photoId);

      const [bound] = await ctx.db
        .select({ id: users.id })
        .from(users)
        .where(and(eq(users.idNumber, id.idNumber), ne(users.id, userId)));
      if (bound) throw idAlreadyBound();

      const name = normaliseName(input.name);
      const verdict = await ctx.identityCheck.check(name, id.idNumber);
      if (verdict === 'mismatch') throw identityMismatch();
      if (verdict === 'unavailable') throw identityUnavailable();

      const [province] = await ctx.db.select({ code: provinces.code }).from(provinces).where(eq(provinces.code, id.provinceCode));
      try {
        const updated = await ctx.db
          .update(users)
          .set({
            verifiedAt: ctx.now(),
            idNumber: id.idNumber,
            name,
            sex: id.sex,
            ethnicity: input.ethnicity.trim().replace(/族$/, ''),
            birthDate: id.birthDate,
            address: input.address.trim(),
            // The province of the ID number; certificates keep their own issuing province.
            provinceCode: province?.code ?? null,
            idPhotoKey: photoKey,
          })
          .where(and(eq(users.id, userId), isNull(users.verifiedAt)))
          .returning({ id: users.id });
        if (updated.length === 0) throw alreadyVerified();
      } catch (error) {
        if (isUniqueViolation(error)) throw idAlreadyBound();
        throw error;
      }
      const [found] = await ctx.db.select({ n: count() }).from(certificates).where(eq(certificates.holderIdNumber, id.idNumber));
      request.log.info({ userId, certificatesFound: found?.n ?? 0 }, 'real name verified');
      return { user: await loadMe(ctx.db, userId), certificatesFound: found?.n ?? 0 };
    },
  );
}
