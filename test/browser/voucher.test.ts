import { readFile } from 'node:fs/promises';
import type { BrowserContext, Cookie, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { users } from '../../src/server/db/schema.ts';
import { decodeQrFromImage } from '../../src/server/vouchers/qrDecode.ts';
import type { VoucherRow } from '../../src/server/vouchers/issue.ts';
import type { ApplicationRow } from '../../src/server/applications/transitions.ts';
import { acceptedCreditAssessment, approveWithVoucher, certificateOf } from '../helpers/applications.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { browserSuite, contextOptions, ensureWebAppsBuilt, screenshot, sharedBrowser } from '../helpers/browser.ts';
import { lastCodeFor } from '../helpers/driverLogin.ts';
import { currentAgreementVersions } from '../../src/server/auth/agreements.ts';
import { formatDate } from '../../src/web/shared/dates.ts';
import { userPhoneIs } from '../../src/server/auth/accounts.ts';

const PHONE = '13800000001';

/** Magic bytes of the downloaded files. */
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

browserSuite('vouchers, verification and the e-certificate in the drivers app', () => {
  let t: TestApp;
  let baseUrl: string;
  let driver: { id: string; name: string; idNumber: string };
  let application: ApplicationRow;
  let voucher: VoucherRow;
  let sessionCookies: Cookie[] = [];
  let downloadedPng: string;

  beforeAll(async () => {
    await ensureWebAppsBuilt();
    t = await createTestApp({ demo: true, startsNow: true });
    baseUrl = await t.app.listen({ host: '127.0.0.1', port: 0 });
    const [row] = await t.database.db.select().from(users).where(userPhoneIs(PHONE));
    driver = { id: row!.id, name: row!.name!, idNumber: row!.idNumber! };
    application = await acceptedCreditAssessment(t.database.db, driver.id, t.clock.now());
    voucher = await approveWithVoucher(t.database.db, application, 'AA', t.clock.now());
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  /** A phone browser (WeChat on iPhone) with a fresh profile; logged in when `loggedIn`. */
  async function onPhone<T>(name: string, fn: (page: Page, context: BrowserContext) => Promise<T>, options: { loggedIn?: boolean } = {}): Promise<T> {
    const context = await (await sharedBrowser()).newContext({ ...contextOptions.driver, baseURL: baseUrl, acceptDownloads: true });
    if (options.loggedIn) await context.addCookies(sessionCookies);
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.stack ?? error.message));
    try {
      const result = await fn(page, context);
      expect(pageErrors, 'uncaught errors in the page').toEqual([]);
      return result;
    } catch (error) {
      await screenshot(page, `failed-${name}`).catch(() => undefined);
      throw error;
    } finally {
      await context.close();
    }
  }

  const verdict = (page: Page) => page.getByTestId('verdict');

  it('a driver sees the voucher, saves the picture and forwards the PDF (shared or downloaded)', async () => {
    await onPhone('voucher', async (page, context) => {
      // Log in through the API from the browser, as the login page does; the session cookie is reused later.
      const sent = await page.request.post('/api/v1/auth/sms-codes', { data: { phone: PHONE } });
      expect(sent.status()).toBe(202);
      const code = await lastCodeFor(t.app, PHONE);
      const login = await page.request.post('/api/v1/auth/sessions', { data: { phone: PHONE, code, agreementVersion: currentAgreementVersions } });
      expect(login.status()).toBe(201);
      sessionCookies = await context.cookies();
      expect(sessionCookies.map((c) => c.name)).toContain('rto_session');

      // My Office → the completed credit assessment → 凭证下载
      await page.goto(`/my-office/${application.id}`);
      const link = page.getByTestId('voucher-link');
      await expect.poll(() => link.innerText()).toBe('凭证下载');
      await link.click();
      await page.waitForURL((url) => url.pathname === `/my-office/${application.id}/voucher`);
      const image = page.getByTestId('voucher-image');
      await image.waitFor();
      await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(500);
      const summary = page.getByTestId('voucher-summary');
      await expect.poll(() => summary.innerText()).toContain(voucher.serial);
      const text = await summary.innerText();
      expect(text).toContain('AA（合格）');
      // Days as the app writes them everywhere (2026年11月20日).
      expect(text).toContain(formatDate(voucher.cycleStart, 'zh-CN'));
      expect(text).toContain(formatDate(voucher.cycleEnd, 'zh-CN'));
      expect(text).toContain(formatDate(voucher.issuedOn, 'zh-CN'));
      expect(text).toContain('北京市交通委员会');
      expect(await page.getByTestId('voucher-status').innerText()).toBe('有效');
      // On a phone the long-press way of saving is explained (WeChat blocks downloads).
      await expect.poll(() => page.locator('.voucher-picture__hint').innerText()).toBe('长按图片保存到相册');
      await screenshot(page, 'voucher-page', { fullPage: true });

      const [pngDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('voucher-save').click()]);
      expect(pngDownload.suggestedFilename()).toBe(`诚信考核凭证-${voucher.serial}.png`);
      // Saving answers with a toast; inside WeChat (this browser's user agent), where downloads do not work, it says how.
      await expect.poll(() => page.locator('.van-toast').last().innerText()).toContain('长按图片保存到相册');
      downloadedPng = downloadPath(`voucher-${voucher.serial}.png`);
      await pngDownload.saveAs(downloadedPng);
      const png = await readFile(downloadedPng);
      expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);

      // Where the browser can share files, 转发 hands the PDF to the share sheet.
      await page.evaluate(() => {
        const shared: { name: string; type: string; size: number }[] = [];
        (window as unknown as { sharedFiles: typeof shared }).sharedFiles = shared;
        Object.defineProperty(navigator, 'canShare', { configurable: true, value: (data: ShareData) => Boolean(data.files?.length) });
        Object.defineProperty(navigator, 'share', {
          configurable: true,
          value: async (data: ShareData) => {
            for (const file of data.files ?? []) shared.push({ name: file.name, type: file.type, size: file.size });
          },
        });
      });
      await page.getByTestId('voucher-share').click();
      await expect
        .poll(() => page.evaluate(() => (window as unknown as { sharedFiles: unknown[] }).sharedFiles))
        .toEqual([expect.objectContaining({ name: `诚信考核凭证-${voucher.serial}.pdf`, type: 'application/pdf' })]);

      // Elsewhere it downloads the PDF.
      await page.evaluate(() => {
        Object.defineProperty(navigator, 'canShare', { configurable: true, value: undefined });
      });
      const [pdfDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('voucher-share').click()]);
      expect(pdfDownload.suggestedFilename()).toBe(`诚信考核凭证-${voucher.serial}.pdf`);
      const pdf = await readFile((await pdfDownload.path())!);
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    });
  });

  it('扫一扫 reads the saved voucher picture and says valid; a token changed by one character is invalid', async () => {
    await onPhone('scan', async (page) => {
      await page.goto('/scan');
      await page.getByTestId('scan-camera').waitFor();
      await screenshot(page, 'scan-page');
      // No camera here (or no permission): the page says so and points to the album instead.
      await page.getByTestId('scan-camera').click();
      await expect.poll(() => page.getByTestId('scan-problem').innerText()).toMatch(/相机[\s\S]*从相册选择/);
      await page.getByTestId('scan-photo-input').setInputFiles(downloadedPng);
      await page.waitForURL((url) => url.pathname === `/v/${voucher.token}` && url.searchParams.get('channel') === 'app');
      await expect.poll(() => verdict(page).getAttribute('data-verdict')).toBe('valid');
      expect(await page.getByTestId('verdict-title').innerText()).toBe('有效');
      expect(await page.getByTestId('verify-claims').innerText()).toContain(voucher.serial);
      await screenshot(page, 'scan-result-valid', { fullPage: true });

      // One character of the signature changed in the address.
      const at = voucher.token.length - 20;
      const tampered = voucher.token.slice(0, at) + (voucher.token[at] === 'A' ? 'B' : 'A') + voucher.token.slice(at + 1);
      await page.goto(`/v/${tampered}`);
      await expect.poll(() => verdict(page).getAttribute('data-verdict')).toBe('invalid');
      expect(await page.getByTestId('verdict-title').innerText()).toBe('无效');
      expect(await page.getByTestId('verdict-reason').innerText()).toBe('凭证内容或签名被篡改');
      expect(await page.getByTestId('verify-claims').count()).toBe(0);
      await screenshot(page, 'verify-tampered');

      // A QR code that is not ours is named as such.
      await page.goto('/scan');
      const foreign = await import('qrcode').then((qr) => qr.default.toBuffer('https://example.com/hello', { width: 300 }));
      await page.getByTestId('scan-photo-input').setInputFiles({ name: 'other.png', mimeType: 'image/png', buffer: foreign });
      await expect.poll(() => page.getByTestId('scan-problem').innerText()).toContain('这不是本系统的凭证二维码');
      await screenshot(page, 'scan-not-ours');
    });
  });

  it('anyone opening the voucher link without logging in sees valid and masked data only', async () => {
    await onPhone('verify-public', async (page) => {
      await page.goto(`/v/${voucher.token}`);
      await expect.poll(() => verdict(page).getAttribute('data-verdict')).toBe('valid');
      expect(await page.getByTestId('verdict-title').innerText()).toBe('有效');
      const claims = await page.getByTestId('verify-claims').innerText();
      expect(claims).toContain('王*国');
      expect(claims).toMatch(/1101\*{10}\d{3}[\dX]/);
      expect(claims).toContain('AA（合格）');
      const everything = await page.content();
      expect(everything).not.toContain(driver.idNumber);
      expect(everything).not.toContain(driver.name);
      await screenshot(page, 'verify-public-valid', { fullPage: true });
    });
  });

  it('without network the page checks the signature with the saved keys and status list: 状态截至 …, else status not checked', async () => {
    await onPhone('verify-offline', async (page, context) => {
      await page.goto(`/v/${voucher.token}`);
      await expect.poll(() => verdict(page).getAttribute('data-verdict')).toBe('valid');
      // The published keys are kept on the phone after an online check.
      await expect.poll(() => page.evaluate(() => localStorage.getItem('rto.verify.keySet'))).toContain('publicKeyHex');

      await expect.poll(() => page.evaluate(() => localStorage.getItem('rto.verify.statusList'))).toContain('RtoStatusList');

      await context.route('**/api/v1/verify/**', (route) => route.abort('internetdisconnected'));
      await page.reload();
      // The kept status list answers, and says how current it is.
      await expect.poll(() => verdict(page).getAttribute('data-verdict')).toBe('valid');
      expect(await verdict(page).getAttribute('data-offline')).toBe('true');
      expect(await page.getByTestId('status-as-of').innerText()).toMatch(/^状态截至 .+（\d+ 分钟前更新）$/);
      await screenshot(page, 'verify-offline-status-list', { fullPage: true });

      // Without a status list on the phone only the signature can be vouched for.
      await page.evaluate(() => localStorage.removeItem('rto.verify.statusList'));
      await context.route('**/.well-known/rto-status.json', (route) => route.abort('internetdisconnected'));
      await page.reload();
      await expect.poll(() => verdict(page).getAttribute('data-verdict')).toBe('authentic_unchecked');
      expect(await verdict(page).getAttribute('data-offline')).toBe('true');
      expect(await page.getByTestId('verdict-title').innerText()).toBe('签名真实，状态未核验');
      expect(await page.getByTestId('verify-claims').innerText()).toContain(voucher.serial);
      await screenshot(page, 'verify-offline', { fullPage: true });

      // Offline, a tampered token is still caught.
      const tampered = voucher.token.slice(0, -20) + (voucher.token.at(-20) === 'A' ? 'B' : 'A') + voucher.token.slice(-19);
      await page.goto(`/v/${tampered}`);
      await expect.poll(() => verdict(page).getAttribute('data-verdict')).toBe('invalid');
    });
  });

  it('the electronic certificate shows a QR whose link verifies as valid', async () => {
    const certificate = await certificateOf(t.database.db, driver.id);
    await onPhone(
      'e-certificate',
      async (page) => {
        // 用户中心 → 我的证件 → 电子证照
        await page.goto('/certificates');
        await page.getByTestId('e-certificate-link').first().click();
        await page.waitForURL((url) => url.pathname === `/certificates/${certificate.id}/e-certificate`);
        const qr = page.getByTestId('e-certificate-qr');
        await qr.waitFor();
        expect(await page.getByTestId('e-certificate').innerText()).toContain('道路货物运输驾驶员');
        await screenshot(page, 'e-certificate', { fullPage: true });

        const verifyUrl = (await qr.getAttribute('data-url'))!;
        const src = (await qr.getAttribute('src'))!;
        const decoded = await decodeQrFromImage(Buffer.from(src.split(',')[1]!, 'base64'));
        expect(decoded).toBe(verifyUrl);
        const token = verifyUrl.split('/v/')[1]!;
        const response = await fetch(`${baseUrl}/api/v1/verify/${token}?channel=api`);
        expect(response.status).toBe(200);
        expect(await response.json()).toMatchObject({ kind: 'certificate', verdict: 'valid' });
      },
      { loggedIn: true },
    );
    // Without a session the page sends the driver to log in and back.
    await onPhone('e-certificate-login', async (page) => {
      await page.goto(`/certificates/${certificate.id}/e-certificate`);
      await page.waitForURL((url) => url.pathname === '/login' && url.searchParams.get('redirect') === `/certificates/${certificate.id}/e-certificate`);
    });
  });

  it('the e-certificate QR expires within minutes and refreshes itself with a countdown; an expired one says so when scanned', async () => {
    const certificate = await certificateOf(t.database.db, driver.id);
    const tokenOf = async (page: Page) => (await page.getByTestId('e-certificate-qr').getAttribute('data-url'))!.split('/v/')[1]!;
    await onPhone(
      'e-certificate-refresh',
      async (page) => {
        await page.clock.install({ time: t.clock.now() });
        await page.goto(`/certificates/${certificate.id}/e-certificate`);
        await page.getByTestId('e-certificate-qr').waitFor();
        const first = await tokenOf(page);
        // 180 s of life, the next one fetched 30 s before the end.
        await expect.poll(() => page.getByTestId('e-certificate-countdown').innerText()).toMatch(/^二维码 1[45]\d 秒后自动刷新$/);
        await screenshot(page, 'e-certificate-countdown');

        // Four minutes later on every clock: the first QR is refused, and the page has shown a new one.
        t.clock.advance(240_000);
        await page.clock.fastForward(240_000);
        await expect.poll(() => tokenOf(page), { timeout: 10_000 }).not.toBe(first);
        const second = await tokenOf(page);
        const expired = await (await fetch(`${baseUrl}/api/v1/verify/${first}?channel=api`)).json();
        expect(expired).toMatchObject({ kind: 'certificate', verdict: 'invalid', reason: 'qr_expired', message: '二维码已过期，请持证人刷新' });
        expect(await (await fetch(`${baseUrl}/api/v1/verify/${second}?channel=api`)).json()).toMatchObject({ verdict: 'valid' });

        // The checker scanning the screenshot sees why.
        await page.goto(`/v/${first}`);
        await expect.poll(() => verdict(page).getAttribute('data-verdict')).toBe('invalid');
        expect(await page.getByTestId('verdict-reason').innerText()).toBe('二维码已过期，请持证人刷新');
        await screenshot(page, 'e-certificate-expired-scan');
      },
      { loggedIn: true },
    );
  });

  it('a later voucher for the same cycle supersedes the first: the old one says so, on the page and when scanned', async () => {
    const second = await acceptedCreditAssessment(t.database.db, driver.id, t.clock.now());
    const newer = await approveWithVoucher(t.database.db, second, 'AAA', t.clock.now());
    await onPhone(
      'voucher-superseded',
      async (page) => {
        await page.goto(`/my-office/${application.id}/voucher`);
        await expect.poll(() => page.getByTestId('voucher-status').innerText()).toBe('已被新凭证取代');
        await expect.poll(() => page.getByTestId('voucher-status-banner').innerText()).toContain('请出示最新的凭证');
        await screenshot(page, 'voucher-superseded');

        await page.goto(`/v/${voucher.token}`);
        await expect.poll(() => verdict(page).getAttribute('data-verdict')).toBe('superseded');
        expect(await page.getByTestId('verdict-title').innerText()).toBe('已被新凭证取代');
        expect(await page.getByTestId('verify-claims').innerText()).toContain(newer.serial);
        await screenshot(page, 'verify-superseded', { fullPage: true });
      },
      { loggedIn: true },
    );
  });
});

function downloadPath(name: string): string {
  return new URL(`../../test-results/downloads/${name}`, import.meta.url).pathname;
}
