import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { browserSuite, ensureWebAppsBuilt, screenshot, withPage } from '../helpers/browser.ts';
import { describeViolations, seriousViolations } from '../helpers/axe.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { closeOpenApplications, loginDemoDriver, signIn, submitThroughApi, uploadFiles, type DriverSession } from '../helpers/httpSession.ts';
import { staffLoginOverHttp } from '../helpers/staffLogin.ts';

/**
 * WCAG 2.2 AA, checked by axe-core on every page of the drivers' app — as a guest and as a verified
 * driver, in the standard layout and in 长辈版 — and on the staff console's main pages: no serious or
 * critical findings (names of controls, alt text, contrast, target size 2.5.8, ARIA use…).
 */
browserSuite('accessibility (axe-core, WCAG 2.2 AA)', () => {
  let server: TestServer;
  let wang: DriverSession;
  let draftId: string;
  let submittedId: string;
  let certificateId: string;

  beforeAll(async () => {
    await ensureWebAppsBuilt();
    server = await startTestServer({ seed: true });
    wang = await loginDemoDriver(server.url, '13800000001');
    await closeOpenApplications(wang);
    const files = await uploadFiles();
    submittedId = (await submitThroughApi(wang, files, { business: 'credit_assessment' }, { serviceCompany: '北京顺通物流有限公司' })).id;
    draftId = (await submitThroughApi(wang, files, { business: 'replacement' }, { quasiDrivingType: 'A2', reason: '证件遗失', contactName: '王建国', contactPhone: '13800000001', delivery: 'self_collect' }, { submit: false })).id;
    certificateId = (await wang.api<{ certificates: { id: string }[] }>('GET', '/me/certificates')).body.certificates[0]!.id;
  }, 120_000);
  afterAll(async () => {
    await server?.close();
  });

  async function settle(page: Page): Promise<void> {
    await page.waitForLoadState('networkidle').catch(() => undefined);
    // Vant's transitions (toasts, popups) finish before the check.
    await page.waitForTimeout(300);
  }

  async function check(page: Page, path: string, label: string): Promise<void> {
    await page.goto(path);
    await settle(page);
    const violations = await seriousViolations(page);
    expect.soft(violations.map((v) => v.id), describeViolations(`${label} ${path}`, violations)).toEqual([]);
  }

  const guestPages = ['/', '/login', '/user', '/my-office', '/business/renewal', '/scan', '/contacts', '/agreements/user', '/v/not-a-voucher', '/no-such-page'];
  const driverPages = () => [
    '/',
    '/user',
    '/my-office',
    '/certificates',
    '/business/renewal?step=certificate',
    `/business/replacement?step=info&application=${draftId}`,
    `/business/replacement?step=materials&application=${draftId}`,
    `/business/replacement?step=review&application=${draftId}`,
    `/my-office/${submittedId}`,
    `/my-office/${submittedId}/submitted`,
    `/certificates/${certificateId}/e-certificate`,
    `/certificates/${certificateId}/verification-request`,
    '/real-name',
  ];

  for (const mode of ['standard', 'care'] as const) {
    it(`the drivers' app in the ${mode} layout: no serious or critical findings on any page`, async () => {
      await withPage(
        'driver',
        async (page) => {
          if (mode === 'care') await page.context().addInitScript(() => window.localStorage.setItem('rto.careMode', 'on'));
          else await page.context().addInitScript(() => window.localStorage.setItem('rto.careMode', 'off'));
          for (const path of guestPages) await check(page, path, `guest, ${mode}`);
          await signIn(page, server.url, wang);
          for (const path of driverPages()) await check(page, path, `driver, ${mode}`);
          await page.goto(`/business/replacement?step=review&application=${draftId}`);
          await settle(page);
          await screenshot(page, `a11y-driver-review-${mode}`);
        },
        { baseURL: server.url, name: `a11y-driver-${mode}` },
      );
    }, 600_000);
  }

  it('the staff console: no serious or critical findings on its main pages', async () => {
    await withPage(
      'staff',
      async (page) => {
        await check(page, '/staff/login', 'staff, guest');
        const staff = await staffLoginOverHttp(server.url, 'bj-admin', server.clock.now());
        await page.context().addCookies([{ name: 'rto_staff_session', value: staff.token, url: server.url, httpOnly: true, sameSite: 'Strict' }]);
        for (const path of ['/staff/', '/staff/queue', `/staff/applications/${submittedId}`, '/staff/verification-requests', '/staff/real-name-reviews', '/staff/sla', '/staff/settings', '/staff/audit', '/staff/security']) {
          await check(page, path, 'staff, bj-admin');
        }
        await screenshot(page, 'a11y-staff-security');
      },
      { baseURL: server.url, name: 'a11y-staff' },
    );
  }, 300_000);
});
