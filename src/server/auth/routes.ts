import { and, eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import {
  agreementsResponseSchema,
  loginRequestSchema,
  loginResponseSchema,
  meSchema,
  smsCodeRequestSchema,
  smsCodeResponseSchema,
  smsOutboxQuerySchema,
  smsOutboxResponseSchema,
} from '../../contract/auth.ts';
import { errorBodySchema } from '../../contract/common.ts';
import { maskPhone, parseMobile } from '../../domain/phone.ts';
import type { AppContext } from '../context.ts';
import { sessions } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { ConsoleSmsProvider } from '../sms/index.ts';
import { currentAgreements, currentAgreementVersions } from './agreements.ts';
import { findOrCreateDriverByPhone, recordLoginConsents, startDriverSession } from './driverAccounts.ts';
import { loadMe, toMe } from './me.ts';
import {
  clearSessionCookie,
  driverOf,
  driverSessionPolicy,
  endSession,
  hashToken,
  requestToken,
  requireDriver,
  setSessionCookie,
} from './session.ts';
import { issueSmsCode, markSmsCodeUsed, SMS_CODE_TTL_SECONDS, SMS_RESEND_AFTER_SECONDS, verifySmsCode } from './smsCodes.ts';

export const phoneInvalid = () =>
  new AppError(400, 'PHONE_INVALID', { zh: '请输入正确的11位中国大陆手机号码', en: 'Enter a valid 11-digit mainland China mobile number' });

export const agreementOutdated = () =>
  new AppError(
    422,
    'AGREEMENT_OUTDATED',
    { zh: '用户协议或隐私政策已更新，请阅读并同意最新版本后再登录', en: 'The User Agreement or Privacy Policy has changed; read and accept the current version, then log in' },
    { current: { ...currentAgreementVersions } },
  );

export function mobileOrThrow(input: string): string {
  const phone = parseMobile(input);
  if (!phone) throw phoneInvalid();
  return phone;
}

const errors = { 400: errorBodySchema, 401: errorBodySchema, 422: errorBodySchema, 429: errorBodySchema, 502: errorBodySchema };

/** SMS login, sessions and the current driver (PRODUCT §2.1). */
export async function authRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get('/auth/agreements', { schema: { tags: ['auth'], response: { 200: agreementsResponseSchema } } }, async () => currentAgreements);

  api.post(
    '/auth/sms-codes',
    { schema: { tags: ['auth'], body: smsCodeRequestSchema, response: { 202: smsCodeResponseSchema, ...errors } } },
    async (request, reply) => {
      const phone = mobileOrThrow(request.body.phone);
      try {
        await issueSmsCode(ctx, phone, request.ip);
      } catch (error) {
        if (error instanceof AppError && error.status === 429) reply.header('retry-after', String(error.details?.retryAfterSeconds ?? 60));
        throw error;
      }
      return reply.status(202).send({ resendAfterSeconds: SMS_RESEND_AFTER_SECONDS, expiresInSeconds: SMS_CODE_TTL_SECONDS });
    },
  );

  api.post(
    '/auth/sessions',
    { schema: { tags: ['auth'], body: loginRequestSchema, response: { 201: loginResponseSchema, ...errors } } },
    async (request, reply) => {
      const phone = mobileOrThrow(request.body.phone);
      const accepted = request.body.agreementVersion;
      // Checked before the code so an outdated client does not burn the driver's code.
      if (accepted.userAgreement !== currentAgreementVersions.userAgreement || accepted.privacyPolicy !== currentAgreementVersions.privacyPolicy) {
        throw agreementOutdated();
      }
      const codeId = await verifySmsCode(ctx, phone, request.body.code);
      const now = ctx.now();
      const { user, session, newAccount } = await ctx.db.transaction(async (tx) => {
        await markSmsCodeUsed(tx, codeId, now);
        const { user, newAccount } = await findOrCreateDriverByPhone(tx, phone, now);
        await recordLoginConsents(tx, user.id, now);
        const session = await startDriverSession(tx, user.id, now, 'sms');
        return { user, session, newAccount };
      });
      request.log.info({ userId: user.id, phone: maskPhone(phone), newAccount, method: 'sms' }, 'driver logged in');
      setSessionCookie(ctx, request, reply, driverSessionPolicy, session);
      return reply.status(201).send({
        token: session.token,
        expiresAt: session.absoluteExpiresAt.toISOString(),
        idleExpiresAt: session.idleExpiresAt.toISOString(),
        newAccount,
        user: toMe(user),
      });
    },
  );

  // Logging out always succeeds: a client with a stale or no session is logged out all the same.
  api.delete('/auth/sessions/current', { schema: { tags: ['auth'] } }, async (request, reply) => {
    const token = requestToken(request, driverSessionPolicy);
    if (token) {
      const [row] = await ctx.db
        .select({ id: sessions.id })
        .from(sessions)
        .where(and(eq(sessions.tokenHash, hashToken(token)), eq(sessions.subjectKind, 'driver')));
      if (row) await endSession(ctx.db, row.id, ctx.now());
    }
    clearSessionCookie(ctx, request, reply, driverSessionPolicy);
    return reply.status(204).send();
  });

  api.get(
    '/me',
    { onRequest: requireDriver(ctx), schema: { tags: ['auth'], security: [{ bearer: [] }, { cookie: [] }], response: { 200: meSchema, 401: errorBodySchema } } },
    async (request) => loadMe(ctx.db, driverOf(request).userId),
  );

  // Development only: the codes the console provider "sent", so people and tests can log in.
  if (ctx.sms instanceof ConsoleSmsProvider && ctx.config.env !== 'production') {
    const outbox = ctx.sms;
    api.get(
      '/dev/sms-outbox',
      { schema: { tags: ['development'], querystring: smsOutboxQuerySchema, response: { 200: smsOutboxResponseSchema } } },
      async (request) => {
        const phone = mobileOrThrow(request.query.phone);
        return {
          messages: outbox.outbox(phone).map((entry) => ({
            phone: entry.phone,
            template: entry.template,
            text: entry.text,
            code: entry.params.code ?? null,
            sentAt: entry.sentAt.toISOString(),
          })),
        };
      },
    );
  }
}
