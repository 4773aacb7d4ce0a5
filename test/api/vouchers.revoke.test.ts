import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, users } from '../../src/server/db/schema.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { acceptedCreditAssessment, approveWithVoucher } from '../helpers/applications.ts';
import { staffLogin } from '../helpers/staffLogin.ts';
import { userPhoneIs } from '../../src/server/auth/accounts.ts';

describe('revoking a voucher', () => {
  let t: TestApp;
  let serial: string;
  let token: string;

  beforeAll(async () => {
    t = await createTestApp();
    const [driver] = await t.database.db.select().from(users).where(userPhoneIs('13800000001'));
    const accepted = await acceptedCreditAssessment(t.database.db, driver!.id, t.clock.now());
    const voucher = await approveWithVoucher(t.database.db, accepted, 'AA', t.clock.now());
    serial = voucher.serial;
    token = voucher.token;
  });
  afterAll(async () => {
    await t.close();
  });

  const revoke = async (username: string, body: unknown, target = serial) => {
    const login = await staffLogin(t, username);
    return t.app.inject({ method: 'POST', url: `/api/v1/staff/vouchers/${target}/revoke`, headers: login.headers, payload: body as object });
  };
  const verdict = async () => (await t.app.inject({ method: 'GET', url: `/api/v1/verify/${token}` })).json() as { verdict: string; revokedAt?: string };

  it('is for reviewers and admins of the issuing province only, with a reason', async () => {
    expect(await verdict()).toMatchObject({ verdict: 'valid' });
    expect((await revoke('bj-handler', { reason: '考核等级评定有误' })).statusCode).toBe(403);
    expect((await revoke('sh-reviewer', { reason: '考核等级评定有误' })).statusCode).toBe(404);
    const noReason = await revoke('bj-reviewer', {});
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().error.code).toBe('VALIDATION_FAILED');
    expect((await revoke('bj-reviewer', { reason: '评定有误' }, 'CX2026NOSUCHONE')).statusCode).toBe(404);
    expect(await verdict()).toMatchObject({ verdict: 'valid' });
  });

  it('makes every later check answer "revoked" with the date, audited, and only once', async () => {
    const response = await revoke('bj-reviewer', { reason: '考核等级评定有误' });
    // The revocation is dated by the service's clock at the moment of the request.
    const revokedAt = t.clock.now().toISOString();
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ serial, reason: '考核等级评定有误', revokedAt });
    t.clock.advance(3_600_000);
    const check = await verdict();
    expect(check.verdict).toBe('revoked');
    expect(check.revokedAt).toBe(revokedAt);
    const again = await revoke('bj-admin', { reason: '重复操作' });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('VOUCHER_ALREADY_REVOKED');
    const audit = await t.database.db.select().from(auditLog).where(eq(auditLog.event, 'voucher.revoke'));
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ username: 'bj-reviewer', targetId: serial, provinceCode: '11' });
  });
});
