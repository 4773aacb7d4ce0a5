import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROVINCES } from '../../src/domain/regions.ts';
import { PROVINCE_AREA_CODES } from '../../src/server/seed/demo.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { loginDriver, type DriverLogin } from '../helpers/driverLogin.ts';

/**
 * The demo data as the README and the product spec promise it: people try every business with
 * 13800000001, and 联系我们 dials the province's own service line.
 */
describe('demo data', () => {
  let t: TestApp;
  let wang: DriverLogin;

  beforeAll(async () => {
    t = await createTestApp();
    wang = await loginDriver(t.app, '13800000001');
  });
  afterAll(async () => {
    await t.close();
  });

  const inject = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
    t.app.inject({ method, url: `/api/v1${url}`, headers: wang.headers, ...(payload === undefined ? {} : { payload: payload as object }) });

  it('13800000001 holds two categories, one inside the 30-day renewal window', async () => {
    const body = (await inject('GET', '/me/certificates')).json() as {
      certificates: { id: string; provinceCode?: string; province: { code: string }; categories: { code: string; status: string; renewalWindowOpen: boolean; daysToExpiry: number }[] }[];
    };
    expect(body.certificates).toHaveLength(1);
    const [certificate] = body.certificates;
    expect(certificate!.province.code).toBe('11');
    expect(certificate!.categories.map((c) => c.code)).toEqual(['freight_driver', 'passenger_driver']);
    expect(certificate!.categories.every((c) => c.status === 'valid')).toBe(true);
    const due = certificate!.categories.filter((c) => c.renewalWindowOpen);
    expect(due).toHaveLength(1);
    expect(due[0]!.daysToExpiry).toBeGreaterThan(0);
    expect(due[0]!.daysToExpiry).toBeLessThanOrEqual(30);
  });

  it('13800000001 may open every business, both change variants, and a partial or full cancellation', async () => {
    const certificateId = ((await inject('GET', '/me/certificates')).json() as { certificates: { id: string }[] }).certificates[0]!.id;
    const openings: { business: string; variant?: string }[] = [
      { business: 'credit_assessment' },
      { business: 'renewal' },
      { business: 'replacement' },
      { business: 'change', variant: 'service_unit' },
      { business: 'change', variant: 'certificate_info' },
      { business: 'cancellation' },
    ];
    for (const opening of openings) {
      const created = await inject('POST', '/applications', { ...opening, certificateId });
      expect(created.statusCode, `${opening.business}/${opening.variant ?? ''}: ${created.body}`).toBe(201);
      const draft = created.json() as { id: string };
      if (opening.business === 'cancellation') {
        // Keeping one category asks for the certificate pages; cancelling both does not.
        const partial = await inject('PATCH', `/applications/${draft.id}`, { categoriesToCancel: ['passenger_driver'] });
        const partialRequired = (partial.json() as { materials: { key: string; required: boolean }[] }).materials.filter((m) => m.required).map((m) => m.key);
        expect(partialRequired).toContain('certificate_info_page');
        const full = await inject('PATCH', `/applications/${draft.id}`, { categoriesToCancel: ['freight_driver', 'passenger_driver'] });
        const fullRequired = (full.json() as { materials: { key: string; required: boolean }[] }).materials.filter((m) => m.required).map((m) => m.key);
        expect(fullRequired).not.toContain('certificate_info_page');
      }
      expect((await inject('DELETE', `/applications/${draft.id}`)).statusCode).toBe(204);
    }
  });

  it('联系我们 dials each province’s own area code with the 12328 service line, and names the office', async () => {
    const seen = new Map<string, string>();
    for (const province of PROVINCES) {
      const response = await t.app.inject({ method: 'GET', url: `/api/v1/contacts?province=${province.code}` });
      expect(response.statusCode).toBe(200);
      const { contacts } = response.json() as { contacts: { name: string; title: string; phone: string; hours: string; nameEn: string; hoursEn: string }[] };
      const line = contacts.find((c) => c.phone.endsWith('-12328'));
      expect(line, province.zh).toBeDefined();
      expect(line!.phone).toBe(`${PROVINCE_AREA_CODES[province.code]}-12328`);
      expect(line!.name).toMatch(/交通/);
      expect(line!.hours).toMatch(/9:00/);
      // English screens read them in English.
      expect(line).toMatchObject({ nameEn: expect.stringMatching(/qualification certificate desk/), hoursEn: expect.stringMatching(/^Working days/) });
      seen.set(province.code, line!.phone);
    }
    expect(seen.get('11')).toBe('010-12328');
    expect(seen.get('31')).toBe('021-12328');
    expect(seen.get('44')).toBe('020-12328');
    // No two provinces share a line, except the XPCC which sits in Urumqi.
    expect(new Set([...seen.entries()].filter(([code]) => code !== '66').map(([, phone]) => phone)).size).toBe(PROVINCES.length - 1);
  });
});
