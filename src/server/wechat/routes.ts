import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { loginResponseSchema } from '../../contract/auth.ts';
import { errorBodySchema } from '../../contract/common.ts';
import {
  miniProgramLoginRequestSchema,
  miniProgramLoginResponseSchema,
  pendingWeChatSchema,
  webViewQuerySchema,
  wechatAuthorizeQuerySchema,
  wechatAvailabilitySchema,
  wechatBindRequestSchema,
  wechatCallbackQuerySchema,
} from '../../contract/wechat.ts';
import { maskPhone, parseMobile } from '../../domain/phone.ts';
import { currentAgreementVersions } from '../auth/agreements.ts';
import { acceptedCurrentAgreements, findOrCreateDriverByPhone, loadDriver, recordLoginConsents, startDriverSession, type UserRow } from '../auth/driverAccounts.ts';
import { toMe } from '../auth/me.ts';
import { agreementOutdated, mobileOrThrow } from '../auth/routes.ts';
import { cookieIsSecure, driverSessionPolicy, requestToken, resolveSession, setSessionCookie, type IssuedSession, type LoginMethod } from '../auth/session.ts';
import { markSmsCodeUsed, verifySmsCode } from '../auth/smsCodes.ts';
import { bindWeChat, findWeChatBinding, mapBindingConflict, wechatIdentityTaken, type WeChatIdentity } from '../auth/wechatBindings.ts';
import type { AppContext } from '../context.ts';
import type { Executor } from '../db/client.ts';
import { AppError } from '../errors.ts';
import type { RateRule } from '../rateLimit/index.ts';
import { WeChatApiError, WeChatErrcode, type WeChatClient } from './client.ts';
import { createTicket, peekTicket, takeTicket, type TicketRow } from './tickets.ts';

/**
 * WeChat login (PRODUCT §2.1 beside SMS login):
 *
 * - In WeChat's browser: GET /auth/wechat/authorize → WeChat's authorize page → GET /auth/wechat/callback.
 *   The `state` is random, single use and also kept in an HTTP-only cookie of this browser, so a callback
 *   link made in another browser (login CSRF) or replayed does nothing. A known WeChat logs in at once; an
 *   unknown one gets a binding ticket (cookie) and binds a phone by SMS code on the login page.
 * - In a mini program: POST /auth/wechat/mini-program with `wx.login`'s code (and optionally the
 *   getPhoneNumber code), then a one-time hand-off URL for the web-view.
 *
 * Sessions follow the SMS login's rules (driverSessionPolicy) and record the method used.
 */

const STATE_COOKIE = 'rto_wechat_state';
const BINDING_COOKIE = 'rto_wechat_binding';
const COOKIE_PATH = '/api/v1/auth/wechat';

const wechatRules: RateRule[] = [
  { name: 'wechat-ip-minute', limit: 30, windowSeconds: 60 },
  { name: 'wechat-ip-day', limit: 500, windowSeconds: 86_400 },
];

const wechatDisabled = () =>
  new AppError(404, 'WECHAT_DISABLED', { zh: '本服务未开通微信登录，请使用手机号验证码登录', en: 'WeChat login is not offered by this service; log in with your phone and an SMS code' });

const bindingExpired = () =>
  new AppError(401, 'WECHAT_BINDING_EXPIRED', { zh: '微信授权已过期，请重新点击“微信授权登录”', en: 'The WeChat authorisation has expired; tap “Log in with WeChat” again' });

const agreementRequired = () =>
  new AppError(422, 'AGREEMENT_REQUIRED', {
    zh: '首次登录需阅读并同意《用户协议》和《隐私政策》',
    en: 'Read and accept the User Agreement and Privacy Policy to log in for the first time',
  }, { current: { ...currentAgreementVersions } });

const phoneUnsupported = () =>
  new AppError(422, 'WECHAT_PHONE_UNSUPPORTED', {
    zh: '微信绑定的手机号不是中国大陆手机号，请使用其他手机号验证码登录',
    en: 'The phone bound to WeChat is not a mainland China mobile number; log in with another phone and an SMS code',
  });

