import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idCheckDigit } from '../../src/domain/idNumber.ts';
import { loadConfig, unsafeProductionSettings } from '../../src/server/config.ts';
import { applications, auditLog, outbox, provinces, realNameSubmissions, users } from '../../src/server/db/schema.ts';
import type { IdentityCheckResult } from '../../src/server/identity/identityCheck.ts';
import type { IdCardBackReading, IdCardFields, IdCardReader } from '../../src/server/identity/ocr.ts';
import { demoIdNumber, demoPeople } from '../../src/server/seed/demo.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { loginDriver, type DriverLogin } from '../helpers/driverLogin.ts';
import { documentPhoto } from '../helpers/images.ts';
import { multipart } from '../helpers/multipart.ts';
import { staffLogin, type StaffLogin } from '../helpers/staffLogin.ts';

/**
 * Real-name binding cannot be borrowed (PRODUCT §2.2): every way of claiming someone else's identity
 * ends with nothing bound and nothing shown, and a province's clerk decides what the photo, the
 * registry and the identity service do not settle.
 */

const person = (name: string) => {
  const p = demoPeople.find((d) => d.name === name)!;
  return { name: p.name, idNumber: demoIdNumber(p), sex: p.sex, birthDate: p.birthDate, address: p.address, ethnicity: p.ethnicity };
};
const han = person('韩志强'); // 广东, unclaimed passenger driver
const xie = person('谢雨欣'); // 上海, unclaimed taxi driver
const wang = person('王建国'); // 北京, bound to 13800000001

let nextReading: { fields: IdCardFields; confidence: number } = { fields: {}, confidence: 0 };
let nextBack: IdCardBackReading = { fields: {}, confidence: 0, durationMs: 1, doubts: [] };
const fakeReader: IdCardReader = {
  read: async () => ({ ...nextReading, lines: [], durationMs: 1, doubts: [], fieldConfidence: {} }),
  readBack: async () => nextBack,
};
let verdict: IdentityCheckResult = 'match';

let t: TestApp;
let phoneSeq = 0;
const freshPhone = () => `136${String(30_000_000 + ++phoneSeq).slice(-8)}`;

beforeAll(async () => {
  t = await createTestApp({ adapters: { idCardReader: fakeReader, identityCheck: { name: 'test', check: async () => verdict } } });
});
afterAll(async () => {
  await t?.close();
});

/** A different picture every call (the same picture cannot serve two accounts). */
let photoSeed = 0;
const somePhoto = () => documentPhoto(++photoSeed);

const cardOf = (p: typeof han) => ({ fields: { ...p }, confidence: 0.95 });

async function upload(session: DriverLogin, reading: typeof nextReading, photo?: Buffer, side: 'portrait' | 'back' = 'portrait'): Promise<string> {
  nextReading = reading;
  const { payload, headers } = multipart(photo ?? (await somePhoto()));
  const response = await t.app.inject({ method: 'POST', url: `/api/v1/identity/id-card-ocr?side=${side}`, payload, headers: { ...headers, ...session.headers } });
  expect(response.statusCode).toBe(200);
  return response.json().photoId as string;
}

const submit = (session: DriverLogin, p: typeof han, photoId: string, extra: Record<string, unknown> = {}) =>
  t.app.inject({ method: 'POST', url: '/api/v1/identity/verification', payload: { ...p, photoId, ...extra }, headers: session.headers });

async function nothingBoundNothingShown(session: DriverLogin): Promise<void> {
  const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: session.headers });
  expect(me.json().verified).toBe(false);
  expect(me.json().identity).toBeNull();
  const certificates = await t.app.inject({ method: 'GET', url: '/api/v1/me/certificates', headers: session.headers });
  expect(certificates.statusCode).toBe(403);
  expect(certificates.json().error.code).toBe('REAL_NAME_REQUIRED');
  const [row] = await t.database.db.select({ idNumber: users.idNumber }).from(users).where(eq(users.id, session.userId));
  expect(row!.idNumber).toBeNull();
}

const status = async (session: DriverLogin) => (await t.app.inject({ method: 'GET', url: '/api/v1/identity/real-name', headers: session.headers })).json();

