import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, staff } from '../../src/server/db/schema.ts';
import { DEMO_PASSWORD, DEMO_TOTP_SECRET } from '../../src/server/seed/demo.ts';
import { totpCodeAt } from '../../src/server/staff/totp.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';

describe('staff login under concurrency', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  const attempt = (username: string, password: string, totp: string) =>
    t.app.inject({ method: 'POST', url: '/api/v1/staff/sessions', payload: { username, password, totp }, remoteAddress: '10.9.8.7' });
  const codeNow = () => totpCodeAt(DEMO_TOTP_SECRET, t.clock.now());
  const row = async (username: string) => (await t.database.db.select().from(staff).where(eq(staff.username, username)))[0]!;
  const failures = async (username: string, reason: string) =>
    (await t.database.db.select().from(auditLog).where(and(eq(auditLog.username, username), eq(auditLog.event, 'login_failed')))).filter((e) => e.details.reason === reason).length;

  it('nine replays of one valid code log in once and lock nobody out', async () => {
    t.clock.advance(30_000);
    const code = codeNow();
    const answers = await Promise.all(Array.from({ length: 9 }, () => attempt('bj-handler', DEMO_PASSWORD, code)));
    expect(answers.filter((a) => a.statusCode === 201)).toHaveLength(1);
    // Each replay is refused: as a used code, or (beyond the attempts evaluated at once) asked to wait a
    // few seconds. None locks the account.
    const refused = answers.filter((a) => a.statusCode !== 201);
    for (const answer of refused) {
      expect([401, 429]).toContain(answer.statusCode);
      expect(['STAFF_LOGIN_FAILED', 'STAFF_LOGIN_BUSY']).toContain(answer.json().error.code);
      if (answer.statusCode === 429) expect(answer.headers['retry-after']).toBe('3');
    }
    const after = await row('bj-handler');
    expect(after.failedLogins).toBe(0);
    expect(after.lockedUntil).toBeNull();
    // Replaying the same code again and again later is still no lockout.
    for (let i = 0; i < 6; i++) expect((await attempt('bj-handler', DEMO_PASSWORD, code)).statusCode).toBe(401);
    t.clock.advance(30_000);
    expect((await attempt('bj-handler', DEMO_PASSWORD, codeNow())).statusCode).toBe(201);
  });

  it('twenty wrong passwords at once: at most five are evaluated, then the account is locked', async () => {
    t.clock.advance(30_000);
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => attempt('bj-reviewer', `wrong-${i}`, codeNow())));
    expect(answers.every((a) => a.statusCode === 401 || a.statusCode === 429)).toBe(true);
    expect(await failures('bj-reviewer', 'password')).toBeLessThanOrEqual(5);
    expect(answers.filter((a) => a.statusCode === 401)).toHaveLength(4);
    const refusedCodes = answers.filter((a) => a.statusCode === 429).map((a) => a.json().error.code as string);
    expect(refusedCodes.every((code) => code === 'STAFF_LOCKED' || code === 'STAFF_LOGIN_BUSY')).toBe(true);
    expect(refusedCodes).toContain('STAFF_LOCKED');
    const after = await row('bj-reviewer');
    expect(after.lockedUntil!.getTime()).toBeGreaterThan(t.clock.now().getTime());
    // The right password and code do not open it now.
    t.clock.advance(30_000);
    expect((await attempt('bj-reviewer', DEMO_PASSWORD, codeNow())).statusCode).toBe(429);
  });

  it('a correct password in flight when the lock is set does not log in', async () => {
    t.clock.advance(30_000);
    const pending = attempt('sh-handler', DEMO_PASSWORD, codeNow());
    // Once the attempt is claimed (and its password hash is being checked), other attempts lock the account.
    const failedLogins = async () => (await t.database.db.select({ n: staff.failedLogins }).from(staff).where(eq(staff.username, 'sh-handler')))[0]!.n;
    const started = Date.now();
    while ((await failedLogins()) === 0 && Date.now() - started < 5000) await new Promise((resolve) => setImmediate(resolve));
    await t.database.db.update(staff).set({ lockedUntil: new Date(t.clock.now().getTime() + 15 * 60_000) }).where(eq(staff.username, 'sh-handler'));
    const answer = await pending;
    expect(answer.statusCode, answer.body).toBe(429);
    expect(answer.json().error.code).toBe('STAFF_LOCKED');
  });
});
