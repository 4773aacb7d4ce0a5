import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, staff } from '../../src/server/db/schema.ts';
import { DEMO_PASSWORD, DEMO_TOTP_SECRET } from '../../src/server/seed/demo.ts';
import { totpCodeAt } from '../../src/server/staff/totp.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { loginDriver } from '../helpers/driverLogin.ts';
import { staffLogin } from '../helpers/staffLogin.ts';

const MINUTE = 60_000;

describe('staff login with a second factor, lockout and sessions', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const attempt = (username: string, password: string, totp: string) =>
    t.app.inject({ method: 'POST', url: '/api/v1/staff/sessions', payload: { username, password, totp }, remoteAddress: '10.1.2.3' });
  const codeNow = () => totpCodeAt(DEMO_TOTP_SECRET, t.clock.now());
  const me = (headers: Record<string, string>) => t.app.inject({ method: 'GET', url: '/api/v1/staff/me', headers });

  it('needs the password and the authenticator code, and answers with the profile and a cookie', async () => {
    t.clock.advance(30_000);
    const response = await attempt('bj-handler', DEMO_PASSWORD, codeNow());
    expect(response.statusCode, response.body).toBe(201);
    const body = response.json();
    expect(body.staff).toMatchObject({ username: 'bj-handler', role: 'handler', province: { code: '11' }, capabilities: { process: true, audit: false } });
    const cookie = response.cookies.find((c) => c.name === 'rto_staff_session');
    expect(cookie).toMatchObject({ value: body.token, httpOnly: true, sameSite: 'Lax' });

    expect((await me({ cookie: `rto_staff_session=${body.token}` })).json().staff.username).toBe('bj-handler');
    expect((await me({ authorization: `Bearer ${body.token}` })).statusCode).toBe(200);

    const logout = await t.app.inject({ method: 'DELETE', url: '/api/v1/staff/sessions/current', headers: { authorization: `Bearer ${body.token}` } });
    expect(logout.statusCode).toBe(204);
    expect((await me({ authorization: `Bearer ${body.token}` })).statusCode).toBe(401);
    const events = await t.database.db.select().from(auditLog).where(eq(auditLog.username, 'bj-handler'));
    expect(events.map((e) => e.event)).toEqual(expect.arrayContaining(['login', 'logout']));
    expect(events.find((e) => e.event === 'login')).toMatchObject({ ip: '10.1.2.3', role: 'handler', provinceCode: '11' });
  });

  it('never says which factor was wrong, nor whether the account exists, and takes a code only once', async () => {
    t.clock.advance(30_000);
    const wrongPassword = await attempt('bj-reviewer', 'not-the-password', codeNow());
    const wrongCode = await attempt('bj-reviewer', DEMO_PASSWORD, String((Number(codeNow()) + 1) % 1_000_000).padStart(6, '0'));
    const unknown = await attempt('nobody-here', DEMO_PASSWORD, codeNow());
    for (const response of [wrongPassword, wrongCode, unknown]) {
      expect(response.statusCode).toBe(401);
      expect(response.json().error.code).toBe('STAFF_LOGIN_FAILED');
      expect(response.json().error.message).toBe(wrongPassword.json().error.message);
    }
    // The audit knows which factor failed; the caller does not.
    const failures = await t.database.db.select().from(auditLog).where(eq(auditLog.event, 'login_failed'));
    expect(failures.map((f) => f.details.reason)).toEqual(expect.arrayContaining(['password', 'totp']));

    const code = codeNow();
    expect((await attempt('bj-reviewer', DEMO_PASSWORD, code)).statusCode).toBe(201);
    const replay = await attempt('bj-reviewer', DEMO_PASSWORD, code);
    expect(replay.statusCode).toBe(401);
    expect(replay.json().error.code).toBe('STAFF_LOGIN_FAILED');
    // A code from one step back is still accepted (clock drift) — but not one older than the last used.
    t.clock.advance(30_000);
    const previousStep = totpCodeAt(DEMO_TOTP_SECRET, new Date(t.clock.now().getTime() - 30_000));
    expect((await attempt('bj-reviewer', DEMO_PASSWORD, previousStep)).statusCode).toBe(401);
    t.clock.advance(30_000);
    expect((await attempt('bj-reviewer', DEMO_PASSWORD, totpCodeAt(DEMO_TOTP_SECRET, new Date(t.clock.now().getTime() - 30_000)))).statusCode).toBe(201);
  });

  it('locks the account for 15 minutes after 5 failures in a row; a success resets the count', async () => {
    t.clock.advance(60_000);
    for (let i = 0; i < 4; i++) expect((await attempt('sh-handler', 'wrong', codeNow())).statusCode).toBe(401);
    t.clock.advance(30_000);
    expect((await attempt('sh-handler', DEMO_PASSWORD, codeNow())).statusCode).toBe(201);
    const [afterSuccess] = await t.database.db.select().from(staff).where(eq(staff.username, 'sh-handler'));
    expect(afterSuccess!.failedLogins).toBe(0);

    for (let i = 0; i < 4; i++) expect((await attempt('sh-handler', DEMO_PASSWORD, '000000')).statusCode).toBe(401);
    const fifth = await attempt('sh-handler', 'wrong', codeNow());
    expect(fifth.statusCode).toBe(429);
    expect(fifth.json().error.code).toBe('STAFF_LOCKED');
    expect(fifth.json().error.details.retryAfterSeconds).toBe(900);
    expect(fifth.headers['retry-after']).toBe('900');

    // Even the right password and code do not open a locked account.
    t.clock.advance(14 * MINUTE);
    const stillLocked = await attempt('sh-handler', DEMO_PASSWORD, codeNow());
    expect(stillLocked.statusCode).toBe(429);
    expect(stillLocked.json().error.details.retryAfterSeconds).toBeLessThanOrEqual(60);

    t.clock.advance(MINUTE + 1000);
    expect((await attempt('sh-handler', DEMO_PASSWORD, codeNow())).statusCode).toBe(201);
  });

  it('throttles guesses at unknown usernames like a real account, so lockout does not reveal which exist', async () => {
    for (let i = 0; i < 4; i++) expect((await attempt('ghost-user', 'x', '123456')).statusCode).toBe(401);
    const fifth = await attempt('ghost-user', 'x', '123456');
    expect(fifth.statusCode).toBe(429);
    expect(fifth.json().error.code).toBe('STAFF_LOCKED');
  });

  it('ends a staff session after 15 minutes idle and 8 hours after login, whatever the activity', async () => {
    const idle = await staffLogin(t, 'sh-reviewer');
    t.clock.advance(14 * MINUTE);
    expect((await me(idle.headers)).statusCode).toBe(200);
    t.clock.advance(14 * MINUTE);
    expect((await me(idle.headers)).statusCode).toBe(200);
    t.clock.advance(15 * MINUTE + 1000);
    const expired = await me(idle.headers);
    expect(expired.statusCode).toBe(401);
    expect(expired.json().error.code).toBe('SESSION_EXPIRED');

    const busy = await staffLogin(t, 'sh-reviewer');
    for (let elapsed = 0; elapsed < 8 * 60; elapsed += 10) {
      expect((await me(busy.headers)).statusCode).toBe(200);
      t.clock.advance(10 * MINUTE);
    }
    const over = await me(busy.headers);
    expect(over.statusCode).toBe(401);
    expect(over.json().error.code).toBe('SESSION_EXPIRED');
  });

  it('keeps drivers and staff apart: neither session opens the other side', async () => {
    const driver = await loginDriver(t.app, '13800000001');
    const asDriver = await t.app.inject({ method: 'GET', url: '/api/v1/staff/applications', headers: { cookie: driver.cookie } });
    expect(asDriver.statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/staff/me', headers: driver.headers })).statusCode).toBe(401);

    const member = await staffLogin(t, 'bj-admin');
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: member.headers })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/applications', headers: { cookie: member.cookie } })).statusCode).toBe(401);
  });

  it('enrols a new authenticator: the old secret works until a code from the new one is confirmed', async () => {
    const session = await staffLogin(t, 'sh-admin');
    const started = await t.app.inject({ method: 'POST', url: '/api/v1/staff/me/totp/enrolment', headers: session.headers });
    expect(started.statusCode, started.body).toBe(201);
    const enrolment = started.json() as { secret: string; otpauthUri: string; qrDataUrl: string };
    expect(enrolment.otpauthUri).toMatch(/^otpauth:\/\/totp\/.*sh-admin.*secret=/);
    expect(enrolment.qrDataUrl).toMatch(/^data:image\/png;base64,/);

    const wrong = await t.app.inject({ method: 'POST', url: '/api/v1/staff/me/totp/confirm', headers: session.headers, payload: { code: '000000' } });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error.code).toBe('TOTP_CODE_INVALID');
    t.clock.advance(30_000);
    const confirmed = await t.app.inject({
      method: 'POST',
      url: '/api/v1/staff/me/totp/confirm',
      headers: session.headers,
      payload: { code: totpCodeAt(enrolment.secret, t.clock.now()) },
    });
    expect(confirmed.statusCode, confirmed.body).toBe(200);

    t.clock.advance(30_000);
    expect((await attempt('sh-admin', DEMO_PASSWORD, codeNow())).statusCode).toBe(401);
    expect((await attempt('sh-admin', DEMO_PASSWORD, totpCodeAt(enrolment.secret, t.clock.now()))).statusCode).toBe(201);
  });
});
