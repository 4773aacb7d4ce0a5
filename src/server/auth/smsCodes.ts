import { randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { and, desc, eq, gt, isNull, lt, sql } from 'drizzle-orm';
import type { Localized } from '../../domain/errors.ts';
import { maskPhone } from '../../domain/phone.ts';
import type { AppContext } from '../context.ts';
import type { Executor } from '../db/client.ts';
import { smsCodes } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import type { RateDecision, RateRule } from '../rateLimit/index.ts';
import { blindIndex, matchesBlindIndex } from '../secrets/blindIndex.ts';
import type { SecretBox } from '../secrets/secretBox.ts';
import { SmsSendError, smsSendFailed } from '../sms/index.ts';

/**
 * One-time SMS login codes (PRODUCT §2.1): 6 digits, valid 5 minutes, single use, at most 5 wrong
 * tries; a new code replaces older unused ones. Only a hash is stored.
 *
 * Hash: HMAC-SHA256 keyed from the data key (RTO_DATA_KEY, shared by every instance) over the purpose,
 * the phone, the row's random id and the code. Binding phone, purpose and row id means a hash is only
 * good for that one row; the key means a copy of the table alone cannot be brute-forced for its codes
 * (a 6-digit code has only 10⁶ values, so an unkeyed hash could be). A code also lives 5 minutes and
 * dies after 5 wrong tries.
 */

export type SmsCodePurpose = 'login';

export const SMS_CODE_TTL_SECONDS = 300;
export const SMS_RESEND_AFTER_SECONDS = 60;
export const SMS_CODE_MAX_ATTEMPTS = 5;

export const smsPhoneRules: RateRule[] = [
  { name: 'sms-phone-minute', limit: 1, windowSeconds: 60 },
  { name: 'sms-phone-hour', limit: 5, windowSeconds: 3600 },
  { name: 'sms-phone-day', limit: 10, windowSeconds: 86_400 },
];

export const smsIpRules: RateRule[] = [
  { name: 'sms-ip-minute', limit: 10, windowSeconds: 60 },
  { name: 'sms-ip-day', limit: 30, windowSeconds: 86_400 },
];

const phoneKey = (phone: string, purpose: SmsCodePurpose) => `sms:${purpose}:phone:${phone}`;
const ipKey = (ip: string) => `sms:ip:${ip}`;

export function hashSmsCode(secrets: Pick<SecretBox, 'mac'>, id: string, phone: string, purpose: SmsCodePurpose, code: string): string {
  return secrets.mac('sms_codes.code_hash', `${purpose}\u0000${phone}\u0000${id}\u0000${code}`);
}

const refusals: Record<string, { code: string; messages: (seconds: number) => Localized }> = {
  'sms-phone-minute': {
    code: 'SMS_TOO_FREQUENT',
    messages: (s) => ({ zh: `验证码发送过于频繁，请${s}秒后再试`, en: `A code was sent just now; try again in ${s} seconds` }),
  },
  'sms-phone-hour': {
    code: 'SMS_HOURLY_LIMIT',
    messages: (s) => ({ zh: `该手机号一小时内获取验证码次数已达上限，请${minutes(s)}分钟后再试`, en: `Too many codes for this phone in the last hour; try again in ${minutes(s)} minutes` }),
  },
  'sms-phone-day': {
    code: 'SMS_DAILY_LIMIT',
    messages: () => ({ zh: '该手机号今日获取验证码次数已达上限，请明天再试', en: 'This phone has had too many codes today; try again tomorrow' }),
  },
  'sms-ip-minute': {
    code: 'SMS_IP_LIMIT',
    messages: (s) => ({ zh: `当前网络请求验证码过于频繁，请${s}秒后再试`, en: `Too many code requests from your network; try again in ${s} seconds` }),
  },
  'sms-ip-day': {
    code: 'SMS_IP_DAILY_LIMIT',
    messages: () => ({ zh: '当前网络今日请求验证码次数已达上限，请明天再试', en: 'Too many code requests from your network today; try again tomorrow' }),
  },
};

function minutes(seconds: number): number {
  return Math.max(1, Math.ceil(seconds / 60));
}

/** 429 with the rule's code; the route copies `retryAfterSeconds` into a Retry-After header. */
export function rateRefusal(decision: RateDecision): AppError {
  const retryAfterSeconds = Math.max(1, Math.ceil(decision.retryAfterSeconds));
  const known = decision.rule ? refusals[decision.rule] : undefined;
  return new AppError(
    429,
    known?.code ?? 'SMS_TOO_FREQUENT',
    known?.messages(retryAfterSeconds) ?? { zh: '操作过于频繁，请稍后再试', en: 'Too many requests; try again later' },
    { retryAfterSeconds },
  );
}

/**
 * Sends a new code to `phone` unless a limit refuses. The slots are reserved atomically before sending
 * (per phone, then per network), so concurrent requests — on any number of instances — cannot send
 * more than the limits allow; a provider failure (502 SMS_SEND_FAILED) gives the slots back, so it
 * costs the driver no quota. The answer is the same whether or not the phone has an account.
 */
export async function issueSmsCode(ctx: AppContext, phone: string, ip: string, purpose: SmsCodePurpose = 'login'): Promise<void> {
  const byPhone = await ctx.rateLimiter.consume(phoneKey(phone, purpose), smsPhoneRules);
  if (!byPhone.allowed) throw rateRefusal(byPhone);
  const releasePhone = () => ctx.rateLimiter.release(phoneKey(phone, purpose), smsPhoneRules, byPhone.reservation!);
  let byIp: RateDecision;
  try {
    byIp = await ctx.rateLimiter.consume(ipKey(ip), smsIpRules);
  } catch (error) {
    await releasePhone().catch(() => undefined);
    throw error;
  }
  if (!byIp.allowed) {
    await releasePhone();
    throw rateRefusal(byIp);
  }
  const releaseBoth = () =>
    Promise.all([releasePhone(), ctx.rateLimiter.release(ipKey(ip), smsIpRules, byIp.reservation!)]).catch((error: unknown) => {
      ctx.logger.warn({ err: { type: (error as Error).name } }, 'could not give back an SMS rate-limit slot');
    });

  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  try {
    await ctx.sms.send({ phone, template: 'login_code', params: { code } });
  } catch (error) {
    await releaseBoth();
    if (error instanceof SmsSendError) {
      ctx.logger.warn({ sms: { provider: error.provider, providerCode: error.providerCode, phone: maskPhone(phone) } }, 'SMS provider refused a login code');
      throw smsSendFailed(error);
    }
    throw error;
  }

  const now = ctx.now();
  const id = randomUUID();
  await ctx.db.transaction(async (tx) => {
    // Older unused codes die: only the newest code sent can log in.
    await tx
      .update(smsCodes)
      .set({ expiresAt: now })
      .where(and(smsCodePhoneIs(phone), eq(smsCodes.purpose, purpose), isNull(smsCodes.consumedAt), gt(smsCodes.expiresAt, now)));
    await tx.insert(smsCodes).values({
      id,
      phone,
      phoneIndex: blindIndex('phone', phone),
      purpose,
      codeHash: hashSmsCode(ctx.secrets, id, phone, purpose, code),
      createdAt: now,
      expiresAt: new Date(now.getTime() + SMS_CODE_TTL_SECONDS * 1000),
    });
  });
  ctx.logger.info({ sms: { phone: maskPhone(phone), purpose } }, 'login code sent');
}

/** `sms_codes.phone = phone`, through the blind index (the phone is sealed). */
const smsCodePhoneIs = (phone: string) => matchesBlindIndex(smsCodes.phoneIndex, 'phone', phone);

const codeError = (code: string, zh: string, en: string, details?: Record<string, unknown>) => new AppError(401, code, { zh, en }, details);

export const smsCodeMissing = () => codeError('SMS_CODE_MISSING', '请先获取验证码', 'Ask for a code first');
export const smsCodeUsed = () => codeError('SMS_CODE_USED', '验证码已使用，请重新获取', 'This code has already been used; ask for a new one');
export const smsCodeExpired = () => codeError('SMS_CODE_EXPIRED', '验证码已过期，请重新获取', 'The code has expired; ask for a new one');
export const smsCodeExhausted = () =>
  codeError('SMS_CODE_EXHAUSTED', '验证码错误次数过多，已失效，请重新获取', 'Too many wrong tries; this code no longer works. Ask for a new one', { remainingAttempts: 0 });
export const smsCodeInvalid = (remainingAttempts: number) =>
  codeError('SMS_CODE_INVALID', `验证码错误，还可尝试${remainingAttempts}次`, `Wrong code; ${remainingAttempts} ${remainingAttempts === 1 ? 'try' : 'tries'} left`, { remainingAttempts });

/**
 * Checks `code` against the newest code of `phone` and returns that code's id for `markSmsCodeUsed`.
 * A wrong code counts a try at once (it must count even if the login fails later).
 */
export async function verifySmsCode(ctx: AppContext, phone: string, code: string, purpose: SmsCodePurpose = 'login'): Promise<string> {
  const now = ctx.now();
  const [row] = await ctx.db
    .select()
    .from(smsCodes)
    .where(and(smsCodePhoneIs(phone), eq(smsCodes.purpose, purpose)))
    .orderBy(desc(smsCodes.createdAt))
    .limit(1);
  if (!row) throw smsCodeMissing();
  if (row.consumedAt) throw smsCodeUsed();
  if (row.failedAttempts >= SMS_CODE_MAX_ATTEMPTS) throw smsCodeExhausted();
  if (now >= row.expiresAt) throw smsCodeExpired();

  const expected = Buffer.from(row.codeHash, 'hex');
  const actual = Buffer.from(hashSmsCode(ctx.secrets, row.id, phone, purpose, /^\d{6}$/.test(code) ? code : '-'), 'hex');
  if (!timingSafeEqual(expected, actual)) {
    const [counted] = await ctx.db
      .update(smsCodes)
      .set({ failedAttempts: sql`${smsCodes.failedAttempts} + 1` })
      .where(and(eq(smsCodes.id, row.id), lt(smsCodes.failedAttempts, SMS_CODE_MAX_ATTEMPTS)))
      .returning({ failedAttempts: smsCodes.failedAttempts });
    const remaining = SMS_CODE_MAX_ATTEMPTS - (counted?.failedAttempts ?? SMS_CODE_MAX_ATTEMPTS);
    ctx.logger.info({ sms: { phone: maskPhone(phone), remaining } }, 'wrong login code');
    throw remaining > 0 ? smsCodeInvalid(remaining) : smsCodeExhausted();
  }
  return row.id;
}

/**
 * Uses up a verified code inside the login transaction (a failed login leaves it usable). Single use
 * even when two logins race with the same code: only one update matches.
 */
export async function markSmsCodeUsed(tx: Executor, codeId: string, now: Date): Promise<void> {
  const [used] = await tx
    .update(smsCodes)
    .set({ consumedAt: now })
    .where(and(eq(smsCodes.id, codeId), isNull(smsCodes.consumedAt), lt(smsCodes.failedAttempts, SMS_CODE_MAX_ATTEMPTS)))
    .returning({ id: smsCodes.id });
  if (!used) throw smsCodeUsed();
}