describe('hijack routes: nothing bound, nothing shown', () => {
  it('another person’s ID number, sex and birth date typed over the card that was read go to review', async () => {
    const session = await loginDriver(t.app, freshPhone());
    const photoId = await upload(session, cardOf(han));
    const response = await submit(session, { ...han, idNumber: xie.idNumber, sex: xie.sex, birthDate: xie.birthDate }, photoId);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ outcome: 'review', certificatesFound: 0 });
    expect(response.json().submission.state).toBe('pending');
    expect(response.json().submission.reviewReasons.map((r: { zh: string }) => r.zh)).toContain('提交的信息与证件照片识别结果不一致');
    await nothingBoundNothingShown(session);
    const [row] = await t.database.db.select().from(realNameSubmissions).where(eq(realNameSubmissions.userId, session.userId));
    expect(row!.reviewReasons).toEqual(['FIELDS_CORRECTED', 'REGISTRY_NAME_MISMATCH']);
    expect((row!.differences as { field: string; kind: string }[]).map((d) => `${d.field}:${d.kind}`)).toEqual(['idNumber:corrected', 'sex:corrected', 'birthDate:corrected']);
  });

  it('someone’s full identity typed with any photo goes to review', async () => {
    const session = await loginDriver(t.app, freshPhone());
    const photoId = await upload(session, { fields: {}, confidence: 0 });
    const response = await submit(session, xie, photoId);
    expect(response.json().outcome).toBe('review');
    await nothingBoundNothingShown(session);
  });

  it('a card whose name is not the registry holder’s links nothing', async () => {
    const session = await loginDriver(t.app, freshPhone());
    const forged = { ...xie, name: '韩志强' };
    const photoId = await upload(session, cardOf(forged));
    const response = await submit(session, forged, photoId);
    expect(response.json().outcome).toBe('review');
    // The submitter is not told what the registry holds under the number.
    expect(response.json().submission.reviewReasons.map((r: { en: string }) => r.en)).toEqual(['Your details need a manual check against the certificate registry']);
    expect(response.body).not.toContain('谢雨欣');
    await nothingBoundNothingShown(session);
  });

  it('a photo another account uploaded cannot serve a second account', async () => {
    const photo = await somePhoto();
    const first = await loginDriver(t.app, freshPhone());
    await upload(first, cardOf(han), photo);
    const second = await loginDriver(t.app, freshPhone());
    const photoId = await upload(second, cardOf(han), photo);
    const response = await submit(second, han, photoId);
    expect(response.statusCode).toBe(422);
    expect(response.json().error.code).toBe('PHOTO_USED_BY_ANOTHER_ACCOUNT');
    await nothingBoundNothingShown(second);
  });

  it('a stale photo is refused', async () => {
    const session = await loginDriver(t.app, freshPhone());
    const photoId = await upload(session, cardOf(han));
    // The session stays alive; the photo does not.
    t.clock.advance(20 * 60_000);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: session.headers })).statusCode).toBe(200);
    t.clock.advance(11 * 60_000);
    const response = await submit(session, han, photoId);
    expect(response.statusCode).toBe(422);
    expect(response.json().error.code).toBe('PHOTO_EXPIRED');
    await nothingBoundNothingShown(session);
  });

  it('a photo serves one submission; the review stays the only open one', async () => {
    const session = await loginDriver(t.app, freshPhone());
    const photoId = await upload(session, { fields: {}, confidence: 0 });
    expect((await submit(session, han, photoId)).json().outcome).toBe('review');
    const again = await submit(session, han, photoId);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('REAL_NAME_PENDING');
    const another = await upload(session, cardOf(han));
    expect((await submit(session, han, another)).json().error.code).toBe('REAL_NAME_PENDING');
    await nothingBoundNothingShown(session);
  });

  it('an ID number bound to another phone is never simply taken over, nor is its holder revealed', async () => {
    const session = await loginDriver(t.app, freshPhone());
    const photoId = await upload(session, cardOf(wang));
    const response = await submit(session, wang, photoId);
    expect(response.json().outcome).toBe('review');
    expect(response.json().submission.reviewReasons.map((r: { zh: string }) => r.zh)).toEqual(['该身份证号码已绑定其他手机号，申请更换绑定']);
    expect(response.body).not.toMatch(/13800000001|138\*/);
    await nothingBoundNothingShown(session);
  });

  it('the identity service’s mismatch and outage bind nothing and keep the photo for another try', async () => {
    const session = await loginDriver(t.app, freshPhone());
    const photoId = await upload(session, cardOf(han));
    verdict = 'mismatch';
    try {
      expect((await submit(session, han, photoId)).json().error.code).toBe('IDENTITY_MISMATCH');
      verdict = 'unavailable';
      const down = await submit(session, han, photoId);
      expect(down.statusCode).toBe(503);
      expect(down.json().error.message).toMatch(/稍后再试/);
    } finally {
      verdict = 'match';
    }
    await nothingBoundNothingShown(session);
    expect((await submit(session, han, photoId)).json().outcome).toBe('verified');
  });
});

