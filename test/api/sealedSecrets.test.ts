import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signingKeys, staff } from '../../src/server/db/schema.ts';
import { DEMO_TOTP_SECRET } from '../../src/server/seed/demo.ts';
import { totpCodeAt } from '../../src/server/staff/totp.ts';
import { rotateSigningKey } from '../../src/server/vouchers/keyStore.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { loginDriver } from '../helpers/driverLogin.ts';
import { acceptedCreditAssessment, approveWithVoucher } from '../helpers/applications.ts';
import { staffLogin } from '../helpers/staffLogin.ts';

const sealedShape = /^v1:[A-Za-z0-9_-]{8}:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]+$/;

describe('secrets at rest', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const login = (username: string, password: string, secret: string) => {
    t.clock.advance(30_000);
    return t.app.inject({ method: 'POST', url: '/api/v1/staff/sessions', payload: { username, password, totp: totpCodeAt(secret, t.clock.now()) } });
  };

  it('keeps staff TOTP secrets sealed in the database, yet logins, enrolment and new accounts work', async () => {
    const admin = await staffLogin(t, 'bj-admin');
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/staff/admin/staff',
      headers: admin.headers,
      payload: { username: 'bj-handler-9', displayName: '北京受理员九', role: 'handler' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const account = created.json() as { initialPassword: string; totp: { secret: string } };
    expect((await login('bj-handler-9', account.initialPassword, account.totp.secret)).statusCode).toBe(201);

    const member = await staffLogin(t, 'bj-reviewer');
    const started = await t.app.inject({ method: 'POST', url: '/api/v1/staff/me/totp/enrolment', headers: member.headers });
    const enrolment = started.json() as { secret: string };
    const [pending] = await t.database.db.select().from(staff).where(eq(staff.username, 'bj-reviewer'));
    expect(pending!.totpPendingSecret).toMatch(sealedShape);
    expect(pending!.totpPendingSecret).not.toContain(enrolment.secret);
    t.clock.advance(30_000);
    const confirmed = await t.app.inject({ method: 'POST', url: '/api/v1/staff/me/totp/confirm', headers: member.headers, payload: { code: totpCodeAt(enrolment.secret, t.clock.now()) } });
    expect(confirmed.statusCode, confirmed.body).toBe(200);

    const rows = await t.database.db.select().from(staff);
    expect(rows.length).toBeGreaterThanOrEqual(8);
    const dump = JSON.stringify(rows);
    for (const secret of [DEMO_TOTP_SECRET, account.totp.secret, enrolment.secret]) expect(dump).not.toContain(secret);
    for (const row of rows) {
      expect(row.totpSecret).toMatch(sealedShape);
      expect(row.totpSecret).not.toMatch(/^[A-Z2-7]{16,}=*$/);
    }
    expect((await login('bj-reviewer', 'Demo-2026!', enrolment.secret)).statusCode).toBe(201);
  });

  it('keeps the SM2 private signing key sealed, yet issued vouchers verify', async () => {
    const owner = await loginDriver(t.app, '13800000001');
    const application = await acceptedCreditAssessment(t.database.db, owner.userId, t.clock.now());
    const voucher = await approveWithVoucher(t.database.db, application, 'AA', t.clock.now());
    const verified = await t.app.inject({ method: 'GET', url: `/api/v1/verify/${voucher.token}?channel=app` });
    expect(verified.json()).toMatchObject({ verdict: 'valid' });

    const keys = await t.database.db.select().from(signingKeys);
    expect(keys).toHaveLength(1);
    expect(keys[0]!.privateKeyHex).toMatch(sealedShape);
    expect(JSON.stringify(keys)).not.toMatch(/(^|[^0-9a-f])[0-9a-f]{64}([^0-9a-f]|$)/);

    // A sealed key copied onto another key's row does not open: the seal is bound to its key id.
    const { kid } = await rotateSigningKey(t.database.db, t.secrets, t.clock.now());
    await t.database.db.update(signingKeys).set({ privateKeyHex: keys[0]!.privateKeyHex }).where(eq(signingKeys.kid, kid));
    const next = await acceptedCreditAssessment(t.database.db, owner.userId, t.clock.now());
    await expect(approveWithVoucher(t.database.db, next, 'AA', t.clock.now())).rejects.toThrow(/does not open/);
  });
});
