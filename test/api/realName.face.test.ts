import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, outbox } from '../../src/server/db/schema.ts';
import type { IdCardFields, IdCardReader } from '../../src/server/identity/ocr.ts';
import { startTencentFaceIdStandIn, type TencentFaceIdStandIn } from '../../src/server/identity/providers/tencentFaceIdStandIn.ts';
import { demoIdNumber, demoPeople } from '../../src/server/seed/demo.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { loginDriver, type DriverLogin } from '../helpers/driverLogin.ts';
import { documentPhoto } from '../helpers/images.ts';
import { multipart } from '../helpers/multipart.ts';

/** Real-name authentication with Tencent FaceID's H5 face check (the stand-in speaks its API). */

const person = (name: string) => {
  const p = demoPeople.find((d) => d.name === name)!;
  return { name: p.name, idNumber: demoIdNumber(p), sex: p.sex, birthDate: p.birthDate, address: p.address, ethnicity: p.ethnicity };
};
const zheng = person('郑晓明');
const xie = person('谢雨欣');
const han = person('韩志强');
const wang = person('王建国');

let nextReading: { fields: IdCardFields; confidence: number } = { fields: {}, confidence: 0 };
const fakeReader: IdCardReader = {
  read: async () => ({ ...nextReading, lines: [], durationMs: 1, doubts: [], fieldConfidence: {} }),
  readBack: async () => ({ fields: {}, confidence: 0, durationMs: 1, doubts: [] }),
};

const credentials = { secretId: 'AKIDstandin0000000000000000000000', secretKey: 'standin-secret-key-0000000000000', ruleId: '7' };
let standIn: TencentFaceIdStandIn;
let t: TestApp;
let phoneSeq = 0;
const freshPhone = () => `135${String(40_000_000 + ++phoneSeq).slice(-8)}`;

beforeAll(async () => {
  standIn = await startTencentFaceIdStandIn({ ...credentials, people: [zheng, xie, han, wang] });
  t = await createTestApp({
    env: {
      IDENTITY_PROVIDER: 'tencent',
      TENCENT_SECRET_ID: credentials.secretId,
      TENCENT_SECRET_KEY: credentials.secretKey,
      TENCENT_FACEID_RULE_ID: credentials.ruleId,
      TENCENT_FACEID_ENDPOINT: standIn.endpoint,
      PUBLIC_BASE_URL: 'https://rto.example.gov.cn',
    },
    adapters: { idCardReader: fakeReader },
  });
});
afterAll(async () => {
  await t?.close();
  await standIn?.close();
});

let photoSeed = 0;
async function photoOf(session: DriverLogin, who: typeof zheng): Promise<string> {
  nextReading = { fields: { ...who }, confidence: 0.95 };
  const file = await documentPhoto(++photoSeed);
  const { payload, headers } = multipart(file);
  const response = await t.app.inject({ method: 'POST', url: '/api/v1/identity/id-card-ocr', payload, headers: { ...headers, ...session.headers } });
  return response.json().photoId as string;
}

const submit = (session: DriverLogin, who: typeof zheng, photoId: string) =>
  t.app.inject({ method: 'POST', url: '/api/v1/identity/verification', payload: { ...who, photoId }, headers: session.headers });
const comeBack = (session: DriverLogin, token: string) => t.app.inject({ method: 'POST', url: '/api/v1/identity/face-check', payload: { token }, headers: session.headers });
const tokenOf = (faceCheckUrl: string) => new URL(faceCheckUrl).searchParams.get('token')!;
const verified = async (session: DriverLogin) => (await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: session.headers })).json().verified as boolean;