describe('limits on trying names against a number', () => {
  it('refuses a sixth attempt on one ID number within the hour, whoever tries', async () => {
    const first17 = '44010619801203339';
    const target = { ...person('韩志强'), idNumber: first17 + idCheckDigit(first17), name: '韩志刚' };
    verdict = 'mismatch';
    try {
      for (let attempt = 1; attempt <= 6; attempt++) {
        const session = await loginDriver(t.app, freshPhone());
        const photoId = await upload(session, cardOf(target));
        const response = await submit(session, target, photoId);
        if (attempt <= 5) expect(response.json().error.code).toBe('IDENTITY_MISMATCH');
        else {
          expect(response.statusCode).toBe(429);
          expect(response.json().error.code).toBe('REAL_NAME_TOO_MANY');
          expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
        }
      }
    } finally {
      verdict = 'match';
    }
  });
});

describe('the back side of the ID card', () => {
  it('is required where the province asks for it, and an expired card is refused', async () => {
    await t.database.db.update(provinces).set({ requiresIdCardBack: true }).where(eq(provinces.code, '31'));
    try {
      const session = await loginDriver(t.app, freshPhone());
      const photoId = await upload(session, cardOf(xie));
      expect((await status(session)).provincesRequiringBack).toEqual(['31']);
      const missing = await submit(session, xie, photoId);
      expect(missing.statusCode).toBe(422);
      expect(missing.json().error.code).toBe('ID_CARD_BACK_REQUIRED');

      // Any picture uploaded as the back does not do: its validity must have been read.
      nextBack = { fields: {}, confidence: 0, durationMs: 1, doubts: [] };
      const blankBack = await upload(session, { fields: {}, confidence: 0 }, undefined, 'back');
      expect((await submit(session, xie, photoId, { backPhotoId: blankBack })).json().error.code).toBe('ID_CARD_BACK_UNREADABLE');

      nextBack = { fields: { issuingAuthority: '上海市公安局徐汇分局', validFrom: '2006-01-01', validTo: '2026-01-01' }, confidence: 0.9, durationMs: 1, doubts: [] };
      t.clock.advance(1000);
      const expiredBack = await upload(session, { fields: {}, confidence: 0 }, undefined, 'back');
      const read = (await status(session)).back;
      expect(read).toMatchObject({ side: 'back', expired: true, back: { validTo: '2026-01-01' } });
      const expired = await submit(session, xie, photoId, { backPhotoId: expiredBack });
      expect(expired.json().error.code).toBe('ID_CARD_EXPIRED');
      await nothingBoundNothingShown(session);

      nextBack = { fields: { issuingAuthority: '上海市公安局徐汇分局', validFrom: '2016-01-01', validTo: 'long-term' }, confidence: 0.9, durationMs: 1, doubts: [] };
      const validBack = await upload(session, { fields: {}, confidence: 0 }, undefined, 'back');
      const bound = await submit(session, xie, photoId, { backPhotoId: validBack });
      expect(bound.json()).toMatchObject({ outcome: 'verified', certificatesFound: 1 });
    } finally {
      await t.database.db.update(provinces).set({ requiresIdCardBack: false }).where(eq(provinces.code, '31'));
    }
  });
});

