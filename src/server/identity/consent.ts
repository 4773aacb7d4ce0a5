/**
 * Separate consent to sensitive personal information (PIPL Art. 29): before the ID-card photo is
 * uploaded and before the face check, the driver reads what is collected, why, how long it is kept
 * and what refusing means, and agrees to that version. The agreement is a row in `consents` beside
 * the login agreements. Without it the upload, the submission and the face check are refused
 * (403 SENSITIVE_CONSENT_REQUIRED); the account itself is untouched.
 */
import { and, desc, eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { errorBodySchema } from '../../contract/common.ts';
import { sensitiveConsentRequestSchema, sensitiveConsentsResponseSchema, type SensitiveConsentKey, type SensitiveConsentsResponse } from '../../contract/consent.ts';
import type { Localized } from '../../domain/errors.ts';
import type { AgreementSection } from '../auth/agreements.ts';
import { driverOf, requireDriver } from '../auth/session.ts';
import type { AppContext } from '../context.ts';
import type { Executor } from '../db/client.ts';
import { consents } from '../db/schema.ts';
import { AppError } from '../errors.ts';

const p = (zh: string, en: string): Localized => ({ zh, en });

interface SensitiveConsentText {
  key: SensitiveConsentKey;
  version: string;
  title: Localized;
  sections: AgreementSection[];
}

export const sensitiveConsentTexts: Record<SensitiveConsentKey, SensitiveConsentText> = {
  id_card: {
    key: 'id_card',
    version: 'v1.0-2026-12-01',
    title: p('身份证信息处理单独同意书', 'Separate consent: your ID card information'),
    sections: [
      {
        heading: p('收集什么', 'What is collected'),
        paragraphs: [
          p(
            '您的居民身份证人像面照片（所在省份要求时还有国徽面照片），以及从照片识别并经您核对的姓名、性别、民族、出生日期、住址和公民身份号码。身份证号码和身份证照片属于敏感个人信息。',
            'A photo of the portrait side of your resident identity card (and of the back where your province asks for it), and the name, sex, ethnicity, birth date, address and citizen ID number read from it and checked by you. The ID number and the ID photos are sensitive personal information.',
          ),
        ],
      },
      {
        heading: p('为什么需要', 'Why'),
        paragraphs: [
          p(
            '仅用于核验您的身份、按身份证号码关联您的从业资格证并办理您申请的业务。照片的文字识别在本系统服务器上完成，不发送给任何第三方；工作人员查看您的身份证照片和完整号码均记入审计日志。',
            'Only to verify your identity, find your qualification certificates by your ID number and handle what you apply for. The text on the photo is read on our own servers and never sent to a third party; every time staff view your ID photo or full ID number it is recorded in the audit log.',
          ),
        ],
      },
      {
        heading: p('保存多久', 'How long it is kept'),
        paragraphs: [
          p(
            '实名信息和身份证照片在账号存续期间加密保存；注销账号时删除。上传后未提交的照片到期自动失效。已办结的办件按政务档案规定的期限保存。',
            'Your real-name details and ID photos are kept encrypted while your account exists and are deleted when you close it. Photos uploaded but never submitted expire. Finished applications are kept for the period set for government records.',
          ),
        ],
      },
      {
        heading: p('如果您不同意', 'If you do not agree'),
        paragraphs: [
          p(
            '您可以不同意。您的账号不受影响，仍可查看办事指南、联系方式和扫码核验凭证，但无法完成在线实名认证和在线办理业务，可持身份证前往窗口办理。您可以随时回来重新选择。',
            'You may refuse. Your account stays as it is and you can still read the service guides, find contacts and verify vouchers, but you cannot verify your real name or apply online; you can apply in person at a service counter with your ID card. You can come back and decide again at any time.',
          ),
        ],
      },
    ],
  },
  face: {
    key: 'face',
    version: 'v1.0-2026-12-01',
    title: p('人脸信息处理单独同意书', 'Separate consent: your face'),
    sections: [
      {
        heading: p('收集什么', 'What is collected'),
        paragraphs: [
          p(
            '人脸核身时，由人脸核身服务商在其页面采集您的人脸图像和动作视频（活体检测），并与权威身份证照片比对。本系统不接收、不保存您的人脸图像，只保存比对结论（是否通过、相似度）。人脸信息属于敏感个人信息。',
            'During the face check, the face-verification provider captures pictures and a short video of your face on its own page (liveness detection) and compares them with the official ID photo. This service neither receives nor keeps pictures of your face; it keeps only the outcome (passed or not, similarity). Face data is sensitive personal information.',
          ),
        ],
      },
      {
        heading: p('为什么需要', 'Why'),
        paragraphs: [p('确认正在操作的是身份证持有人本人，防止他人冒用您的身份办理业务。', 'To make sure the person in front of the phone is the card holder, so nobody can apply in your name.')],
      },
      {
        heading: p('保存多久', 'How long it is kept'),
        paragraphs: [
          p(
            '服务商按合同仅为本次核验处理您的人脸信息，核验完成后删除；本系统保存的比对结论作为身份绑定的依据，注销账号时删除。',
            'By contract the provider processes your face data only for this check and deletes it afterwards; the outcome kept here is the evidence for binding your identity and is deleted when you close your account.',
          ),
        ],
      },
      {
        heading: p('如果您不同意', 'If you do not agree'),
        paragraphs: [
          p(
            '您可以不同意。账号不受影响，但无法在线完成实名认证；可持身份证前往窗口办理。',
            'You may refuse. Your account stays as it is, but real-name verification cannot be completed online; you can apply in person at a service counter with your ID card.',
          ),
        ],
      },
    ],
  },
};

/** The row's agreement name: kept apart from the login agreements. */
const agreementName = (key: SensitiveConsentKey) => `sensitive_${key}`;

export const sensitiveConsentRequired = (key: SensitiveConsentKey) =>
  new AppError(
    403,
    'SENSITIVE_CONSENT_REQUIRED',
    key === 'face'
      ? { zh: '人脸核身前需要您单独同意处理人脸信息', en: 'Agree separately to the processing of your face before the face check' }
      : { zh: '上传身份证前需要您单独同意处理身份证信息', en: 'Agree separately to the processing of your ID card information before uploading it' },
    { consent: key, version: sensitiveConsentTexts[key].version },
  );

async function givenAt(db: Executor, userId: string, key: SensitiveConsentKey): Promise<Date | null> {
  const [row] = await db
    .select({ acceptedAt: consents.acceptedAt })
    .from(consents)
    .where(and(eq(consents.userId, userId), eq(consents.agreement, agreementName(key)), eq(consents.version, sensitiveConsentTexts[key].version)))
    .orderBy(desc(consents.id))
    .limit(1);
  return row?.acceptedAt ?? null;
}

/** Throws 403 SENSITIVE_CONSENT_REQUIRED unless the driver agreed to the current version of `key`. */
export async function requireSensitiveConsent(db: Executor, userId: string, key: SensitiveConsentKey): Promise<void> {
  if (!(await givenAt(db, userId, key))) throw sensitiveConsentRequired(key);
}

async function consentsOf(ctx: AppContext, userId: string): Promise<SensitiveConsentsResponse> {
  const faceCheck = ctx.identityCheck.faceCheck !== undefined;
  const keys: SensitiveConsentKey[] = faceCheck ? ['id_card', 'face'] : ['id_card'];
  return {
    faceCheck,
    consents: await Promise.all(
      keys.map(async (key) => {
        const at = await givenAt(ctx.db, userId, key);
        return { ...sensitiveConsentTexts[key], given: at !== null, givenAt: at?.toISOString() ?? null };
      }),
    ),
  };
}

const versionOutdated = (key: SensitiveConsentKey) =>
  new AppError(422, 'CONSENT_OUTDATED', { zh: '同意书已更新，请阅读最新版本后再同意', en: 'The consent text has changed; read the current version, then agree' }, { consent: key, version: sensitiveConsentTexts[key].version });

export async function sensitiveConsentRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const errors = { 401: errorBodySchema, 422: errorBodySchema };

  api.get(
    '/identity/consents',
    { onRequest: requireDriver(ctx), schema: { tags: ['identity'], response: { 200: sensitiveConsentsResponseSchema, ...errors } } },
    async (request) => consentsOf(ctx, driverOf(request).userId),
  );

  api.post(
    '/identity/consents',
    { onRequest: requireDriver(ctx), schema: { tags: ['identity'], body: sensitiveConsentRequestSchema, response: { 201: sensitiveConsentsResponseSchema, ...errors } } },
    async (request, reply) => {
      const { userId } = driverOf(request);
      const { key, version } = request.body;
      if (version !== sensitiveConsentTexts[key].version) throw versionOutdated(key);
      // One row per text and version, as for the login agreements.
      if (!(await givenAt(ctx.db, userId, key))) await ctx.db.insert(consents).values({ userId, agreement: agreementName(key), version, acceptedAt: ctx.now() });
      return reply.status(201).send(await consentsOf(ctx, userId));
    },
  );
}