/** WeChat's refusals as the driver should read them. */
export function wechatFailure(error: unknown): AppError {
  const errcode = error instanceof WeChatApiError ? error.errcode : WeChatErrcode.UNREACHABLE;
  switch (errcode) {
    case WeChatErrcode.INVALID_CODE:
      return new AppError(401, 'WECHAT_CODE_INVALID', { zh: '微信授权已失效，请重新授权', en: 'The WeChat authorisation is no longer valid; authorise again' });
    case WeChatErrcode.CODE_USED:
      return new AppError(401, 'WECHAT_CODE_USED', { zh: '该微信授权已使用过，请重新授权', en: 'This WeChat authorisation has already been used; authorise again' });
    case WeChatErrcode.BUSY:
      return new AppError(503, 'WECHAT_BUSY', { zh: '微信服务繁忙，请稍后再试', en: 'WeChat is busy; try again in a moment' }, { retryAfterSeconds: 5 });
    default:
      return new AppError(502, 'WECHAT_UNAVAILABLE', {
        zh: '暂时无法连接微信，请稍后再试，或使用手机号验证码登录',
        en: 'WeChat cannot be reached right now; try again later, or log in with your phone and an SMS code',
      });
  }
}

/**
 * A `redirect` that stays inside this app: a path of printable characters without backslashes (browsers
 * drop tabs and read `\` as `/`, so `/\t/evil.example` would leave), resolved against this origin.
 */
export function safeRedirect(value: string | undefined | null): string {
  if (!value || !value.startsWith('/') || [...value].some((c) => c <= ' ' || c === '\u007f' || c === '\\')) return '/';
  try {
    const url = new URL(value, 'http://app.invalid');
    if (url.origin !== 'http://app.invalid') return '/';
    return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    return '/';
  }
}

function loginPage(query: Record<string, string>): string {
  return `/login?${new URLSearchParams(query).toString()}`;
}

const sameSecret = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

function baseUrl(ctx: AppContext, request: FastifyRequest): string {
  return ctx.config.publicBaseUrl?.replace(/\/+$/, '') ?? `${request.protocol}://${request.host}`;
}