describe('the review queue (实名认证审核)', () => {
  let driver: DriverLogin;
  let submissionId: string;
  let shHandler: StaffLogin;
  const driverPhone = freshPhone();

  beforeAll(async () => {
    shHandler = await staffLogin(t, 'sh-handler');
    driver = await loginDriver(t.app, driverPhone);
    const photoId = await upload(driver, cardOf({ ...xie, birthDate: '1994-09-21' }));
    // The reader misread the birth date; the driver corrects it from the ID number.
    const response = await submit(driver, xie, photoId);
    expect(response.json().outcome).toBe('review');
    const [row] = await t.database.db.select().from(realNameSubmissions).where(eq(realNameSubmissions.userId, driver.userId));
    submissionId = row!.id;
  });

  it('is the ID number’s province’s: handlers and admins there see it, others do not', async () => {
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/staff/real-name-reviews', headers: shHandler.headers });
    expect(list.statusCode).toBe(200);
    const item = list.json().items.find((i: { id: string }) => i.id === submissionId);
    expect(item).toMatchObject({ state: 'pending', nameMasked: '谢*欣', provinceCode: '31' });
    expect(item.idNumberMasked).not.toContain(xie.idNumber.slice(6, 14));
    expect(list.json().counts.pending).toBeGreaterThanOrEqual(1);

    const bj = await staffLogin(t, 'bj-handler');
    const bjList = await t.app.inject({ method: 'GET', url: '/api/v1/staff/real-name-reviews', headers: bj.headers });
    expect(bjList.json().items.map((i: { id: string }) => i.id)).not.toContain(submissionId);
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/staff/real-name-reviews/${submissionId}`, headers: bj.headers })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/staff/real-name-reviews/${submissionId}/approve`, headers: bj.headers })).statusCode).toBe(404);

    const reviewer = await staffLogin(t, 'sh-reviewer');
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/staff/real-name-reviews', headers: reviewer.headers })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/staff/real-name-reviews/${submissionId}/approve`, headers: reviewer.headers })).statusCode).toBe(403);

    const sys = await staffLogin(t, 'sys-admin');
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/staff/real-name-reviews/${submissionId}`, headers: sys.headers })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/staff/real-name-reviews/${submissionId}/approve`, headers: sys.headers })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/staff/real-name-reviews' })).statusCode).toBe(401);
  });

  it('shows the reading, the correction, the registry and the identity answer side by side, and audits the read', async () => {
    const response = await t.app.inject({ method: 'GET', url: `/api/v1/staff/real-name-reviews/${submissionId}`, headers: shHandler.headers });
    const detail = response.json();
    expect(detail.submitted).toMatchObject({ name: '谢雨欣', idNumber: xie.idNumber, birthDate: '1994-09-27' });
    expect(detail.reading).toMatchObject({ birthDate: '1994-09-21', confidence: 0.95 });
    expect(detail.differences).toEqual([{ field: 'birthDate', kind: 'corrected', read: '1994-09-21', submitted: '1994-09-27' }]);
    expect(detail.registry).toEqual([expect.objectContaining({ holderName: '谢雨欣', sameName: true })]);
    expect(detail.identityCheck).toMatchObject({ provider: 'test', result: 'match' });
    expect(detail.deadline).toMatch(/^\d{4}-\d{2}-\d{2}$/);

    const photo = await t.app.inject({ method: 'GET', url: `/api/v1/staff/real-name-reviews/${submissionId}/photos/portrait`, headers: shHandler.headers });
    expect(photo.statusCode).toBe(200);
    expect(photo.headers['content-type']).toBe('image/jpeg');
    expect(photo.headers['cache-control']).toBe('no-store');
    const audit = await t.database.db.select().from(auditLog).where(and(eq(auditLog.targetId, submissionId), eq(auditLog.username, 'sh-handler')));
    expect(audit.map((a) => a.event).sort()).toEqual(['real_name.read', 'real_name.read_photo']);
    expect(audit.every((a) => a.provinceCode === '31')).toBe(true);
    // The system admin's read (above) is on record too, under the submission's province.
    const byAdmin = await t.database.db.select().from(auditLog).where(and(eq(auditLog.targetId, submissionId), eq(auditLog.username, 'sys-admin')));
    expect(byAdmin.map((a) => [a.event, a.provinceCode])).toEqual([['real_name.read', '31']]);
  });

  it('the driver sees 审核中 with the deadline and keeps nothing of the certificates meanwhile', async () => {
    const seen = await status(driver);
    expect(seen.status).toBe('pending');
    expect(seen.submission.deadline).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    await nothingBoundNothingShown(driver);
  });

  it('approving binds the identity, links the certificates, tells the driver by SMS and is audited', async () => {
    const response = await t.app.inject({ method: 'POST', url: `/api/v1/staff/real-name-reviews/${submissionId}/approve`, headers: shHandler.headers });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ state: 'approved', decidedBy: 'sh-handler' });
    const certificates = await t.app.inject({ method: 'GET', url: '/api/v1/me/certificates', headers: driver.headers });
    expect(certificates.statusCode).toBe(200);
    expect(certificates.json().certificates.map((c: { holderName: string }) => c.holderName)).toEqual(['谢雨欣']);
    expect((await status(driver)).status).toBe('verified');
    const sms = await t.database.db.select().from(outbox).where(eq(outbox.topic, 'sms.real_name_decision'));
    expect(sms.some((m) => (m.payload as { submissionId: string }).submissionId === submissionId)).toBe(true);
    await t.app.outboxWorker!.runOnce();
    const sent = (await t.app.inject({ method: 'GET', url: `/api/v1/dev/sms-outbox?phone=${driverPhone}` })).json().messages as { text: string }[];
    expect(sent.map((m) => m.text)).toContainEqual(expect.stringMatching(/^您的办件SM\d{6}[2-9A-HJ-NP-Z]{6}状态已更新：实名认证审核通过/));
    const again = await t.app.inject({ method: 'POST', url: `/api/v1/staff/real-name-reviews/${submissionId}/approve`, headers: shHandler.headers });
    expect(again.statusCode).toBe(409);
    const audit = await t.database.db.select().from(auditLog).where(and(eq(auditLog.targetId, submissionId), eq(auditLog.event, 'real_name.approve')));
    expect(audit).toHaveLength(1);
  });

  it('rejecting tells the driver every reason, and the driver may upload again', async () => {
    const session = await loginDriver(t.app, freshPhone());
    const shAdmin = await staffLogin(t, 'sh-admin');
    const photoId = await upload(session, { fields: {}, confidence: 0 });
    const first17 = '31010419950101222';
    const stranger = { ...xie, name: '孙小美', idNumber: first17 + idCheckDigit(first17), birthDate: '1995-01-01', sex: 'F' as const };
    expect((await submit(session, stranger, photoId)).json().outcome).toBe('review');
    const [row] = await t.database.db.select().from(realNameSubmissions).where(eq(realNameSubmissions.userId, session.userId));
    const noNote = await t.app.inject({ method: 'POST', url: `/api/v1/staff/real-name-reviews/${row!.id}/reject`, payload: { reasons: ['OTHER'] }, headers: shAdmin.headers });
    expect(noNote.statusCode).toBe(400);
    const rejected = await t.app.inject({
      method: 'POST',
      url: `/api/v1/staff/real-name-reviews/${row!.id}/reject`,
      payload: { reasons: ['PHOTO_UNCLEAR', 'DETAILS_NOT_ON_PHOTO'], note: '请拍摄身份证原件' },
      headers: shAdmin.headers,
    });
    expect(rejected.statusCode).toBe(200);
    const seen = await status(session);
    expect(seen.status).toBe('rejected');
    expect(seen.submission.rejectionReasons.map((r: { zh: string }) => r.zh)).toEqual(['证件照片不清晰或不完整，请重新拍摄', '填写的信息与证件照片不一致']);
    expect(seen.submission.note).toBe('请拍摄身份证原件');
    await nothingBoundNothingShown(session);
    const zheng = person('郑晓明');
    const retry = await upload(session, cardOf(zheng));
    expect((await submit(session, zheng, retry)).json().outcome).toBe('verified');
  });
});

