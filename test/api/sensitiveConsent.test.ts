import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consents, idCardPhotos } from '../../src/server/db/schema.ts';
import { demoIdNumber, demoPeople } from '../../src/server/seed/demo.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { loginDriver } from '../helpers/driverLogin.ts';
import { documentPhoto } from '../helpers/images.ts';
import { multipart } from '../helpers/multipart.ts';

/** The separate consent to ID-card information before the photo is uploaded (PIPL Art. 29). */
describe('separate consent to sensitive personal information', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses the ID photo and the submission until the driver agrees to the current text, without touching the account', async () => {
    const driver = await loginDriver(t.app, '13911110001', { sensitiveConsent: false });
    const listed = await t.app.inject({ method: 'GET', url: '/api/v1/identity/consents', headers: driver.headers });
    expect(listed.statusCode).toBe(200);
    const body = listed.json();
    expect(body.faceCheck).toBe(false);
    const [idCard] = body.consents;
    expect(idCard).toMatchObject({ key: 'id_card', given: false, givenAt: null });
    // What, why, how long, and what refusing means, in both languages.
    expect(idCard.sections.map((s: { heading: { zh: string } }) => s.heading.zh)).toEqual(['收集什么', '为什么需要', '保存多久', '如果您不同意']);
    expect(idCard.sections[3].paragraphs[0].en).toMatch(/account stays/);

    const upload = async () => {
      const { payload, headers } = multipart(await documentPhoto(7));
      return t.app.inject({ method: 'POST', url: '/api/v1/identity/id-card-ocr', payload, headers: { ...headers, ...driver.headers } });
    };
    const refused = await upload();
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toMatchObject({ code: 'SENSITIVE_CONSENT_REQUIRED', details: { consent: 'id_card', version: idCard.version } });
    expect(refused.json().error.message).toContain('单独同意');
    expect(await t.database.db.select().from(idCardPhotos).where(eq(idCardPhotos.userId, driver.userId))).toEqual([]);
    const person = demoPeople[0]!;
    const submitted = await t.app.inject({
      method: 'POST',
      url: '/api/v1/identity/verification',
      payload: { name: person.name, idNumber: demoIdNumber(person), sex: person.sex, birthDate: person.birthDate, address: person.address, ethnicity: person.ethnicity, photoId: `${'a'.repeat(64)}.jpg` },
      headers: driver.headers,
    });
    expect(submitted.json().error?.code, submitted.body).toBe('SENSITIVE_CONSENT_REQUIRED');
    // Refusing ends nothing: the account is still there and logged in.
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: driver.headers })).statusCode).toBe(200);

    const outdated = await t.app.inject({ method: 'POST', url: '/api/v1/identity/consents', payload: { key: 'id_card', version: 'v0' }, headers: driver.headers });
    expect(outdated.statusCode).toBe(422);
    expect(outdated.json().error.code).toBe('CONSENT_OUTDATED');

    const agreed = await t.app.inject({ method: 'POST', url: '/api/v1/identity/consents', payload: { key: 'id_card', version: idCard.version }, headers: driver.headers });
    expect(agreed.statusCode).toBe(201);
    expect(agreed.json().consents[0]).toMatchObject({ key: 'id_card', given: true });
    // Agreeing twice records it once.
    await t.app.inject({ method: 'POST', url: '/api/v1/identity/consents', payload: { key: 'id_card', version: idCard.version }, headers: driver.headers });
    const rows = await t.database.db.select().from(consents).where(and(eq(consents.userId, driver.userId), eq(consents.agreement, 'sensitive_id_card')));
    expect(rows.map((r) => r.version)).toEqual([idCard.version]);

    const after = await upload();
    expect(after.statusCode).not.toBe(403);
  });
});
