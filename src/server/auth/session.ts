import { createHash, randomBytes } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import type { Executor } from '../db/client.ts';
import { sessions, users } from '../db/schema.ts';
import { AppError } from '../errors.ts';

/**
 * Login sessions of drivers and staff. The client holds an opaque random token (256 bits); the server
 * keeps only its SHA-256, so a copy of the table cannot be replayed. A session ends on logout, after
 * `idleMs` without a request, or `absoluteMs` after login, whichever comes first (OWASP ASVS L2).
 */

export type SubjectKind = 'driver' | 'staff';

export interface SessionPolicy {
  subjectKind: SubjectKind;
  idleMs: number;
  absoluteMs: number;
  cookieName: string;
  /** Path the cookie is sent to. */
  cookiePath: string;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export const driverSessionPolicy: SessionPolicy = { subjectKind: 'driver', idleMs: 30 * MINUTE, absoluteMs: 12 * HOUR, cookieName: 'rto_session', cookiePath: '/' };
export const staffSessionPolicy: SessionPolicy = { subjectKind: 'staff', idleMs: 15 * MINUTE, absoluteMs: 8 * HOUR, cookieName: 'rto_staff_session', cookiePath: '/' };

/** Activity refreshes the idle expiry at most this often, so busy clients do not write on every request. */
export const SLIDE_THROTTLE_MS = MINUTE;

export interface IssuedSession {
  sessionId: string;
  token: string;
  idleExpiresAt: Date;
  absoluteExpiresAt: Date;
}

export interface ResolvedSession {
  sessionId: string;
  subjectId: string;
  idleExpiresAt: Date;
  absoluteExpiresAt: Date;
}

export const hashToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

export const unauthenticated = () =>
  new AppError(401, 'UNAUTHENTICATED', { zh: '请先登录', en: 'Please log in first' });

export const sessionExpired = () =>
  new AppError(401, 'SESSION_EXPIRED', { zh: '登录已过期，请重新登录', en: 'Your login has expired; please log in again' });

/** How a driver proved who they are when a session began (the account page lists it). */
export type LoginMethod = 'sms' | 'wechat_web' | 'wechat_mini_program';

export async function createSession(db: Executor, policy: SessionPolicy, subjectId: string, now: Date, loginMethod?: LoginMethod): Promise<IssuedSession> {
  const token = randomBytes(32).toString('base64url');
  const absoluteExpiresAt = new Date(now.getTime() + policy.absoluteMs);
  const idleExpiresAt = new Date(Math.min(now.getTime() + policy.idleMs, absoluteExpiresAt.getTime()));
  const [row] = await db
    .insert(sessions)
    .values({ tokenHash: hashToken(token), subjectKind: policy.subjectKind, subjectId, createdAt: now, lastSeenAt: now, idleExpiresAt, absoluteExpiresAt, loginMethod: loginMethod ?? null })
    .returning({ id: sessions.id });
  return { sessionId: row!.id, token, idleExpiresAt, absoluteExpiresAt };
}

/** The token a request carries: `Authorization: Bearer` first (API clients), else the policy's cookie. */
export function requestToken(request: FastifyRequest, policy: SessionPolicy): string | undefined {
  const header = request.headers.authorization;
  if (header) {
    const match = /^Bearer\s+([A-Za-z0-9_-]{16,128})\s*$/i.exec(header);
    return match?.[1];
  }
  const cookie = request.cookies?.[policy.cookieName];
  return cookie && /^[A-Za-z0-9_-]{16,128}$/.test(cookie) ? cookie : undefined;
}

/**
 * The live session behind `token`, its idle expiry slid forward (at most one write a minute).
 * Throws UNAUTHENTICATED for an unknown or ended session, SESSION_EXPIRED for one that timed out.
 */
export async function resolveSession(db: Executor, policy: SessionPolicy, token: string, now: Date): Promise<ResolvedSession> {
  const [row] = await db
    .select()
    .from(sessions)
    .where(and(eq(sessions.tokenHash, hashToken(token)), eq(sessions.subjectKind, policy.subjectKind)));
  if (!row || row.endedAt) throw unauthenticated();
  if (now >= row.absoluteExpiresAt || now >= row.idleExpiresAt) throw sessionExpired();
  let idleExpiresAt = row.idleExpiresAt;
  if (now.getTime() - row.lastSeenAt.getTime() >= SLIDE_THROTTLE_MS) {
    idleExpiresAt = new Date(Math.min(now.getTime() + policy.idleMs, row.absoluteExpiresAt.getTime()));
    await db.update(sessions).set({ lastSeenAt: now, idleExpiresAt }).where(eq(sessions.id, row.id));
  }
  return { sessionId: row.id, subjectId: row.subjectId, idleExpiresAt, absoluteExpiresAt: row.absoluteExpiresAt };
}

/** Ends a session for good (logout); ending an ended one changes nothing. */
export async function endSession(db: Executor, sessionId: string, now: Date): Promise<void> {
  await db.update(sessions).set({ endedAt: now }).where(and(eq(sessions.id, sessionId), isNull(sessions.endedAt)));
}

/** Ends every open session of a subject (e.g. after an account is locked). */
export async function endSubjectSessions(db: Executor, policy: SessionPolicy, subjectId: string, now: Date): Promise<void> {
  await db
    .update(sessions)
    .set({ endedAt: now })
    .where(and(eq(sessions.subjectKind, policy.subjectKind), eq(sessions.subjectId, subjectId), isNull(sessions.endedAt)));
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/**
 * Cookies are Secure except for a browser talking to this machine directly (development over plain
 * http), or when PUBLIC_BASE_URL says the service is deliberately served over http.
 */
export function cookieIsSecure(ctx: AppContext, request: FastifyRequest): boolean {
  if (ctx.config.publicBaseUrl?.startsWith('http://')) return false;
  return !LOCAL_HOSTS.has(request.hostname.toLowerCase());
}

export function setSessionCookie(ctx: AppContext, request: FastifyRequest, reply: FastifyReply, policy: SessionPolicy, session: IssuedSession): void {
  reply.setCookie(policy.cookieName, session.token, {
    httpOnly: true,
    sameSite: 'lax',
    path: policy.cookiePath,
    secure: cookieIsSecure(ctx, request),
    expires: session.absoluteExpiresAt,
  });
}

export function clearSessionCookie(ctx: AppContext, request: FastifyRequest, reply: FastifyReply, policy: SessionPolicy): void {
  reply.clearCookie(policy.cookieName, { httpOnly: true, sameSite: 'lax', path: policy.cookiePath, secure: cookieIsSecure(ctx, request) });
}

/** Who is calling, set by `requireDriver`. */
export interface DriverPrincipal {
  userId: string;
  sessionId: string;
  verified: boolean;
  /** Province of the verified ID number, null before real-name verification. */
  provinceCode: string | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    driver?: DriverPrincipal;
  }
}

/** The driver of a request that passed `requireDriver`. */
export function driverOf(request: FastifyRequest): DriverPrincipal {
  if (!request.driver) throw unauthenticated();
  return request.driver;
}

export const realNameRequired = () =>
  new AppError(403, 'REAL_NAME_REQUIRED', { zh: '请先完成实名认证', en: 'Please complete real-name verification first' });

/**
 * A route hook; use it as `onRequest` so callers without a session get 401 before their input is
 * validated (it also works as `preHandler`).
 */
export type AuthHook = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/**
 * Hook for driver routes: resolves the bearer token or session cookie, slides the idle expiry,
 * and sets `request.driver`. 401 UNAUTHENTICATED / SESSION_EXPIRED otherwise (the stale cookie is cleared).
 */
export function requireDriver(ctx: AppContext): AuthHook {
  return async function requireDriverHook(request, reply) {
    const token = requestToken(request, driverSessionPolicy);
    if (!token) throw unauthenticated();
    let session: ResolvedSession;
    try {
      session = await resolveSession(ctx.db, driverSessionPolicy, token, ctx.now());
    } catch (error) {
      if (request.cookies?.[driverSessionPolicy.cookieName]) clearSessionCookie(ctx, request, reply, driverSessionPolicy);
      throw error;
    }
    const [user] = await ctx.db
      .select({ id: users.id, verifiedAt: users.verifiedAt, provinceCode: users.provinceCode })
      .from(users)
      .where(eq(users.id, session.subjectId));
    if (!user) throw unauthenticated();
    request.driver = { userId: user.id, sessionId: session.sessionId, verified: user.verifiedAt !== null, provinceCode: user.provinceCode };
  };
}

/** As `requireDriver`, and 403 REAL_NAME_REQUIRED unless the driver has verified their real name. */
export function requireVerifiedDriver(ctx: AppContext): AuthHook {
  const authenticate = requireDriver(ctx);
  return async function requireVerifiedDriverHook(request, reply) {
    await authenticate(request, reply);
    if (!driverOf(request).verified) throw realNameRequired();
  };
}