describe('the province’s setting for the back side', () => {
  it('is switched by its own admins only, and audited', async () => {
    const shAdmin = await staffLogin(t, 'sh-admin');
    const url = '/api/v1/staff/admin/identity-settings';
    expect((await t.app.inject({ method: 'GET', url, headers: shAdmin.headers })).json()).toMatchObject({ province: { code: '31' }, requiresIdCardBack: false });
    const on = await t.app.inject({ method: 'PUT', url, payload: { requiresIdCardBack: true }, headers: shAdmin.headers });
    expect(on.json().requiresIdCardBack).toBe(true);
    const other = await t.app.inject({ method: 'PUT', url, payload: { province: '11', requiresIdCardBack: true }, headers: shAdmin.headers });
    expect(other.statusCode).toBe(403);
    const handler = await staffLogin(t, 'sh-handler');
    expect((await t.app.inject({ method: 'PUT', url, payload: { requiresIdCardBack: false }, headers: handler.headers })).statusCode).toBe(403);
    const session = await loginDriver(t.app, freshPhone());
    expect((await status(session)).provincesRequiringBack).toEqual(['31']);
    await t.app.inject({ method: 'PUT', url, payload: { requiresIdCardBack: false }, headers: shAdmin.headers });
    const audit = await t.database.db.select().from(auditLog).where(eq(auditLog.event, 'admin.identity.update'));
    expect(audit.map((a) => a.details)).toEqual([{ requiresIdCardBack: true }, { requiresIdCardBack: false }]);
  });
});

