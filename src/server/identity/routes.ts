import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { errorBodySchema } from '../../contract/common.ts';
import { requireSensitiveConsent, sensitiveConsentRoutes } from './consent.ts';
import {
  faceCheckCompleteSchema,
  idCardOcrResponseSchema,
  idCardSideQuerySchema,
  realNameStatusSchema,
  verificationRequestSchema,
  verificationResponseSchema,
  type VerificationRequest,
} from '../../contract/identity.ts';
import { chinaToday } from '../../domain/dates.ts';
import type { Localized } from '../../domain/errors.ts';
import { idCardExpired, normalisePersonName } from '../../domain/identityMatch.ts';
import { parseIdNumber, type IdNumberInfo } from '../../domain/idNumber.ts';
import { driverOf, requireDriver } from '../auth/session.ts';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { requestLanguage } from '../http/language.ts';
import { accountLimited, receiveImage } from '../images/upload.ts';
import type { RateRule } from '../rateLimit/index.ts';
import { ocrUnreadable, type IdCardBackReading, type IdCardReading } from './ocr.ts';
import { completeFaceCheck, realNameStatus, recordReading, storeIdCardPhoto, submitRealName, type StoredReading } from './realName.ts';

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

/** Every problem with what the driver submitted, in the order they appear on the form. */
export function verificationProblems(input: VerificationRequest, today: string): { problems: Problem[]; id?: IdNumberInfo } {
  const problems: Problem[] = [];
  const name = normalisePersonName(input.name);
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

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema, 413: errorBodySchema, 415: errorBodySchema, 422: errorBodySchema, 429: errorBodySchema, 503: errorBodySchema };

/** Card readings per driver and hour: a few retakes are normal; more is someone using us as an OCR service. */
const ocrRules: RateRule[] = [{ name: 'ocr-driver-hour', limit: 20, windowSeconds: 3600 }];

const backRetakeHint: Localized = {
  zh: '未能识别身份证国徽面的有效期限。请将国徽面平放，在光线充足、无反光处重新拍摄上传。',
  en: 'The validity period on the back could not be read. Lay the back of the card flat and retake the photo in good light without glare.',
};

