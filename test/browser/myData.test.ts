import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { accountExportSchema } from '../../src/contract/account.ts';
import { users } from '../../src/server/db/schema.ts';
import { browserSuite, ensureWebAppsBuilt, screenshot, withPage } from '../helpers/browser.ts';
import { certificateOf, submittedApplication } from '../helpers/applications.ts';
import { loginDemoDriver, signIn } from '../helpers/httpSession.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { userPhoneIs } from '../../src/server/auth/accounts.ts';

/**
 * 我的数据与注销 in 用户中心: the driver downloads their data (the zip is opened and read), tries to
 * close the account while an application is being handled (refused, naming it), withdraws it and closes
 * the account; the SMS confirms.
 */
browserSuite('my data and closing the account', () => {
  let server: TestServer;
  const PHONE = '13800000003';

  beforeAll(async () => {
    await ensureWebAppsBuilt();
    server = await startTestServer({ seed: true });
  }, 120_000);
  afterAll(async () => {
    await server?.close();
  });

  it('downloads my data, is refused while an application is open, then closes the account', async () => {
    const driver = await loginDemoDriver(server.url, PHONE);
    const db = server.testApp.database.db;
    const [user] = await db.select().from(users).where(userPhoneIs(PHONE));
    const certificate = await certificateOf(db, user!.id);
    const open = await submittedApplication(server.testApp, { phone: PHONE, certificateId: certificate.id, business: 'replacement' });

    await withPage(
      'driver',
      async (page) => {
        await signIn(page, server.url, driver);
        await page.goto('/user');
        await page.getByTestId('link-my-data').click();
        await page.waitForURL((url) => url.pathname === '/user/my-data');
        await page.getByTestId('my-data-download').waitFor();
        await screenshot(page, 'my-data-1-page', { fullPage: true });

        // The download is a zip holding my-data.json with this driver's identity and application.
        const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('my-data-download-button').click()]);
        expect(download.suggestedFilename()).toMatch(/^my-data-\d{4}-\d{2}-\d{2}\.zip$/);
        const saved = path.join(os.tmpdir(), `rto-my-data-${process.pid}.zip`);
        await download.saveAs(saved);
        const files = unzipSync(new Uint8Array(await readFile(saved)));
        const data = accountExportSchema.parse(JSON.parse(new TextDecoder().decode(files['my-data.json'])));
        expect(data.account.phone).toBe(PHONE);
        expect(data.identity?.name).toBe(user!.name);
        expect(data.applications.map((a) => a.reference)).toContain(open.reference);

        // Closing is refused while the application is being handled, and says which one.
        await page.getByTestId('close-account-button').click();
        await page.locator('.van-dialog').getByRole('button', { name: '确认注销' }).click();
        const refusal = page.getByTestId('close-account-refused');
        await refusal.waitFor();
        expect(await refusal.innerText()).toContain(open.reference);
        await screenshot(page, 'my-data-2-refused', { fullPage: true });
        expect((await page.request.get('/api/v1/me')).status()).toBe(200);

        // Withdrawn, the account can be closed.
        expect((await driver.api('POST', `/applications/${open.id}/withdraw`)).status).toBe(200);
        await page.getByTestId('close-account-button').click();
        await page.locator('.van-dialog').getByRole('button', { name: '确认注销' }).click();
        await page.getByTestId('account-closed').waitFor();
        expect(await page.getByTestId('account-closed').innerText()).toContain('账号已注销');
        await screenshot(page, 'my-data-3-closed', { fullPage: true });
        expect((await page.request.get('/api/v1/me')).status()).toBe(401);

        await server.testApp.app.outboxWorker.runOnce();
        const sms = (await (await page.request.get(`/api/v1/dev/sms-outbox?phone=${PHONE}`)).json()) as { messages: { template: string }[] };
        expect(sms.messages.map((m) => m.template)).toContain('account_closed');

        await page.getByRole('button', { name: '返回首页' }).click();
        await page.waitForURL((url) => url.pathname === '/');
      },
      { baseURL: server.url, name: 'my-data' },
    );
  });
});