describe('moving an ID number to a new phone', () => {
  it('ends the old phone’s sessions and brings the applications along once a clerk approves', async () => {
    const old = await loginDriver(t.app, '13800000001');
    const [before] = await t.database.db.select({ n: applications.id }).from(applications).where(eq(applications.userId, old.userId)).limit(1);
    const session = await loginDriver(t.app, freshPhone());
    const photoId = await upload(session, cardOf(wang));
    expect((await submit(session, wang, photoId)).json().outcome).toBe('review');
    const [row] = await t.database.db.select().from(realNameSubmissions).where(eq(realNameSubmissions.userId, session.userId));
    const bj = await staffLogin(t, 'bj-handler');
    const detail = await t.app.inject({ method: 'GET', url: `/api/v1/staff/real-name-reviews/${row!.id}`, headers: bj.headers });
    expect(detail.json().boundElsewhere).toEqual({ phoneMasked: '138****0001' });
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/staff/real-name-reviews/${row!.id}/approve`, headers: bj.headers })).statusCode).toBe(200);

    const oldMe = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: old.headers });
    expect(oldMe.statusCode).toBe(401);
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: session.headers });
    expect(me.json()).toMatchObject({ verified: true, identity: { name: '王建国' } });
    if (before) {
      const moved = await t.database.db.select({ userId: applications.userId }).from(applications).where(eq(applications.id, before.n));
      expect(moved[0]!.userId).toBe(session.userId);
    }
    const [oldRow] = await t.database.db.select({ idNumber: users.idNumber, verifiedAt: users.verifiedAt }).from(users).where(eq(users.id, old.userId));
    expect(oldRow).toEqual({ idNumber: null, verifiedAt: null });
  });
});

describe('IDENTITY_PROVIDER', () => {
  it('production refuses to start on local rules, naming the variable and the choices', () => {
    const base = { NODE_ENV: 'production', RTO_DATA_KEY: 'a'.repeat(64), SMS_PROVIDER: 'aliyun', ALIYUN_SMS_ACCESS_KEY_ID: 'id', ALIYUN_SMS_ACCESS_KEY_SECRET: 's', ALIYUN_SMS_SIGN_NAME: 'n', ALIYUN_SMS_TEMPLATE_LOGIN: 't', PUBLIC_BASE_URL: 'https://rto.example.gov.cn' };
    const refusals = (env: Record<string, string>) => unsafeProductionSettings(loadConfig({ ...base, ...env }));
    expect(refusals({})).toEqual([expect.stringMatching(/^IDENTITY_PROVIDER: 'local' checks no identity.*IDENTITY_PROVIDER=tencent.*IDENTITY_PROVIDER=manual/)]);
    expect(refusals({ IDENTITY_PROVIDER: 'manual' })).toEqual([]);
    expect(() => loadConfig({ ...base, IDENTITY_PROVIDER: 'tencent' })).toThrow(/TENCENT_SECRET_ID: required when IDENTITY_PROVIDER=tencent/);
    const tencent = { IDENTITY_PROVIDER: 'tencent', TENCENT_SECRET_ID: 'id', TENCENT_SECRET_KEY: 'key', TENCENT_FACEID_RULE_ID: '1' };
    expect(refusals(tencent)).toEqual([]);
    expect(refusals({ ...tencent, IDENTITY_FACE_CHECK: 'phone-change' })).toEqual([expect.stringMatching(/^IDENTITY_FACE_CHECK: 'phone-change' would bind/)]);
    expect(refusals({ ...tencent, TENCENT_FACEID_ENDPOINT: 'http://faceid.example' })).toEqual(['TENCENT_FACEID_ENDPOINT: must be https in production']);
    // Development keeps the local rules and the stand-in.
    expect(unsafeProductionSettings(loadConfig({ IDENTITY_FACE_CHECK: 'phone-change', TENCENT_FACEID_ENDPOINT: 'http://127.0.0.1:9' }))).toEqual([]);
  });

  it('manual sends even a perfect submission to the review queue', async () => {
    const manual = await createTestApp({ env: { IDENTITY_PROVIDER: 'manual' }, adapters: { idCardReader: fakeReader } });
    try {
      const session = await loginDriver(manual.app, freshPhone());
      nextReading = cardOf(han);
      const { payload, headers } = multipart(await somePhoto());
      const photoId = (await manual.app.inject({ method: 'POST', url: '/api/v1/identity/id-card-ocr', payload, headers: { ...headers, ...session.headers } })).json().photoId;
      const response = await manual.app.inject({ method: 'POST', url: '/api/v1/identity/verification', payload: { ...han, photoId }, headers: session.headers });
      expect(response.json().outcome).toBe('review');
      expect(response.json().submission.reviewReasons.map((r: { en: string }) => r.en)).toEqual(['Every real-name submission is reviewed by staff in this province']);
    } finally {
      await manual.close();
    }
  });
});
