import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentAgreementVersions } from '../../src/server/auth/agreements.ts';
import { markSmsCodeUsed } from '../../src/server/auth/smsCodes.ts';
import { consents, smsCodes, users } from '../../src/server/db/schema.ts';
import { MemoryRateLimiter } from '../../src/server/rateLimit/index.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { lastCodeFor, loginDriver } from '../helpers/driverLogin.ts';
import { raceRounds } from '../helpers/races.ts';
import { userPhoneIs } from '../../src/server/auth/accounts.ts';
import { matchesBlindIndex } from '../../src/server/secrets/blindIndex.ts';

const MINUTE = 60_000;

let t: TestApp;
let phoneSeq = 0;
let ipSeq = 0;
/** A phone no other test touches, so rate limits of one test never leak into another. */
const freshPhone = () => `139${String(10_000_000 + ++phoneSeq).slice(-8)}`;
const freshIp = () => `192.0.2.${++ipSeq}`;

beforeAll(async () => {
  // The limiter reads the same clock as the app, so moving the clock moves the rate windows too.
  t = await createTestApp({ adapters: { rateLimiter: new MemoryRateLimiter({ now: () => t.clock.now().getTime() }) } });
});
afterAll(async () => {
  await t?.close();
});

const requestCode = (phone: string, remoteAddress = freshIp(), headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url: '/api/v1/auth/sms-codes', payload: { phone }, remoteAddress, headers });

const login = (phone: string, code: string, agreementVersion: object = currentAgreementVersions, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url: '/api/v1/auth/sessions', payload: { phone, code, agreementVersion }, remoteAddress: freshIp(), headers });

const wrongCodeFor = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

describe('agreements', () => {
  it('publishes the current User Agreement and Privacy Policy with versions, in Chinese and English', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/auth/agreements' });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.userAgreement.version).toBe(currentAgreementVersions.userAgreement);
    expect(body.privacyPolicy.version).toBe(currentAgreementVersions.privacyPolicy);
    expect(body.userAgreement.title.zh).toContain('用户');
    const policyText = JSON.stringify(body.privacyPolicy.sections);
    for (const word of ['手机号码', '身份证', '保存', '删除']) expect(policyText).toContain(word);
    expect(body.privacyPolicy.sections[0].paragraphs[0].en.length).toBeGreaterThan(20);
  });
});

describe('API description', () => {
  it('documents the account, identity and certificate paths', async () => {
    const spec = (await t.app.inject({ method: 'GET', url: '/api/docs/json' })).json() as { paths: Record<string, unknown> };
    for (const path of ['/api/v1/auth/sms-codes', '/api/v1/auth/sessions', '/api/v1/me', '/api/v1/identity/id-card-ocr', '/api/v1/identity/verification', '/api/v1/me/certificates', '/api/v1/me/certificates/{id}/verification-requests']) {
      expect(Object.keys(spec.paths)).toContain(path);
    }
  });
});