/** Real-name verification: read the ID card, check what the driver confirms, bind the identity or send it for review. */
export async function identityRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.post(
    '/identity/id-card-ocr',
    {
      onRequest: requireDriver(ctx),
      schema: { tags: ['identity'], consumes: ['multipart/form-data'], querystring: idCardSideQuerySchema, response: { 200: idCardOcrResponseSchema, ...errors } },
    },
    async (request) => {
      const { userId } = driverOf(request);
      const side = request.query.side;
      await requireSensitiveConsent(ctx.db, userId, 'id_card');
      const allowance = await ctx.rateLimiter.consume(`ocr:${userId}`, ocrRules);
      if (!allowance.allowed) throw accountLimited('OCR_RATE_LIMITED', allowance.retryAfterSeconds, { zh: '识别证件', en: 'card readings' });
      const image = await receiveImage(ctx, request, userId);
      // Stored before reading, so a driver whose card cannot be read can still type the fields.
      const photoId = await storeIdCardPhoto(ctx, userId, side, image);
      const warnings: { code: string; zh: string; en: string }[] = image.quality.warnings.map(({ code, zh, en }) => ({ code, zh, en }));
      const today = chinaToday(ctx.now());

      if (side === 'back') {
        let reading: IdCardBackReading;
        try {
          const readBack = ctx.idCardReader.readBack?.bind(ctx.idCardReader);
          if (!readBack) throw ocrUnreadable();
          // Bounded: a few readings at a time per instance, the rest wait or get 503 with Retry-After.
          reading = await ctx.work.ocr.run(() => readBack(image.image, today));
        } catch (error) {
          if (error instanceof AppError && error.status === 503) throw error;
          request.log.warn({ err: error instanceof AppError ? { code: error.code } : { name: (error as Error)?.name } }, 'ID card back could not be read');
          throw ocrUnreadable({ photoId });
        }
        for (const doubt of reading.doubts ?? []) warnings.push({ code: doubt.code, zh: doubt.zh, en: doubt.en });
        const expired = idCardExpired(reading.fields.validTo, today);
        const stored: StoredReading = { fields: {}, back: reading.fields, expired, confidence: reading.confidence, warnings, hint: reading.fields.validTo ? null : backRetakeHint };
        await recordReading(ctx, photoId, stored);
        request.log.info({ confidence: reading.confidence, durationMs: reading.durationMs, expired }, 'ID card back read');
        return { photoId, side, ...stored };
      }

      let reading: IdCardReading;
      try {
        // Bounded: a few readings at a time per instance, the rest wait or get 503 with Retry-After.
        reading = await ctx.work.ocr.run(() => ctx.idCardReader.read(image.image));
      } catch (error) {
        if (error instanceof AppError && error.status === 503) throw error;
        request.log.warn({ err: error instanceof AppError ? { code: error.code } : { name: (error as Error)?.name } }, 'ID card could not be read');
        throw ocrUnreadable({ photoId });
      }
      const fields = reading.fields;
      for (const doubt of reading.doubts ?? []) warnings.push({ code: doubt.code, zh: doubt.zh, en: doubt.en });
      const idValid = fields.idNumber ? parseIdNumber(fields.idNumber, today).ok : false;
      if (fields.idNumber && !idValid) {
        warnings.push({ code: 'OCR_ID_NUMBER_DOUBTFUL', zh: '识别出的身份证号码可能有误，请仔细核对', en: 'The ID number read may be wrong; check it carefully' });
      }
      // What the cross-checks emptied or doubt, each with why.
      for (const { code, zh, en } of reading.doubts) warnings.push({ code, zh, en });
      if (idValid && reading.confidence < MIN_CONFIDENCE) {
        warnings.push({ code: 'OCR_LOW_CONFIDENCE', zh: '部分信息识别不够确定，请逐项核对', en: 'Some details were read with low certainty; check each one' });
      }
      const stored: StoredReading = {
        fields,
        confidence: reading.confidence,
        warnings,
        hint: idValid ? null : retakeHint,
        ...(reading.fieldConfidence ? { fieldConfidence: reading.fieldConfidence } : {}),
      };
      await recordReading(ctx, photoId, stored);
      request.log.info({ confidence: reading.confidence, durationMs: reading.durationMs, read: Object.keys(fields) }, 'ID card read');
      return { photoId, side, fields, confidence: reading.confidence, warnings, hint: stored.hint };
    },
  );

  api.get(
    '/identity/real-name',
    { onRequest: requireDriver(ctx), schema: { tags: ['identity'], response: { 200: realNameStatusSchema, ...errors } } },
    async (request) => realNameStatus(ctx, driverOf(request).userId),
  );

  api.post(
    '/identity/verification',
    { onRequest: requireDriver(ctx), schema: { tags: ['identity'], body: verificationRequestSchema, response: { 200: verificationResponseSchema, ...errors } } },
    async (request, reply) => {
      const { userId } = driverOf(request);
      const input = request.body;
      const { problems, id } = verificationProblems(input, chinaToday(ctx.now()));
      const first = problems[0];
      if (first || !id) {
        const language = requestLanguage(request);
        throw new AppError(422, first?.code ?? 'ID_FORMAT', first?.messages ?? { zh: '身份证号码无效', en: 'Invalid ID number' }, {
          problems: problems.map((p) => ({ field: p.field, code: p.code, message: p.messages[language] })),
        });
      }
      try {
        return await submitRealName(ctx, request, userId, input, id);
      } catch (error) {
        if (error instanceof AppError && error.status === 429) reply.header('retry-after', String(error.details?.retryAfterSeconds ?? 3600));
        throw error;
      }
    },
  );

  await sensitiveConsentRoutes(api, ctx);

  api.post(
    '/identity/face-check',
    { onRequest: requireDriver(ctx), schema: { tags: ['identity'], body: faceCheckCompleteSchema, response: { 200: verificationResponseSchema, ...errors } } },
    async (request) => completeFaceCheck(ctx, request, driverOf(request).userId, request.body.token),
  );
}