export async function wechatRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const wechat = ctx.wechat;
  const errors = { 400: errorBodySchema, 401: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema, 422: errorBodySchema, 429: errorBodySchema, 502: errorBodySchema, 503: errorBodySchema };

  const cookieOptions = (request: FastifyRequest, expires?: Date) => ({
    httpOnly: true,
    sameSite: 'lax' as const,
    path: COOKIE_PATH,
    secure: cookieIsSecure(ctx, request),
    ...(expires ? { expires } : {}),
  });

  async function limitByIp(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const decision = await ctx.rateLimiter.consume(`wechat:ip:${request.ip}`, wechatRules);
    if (decision.allowed) return;
    const retryAfterSeconds = Math.max(1, Math.ceil(decision.retryAfterSeconds));
    reply.header('retry-after', String(retryAfterSeconds));
    throw new AppError(429, 'WECHAT_TOO_FREQUENT', { zh: '操作过于频繁，请稍后再试', en: 'Too many attempts; try again later' }, { retryAfterSeconds });
  }

  function requireApp(kind: 'web' | 'miniProgram'): WeChatClient {
    if (!wechat?.[kind]) throw wechatDisabled();
    return wechat;
  }

  /** Logs the account in (same rules as SMS login), recording the method. */
  async function logIn(tx: Executor, user: UserRow, method: LoginMethod, now: Date): Promise<IssuedSession> {
    return startDriverSession(tx, user.id, now, method);
  }

  function loginAnswer(session: IssuedSession, user: UserRow, newAccount: boolean) {
    return {
      token: session.token,
      expiresAt: session.absoluteExpiresAt.toISOString(),
      idleExpiresAt: session.idleExpiresAt.toISOString(),
      newAccount,
      user: toMe(user),
    };
  }

  api.get(
    '/auth/wechat',
    { schema: { tags: ['auth'], summary: 'Which WeChat logins this service offers', response: { 200: wechatAvailabilitySchema } } },
    async () => ({ web: Boolean(wechat?.web), miniProgram: Boolean(wechat?.miniProgram) }),
  );

  api.get(
    '/auth/wechat/authorize',
    {
      schema: {
        tags: ['auth'],
        summary: 'Start WeChat web authorisation (in WeChat’s browser)',
        description: 'Redirects to WeChat’s authorize page with a state bound to this browser (cookie). scope=base is silent; scope=userinfo asks for nickname and avatar.',
        querystring: wechatAuthorizeQuerySchema,
        response: { 404: errorBodySchema },
      },
    },
    async (request, reply) => {
      const client = requireApp('web');
      await limitByIp(request, reply);
      const now = ctx.now();
      const scope = request.query.scope === 'userinfo' ? 'snsapi_userinfo' : 'snsapi_base';
      // A logged-in driver starting here binds WeChat to their own account; the state remembers who
      // asked, so a callback can never bind to a session that did not start it.
      const token = requestToken(request, driverSessionPolicy);
      const asking = token ? await resolveSession(ctx.db, driverSessionPolicy, token, now).catch(() => undefined) : undefined;
      const { token: state, expiresAt } = await createTicket(
        ctx.db,
        'oauth_state',
        { scope, redirect: safeRedirect(request.query.redirect), kind: request.query.silent === '1' ? 'web' : null, userId: asking?.subjectId ?? null },
        now,
      );
      reply.setCookie(STATE_COOKIE, state, cookieOptions(request, expiresAt));
      const url = client.authorizeUrl({ redirectUri: `${baseUrl(ctx, request)}/api/v1/auth/wechat/callback`, scope, state });
      return reply.redirect(url, 302);
    },
  );

  api.get(
    '/auth/wechat/callback',
    {
      schema: {
        tags: ['auth'],
        summary: 'WeChat web authorisation callback',
        description: 'WeChat sends the browser here with code and state. Redirects into the app: logged in, to the phone binding, or to the login page with wechat_error=CODE.',
        querystring: wechatCallbackQuerySchema,
      },
    },
    async (request, reply) => {
      const client = requireApp('web');
      await limitByIp(request, reply);
      const now = ctx.now();
      const cookieState = request.cookies?.[STATE_COOKIE];
      reply.clearCookie(STATE_COOKIE, cookieOptions(request));
      const { code, state } = request.query;
      const failTo = (errorCode: string, ticket?: TicketRow) => {
        const target = safeRedirect(ticket?.redirect);
        // An attempt the app made on its own fails quietly: the driver is a guest, as before.
        if (ticket?.kind === 'web') return reply.redirect(target, 302);
        return reply.redirect(loginPage({ wechat_error: errorCode, ...(target !== '/' ? { redirect: target } : {}) }), 302);
      };
      if (!state || !cookieState || !sameSecret(state, cookieState)) {
        request.log.warn({ wechat: { reason: cookieState ? 'state differs' : 'no state cookie' } }, 'WeChat callback refused');
        return failTo('WECHAT_STATE_MISMATCH');
      }
      const ticket = await takeTicket(ctx.db, state, 'oauth_state', now);
      if (!ticket) return failTo('WECHAT_STATE_EXPIRED');
      const silent = ticket.kind === 'web';
      const target = safeRedirect(ticket.redirect);
      if (!code) return failTo('WECHAT_DENIED', ticket);

      let identity: WeChatIdentity;
      try {
        const authorization = await client.exchangeWebCode(code);
        if (authorization.snapshotUser) return failTo('WECHAT_SNAPSHOT', ticket);
        identity = { kind: 'web', appId: client.web!.appId, openid: authorization.openid, unionid: authorization.unionid };
        if (ticket.scope === 'snsapi_userinfo' && authorization.scope.includes('snsapi_userinfo')) {
          try {
            const info = await client.userInfo(authorization.accessToken, authorization.openid);
            identity = { ...identity, unionid: identity.unionid ?? info.unionid, nickname: info.nickname || null, avatarUrl: info.avatarUrl || null };
          } catch (error) {
            // The login works without nickname and avatar.
            request.log.warn({ wechat: { api: 'sns/userinfo', errcode: (error as WeChatApiError).errcode } }, 'WeChat user info not read');
          }
        }
      } catch (error) {
        const failure = wechatFailure(error);
        request.log.warn({ wechat: { api: 'sns/oauth2/access_token', errcode: (error as WeChatApiError).errcode } }, 'WeChat authorisation refused');
        return failTo(failure.code, ticket);
      }

      // A driver already logged in here binds this WeChat to their account (from 账号与安全).
      const token = requestToken(request, driverSessionPolicy);
      const session = token ? await resolveSession(ctx.db, driverSessionPolicy, token, now).catch(() => undefined) : undefined;
      // Only the driver who started this authorisation binds (a session that appeared meanwhile does not).
      if (session && session.subjectId !== ticket.userId) return failTo('WECHAT_STATE_MISMATCH', ticket);
      const current = session;

      try {
        const outcome = await ctx.db.transaction(async (tx) => {
          const binding = await findWeChatBinding(tx, identity, now);
          if (binding && (!current || current.subjectId === binding.userId)) {
            const user = (await loadDriver(tx, binding.userId))!;
            // The texts changed since this driver accepted them: they accept the new ones on the SMS form.
            if (!current && !(await acceptedCurrentAgreements(tx, user.id))) return { kind: 'consent' as const };
            return { kind: 'logged_in' as const, user, session: current ? undefined : await logIn(tx, user, 'wechat_web', now) };
          }
          if (current) {
            if (binding) throw wechatIdentityTaken();
            await bindWeChat(tx, current.subjectId, identity, now);
            return { kind: 'bound' as const };
          }
          if (silent) return { kind: 'guest' as const };
          const pending = await createTicket(
            tx,
            'binding',
            { kind: 'web', appId: identity.appId, openid: identity.openid, unionid: identity.unionid, nickname: identity.nickname ?? null, avatarUrl: identity.avatarUrl ?? null, redirect: target },
            now,
          );
          return { kind: 'binding' as const, pending };
        });
        switch (outcome.kind) {
          case 'logged_in':
            if (outcome.session) {
              request.log.info({ userId: outcome.user.id, method: 'wechat_web' }, 'driver logged in');
              setSessionCookie(ctx, request, reply, driverSessionPolicy, outcome.session);
            }
            return reply.redirect(target, 302);
          case 'bound':
            request.log.info({ userId: current!.subjectId }, 'WeChat bound to a logged-in account');
            return reply.redirect(`${target}${target.includes('?') ? '&' : '?'}wechat=bound`, 302);
          case 'guest':
            return reply.redirect(target, 302);
          case 'consent':
            return failTo('AGREEMENT_OUTDATED', ticket);
          case 'binding':
            reply.setCookie(BINDING_COOKIE, outcome.pending.token, cookieOptions(request, outcome.pending.expiresAt));
            return reply.redirect(loginPage({ wechat: 'bind', ...(target !== '/' ? { redirect: target } : {}) }), 302);
        }
      } catch (error) {
        const mapped = mapBindingConflict(error);
        if (mapped instanceof AppError && mapped.status === 409) return failTo(mapped.code);
        throw mapped;
      }
    },
  );

  api.get(
    '/auth/wechat/pending',
    {
      schema: {
        tags: ['auth'],
        summary: 'The WeChat identity waiting for a phone binding (this browser)',
        response: { 200: pendingWeChatSchema, 401: errorBodySchema, 404: errorBodySchema },
      },
    },
    async (request) => {
      if (!wechat) throw wechatDisabled();
      const ticket = await peekTicket(ctx.db, request.cookies?.[BINDING_COOKIE], 'binding', ctx.now());
      if (!ticket) throw bindingExpired();
      return { kind: ticket.kind ?? 'web', nickname: ticket.nickname, avatarUrl: ticket.avatarUrl, expiresAt: ticket.expiresAt.toISOString() };
    },
  );

  api.post(
    '/auth/wechat/bindings',
    {
      schema: {
        tags: ['auth'],
        summary: 'Bind the pending WeChat identity to a phone (SMS code) and log in',
        description:
          'After a WeChat authorisation that no account has: the phone proved by an SMS code (POST /auth/sms-codes) is logged in — its account created on first login — and the WeChat identity bound to it. The binding ticket comes from the cookie set by the callback, or from bindingTicket (mini program). 409 WECHAT_IDENTITY_TAKEN / WECHAT_ACCOUNT_HAS_OTHER when either side is already bound.',
        body: wechatBindRequestSchema,
        response: { 201: loginResponseSchema, ...errors },
      },
    },
    async (request, reply) => {
      if (!wechat) throw wechatDisabled();
      const phone = mobileOrThrow(request.body.phone);
      const accepted = request.body.agreementVersion;
      if (accepted.userAgreement !== currentAgreementVersions.userAgreement || accepted.privacyPolicy !== currentAgreementVersions.privacyPolicy) throw agreementOutdated();
      const ticketToken = request.body.bindingTicket ?? request.cookies?.[BINDING_COOKIE];
      const now = ctx.now();
      if (!(await peekTicket(ctx.db, ticketToken, 'binding', now))) throw bindingExpired();
      const codeId = await verifySmsCode(ctx, phone, request.body.code);
      const method: LoginMethod = 'sms';
      const result = await ctx.db
        .transaction(async (tx) => {
          const ticket = await takeTicket(tx, ticketToken, 'binding', now);
          if (!ticket) throw bindingExpired();
          await markSmsCodeUsed(tx, codeId, now);
          const { user, newAccount } = await findOrCreateDriverByPhone(tx, phone, now);
          await bindWeChat(
            tx,
            user.id,
            { kind: ticket.kind ?? 'web', appId: ticket.appId!, openid: ticket.openid!, unionid: ticket.unionid, nickname: ticket.nickname, avatarUrl: ticket.avatarUrl },
            now,
          );
          await recordLoginConsents(tx, user.id, now);
          const session = await logIn(tx, user, method, now);
          return { user, newAccount, session, kind: ticket.kind };
        })
        .catch((error: unknown) => {
          throw mapBindingConflict(error);
        });
      request.log.info({ userId: result.user.id, phone: maskPhone(phone), newAccount: result.newAccount, method, wechat: result.kind }, 'driver logged in and bound WeChat');
      reply.clearCookie(BINDING_COOKIE, cookieOptions(request));
      setSessionCookie(ctx, request, reply, driverSessionPolicy, result.session);
      return reply.status(201).send(loginAnswer(result.session, result.user, result.newAccount));
    },
  );

  api.post(
    '/auth/wechat/mini-program',
    {
      schema: {
        tags: ['auth'],
        summary: 'Log in from the mini program (wx.login code, optionally the getPhoneNumber code)',
        description: [
          'For a mini program shell that opens this service in a `<web-view>`.',
          '`code` is the code of `wx.login()`; the server trades it with WeChat (auth.code2Session) for the openid and, when the apps share an Open Platform account, the unionid.',
          'A WeChat already bound to an account logs in: 201 `status: logged_in` with a bearer token and `webViewUrl`, a one-time path (2 minutes) that logs the web-view in with its own session cookie.',
          'An unknown WeChat with `phoneCode` (from `<button open-type="getPhoneNumber">`, the phone bound to WeChat): the server reads that phone (phonenumber.getPhoneNumber with the cached mini program access token), logs its account in — created on first login — and binds the WeChat; `agreementVersion` is then required (consent is recorded as for SMS login).',
          'An unknown WeChat without `phoneCode`: 200 `status: binding_required` with a `bindingTicket` for POST /auth/wechat/bindings (phone + SMS code) and a `webViewUrl` that continues the binding in the web app.',
          'Errors: 401 WECHAT_CODE_INVALID (unknown or expired code), WECHAT_CODE_USED; 409 WECHAT_IDENTITY_TAKEN / WECHAT_ACCOUNT_HAS_OTHER; 422 AGREEMENT_REQUIRED (a first binding, or the texts changed since the driver last accepted them: send `agreementVersion`), AGREEMENT_OUTDATED, WECHAT_PHONE_UNSUPPORTED; 503 WECHAT_BUSY; 502 WECHAT_UNAVAILABLE; 404 WECHAT_DISABLED.',
        ].join('\n\n'),
        body: miniProgramLoginRequestSchema,
        response: { 200: miniProgramLoginResponseSchema, 201: miniProgramLoginResponseSchema, ...errors },
      },
    },
    async (request, reply) => {
      const client = requireApp('miniProgram');
      await limitByIp(request, reply);
      const accepted = request.body.agreementVersion;
      if (accepted && (accepted.userAgreement !== currentAgreementVersions.userAgreement || accepted.privacyPolicy !== currentAgreementVersions.privacyPolicy)) {
        throw agreementOutdated();
      }
      let identity: WeChatIdentity;
      try {
        const session = await client.code2Session(request.body.code);
        identity = { kind: 'mini_program', appId: client.miniProgram!.appId, openid: session.openid, unionid: session.unionid };
      } catch (error) {
        request.log.warn({ wechat: { api: 'sns/jscode2session', errcode: (error as WeChatApiError).errcode } }, 'WeChat mini program login refused');
        throw wechatFailure(error);
      }
      const now = ctx.now();
      const known = await ctx.db.transaction(async (tx) => {
        const binding = await findWeChatBinding(tx, identity, now);
        if (!binding) return undefined;
        const user = (await loadDriver(tx, binding.userId))!;
        if (!(await acceptedCurrentAgreements(tx, user.id))) {
          // The texts changed since this driver accepted them: the mini program shows and sends the current ones.
          if (!accepted) throw agreementRequired();
          await recordLoginConsents(tx, user.id, now);
        }
        const session = await logIn(tx, user, 'wechat_mini_program', now);
        const handOff = await createTicket(tx, 'web_view', { kind: 'mini_program', userId: user.id }, now);
        return { user, session, handOff };
      }).catch((error: unknown) => {
        throw mapBindingConflict(error);
      });
      if (known) {
        request.log.info({ userId: known.user.id, method: 'wechat_mini_program' }, 'driver logged in');
        return reply.status(201).send({ status: 'logged_in', ...loginAnswer(known.session, known.user, false), webViewUrl: webViewPath(known.handOff.token) });
      }

      if (!request.body.phoneCode) {
        const pending = await createTicket(ctx.db, 'binding', { kind: 'mini_program', appId: identity.appId, openid: identity.openid, unionid: identity.unionid }, now);
        return reply.status(200).send({ status: 'binding_required', bindingTicket: pending.token, expiresAt: pending.expiresAt.toISOString() });
      }
      if (!accepted) throw agreementRequired();
      let phone: string | null;
      try {
        const bound = await client.phoneNumber(request.body.phoneCode);
        phone = bound.countryCode === '86' || bound.countryCode === '' ? parseMobile(bound.purePhoneNumber) : null;
      } catch (error) {
        request.log.warn({ wechat: { api: 'wxa/business/getuserphonenumber', errcode: (error as WeChatApiError).errcode } }, 'WeChat phone number not read');
        throw wechatFailure(error);
      }
      if (!phone) throw phoneUnsupported();
      const mobile = phone;
      const created = await ctx.db
        .transaction(async (tx) => {
          const { user, newAccount } = await findOrCreateDriverByPhone(tx, mobile, now);
          await bindWeChat(tx, user.id, identity, now);
          await recordLoginConsents(tx, user.id, now);
          const session = await logIn(tx, user, 'wechat_mini_program', now);
          const handOff = await createTicket(tx, 'web_view', { kind: 'mini_program', userId: user.id }, now);
          return { user, newAccount, session, handOff };
        })
        .catch((error: unknown) => {
          throw mapBindingConflict(error);
        });
      request.log.info({ userId: created.user.id, phone: maskPhone(mobile), newAccount: created.newAccount, method: 'wechat_mini_program' }, 'driver logged in and bound WeChat');
      return reply.status(201).send({ status: 'logged_in', ...loginAnswer(created.session, created.user, created.newAccount), webViewUrl: webViewPath(created.handOff.token) });
    },
  );

  api.get(
    '/auth/wechat/web-view',
    {
      schema: {
        tags: ['auth'],
        summary: 'One-time hand-off into the mini program’s web-view',
        description: 'Opens the web app logged in (a web_view ticket, once, 2 minutes).',
        querystring: webViewQuerySchema,
      },
    },
    async (request, reply) => {
      if (!wechat) throw wechatDisabled();
      const now = ctx.now();
      const handOff = await takeTicket(ctx.db, request.query.ticket, 'web_view', now);
      if (handOff?.userId) {
        const userId = handOff.userId;
        const session = await ctx.db.transaction((tx) => startDriverSession(tx, userId, now, 'wechat_mini_program'));
        setSessionCookie(ctx, request, reply, driverSessionPolicy, session);
        return reply.redirect('/', 302);
      }
      // Never a binding ticket: a link that sets one in another browser would bind the sender's WeChat
      // to whoever then enters their phone and code. The mini program binds with bindingTicket itself.
      return reply.redirect(loginPage({ wechat_error: 'WECHAT_BINDING_EXPIRED' }), 302);
    },
  );
}

const webViewPath = (ticket: string) => `/api/v1/auth/wechat/web-view?ticket=${encodeURIComponent(ticket)}`;