describe('asking for an SMS code', () => {
  it('answers 202 with the resend and expiry times and sends a 6-digit code that is stored only as a hash', async () => {
    const phone = freshPhone();
    const response = await requestCode(phone);
    expect(response.statusCode).toBe(202);
    expect(response.json()).toEqual({ resendAfterSeconds: 60, expiresInSeconds: 300 });
    const code = await lastCodeFor(t.app, phone);
    expect(code).toMatch(/^\d{6}$/);
    const rows = await t.database.db.select().from(smsCodes).where(matchesBlindIndex(smsCodes.phoneIndex, 'phone', phone));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.codeHash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0]!.codeHash).not.toContain(code);
    expect(rows[0]!.expiresAt.getTime() - rows[0]!.createdAt.getTime()).toBe(5 * MINUTE);
  });

  it('refuses a number that is not a mainland mobile with PHONE_INVALID in the user language', async () => {
    for (const phone of ['12345', '12800000001', '1380000000a', '+1 415 555 0100']) {
      const response = await requestCode(phone, freshIp(), { 'accept-language': 'en' });
      expect(response.statusCode).toBe(400);
      expect(response.json().error.code).toBe('PHONE_INVALID');
      expect(response.json().error.message).toMatch(/mobile number/);
    }
    const zh = await requestCode('10086');
    expect(zh.json().error.message).toMatch(/手机号码/);
  });

  it('accepts common ways of writing a number (+86, spaces, dashes)', async () => {
    const response = await requestCode('+86 139-8888-0001');
    expect(response.statusCode).toBe(202);
    expect(await lastCodeFor(t.app, '13988880001')).toMatch(/^\d{6}$/);
  });

  it('answers identically whether or not the phone has an account', async () => {
    const registered = await requestCode('13800000002');
    const unregistered = await requestCode('13987654321');
    expect(registered.statusCode).toBe(unregistered.statusCode);
    expect(registered.body).toBe(unregistered.body);
    const again = [await requestCode('13800000002'), await requestCode('13987654321')];
    expect(again[0]!.statusCode).toBe(429);
    expect(again[0]!.statusCode).toBe(again[1]!.statusCode);
    expect(again[0]!.json().error.code).toBe(again[1]!.json().error.code);
  });

  it('allows a new code only after 60 seconds, and says when with Retry-After', async () => {
    const phone = freshPhone();
    expect((await requestCode(phone)).statusCode).toBe(202);
    t.clock.advance(30_000);
    const early = await requestCode(phone);
    expect(early.statusCode).toBe(429);
    expect(early.json().error.code).toBe('SMS_TOO_FREQUENT');
    expect(early.json().error.details.retryAfterSeconds).toBe(30);
    expect(early.headers['retry-after']).toBe('30');
    t.clock.advance(31_000);
    expect((await requestCode(phone)).statusCode).toBe(202);
  });

  it('caps a phone at 5 codes an hour and 10 a day', async () => {
    const phone = freshPhone();
    for (let i = 0; i < 5; i++) {
      expect((await requestCode(phone)).statusCode).toBe(202);
      t.clock.advance(61_000);
    }
    const hourly = await requestCode(phone);
    expect(hourly.statusCode).toBe(429);
    expect(hourly.json().error.code).toBe('SMS_HOURLY_LIMIT');
    t.clock.advance(60 * MINUTE);
    for (let i = 0; i < 5; i++) {
      expect((await requestCode(phone)).statusCode).toBe(202);
      t.clock.advance(61_000);
    }
    t.clock.advance(60 * MINUTE);
    const daily = await requestCode(phone);
    expect(daily.statusCode).toBe(429);
    expect(daily.json().error.code).toBe('SMS_DAILY_LIMIT');
    expect(daily.json().error.details.retryAfterSeconds).toBeGreaterThan(3600);
    t.clock.advance(24 * 60 * MINUTE);
    expect((await requestCode(phone)).statusCode).toBe(202);
  });

  it('caps one IP address at 10 codes a minute and 30 a day, whatever the phones', async () => {
    const ip = freshIp();
    for (let i = 0; i < 10; i++) expect((await requestCode(freshPhone(), ip)).statusCode).toBe(202);
    const refused = await requestCode(freshPhone(), ip);
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.code).toBe('SMS_IP_LIMIT');
    expect((await requestCode(freshPhone(), freshIp())).statusCode).toBe(202);
    for (let i = 0; i < 2; i++) {
      t.clock.advance(61_000);
      for (let j = 0; j < 10; j++) expect((await requestCode(freshPhone(), ip)).statusCode).toBe(202);
    }
    t.clock.advance(61_000);
    const daily = await requestCode(freshPhone(), ip);
    expect(daily.statusCode).toBe(429);
    expect(daily.json().error.code).toBe('SMS_IP_DAILY_LIMIT');
    t.clock.advance(24 * 60 * MINUTE);
  });
});

