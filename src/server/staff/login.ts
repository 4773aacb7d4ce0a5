import { and, eq, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type { StaffLoginRequest } from '../../contract/staff.ts';
import { createSession, endSession, type IssuedSession } from '../auth/session.ts';
import { staffSessionPolicy } from '../auth/session.ts';
import type { AppContext } from '../context.ts';
import { staff } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import type { RateRule } from '../rateLimit/index.ts';
import { SEALED } from '../secrets/secretBox.ts';
import { writeAudit } from '../audit/log.ts';
import { hashPassword, passwordMatches } from './passwords.ts';
import type { StaffPrincipal } from './principal.ts';
import { matchingTotpStep, newTotpEnrolment, type TotpEnrolment } from './totp.ts';

/**
 * Staff login: password (argon2id) and a TOTP code, both required. Every wrong password or code counts;
 * the 5th failure in a row locks the account for 15 minutes. The answer never says which factor was
 * wrong, nor whether the username exists (unknown names are throttled the same way through the rate
 * limiter, and still pay for a password hash).
 */
export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MS = 15 * 60_000;

type StaffRow = typeof staff.$inferSelect;

export const loginFailed = () =>
  new AppError(401, 'STAFF_LOGIN_FAILED', { zh: '用户名、密码或动态验证码不正确', en: 'The username, password or authenticator code is not correct' });

export function staffLocked(until: Date, now: Date): AppError {
  const retryAfterSeconds = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
  const minutes = Math.ceil(retryAfterSeconds / 60);
  return new AppError(
    429,
    'STAFF_LOCKED',
    { zh: `登录失败次数过多，账号已锁定，请${minutes}分钟后再试`, en: `Too many failed logins; the account is locked. Try again in ${minutes} minute(s)` },
    { retryAfterSeconds, lockedUntil: until.toISOString() },
  );
}

export const staffLoginBusy = () =>
  new AppError(
    429,
    'STAFF_LOGIN_BUSY',
    { zh: '该账号正在进行其他登录尝试，请稍等几秒后再试', en: 'Other login attempts for this account are in progress; wait a few seconds and try again' },
    { retryAfterSeconds: 3 },
  );

const unknownUserRule: RateRule = { name: 'staff-login-unknown', limit: MAX_FAILED_LOGINS - 1, windowSeconds: LOCKOUT_MS / 1000 };

// A real hash to verify against when the username is unknown, so both paths take as long.
let decoyHash: Promise<string> | undefined;
const decoy = () => (decoyHash ??= hashPassword('decoy-password-for-timing'));

export interface StaffLoginResult {
  session: IssuedSession;
  member: StaffRow;
}

export async function loginStaff(ctx: AppContext, input: StaffLoginRequest, ip: string): Promise<StaffLoginResult> {
  const now = ctx.now();
  const username = input.username.trim();
  const [member] = await ctx.db.select().from(staff).where(eq(staff.username, username));

  if (!member || member.disabledAt) {
    await passwordMatches(await decoy(), input.password);
    const decision = await ctx.rateLimiter.consume(`staff-login:${username.toLowerCase()}`, [unknownUserRule]);
    if (!decision.allowed) throw staffLocked(new Date(now.getTime() + decision.retryAfterSeconds * 1000), now);
    throw loginFailed();
  }

  const auditWho = { id: member.id, username: member.username, role: member.role, provinceCode: member.provinceCode };
  const notLocked = or(isNull(staff.lockedUntil), lte(staff.lockedUntil, now));
  // An attempt is claimed before the password is evaluated, in one update: however many arrive at once,
  // at most MAX_FAILED_LOGINS are evaluated before the lock, and none while it is set.
  const [claim] = await ctx.db
    .update(staff)
    .set({ failedLogins: sql`${staff.failedLogins} + 1` })
    .where(and(eq(staff.id, member.id), notLocked, lt(staff.failedLogins, MAX_FAILED_LOGINS)))
    .returning({ failedLogins: staff.failedLogins });
  if (!claim) {
    await writeAudit(ctx.db, auditWho, ip, { event: 'login_failed', targetKind: 'staff', targetId: member.id, details: { reason: 'locked' } }, now);
    const [current] = await ctx.db.select({ lockedUntil: staff.lockedUntil }).from(staff).where(eq(staff.id, member.id));
    if (current?.lockedUntil && current.lockedUntil > now) throw staffLocked(current.lockedUntil, now);
    // Not locked, but attempts in flight hold every slot: this one is not evaluated; try again shortly.
    throw staffLoginBusy();
  }

  const passwordOk = await passwordMatches(member.passwordHash, input.password);
  const step = matchingTotpStep(ctx.secrets.open(SEALED.totpSecret, member.totpSecret), input.totp, now);

  if (passwordOk && step !== null) {
    // The step is claimed only if nobody claimed it (or a later one) meanwhile, so a code works once; and
    // only while no lock was set meanwhile by attempts that were in flight with this one.
    const [claimed] = await ctx.db
      .update(staff)
      .set({ totpLastCounter: step, failedLogins: 0, lockedUntil: null })
      .where(and(eq(staff.id, member.id), notLocked, or(isNull(staff.totpLastCounter), lt(staff.totpLastCounter, step))))
      .returning({ id: staff.id });
    if (claimed) {
      const session = await createSession(ctx.db, staffSessionPolicy, member.id, now);
      await writeAudit(ctx.db, auditWho, ip, { event: 'login', targetKind: 'staff', targetId: member.id }, now);
      return { session, member };
    }
    const [current] = await ctx.db.select({ lockedUntil: staff.lockedUntil }).from(staff).where(eq(staff.id, member.id));
    if (current?.lockedUntil && current.lockedUntil > now) {
      await writeAudit(ctx.db, auditWho, ip, { event: 'login_failed', targetKind: 'staff', targetId: member.id, details: { reason: 'locked' } }, now);
      throw staffLocked(current.lockedUntil, now);
    }
    // The right password with a code already used (a double click, a resent form): refused, but it is
    // no guess, so it gives its attempt back instead of counting towards the lock.
    await ctx.db
      .update(staff)
      .set({ failedLogins: sql`greatest(${staff.failedLogins} - 1, 0)` })
      .where(eq(staff.id, member.id));
    await writeAudit(ctx.db, auditWho, ip, { event: 'login_failed', targetKind: 'staff', targetId: member.id, details: { reason: 'totp_reused' } }, now);
    throw loginFailed();
  }

  // The audit may say which factor failed; the answer does not. The claimed attempt stays counted; the
  // one that reached the limit sets the lock and starts the count again for after it.
  const reason = !passwordOk ? 'password' : 'totp';
  let lockedUntil: Date | null = null;
  if (claim.failedLogins >= MAX_FAILED_LOGINS) {
    lockedUntil = new Date(now.getTime() + LOCKOUT_MS);
    await ctx.db.update(staff).set({ failedLogins: 0, lockedUntil }).where(eq(staff.id, member.id));
  }
  await writeAudit(ctx.db, auditWho, ip, { event: 'login_failed', targetKind: 'staff', targetId: member.id, details: { reason, ...(lockedUntil ? { locked: true } : {}) } }, now);
  if (lockedUntil) throw staffLocked(lockedUntil, now);
  throw loginFailed();
}

export async function logoutStaff(ctx: AppContext, who: StaffPrincipal, ip: string): Promise<void> {
  const now = ctx.now();
  await endSession(ctx.db, who.sessionId, now);
  await writeAudit(ctx.db, who, ip, { event: 'logout', targetKind: 'staff', targetId: who.id }, now);
}

/** Starts (or restarts) enrolment of a new authenticator; the current secret keeps working until confirmed. */
export async function startTotpEnrolment(ctx: AppContext, who: StaffPrincipal): Promise<TotpEnrolment> {
  const enrolment = await newTotpEnrolment(who.username);
  await ctx.db.update(staff).set({ totpPendingSecret: ctx.secrets.seal(SEALED.totpPendingSecret, enrolment.secret) }).where(eq(staff.id, who.id));
  return enrolment;
}

export async function confirmTotpEnrolment(ctx: AppContext, who: StaffPrincipal, code: string, ip: string): Promise<void> {
  const now = ctx.now();
  await ctx.db.transaction(async (tx) => {
    const [member] = await tx.select().from(staff).where(eq(staff.id, who.id)).for('update');
    if (!member?.totpPendingSecret) {
      throw new AppError(409, 'TOTP_NO_PENDING_ENROLMENT', { zh: '请先生成新的动态验证码密钥', en: 'Start an enrolment first' });
    }
    const pendingSecret = ctx.secrets.open(SEALED.totpPendingSecret, member.totpPendingSecret);
    const step = matchingTotpStep(pendingSecret, code, now);
    if (step === null) {
      throw new AppError(400, 'TOTP_CODE_INVALID', { zh: '动态验证码不正确，请核对手机上的验证器', en: 'The code is not correct; check the authenticator app' });
    }
    await tx.update(staff).set({ totpSecret: ctx.secrets.seal(SEALED.totpSecret, pendingSecret), totpPendingSecret: null, totpLastCounter: step }).where(eq(staff.id, who.id));
    await writeAudit(tx, who, ip, { event: 'totp_enrolled', targetKind: 'staff', targetId: who.id }, now);
  });
}
