import { eq } from 'drizzle-orm';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountExportSchema } from '../../src/contract/account.ts';
import { verifyAuditChain } from '../../src/server/audit/chain.ts';
import { driverActor } from '../../src/server/applications/service.ts';
import { applyTransition } from '../../src/server/applications/transitions.ts';
import { auditLog, consents, idCardPhotos, materials, outbox, sessions, users } from '../../src/server/db/schema.ts';
import { certificatesOfHolder } from '../../src/server/registry/certificates.ts';
import { createFileStorage, EncryptedFileStorage } from '../../src/server/storage/index.ts';
import { fieldKeys } from '../../src/server/secrets/fieldCipher.ts';
import { acceptedCreditAssessment, approveWithVoucher, certificateOf, submittedApplication } from '../helpers/applications.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { loginDriver, type DriverLogin } from '../helpers/driverLogin.ts';

const PHONE = '13800000001';
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, ...Buffer.from('an ID card photo, as stored'), 0xff, 0xd9]);
const MATERIAL = Buffer.from([0xff, 0xd8, 0xff, 0xe0, ...Buffer.from('a material photo'), 0xff, 0xd9]);

describe('my data: download and closing the account', () => {
  let t: TestApp;
  let driver: DriverLogin;
  let idNumber: string;
  let openReference: string;
  let openApplication: Awaited<ReturnType<typeof submittedApplication>>;
  // Files as the app stores them: sealed under the data key.
  const storage = () => new EncryptedFileStorage(createFileStorage(t.config.storage), fieldKeys);

  beforeAll(async () => {
    t = await createTestApp();
    driver = await loginDriver(t.app, PHONE);
    const [user] = await t.database.db.select().from(users).where(eq(users.id, driver.userId));
    idNumber = user!.idNumber!;
    // The ID-card photo the identity was verified with.
    await storage().put(`id-cards/${driver.userId}/portrait.jpg`, JPEG, 'image/jpeg');
    await t.database.db.insert(idCardPhotos).values({ id: 'photo-0001', userId: driver.userId, side: 'portrait', storageKey: `id-cards/${driver.userId}/portrait.jpg`, sha256: 'x', reading: {}, expiresAt: t.clock.now(), usedAt: t.clock.now() });
    await t.database.db.update(users).set({ idPhotoKey: `id-cards/${driver.userId}/portrait.jpg` }).where(eq(users.id, driver.userId));
    // A decided application with its voucher, and one still being handled, with a material.
    const assessed = await acceptedCreditAssessment(t.database.db, driver.userId, t.clock.now());
    await approveWithVoucher(t.database.db, assessed, 'AAA', t.clock.now());
    const certificate = await certificateOf(t.database.db, driver.userId);
    openApplication = await submittedApplication(t, { phone: PHONE, certificateId: certificate.id, business: 'replacement' });
    openReference = openApplication.reference;
    await storage().put(`materials/${openApplication.id}/photo.jpg`, MATERIAL, 'image/jpeg');
    await t.database.db.insert(materials).values({ applicationId: openApplication.id, materialKey: 'photo', fileKey: `materials/${openApplication.id}/photo.jpg`, thumbnailKey: `materials/${openApplication.id}/photo.thumb.jpg`, mime: 'image/jpeg', bytes: MATERIAL.length, width: 10, height: 10, sha256: 'y' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('downloads a zip with the account, identity, applications with their timelines and the uploaded files', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/me/export', headers: driver.headers });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/zip');
    expect(response.headers['content-disposition']).toMatch(/^attachment; filename="my-data-\d{4}-\d{2}-\d{2}\.zip"/);
    expect(response.headers['cache-control']).toBe('private, no-store');
    const files = unzipSync(new Uint8Array(response.rawPayload));
    const data = accountExportSchema.parse(JSON.parse(new TextDecoder().decode(files['my-data.json'])));
    expect(data.account).toMatchObject({ id: driver.userId, phone: PHONE });
    expect(data.account.consents.map((c) => c.agreement).sort()).toEqual(['privacy_policy', 'sensitive_face', 'sensitive_id_card', 'user_agreement']);
    expect(data.identity).toMatchObject({ name: '王建国', idNumber });
    expect(Buffer.from(files[data.identity!.idCardPhoto!.path]!)).toEqual(JPEG);
    expect(data.certificates.length).toBeGreaterThan(0);
    const [assessment, replacement] = [data.applications.find((a) => a.business === 'credit_assessment')!, data.applications.find((a) => a.business === 'replacement')!];
    expect(assessment.timeline.map((e) => e.action)).toEqual(['submit', 'accept', 'approve', 'complete']);
    expect(assessment.voucher).toMatchObject({ rating: 'AAA', revoked: false });
    expect(replacement.reference).toBe(openReference);
    expect(Buffer.from(files[replacement.materials[0]!.path]!)).toEqual(MATERIAL);
    const [audited] = await t.database.db.select().from(auditLog).where(eq(auditLog.event, 'account.export'));
    expect(audited).toMatchObject({ role: 'driver', targetKind: 'user', targetId: driver.userId, provinceCode: '11' });
  });

  it('asks for a session', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me/export' })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'DELETE', url: '/api/v1/me' })).statusCode).toBe(401);
  });

  it('refuses to close the account while an application is open, naming it', async () => {
    const response = await t.app.inject({ method: 'DELETE', url: '/api/v1/me', headers: driver.headers });
    expect(response.statusCode).toBe(409);
    const { error } = response.json();
    expect(error.code).toBe('ACCOUNT_CLOSING_BLOCKED');
    expect(error.message).toContain(openReference);
    expect(error.details.blocking).toEqual([{ kind: 'application', reference: openReference, state: 'submitted' }]);
    const english = await t.app.inject({ method: 'DELETE', url: '/api/v1/me', headers: { ...driver.headers, 'accept-language': 'en' } });
    expect(english.json().error.message).toMatch(/cannot be closed yet: application .* is not finished/);
    // Nothing changed.
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: driver.headers })).statusCode).toBe(200);
  });

  it('closes it once nothing is open: account, sessions, consents and photos go, the office keeps its records unlinked, and the SMS confirms', async () => {
    await applyTransition(t.database.db, openApplication, 'withdraw', driverActor(driver.userId), {}, t.clock.now());
    const response = await t.app.inject({ method: 'DELETE', url: '/api/v1/me', headers: driver.headers });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ kept: { applications: 2, vouchers: 1, verificationRequests: 0 }, discardedDrafts: 0 });
    expect(response.headers['set-cookie']).toMatch(/rto_session=;/);

    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: driver.headers })).statusCode).toBe(401);
    const [user] = await t.database.db.select().from(users).where(eq(users.id, driver.userId));
    expect(user).toMatchObject({ phone: `closed:${driver.userId}`, idNumber: null, name: null, address: null, birthDate: null, idPhotoKey: null, verifiedAt: null });
    expect(user!.closedAt).not.toBeNull();
    expect(await t.database.db.select().from(sessions).where(eq(sessions.subjectId, driver.userId))).toEqual([]);
    expect(await t.database.db.select().from(consents).where(eq(consents.userId, driver.userId))).toEqual([]);
    expect(await t.database.db.select().from(idCardPhotos).where(eq(idCardPhotos.userId, driver.userId))).toEqual([]);
    expect(await storage().exists(`id-cards/${driver.userId}/portrait.jpg`)).toBe(false);
    // The registry is the authorities' own: still found by the ID number.
    expect((await certificatesOfHolder(t.database.db, idNumber)).length).toBeGreaterThan(0);

    const [message] = await t.database.db.select().from(outbox).where(eq(outbox.topic, 'sms.account_closed'));
    expect(JSON.stringify(message!.payload)).not.toContain(PHONE);
    await t.app.outboxWorker.runOnce();
    const sms = (await t.app.inject({ method: 'GET', url: `/api/v1/dev/sms-outbox?phone=${PHONE}` })).json().messages as { template: string; text: string }[];
    expect(sms[0]).toMatchObject({ template: 'account_closed' });
    expect(sms[0]!.text).toMatch(/账号已于\d{4}-\d{2}-\d{2}注销/);

    const [closing] = await t.database.db.select().from(auditLog).where(eq(auditLog.event, 'account.close'));
    expect(closing).toMatchObject({ role: 'driver', targetId: driver.userId, details: { kept: { applications: 2, vouchers: 1 } } });
    expect((await verifyAuditChain(t.database.db)).ok).toBe(true);

    // The phone is free: logging in again opens a new, empty account.
    t.clock.advance(2 * 60_000);
    const again = await loginDriver(t.app, PHONE);
    expect(again.userId).not.toBe(driver.userId);
    const me = (await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: again.headers })).json();
    expect(me.verified).toBe(false);
  });
});
