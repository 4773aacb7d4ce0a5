import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEMO_PASSWORD, DEMO_TOTP_SECRET } from '../../src/server/seed/demo.ts';
import { totpCodeAt } from '../../src/server/staff/totp.ts';
import { insertCertificate, submittedApplication } from '../helpers/applications.ts';
import { browserSuite, ensureWebAppsBuilt, screenshot, withPage } from '../helpers/browser.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/** The work queue pages with page numbers over its keyset cursor when a province has more than a page of open work. */
browserSuite('the staff work queue across pages', () => {
  let server: TestServer;

  beforeAll(async () => {
    await ensureWebAppsBuilt();
    server = await startTestServer({ seed: true });
    // 25 more open credit assessments in Beijing: one per further certificate of 王建国.
    for (let i = 0; i < 25; i++) {
      const certificateId = await insertCertificate(server.testApp, '13800000001', [{ code: 'freight_driver', firstIssueDate: '2020-05-10', validFrom: '2020-05-10', validTo: '2032-05-09' }]);
      await submittedApplication(server.testApp, { phone: '13800000001', certificateId, business: 'credit_assessment', personalInfo: { serviceCompany: '' } });
    }
  }, 120_000);
  afterAll(async () => {
    await server?.close();
  });

  it('a Beijing handler moves to the second page and back, each showing its own rows', async () => {
    await withPage(
      'staff',
      async (page) => {
        await page.goto('/staff/login');
        await page.locator('input[name="username"]').fill('bj-handler');
        await page.locator('input[name="password"]').fill(DEMO_PASSWORD);
        await page.locator('input[name="totp"]').fill(totpCodeAt(DEMO_TOTP_SECRET, server.clock.now()));
        await page.locator('button[type="submit"]').click();
        await page.waitForURL((url) => url.pathname === '/staff/');
        await page.goto('/staff/queue');
        const rows = page.locator('.el-table__body-wrapper .el-table__row');
        await expect.poll(() => rows.count()).toBe(20);
        const firstPage = await rows.allInnerTexts();
        const openCount = () => page.locator('.el-tabs__item').first().innerText();
        const countOnFirstPage = await openCount();
        expect(countOnFirstPage).toMatch(/\d+/);
        expect(Number(countOnFirstPage.match(/\d+/)![0])).toBeGreaterThanOrEqual(25);
        const pagination = page.getByTestId('queue-pagination');
        await pagination.waitFor();
        await pagination.locator('.number', { hasText: '2' }).click();
        await expect.poll(async () => (await rows.allInnerTexts())[0]).not.toBe(firstPage[0]);
        const secondPage = await rows.allInnerTexts();
        expect(secondPage.length).toBeGreaterThanOrEqual(5);
        expect(secondPage.some((row) => firstPage.includes(row))).toBe(false);
        await expect.poll(() => pagination.locator('.number.is-active').innerText()).toBe('2');
        // The tab counts are the province's open work, not one page's: they stay as they were.
        expect(await openCount()).toBe(countOnFirstPage);
        await screenshot(page, 'queue-paging-2');
        await pagination.locator('.number', { hasText: '1' }).click();
        await expect.poll(() => rows.allInnerTexts()).toEqual(firstPage);
      },
      { baseURL: server.url, name: 'queue-paging' },
    );
  }, 120_000);
});