describe('logging in with the code', () => {
  it('creates the account at the first login, records consent with the versions, and starts a session', async () => {
    const phone = freshPhone();
    await requestCode(phone);
    const code = await lastCodeFor(t.app, phone);
    const response = await login(phone, code);
    expect(response.statusCode).toBe(201);
    const body = response.json();
    expect(body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(body.newAccount).toBe(true);
    expect(body.user).toMatchObject({ verified: false, identity: null, provinceCode: null, phoneMasked: `${phone.slice(0, 3)}****${phone.slice(-4)}` });
    expect(new Date(body.expiresAt).getTime() - t.clock.now().getTime()).toBe(12 * 60 * MINUTE);
    expect(new Date(body.idleExpiresAt).getTime() - t.clock.now().getTime()).toBe(30 * MINUTE);

    const [user] = await t.database.db.select().from(users).where(userPhoneIs(phone));
    const rows = await t.database.db.select().from(consents).where(eq(consents.userId, user!.id));
    expect(rows.map((r) => [r.agreement, r.version]).sort()).toEqual([
      ['privacy_policy', currentAgreementVersions.privacyPolicy],
      ['user_agreement', currentAgreementVersions.userAgreement],
    ]);
    expect(rows[0]!.acceptedAt.getTime()).toBe(t.clock.now().getTime());

    t.clock.advance(61_000);
    await requestCode(phone);
    const again = await login(phone, await lastCodeFor(t.app, phone));
    expect(again.json().newAccount).toBe(false);
    expect(again.json().user.id).toBe(user!.id);
    expect(await t.database.db.select().from(consents).where(eq(consents.userId, user!.id))).toHaveLength(2);
  });

  it('sets an HttpOnly SameSite=Lax session cookie, Secure except on localhost', async () => {
    const local = await loginVia(freshPhone(), { host: 'localhost:3000' });
    const localCookie = String(local.headers['set-cookie']);
    expect(localCookie).toMatch(/^rto_session=[A-Za-z0-9_-]{43};/);
    expect(localCookie).toMatch(/HttpOnly/);
    expect(localCookie).toMatch(/SameSite=Lax/);
    expect(localCookie).toMatch(/Path=\//);
    expect(localCookie).not.toMatch(/Secure/);
    const remote = await loginVia(freshPhone(), { host: 'rto.example.gov.cn' });
    expect(String(remote.headers['set-cookie'])).toMatch(/Secure/);
  });

  it('refuses an outdated agreement version without using up the code', async () => {
    const phone = freshPhone();
    await requestCode(phone);
    const code = await lastCodeFor(t.app, phone);
    const outdated = await login(phone, code, { userAgreement: 'v0.9', privacyPolicy: currentAgreementVersions.privacyPolicy });
    expect(outdated.statusCode).toBe(422);
    expect(outdated.json().error.code).toBe('AGREEMENT_OUTDATED');
    expect(outdated.json().error.details.current).toEqual(currentAgreementVersions);
    expect((await login(phone, code)).statusCode).toBe(201);
  });

  it('refuses a wrong code with the tries left, and kills the code after 5 wrong tries', async () => {
    const phone = freshPhone();
    await requestCode(phone);
    const code = await lastCodeFor(t.app, phone);
    const wrong = wrongCodeFor(code);
    for (const left of [4, 3, 2, 1]) {
      const response = await login(phone, wrong);
      expect(response.statusCode).toBe(401);
      expect(response.json().error).toMatchObject({ code: 'SMS_CODE_INVALID', details: { remainingAttempts: left } });
    }
    const fifth = await login(phone, wrong);
    expect(fifth.json().error.code).toBe('SMS_CODE_EXHAUSTED');
    const right = await login(phone, code);
    expect(right.statusCode).toBe(401);
    expect(right.json().error.code).toBe('SMS_CODE_EXHAUSTED');
  });

  it('refuses a code after 5 minutes', async () => {
    const phone = freshPhone();
    await requestCode(phone);
    const code = await lastCodeFor(t.app, phone);
    t.clock.advance(5 * MINUTE + 1000);
    const response = await login(phone, code);
    expect(response.statusCode).toBe(401);
    expect(response.json().error.code).toBe('SMS_CODE_EXPIRED');
  });

  it('accepts a code only once', async () => {
    const phone = freshPhone();
    await requestCode(phone);
    const code = await lastCodeFor(t.app, phone);
    expect((await login(phone, code)).statusCode).toBe(201);
    const second = await login(phone, code);
    expect(second.statusCode).toBe(401);
    expect(second.json().error.code).toBe('SMS_CODE_USED');
  });

  it('uses a verified code up once even when two logins both got past the check', async () => {
    const phone = freshPhone();
    await requestCode(phone);
    const [row] = await t.database.db.select().from(smsCodes).where(matchesBlindIndex(smsCodes.phoneIndex, 'phone', phone));
    // Both logins read the code as unused before either marks it: only the marking may decide.
    await t.database.db.transaction((tx) => markSmsCodeUsed(tx, row!.id, t.clock.now()));
    await expect(t.database.db.transaction((tx) => markSmsCodeUsed(tx, row!.id, t.clock.now()))).rejects.toMatchObject({ code: 'SMS_CODE_USED' });
    const [after] = await t.database.db.select().from(smsCodes).where(eq(smsCodes.id, row!.id));
    expect(after!.consumedAt).toEqual(t.clock.now());
  });

  it('lets one of two logins racing with the same code in, and refuses the other', async () => {
    for (const round of raceRounds()) {
      const phone = freshPhone();
      await requestCode(phone);
      const code = await lastCodeFor(t.app, phone);
      const results = await Promise.all([login(phone, code), login(phone, code)]);
      expect(results.map((r) => r.statusCode).sort(), `round ${round}`).toEqual([201, 401]);
      expect(results.find((r) => r.statusCode === 401)!.json().error.code).toBe('SMS_CODE_USED');
    }
  });

  it('lets only the newest code log in: a new code replaces the older one', async () => {
    const phone = freshPhone();
    await requestCode(phone);
    const first = await lastCodeFor(t.app, phone);
    t.clock.advance(61_000);
    await requestCode(phone);
    const second = await lastCodeFor(t.app, phone);
    if (first !== second) {
      const old = await login(phone, first);
      expect(old.json().error.code).toBe('SMS_CODE_INVALID');
    }
    expect((await login(phone, second)).statusCode).toBe(201);
  });

  it('tells a phone that never asked for a code to ask first', async () => {
    const response = await login(freshPhone(), '123456');
    expect(response.statusCode).toBe(401);
    expect(response.json().error.code).toBe('SMS_CODE_MISSING');
  });
});

async function loginVia(phone: string, headers: Record<string, string>) {
  await requestCode(phone);
  return login(phone, await lastCodeFor(t.app, phone), currentAgreementVersions, headers);
}

describe('sessions', () => {
  const me = (headers: Record<string, string>) => t.app.inject({ method: 'GET', url: '/api/v1/me', headers });

  it('works with the bearer token and with the cookie, and not without either', async () => {
    const session = await loginDriver(t.app, freshPhone());
    expect((await me(session.headers)).statusCode).toBe(200);
    expect((await me({ cookie: session.cookie })).statusCode).toBe(200);
    const none = await me({});
    expect(none.statusCode).toBe(401);
    expect(none.json().error.code).toBe('UNAUTHENTICATED');
    const forged = await me({ authorization: 'Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' });
    expect(forged.json().error.code).toBe('UNAUTHENTICATED');
  });

  it('ends after 30 minutes without activity', async () => {
    const session = await loginDriver(t.app, freshPhone());
    t.clock.advance(29 * MINUTE);
    expect((await me(session.headers)).statusCode).toBe(200);
    // The request above moved the idle expiry: 29 more minutes are fine again.
    t.clock.advance(29 * MINUTE);
    expect((await me(session.headers)).statusCode).toBe(200);
    t.clock.advance(30 * MINUTE + 1000);
    const expired = await me({ cookie: session.cookie });
    expect(expired.statusCode).toBe(401);
    expect(expired.json().error.code).toBe('SESSION_EXPIRED');
    expect(String(expired.headers['set-cookie'])).toMatch(/rto_session=;/);
  });

  it('ends 12 hours after login however active the driver is', async () => {
    const session = await loginDriver(t.app, freshPhone());
    for (let minutes = 20; minutes <= 700; minutes += 20) {
      t.clock.advance(20 * MINUTE);
      expect((await me(session.headers)).statusCode).toBe(200);
    }
    t.clock.advance(19 * MINUTE);
    expect((await me(session.headers)).statusCode).toBe(200);
    t.clock.advance(1 * MINUTE + 1000);
    const expired = await me(session.headers);
    expect(expired.statusCode).toBe(401);
    expect(expired.json().error.code).toBe('SESSION_EXPIRED');
  });

  it('logout ends the session on the server and clears the cookie', async () => {
    const session = await loginDriver(t.app, freshPhone());
    const out = await t.app.inject({ method: 'DELETE', url: '/api/v1/auth/sessions/current', headers: { cookie: session.cookie } });
    expect(out.statusCode).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(/rto_session=;.*Expires=Thu, 01 Jan 1970/);
    const after = await me(session.headers);
    expect(after.statusCode).toBe(401);
    expect(after.json().error.code).toBe('UNAUTHENTICATED');
    expect((await t.app.inject({ method: 'DELETE', url: '/api/v1/auth/sessions/current' })).statusCode).toBe(204);
  });

  it('shows a verified driver their identity masked, with the province of their ID number', async () => {
    const session = await loginDriver(t.app, '13800000001');
    const response = await me(session.headers);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ verified: true, provinceCode: '11', phoneMasked: '138****0001' });
    expect(body.identity).toMatchObject({ name: '王建国', nameMasked: '王*国', sex: 'M', ethnicity: '汉', birthDate: '1985-03-12' });
    expect(body.identity.idNumberMasked).toMatch(/^1101\*{10}\d{3}[\dX]$/);
    expect(response.body).not.toMatch(/110105198503120/);
  });
});

describe('the development SMS outbox', () => {
  it('lists the codes sent to a phone, newest first', async () => {
    const phone = freshPhone();
    await requestCode(phone);
    t.clock.advance(61_000);
    await requestCode(phone);
    const response = await t.app.inject({ method: 'GET', url: `/api/v1/dev/sms-outbox?phone=${phone}` });
    const { messages } = response.json();
    expect(messages).toHaveLength(2);
    expect(messages[0].text).toContain(messages[0].code);
    expect(messages[0].code).toBe(await lastCodeFor(t.app, phone));
    expect(new Date(messages[0].sentAt) >= new Date(messages[1].sentAt)).toBe(true);
  });

  it('does not exist in production', async () => {
    const production = await createTestApp({ env: { NODE_ENV: 'production', LOG_LEVEL: 'silent', IDENTITY_PROVIDER: 'manual' } });
    try {
      const response = await production.app.inject({ method: 'GET', url: '/api/v1/dev/sms-outbox?phone=13800000001' });
      expect(response.statusCode).toBe(404);
    } finally {
      await production.close();
    }
  });
});