describe('the face check step', () => {
  it('is not started before the driver agrees separately to the processing of their face (PIPL Art. 29)', async () => {
    const session = await loginDriver(t.app, freshPhone(), { sensitiveConsent: false });
    const consents = (await t.app.inject({ method: 'GET', url: '/api/v1/identity/consents', headers: session.headers })).json();
    expect(consents.faceCheck).toBe(true);
    expect(consents.consents.map((c: { key: string; given: boolean }) => [c.key, c.given])).toEqual([['id_card', false], ['face', false]]);
    const version = (key: string) => consents.consents.find((c: { key: string }) => c.key === key).version as string;
    await t.app.inject({ method: 'POST', url: '/api/v1/identity/consents', payload: { key: 'id_card', version: version('id_card') }, headers: session.headers });
    const photoId = await photoOf(session, han);
    const before = standIn.requests.length;
    const refused = await submit(session, han, photoId);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toMatchObject({ code: 'SENSITIVE_CONSENT_REQUIRED', details: { consent: 'face' } });
    expect(standIn.requests.length).toBe(before);
    await t.app.inject({ method: 'POST', url: '/api/v1/identity/consents', payload: { key: 'face', version: version('face') }, headers: session.headers });
    const started = await submit(session, han, photoId);
    expect(started.json()).toMatchObject({ outcome: 'face_check' });
  });

  it('sends the phone to the provider, and binds only after the provider says it is the holder', async () => {
    const session = await loginDriver(t.app, freshPhone());
    const started = await submit(session, zheng, await photoOf(session, zheng));
    expect(started.statusCode).toBe(200);
    expect(started.json()).toMatchObject({ outcome: 'face_check', certificatesFound: 0 });
    const url = started.json().faceCheckUrl as string;
    expect(url.startsWith(`${standIn.endpoint}/h5/detect?token=`)).toBe(true);
    const detect = standIn.requests.find((r) => r.action === 'DetectAuth' && r.params.IdCard === zheng.idNumber)!;
    expect(detect.params).toMatchObject({ RuleId: '7', Name: '郑晓明', RedirectUrl: 'https://rto.example.gov.cn/real-name?face=1' });
    expect(await verified(session)).toBe(false);

    const token = tokenOf(url);
    const early = await comeBack(session, token);
    expect(early.statusCode).toBe(409);
    expect(early.json().error.code).toBe('FACE_CHECK_PENDING');

    standIn.setFaceOutcome('pass');
    expect(standIn.completeFaceCheck(token)).toBe(`https://rto.example.gov.cn/real-name?face=1&token=${token}`);
    const done = await comeBack(session, token);
    expect(done.statusCode).toBe(200);
    expect(done.json()).toMatchObject({ outcome: 'verified', certificatesFound: 1 });
    expect(await verified(session)).toBe(true);
  });

  it('a failed liveness check binds nothing, says so, and lets the driver start again', async () => {
    const session = await loginDriver(t.app, freshPhone());
    const token = tokenOf((await submit(session, xie, await photoOf(session, xie))).json().faceCheckUrl);
    standIn.setFaceOutcome('liveness_fail');
    standIn.completeFaceCheck(token);
    const failed = await comeBack(session, token);
    standIn.setFaceOutcome('pass');
    expect(failed.statusCode).toBe(422);
    expect(failed.json().error.code).toBe('FACE_CHECK_FAILED');
    expect(await verified(session)).toBe(false);
    const seen = (await t.app.inject({ method: 'GET', url: '/api/v1/identity/real-name', headers: session.headers })).json();
    expect(seen.status).toBe('failed');
    expect((await comeBack(session, token)).statusCode).toBe(404);
    const again = await submit(session, xie, await photoOf(session, xie));
    expect(again.json().outcome).toBe('face_check');
  });

  it('an unfinished face check can be continued after a reload, or abandoned by starting again', async () => {
    const session = await loginDriver(t.app, freshPhone());
    const url = (await submit(session, zheng, await photoOf(session, zheng))).json().faceCheckUrl as string;
    const seen = (await t.app.inject({ method: 'GET', url: '/api/v1/identity/real-name', headers: session.headers })).json();
    expect(seen).toMatchObject({ status: 'face_check', faceCheckUrl: url });
    const again = await submit(session, zheng, await photoOf(session, zheng));
    expect(again.json().outcome).toBe('face_check');
    expect((await comeBack(session, tokenOf(url))).statusCode).toBe(404);
  });

  it('another driver cannot finish someone else’s face check with its token', async () => {
    const owner = await loginDriver(t.app, freshPhone());
    const token = tokenOf((await submit(owner, han, await photoOf(owner, han))).json().faceCheckUrl);
    standIn.completeFaceCheck(token);
    const thief = await loginDriver(t.app, freshPhone());
    const response = await comeBack(thief, token);
    expect(response.statusCode).toBe(404);
    expect(await verified(thief)).toBe(false);
  });

  it('a provider outage at the start binds nothing and keeps the photo for another try', async () => {
    const session = await loginDriver(t.app, freshPhone());
    const photoId = await photoOf(session, wang);
    standIn.failNext(1, 'InternalError');
    const down = await submit(session, wang, photoId);
    expect(down.statusCode).toBe(503);
    expect(down.json().error.code).toBe('IDENTITY_CHECK_UNAVAILABLE');
    expect(await verified(session)).toBe(false);
    expect((await submit(session, wang, photoId)).json().outcome).toBe('face_check');
  });

  it('a name the authority does not hold for the number is refused before any face check', async () => {
    const session = await loginDriver(t.app, freshPhone());
    const forged = { ...han, name: '韩志刚' };
    const response = await submit(session, forged, await photoOf(session, forged));
    expect(response.statusCode).toBe(422);
    expect(response.json().error.code).toBe('IDENTITY_MISMATCH');
  });
});

describe('moving an ID number to a new phone with the face check', () => {
  it('moves it at once when the holder passes, and ends the old phone’s sessions', async () => {
    const old = await loginDriver(t.app, '13800000001');
    expect(await verified(old)).toBe(true);
    const session = await loginDriver(t.app, freshPhone());
    const token = tokenOf((await submit(session, wang, await photoOf(session, wang))).json().faceCheckUrl);
    standIn.completeFaceCheck(token);
    const done = await comeBack(session, token);
    expect(done.json()).toMatchObject({ outcome: 'verified', user: { identity: { name: '王建国' } } });
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: old.headers })).statusCode).toBe(401);
    t.clock.advance(61_000);
    const relogin = await loginDriver(t.app, '13800000001');
    expect(await verified(relogin)).toBe(false);
    // The old phone is told, and the move is on record.
    const told = await t.database.db.select().from(outbox).where(eq(outbox.topic, 'sms.real_name_moved'));
    expect(told.map((m) => (m.payload as { userId: string }).userId)).toEqual([old.userId]);
    const binds = await t.database.db.select().from(auditLog).where(and(eq(auditLog.event, 'real_name.bind'), eq(auditLog.provinceCode, '11')));
    const audit = binds.find((a) => a.details.userId === session.userId);
    expect(audit!.details).toMatchObject({ userId: session.userId, movedFromUserId: old.userId, movedFromPhone: '138****0001' });
    await t.app.outboxWorker!.runOnce();
    const sms = (await t.app.inject({ method: 'GET', url: '/api/v1/dev/sms-outbox?phone=13800000001' })).json().messages as { text: string }[];
    expect(sms.some((m) => m.text.includes('您的身份证已绑定到新的手机号'))).toBe(true);
  });
});
