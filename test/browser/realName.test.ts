import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { renderIdCard } from '../../scripts/generate-id-cards.ts';
import { renderIdPhoto, type IdCardBackTruth, type PhotoSettings } from '../../scripts/generate-id-photos.ts';
import { DEMO_PASSWORD, DEMO_TOTP_SECRET, demoIdNumber, demoPeople } from '../../src/server/seed/demo.ts';
import { totpCodeAt } from '../../src/server/staff/totp.ts';
import { browserSuite, ensureWebAppsBuilt, screenshot, withPage } from '../helpers/browser.ts';
import { outboxCode } from '../helpers/httpSession.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * A province that asks for the back of the ID card: its admin switches it on in the console, and a driver
 * with that province's ID number is asked for the back, told when it shows an expired card, and verified
 * once a valid back is read.
 */
browserSuite('real-name authentication with the back of the ID card', () => {
  let server: TestServer;

  beforeAll(async () => {
    await ensureWebAppsBuilt();
    server = await startTestServer({ seed: true });
  }, 120_000);
  afterAll(async () => {
    await server?.close();
  });

  const xie = demoPeople.find((p) => p.name === '谢雨欣')!;
  const truth = { name: xie.name, sex: xie.sex, ethnicity: xie.ethnicity, birthDate: xie.birthDate, address: xie.address, idNumber: demoIdNumber(xie) };

  const backPhoto = (back: IdCardBackTruth) => {
    const settings: PhotoSettings = {
      condition: 'back', side: 'emblem', frame: { width: 1600, height: 1200 }, cardShare: 0.75, tilt: 0, keystone: 0,
      keystoneEdge: 'top', turns: 0, exif: false, glare: false, dim: false, defocus: 0, jpegQuality: 85, formBeside: false, seed: 7,
    };
    return renderIdPhoto(truth, back, settings).then((photo) => photo.image);
  };

  async function logIn(page: Page, phone: string): Promise<void> {
    await page.goto('/login');
    await page.locator('[data-testid="login-phone"] input').fill(phone);
    await page.locator('[data-testid="login-agree"] .van-checkbox__icon').click();
    await expect.poll(() => page.getByTestId('send-code').isEnabled()).toBe(true);
    await page.getByTestId('send-code').click();
    await page.getByTestId('code-sent').waitFor();
    await page.locator('[data-testid="login-code"] input').fill(await outboxCode(server.url, phone));
    await page.getByTestId('login-submit').click();
    await page.waitForURL((url) => url.pathname !== '/login');
  }

  it('the Shanghai admin asks for the back; a driver’s expired back is refused and a valid one verifies her', async () => {
    await withPage(
      'staff',
      async (staff) => {
        await staff.goto('/staff/login');
        await staff.locator('input[name="username"]').fill('sh-admin');
        await staff.locator('input[name="password"]').fill(DEMO_PASSWORD);
        await staff.locator('input[name="totp"]').fill(totpCodeAt(DEMO_TOTP_SECRET, server.clock.now()));
        await staff.locator('button[type="submit"]').click();
        await staff.waitForURL((url) => url.pathname === '/staff/');
        await staff.goto('/staff/settings?tab=identity');
        const toggle = staff.getByTestId('requires-back');
        await toggle.waitFor();
        await toggle.click();
        await expect.poll(() => toggle.getAttribute('class')).toContain('is-checked');
        await screenshot(staff, 'real-name-back-1-settings');
      },
      { baseURL: server.url, name: 'real-name-back-staff' },
    );

    const portrait = await renderIdCard(truth);
    const expiredBack = await backPhoto({ issuingAuthority: '上海市公安局徐汇分局', validFrom: '2005-06-01', validTo: '2025-06-01' });
    const validBack = await backPhoto({ issuingAuthority: '上海市公安局徐汇分局', validFrom: '2016-06-01', validTo: '2036-06-01' });

    await withPage(
      'driver',
      async (page) => {
        await logIn(page, '13900000041');
        await page.waitForURL((url) => url.pathname === '/real-name');
        // The separate consent to the ID card's data comes first.
        await page.getByTestId('sensitive-consent-agree').click();
        await page.getByTestId('id-photo-take').waitFor();
        await page.getByTestId('id-photo-pick').setInputFiles({ name: 'front.png', mimeType: 'image/png', buffer: portrait });
        await page.getByTestId('id-form').waitFor({ timeout: 60_000 });
        await expect.poll(() => page.locator('[data-testid="id-field-idNumber"] input').inputValue()).toBe(truth.idNumber);

        // A Shanghai number: the back is asked for, and submitting without it says so.
        const back = page.getByTestId('id-back');
        await back.waitFor();
        await page.getByTestId('id-submit').click();
        await page.locator('.van-toast', { hasText: '请上传身份证国徽面照片' }).waitFor();

        await page.getByTestId('id-back-pick').setInputFiles({ name: 'back.jpg', mimeType: 'image/jpeg', buffer: expiredBack });
        await back.getByRole('alert').filter({ hasText: '身份证已超过有效期限' }).waitFor({ timeout: 60_000 });
        await screenshot(page, 'real-name-back-2-expired', { fullPage: true });

        await page.getByTestId('id-back-pick').setInputFiles({ name: 'back.jpg', mimeType: 'image/jpeg', buffer: validBack });
        await expect.poll(() => page.getByTestId('id-back-validity').innerText(), { timeout: 60_000 }).toContain('2036-06-01');
        expect(await back.getByRole('alert').count()).toBe(0);
        await page.getByTestId('id-submit').click();
        await page.getByTestId('real-name-done').waitFor({ timeout: 20_000 });
        await expect.poll(() => page.getByTestId('certificates-found').getAttribute('data-count')).toBe('1');
        await screenshot(page, 'real-name-back-3-verified');
      },
      { baseURL: server.url, name: 'real-name-back-driver' },
    );
  }, 180_000);
});
