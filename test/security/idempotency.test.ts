import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { loginDriver, type DriverLogin } from '../helpers/driverLogin.ts';
import { documentPhoto, multipart } from './uploads.fixtures.ts';

/** Meaningful on PostgreSQL (TEST_DATABASE_URL), where the submits really run at the same time. */
describe('concurrent submits with one Idempotency-Key', () => {
  let t: TestApp;
  let driver: DriverLogin;

  beforeAll(async () => {
    t = await createTestApp();
    t.clock.set('2026-03-02T02:00:00Z');
    driver = await loginDriver(t.app, '13800000001');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('all 20 get the same 200 answer, and the application is submitted once', async () => {
    const certificates = await t.app.inject({ method: 'GET', url: '/api/v1/me/certificates', headers: driver.headers });
    const certificateId = (certificates.json() as { certificates: { id: string }[] }).certificates[0]!.id;
    const draft = (await t.app.inject({ method: 'POST', url: '/api/v1/applications', headers: driver.headers, payload: { business: 'credit_assessment', certificateId } })).json() as {
      id: string;
      missing: { materials: string[] };
    };
    for (const key of draft.missing.materials) {
      const body = multipart(await documentPhoto(key.length), 'p.jpg', 'image/jpeg');
      const stored = await t.app.inject({ method: 'PUT', url: `/api/v1/applications/${draft.id}/materials/${key}`, headers: { ...driver.headers, ...body.headers }, payload: body.payload });
      expect(stored.statusCode, stored.body).toBe(200);
    }
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        t.app.inject({ method: 'POST', url: `/api/v1/applications/${draft.id}/submit`, headers: { ...driver.headers, 'idempotency-key': `double-click-${draft.id}` } }),
      ),
    );
    expect(answers.map((a) => a.statusCode)).toEqual(Array(20).fill(200));
    const states = new Set(answers.map((a) => (a.json() as { state: string }).state));
    expect(states).toEqual(new Set(['submitted']));
    const detail = (await t.app.inject({ method: 'GET', url: `/api/v1/applications/${draft.id}`, headers: driver.headers })).json() as { timeline: { action: string }[] };
    expect(detail.timeline.filter((entry) => entry.action === 'submit')).toHaveLength(1);
  });
});
