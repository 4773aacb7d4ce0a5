import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { loginDriver, type DriverLogin } from '../helpers/driverLogin.ts';
import { documentPhoto, multipart } from './uploads.fixtures.ts';

/** JSON text with escapes JSON.stringify would not write (a lone surrogate stays an escape). */
const rawJson = (text: string) => ({ payload: text, headers: { 'content-type': 'application/json' } });

describe('no 500 for a client’s mistake', () => {
  let t: TestApp;
  let driver: DriverLogin;
  let draftId: string;

  beforeAll(async () => {
    t = await createTestApp();
    driver = await loginDriver(t.app, '13800000001');
    const certificates = await t.app.inject({ method: 'GET', url: '/api/v1/me/certificates', headers: driver.headers });
    const certificateId = (certificates.json() as { certificates: { id: string }[] }).certificates[0]!.id;
    const draft = await t.app.inject({ method: 'POST', url: '/api/v1/applications', headers: driver.headers, payload: { business: 'credit_assessment', certificateId } });
    draftId = (draft.json() as { id: string }).id;
  });
  afterAll(async () => {
    await t?.close();
  });

  const fieldsOf = (response: { json(): unknown }) => ((response.json() as { error: { details?: { fields?: { path: string; message: string }[] } } }).error.details?.fields ?? []).map((f) => f.path);

  it.each([
    ['a NUL', '"\\u0000"'],
    ['a NUL inside text', '"张\\u0000三"'],
    ['a lone high surrogate', '"\\ud800"'],
    ['a lone low surrogate', '"ab\\udfffcd"'],
  ])('%s in a text field is a 400 naming the field, and changes nothing', async (_what, value) => {
    const before = (await t.app.inject({ method: 'GET', url: `/api/v1/applications/${draftId}`, headers: driver.headers })).json() as { personalInfo: unknown };
    const response = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/applications/${draftId}`,
      headers: { ...driver.headers, 'content-type': 'application/json', 'accept-language': 'en' },
      payload: `{"personalInfo":{"reason":${value}}}`,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('VALIDATION_FAILED');
    expect(fieldsOf(response)).toEqual(['personalInfo.reason']);
    expect(response.json().error.details.fields[0].message).toMatch(/NUL|Unicode/);
    const after = (await t.app.inject({ method: 'GET', url: `/api/v1/applications/${draftId}`, headers: driver.headers })).json() as { personalInfo: unknown };
    expect(after.personalInfo).toEqual(before.personalInfo);
  });

  it('bad characters in a login field, a query filter or a path are 400 in the reader’s language', async () => {
    const phone = await t.app.inject({ method: 'POST', url: '/api/v1/auth/sms-codes', ...rawJson('{"phone":"1380000\\u00000001"}') });
    expect(phone.statusCode).toBe(400);
    expect(fieldsOf(phone)).toEqual(['phone']);
    expect(phone.json().error.message).toMatch(/字符/);

    const query = await t.app.inject({ method: 'GET', url: '/api/v1/catalog/businesses?province=%00', headers: { 'accept-language': 'en' } });
    expect(query.statusCode).toBe(400);
    expect(fieldsOf(query)).toEqual(['province']);

    const surrogate = await t.app.inject({ method: 'GET', url: '/api/v1/catalog/businesses?province=%ED%A0%80' });
    expect(surrogate.statusCode).toBeLessThan(500);

    const path = await t.app.inject({ method: 'GET', url: '/api/v1/applications/%00', headers: driver.headers });
    expect(path.statusCode).toBe(400);
  });

  async function upload(file: Buffer, options: { name?: string; type?: string } = {}) {
    const body = multipart(file, options.name ?? 'photo.png', options.type ?? 'image/png');
    return t.app.inject({ method: 'PUT', url: `/api/v1/applications/${draftId}/materials/education_record`, headers: { ...driver.headers, ...body.headers }, payload: body.payload });
  }

  it('a 1×1 or 20000×1 PNG is 422, too small or the wrong shape', async () => {
    const dot = await sharp({ create: { width: 1, height: 1, channels: 3, background: '#fff' } }).png().toBuffer();
    const line = await sharp({ create: { width: 20_000, height: 1, channels: 3, background: '#fff' } }).png().toBuffer();
    const sliver = await sharp({ create: { width: 1200, height: 60, channels: 3, background: '#fff' } }).png().toBuffer();
    const small = await sharp({ create: { width: 90, height: 120, channels: 3, background: '#fff' } }).png().toBuffer();
    const dotAnswer = await upload(dot);
    expect(dotAnswer.statusCode).toBe(422);
    expect(dotAnswer.json().error.code).toBe('UPLOAD_IMAGE_TOO_SMALL');
    for (const shape of [line, sliver]) {
      const answer = await upload(shape);
      expect(answer.statusCode).toBe(422);
      expect(answer.json().error.code).toBe('UPLOAD_WRONG_SHAPE');
    }
    expect((await upload(small)).json().error.code).toBe('UPLOAD_IMAGE_TOO_SMALL');
  });

  it('multipart with a wrong boundary, cut short, or with no file is a 400', async () => {
    const photo = await documentPhoto(2, 'png');
    const url = `/api/v1/applications/${draftId}/materials/education_record`;
    const good = multipart(photo, 'a.png', 'image/png', 'XBOUNDARY');

    const wrongBoundary = await t.app.inject({ method: 'PUT', url, headers: { ...driver.headers, 'content-type': 'multipart/form-data; boundary=OTHER' }, payload: good.payload });
    const cutShort = await t.app.inject({ method: 'PUT', url, headers: { ...driver.headers, ...good.headers }, payload: good.payload.subarray(0, Math.floor(good.payload.length / 2)) });
    const noBoundary = await t.app.inject({ method: 'PUT', url, headers: { ...driver.headers, 'content-type': 'multipart/form-data' }, payload: good.payload });
    const headersOnly = await t.app.inject({ method: 'PUT', url, headers: { ...driver.headers, ...good.headers }, payload: good.payload.subarray(0, 60) });
    const garbage = await t.app.inject({ method: 'PUT', url, headers: { ...driver.headers, ...good.headers }, payload: Buffer.from('not multipart at all') });
    for (const [what, answer] of Object.entries({ wrongBoundary, cutShort, noBoundary, headersOnly, garbage })) {
      expect(answer.statusCode, `${what}: ${answer.body}`).toBe(400);
      expect(answer.json().error.code, what).toMatch(/^UPLOAD_/);
    }
    // Nothing was stored by any of them.
    const detail = (await t.app.inject({ method: 'GET', url: `/api/v1/applications/${draftId}`, headers: driver.headers })).json() as { materials: { uploaded: unknown }[] };
    expect(detail.materials.every((m) => m.uploaded === null)).toBe(true);
    // And the app still works.
    expect((await upload(photo)).statusCode).toBe(200);
    await t.app.inject({ method: 'DELETE', url, headers: driver.headers });
  });
});
