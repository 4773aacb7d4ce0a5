import { and, desc, eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { errorBodySchema } from '../../contract/common.ts';
import { accountSecuritySchema } from '../../contract/wechat.ts';
import type { AppContext } from '../context.ts';
import { sessions } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { loadMe } from './me.ts';
import { driverOf, requireDriver } from './session.ts';
import { unbindWeChat, weChatBindingOf } from './wechatBindings.ts';

/** 用户中心 → 账号与安全: the login methods bound to the account and its latest logins. */

const LOGINS_SHOWN = 10;
const methods = new Set(['sms', 'wechat_web', 'wechat_mini_program']);

const notBound = () => new AppError(404, 'WECHAT_NOT_BOUND', { zh: '该账号未绑定微信', en: 'This account has no WeChat bound' });

export async function accountSecurityRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const security: Record<string, string[]>[] = [{ bearer: [] }, { cookie: [] }];

  api.get(
    '/me/account-security',
    {
      onRequest: requireDriver(ctx),
      schema: { tags: ['auth'], summary: 'Login methods bound to the account and its latest logins', security, response: { 200: accountSecuritySchema, 401: errorBodySchema } },
    },
    async (request) => {
      const { userId, sessionId } = driverOf(request);
      const now = ctx.now();
      const me = await loadMe(ctx.db, userId);
      const binding = await weChatBindingOf(ctx.db, userId);
      const rows = await ctx.db
        .select()
        .from(sessions)
        .where(and(eq(sessions.subjectKind, 'driver'), eq(sessions.subjectId, userId)))
        .orderBy(desc(sessions.createdAt))
        .limit(LOGINS_SHOWN);
      return {
        phoneMasked: me.phoneMasked,
        wechat: binding
          ? {
              nickname: binding.nickname,
              avatarUrl: binding.avatarUrl,
              web: binding.webOpenid !== null,
              miniProgram: binding.miniOpenid !== null,
              boundAt: binding.createdAt.toISOString(),
              lastLoginAt: binding.lastLoginAt?.toISOString() ?? null,
            }
          : null,
        wechatAvailable: Boolean(ctx.wechat),
        logins: rows.map((row) => ({
          method: row.loginMethod && methods.has(row.loginMethod) ? (row.loginMethod as 'sms' | 'wechat_web' | 'wechat_mini_program') : ('unknown' as const),
          at: row.createdAt.toISOString(),
          active: !row.endedAt && now < row.idleExpiresAt && now < row.absoluteExpiresAt,
          current: row.id === sessionId,
        })),
      };
    },
  );

  api.delete(
    '/me/wechat-binding',
    {
      onRequest: requireDriver(ctx),
      schema: { tags: ['auth'], summary: 'Unbind WeChat from the account (SMS login stays)', security, response: { 204: z.null(), 401: errorBodySchema, 404: errorBodySchema } },
    },
    async (request, reply) => {
      const { userId } = driverOf(request);
      if (!(await unbindWeChat(ctx.db, userId))) throw notBound();
      request.log.info({ userId }, 'WeChat unbound from an account');
      return reply.status(204).send(null);
    },
  );
}
