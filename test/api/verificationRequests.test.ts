import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, calendarOverrides, certificateCategories, certificates, outbox, users } from '../../src/server/db/schema.ts';
import { sendVerificationAnsweredSms, type OutboxContext } from '../../src/server/outbox/worker.ts';
import { renderSmsText } from '../../src/server/sms/templates.ts';
import type { SmsMessage } from '../../src/server/sms/types.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { loginDriver, type DriverLogin } from '../helpers/driverLogin.ts';
import { insertCertificate } from '../helpers/applications.ts';
import { type StaffLogin, staffLogin } from '../helpers/staffLogin.ts';
import { userPhoneIs } from '../../src/server/auth/accounts.ts';

interface RequestView {
  id: string;
  state: string;
  field: string;
  expectedValue: string;
  registryValue: string;
  acceptedAt: string | null;
  answerDeadline: string | null;
  deadlineStatus: string | null;
  answer: string | null;
  certificate: { number: string; holderIdNumberMasked: string };
}

describe('information-verification requests (信息核查) for staff', () => {
  let t: TestApp;
  let driver: DriverLogin;
  let bjHandler: StaffLogin;
  let shHandler: StaffLogin;
  let sysAdmin: StaffLogin;
  let certificateId: string;
  /** Filed in the first test, answered in the second. */
  let serviceUnitRequest: string;

  beforeAll(async () => {
    t = await createTestApp();
    // Tuesday 10 March 2026, 10:00 in China.
    t.clock.set('2026-03-10T02:00:00Z');
    driver = await loginDriver(t.app, '13800000001');
    bjHandler = await staffLogin(t, 'bj-handler');
    shHandler = await staffLogin(t, 'sh-handler');
    sysAdmin = await staffLogin(t, 'sys-admin');
    certificateId = await insertCertificate(t, '13800000001', [{ code: 'freight_driver', firstIssueDate: '2020-01-01', validFrom: '2020-01-01', validTo: '2026-12-31' }], {
      serviceUnit: '北京旧单位物流有限公司',
    });
  });
  afterAll(async () => {
    await t.close();
  });

  const call = (as: { headers: Record<string, string> } | null, method: 'GET' | 'POST', url: string, payload?: unknown) =>
    t.app.inject({ method, url: `/api/v1${url}`, headers: as?.headers ?? {}, ...(payload === undefined ? {} : { payload: payload as object }) });
  const code = (response: { json(): unknown }) => (response.json() as { error: { code: string } }).error.code;
  const file = async (field: string, expectedValue: string) => {
    const response = await call(driver, 'POST', `/me/certificates/${certificateId}/verification-requests`, { field, expectedValue, note: '单位已变更' });
    expect(response.statusCode).toBe(201);
    return (response.json() as { id: string }).id;
  };

  it('appear in the issuing province’s queue only, with what the registry says now', async () => {
    const id = await file('serviceUnit', '北京新单位物流有限公司');
    serviceUnitRequest = id;
    const queue = (await call(bjHandler, 'GET', '/staff/verification-requests?state=submitted')).json() as { items: RequestView[]; counts: Record<string, number> };
    const item = queue.items.find((r) => r.id === id)!;
    expect(item).toMatchObject({ state: 'submitted', field: 'serviceUnit', expectedValue: '北京新单位物流有限公司', registryValue: '北京旧单位物流有限公司', answerDeadline: null });
    expect(item.certificate.holderIdNumberMasked).toMatch(/\*{4,}/);
    expect(queue.counts.submitted).toBeGreaterThanOrEqual(1);

    const shanghai = (await call(shHandler, 'GET', '/staff/verification-requests')).json() as { items: RequestView[] };
    expect(shanghai.items.map((r) => r.id)).not.toContain(id);
    for (const url of [`/staff/verification-requests/${id}/accept`]) {
      const response = await call(shHandler, 'POST', url);
      expect(response.statusCode).toBe(404);
      expect(code(response)).toBe('VERIFICATION_REQUEST_NOT_FOUND');
    }
    expect((await call(shHandler, 'GET', `/staff/verification-requests/${id}`)).statusCode).toBe(404);
    expect((await call(shHandler, 'POST', `/staff/verification-requests/${id}/answer`, { outcome: 'explained', answer: 'x' })).statusCode).toBe(404);
    // System admins read every province but do not answer.
    expect(((await call(sysAdmin, 'GET', '/staff/verification-requests?province=11')).json() as { items: RequestView[] }).items.map((r) => r.id)).toContain(id);
    const sys = await call(sysAdmin, 'POST', `/staff/verification-requests/${id}/accept`);
    expect(sys.statusCode).toBe(403);
    expect(code(sys)).toBe('STAFF_ROLE_FORBIDDEN');
    expect((await call(driver, 'GET', '/staff/verification-requests')).statusCode).toBe(401);
  });

  it('acceptance sets a 2-working-day answer deadline by the province calendar; a correction updates the registry in the same step', async () => {
    const id = serviceUnitRequest;
    // Wednesday 11 March is a provincial holiday: accepted Tuesday, the answer is due Friday 13 March, not Thursday.
    await t.database.db.insert(calendarOverrides).values({ provinceCode: '11', date: '2026-03-11', kind: 'holiday', note: '测试停办' });
    const accepted = await call(bjHandler, 'POST', `/staff/verification-requests/${id}/accept`);
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json()).toMatchObject({ state: 'accepted', answerDeadline: '2026-03-13', deadlineStatus: 'on_time' });
    const again = await call(bjHandler, 'POST', `/staff/verification-requests/${id}/accept`);
    expect(again.statusCode).toBe(409);
    expect(code(again)).toBe('VERIFICATION_REQUEST_STATE');

    const missing = await call(bjHandler, 'POST', `/staff/verification-requests/${id}/answer`, { outcome: 'corrected', answer: '已更正' });
    expect(missing.statusCode).toBe(400);
    expect(code(missing)).toBe('CORRECTION_REQUIRED');
    const noText = await call(bjHandler, 'POST', `/staff/verification-requests/${id}/answer`, { outcome: 'explained', answer: '' });
    expect(code(noText)).toBe('VALIDATION_FAILED');

    const answered = await call(bjHandler, 'POST', `/staff/verification-requests/${id}/answer`, {
      outcome: 'corrected',
      answer: '经核实，已将服务单位更正为北京新单位物流有限公司。',
      correction: { field: 'serviceUnit', value: '北京新单位物流有限公司' },
    });
    expect(answered.statusCode).toBe(200);
    expect(answered.json()).toMatchObject({ state: 'corrected', registryValue: '北京新单位物流有限公司' });
    const [certificate] = await t.database.db.select().from(certificates).where(eq(certificates.id, certificateId));
    expect(certificate!.serviceUnit).toBe('北京新单位物流有限公司');

    // The driver is told by SMS that the answer is there.
    const queued = await t.database.db.select().from(outbox).where(eq(outbox.topic, 'sms.verification_answered'));
    expect(queued.filter((row) => row.payload.requestId === id)).toHaveLength(1);
    const sent: SmsMessage[] = [];
    const sms = { name: 'recording', send: async (message: SmsMessage) => void sent.push(message) };
    await sendVerificationAnsweredSms(t.database.db, queued.find((row) => row.payload.requestId === id)!, { sms } as unknown as OutboxContext);
    const [driverRow] = await t.database.db.select({ phone: users.phone }).from(users).where(eq(users.id, queued[0]!.payload.userId as string));
    expect(sent).toEqual([{ phone: driverRow!.phone, template: 'verification_answered', params: { outcome: '发证机关已更正证件信息' } }]);
    expect(renderSmsText(sent[0]!.template, sent[0]!.params)).toBe('您的信息核查申请已答复：发证机关已更正证件信息，请登录道路运政一网通办查看。');

    const late = await call(bjHandler, 'POST', `/staff/verification-requests/${id}/answer`, { outcome: 'explained', answer: '再答一次' });
    expect(late.statusCode).toBe(409);

    // The driver sees the answer.
    const mine = (await call(driver, 'GET', '/me/verification-requests')).json() as { requests: RequestView[] };
    expect(mine.requests.find((r) => r.id === id)).toMatchObject({ state: 'corrected', answer: '经核实，已将服务单位更正为北京新单位物流有限公司。', answerDeadline: '2026-03-13' });

    const audit = await t.database.db.select().from(auditLog).where(eq(auditLog.targetId, id));
    expect(audit.map((row) => row.event)).toEqual(['verification.accept', 'verification.answer']);
    expect(audit[1]).toMatchObject({
      username: 'bj-handler',
      provinceCode: '11',
      details: { outcome: 'corrected', correction: { field: 'serviceUnit', from: '北京旧单位物流有限公司', to: '北京新单位物流有限公司' } },
    });
  });

  it('corrects category dates, refuses impossible corrections and leaves the registry unchanged then', async () => {
    const id = await file('validity', '有效期至2027-06-30');
    const bad: [Record<string, unknown>, number, string][] = [
      [{ field: 'categoryValidTo', value: '2027-06-31', category: 'freight_driver' }, 400, 'CORRECTION_INVALID'],
      [{ field: 'categoryValidTo', value: '2027-06-30', category: 'passenger_driver' }, 422, 'CATEGORY_NOT_FOUND'],
      [{ field: 'categoryValidTo', value: '2019-01-01', category: 'freight_driver' }, 400, 'CORRECTION_INVALID'],
      [{ field: 'quasiDrivingType', value: 'Z9' }, 400, 'CORRECTION_INVALID'],
      [{ field: 'issuingAuthority', value: '310000' }, 422, 'AUTHORITY_NOT_IN_PROVINCE'],
      [{ field: 'shoeSize', value: '42' }, 400, 'VALIDATION_FAILED'],
    ];
    for (const [correction, status, expected] of bad) {
      const response = await call(bjHandler, 'POST', `/staff/verification-requests/${id}/answer`, { outcome: 'corrected', answer: '更正', correction });
      expect(response.statusCode, expected).toBe(status);
      expect(code(response)).toBe(expected);
    }
    // Nothing of the refused attempts stuck, not even the implicit acceptance.
    const view = (await call(bjHandler, 'GET', `/staff/verification-requests/${id}`)).json() as RequestView;
    expect(view).toMatchObject({ state: 'submitted', acceptedAt: null });

    // Answered without a separate acceptance: accepted and answered at once.
    const answered = await call(bjHandler, 'POST', `/staff/verification-requests/${id}/answer`, {
      outcome: 'corrected',
      answer: '已按档案更正有效期。',
      correction: { field: 'categoryValidTo', value: '2027-06-30', category: 'freight_driver' },
    });
    expect(answered.statusCode).toBe(200);
    expect(answered.json()).toMatchObject({ state: 'corrected' });
    expect((answered.json() as RequestView).acceptedAt).not.toBeNull();
    const [category] = await t.database.db
      .select()
      .from(certificateCategories)
      .where(and(eq(certificateCategories.certificateId, certificateId), eq(certificateCategories.code, 'freight_driver')));
    expect(category!.validTo).toBe('2027-06-30');
  });

  it('an explanation answers without touching the registry', async () => {
    const id = await file('holderName', '王建國');
    const [before] = await t.database.db.select().from(certificates).where(eq(certificates.id, certificateId));
    await call(bjHandler, 'POST', `/staff/verification-requests/${id}/accept`);
    const answered = await call(bjHandler, 'POST', `/staff/verification-requests/${id}/answer`, { outcome: 'explained', answer: '证件姓名以身份证登记的规范汉字为准，不予更改。' });
    expect(answered.json()).toMatchObject({ state: 'explained', answer: '证件姓名以身份证登记的规范汉字为准，不予更改。' });
    const [after] = await t.database.db.select().from(certificates).where(eq(certificates.id, certificateId));
    expect(after!.holderName).toBe(before!.holderName);
    const [user] = await t.database.db.select().from(users).where(userPhoneIs('13800000001'));
    expect(after!.holderName).toBe(user!.name);
  });
});
