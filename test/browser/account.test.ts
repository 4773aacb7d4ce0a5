import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { randomIdentity, renderIdCard, seededRandom } from '../../scripts/generate-id-cards.ts';
import { randomBack, renderIdPhoto, type PhotoSettings } from '../../scripts/generate-id-photos.ts';
import { DEMO_PASSWORD, DEMO_TOTP_SECRET, demoIdNumber, demoPeople } from '../../src/server/seed/demo.ts';
import { totpCodeAt } from '../../src/server/staff/totp.ts';
import { browserSuite, contextOptions, ensureWebAppsBuilt, screenshot as saveScreenshot, sharedBrowser, withPage } from '../helpers/browser.ts';
import { outboxCode } from '../helpers/httpSession.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * The drivers' account pages against the real server: SMS login with the code read from the dev outbox,
 * the route guard, real-name verification with server-side OCR of a generated ID photo, the user
 * centre, the certificates and an information-verification request. Each test uses its own demo phone
 * (the server allows one code a minute per phone and the test clock does not move).
 */
browserSuite('drivers’ account pages', () => {
  let server: TestServer;

  beforeAll(async () => {
    await ensureWebAppsBuilt();
    server = await startTestServer({ seed: true });
  }, 120_000);
  afterAll(async () => {
    await server?.close();
  });

  /** The newest login code the console SMS provider "sent" to `phone`. */
  const codeFor = (phone: string) => outboxCode(server.url, phone);

  /** Screenshots show the page once passing toasts have gone. */
  async function screenshot(page: Page, name: string, options?: { fullPage?: boolean }): Promise<void> {
    await page.locator('.van-toast').waitFor({ state: 'hidden', timeout: 4000 }).catch(() => undefined);
    await saveScreenshot(page, name, options);
  }

  /** The separate consent to the ID card's data, asked before the first photo. */
  async function agreeToIdCardConsent(page: Page): Promise<void> {
    await page.getByTestId('sensitive-consent-agree').click();
    await page.getByTestId('id-photo-take').waitFor();
  }

  const phoneInput = (page: Page) => page.locator('[data-testid="login-phone"] input');
  const codeInput = (page: Page) => page.locator('[data-testid="login-code"] input');
  const sendButton = (page: Page) => page.getByTestId('send-code');

  /** On the login page: phone, consent, code from the outbox, log in. */
  async function logInThroughUi(page: Page, phone: string, shot?: string): Promise<void> {
    await phoneInput(page).fill(phone);
    await page.locator('[data-testid="login-agree"] .van-checkbox__icon').click();
    await expect.poll(() => sendButton(page).isEnabled()).toBe(true);
    await sendButton(page).click();
    await page.getByTestId('code-sent').waitFor();
    await codeInput(page).fill(await codeFor(phone));
    if (shot) await screenshot(page, shot);
    await page.getByTestId('login-submit').click();
    await page.waitForURL((url) => url.pathname !== '/login');
  }

  it('a verified driver logs in with an SMS code and sees the masked identity and the freight certificate', async () => {
    await withPage(
      'driver',
      async (page) => {
        await page.goto('/login');
        await phoneInput(page).waitFor();
        await screenshot(page, 'account-a1-login');

        // The agreements are their own pages, and reading one keeps what was typed.
        await phoneInput(page).fill('13800000001');
        await page.locator('.agree-link', { hasText: '用户协议' }).click();
        await page.waitForURL((url) => url.pathname === '/agreements/user');
        const agreements = (await (await page.request.get('/api/v1/auth/agreements')).json()) as { userAgreement: { version: string; title: { zh: string } } };
        await expect.poll(() => page.locator('.agreement__title').innerText()).toBe(agreements.userAgreement.title.zh);
        await expect.poll(() => page.getByTestId('agreement-version').innerText()).toContain(agreements.userAgreement.version);
        await screenshot(page, 'account-a1b-agreement');
        await page.getByRole('button', { name: '我已阅读' }).click();
        await page.waitForURL((url) => url.pathname === '/login');
        expect(await phoneInput(page).inputValue()).toBe('13800000001');

        await logInThroughUi(page, '13800000001', 'account-a2-login-filled');
        await page.waitForURL((url) => url.pathname === '/');

        const me = (await (await page.request.get('/api/v1/me')).json()) as { identity: { nameMasked: string; idNumberMasked: string } };
        await page.locator('.van-tabbar-item', { hasText: '用户中心' }).click();
        await page.waitForURL((url) => url.pathname === '/user');
        await expect.poll(() => page.getByTestId('user-phone').innerText()).toBe('138****0001');
        await expect.poll(() => page.getByTestId('user-id-masked').innerText()).toBe(`${me.identity.nameMasked} · ${me.identity.idNumberMasked}`);
        expect(await page.getByTestId('user-verified').isVisible()).toBe(true);
        const wang = demoPeople.find((p) => p.phone === '13800000001')!;
        expect(await page.content()).not.toContain(demoIdNumber(wang));
        await screenshot(page, 'account-a3-user-center');

        await page.getByTestId('link-certificates').click();
        await page.waitForURL((url) => url.pathname === '/certificates');
        const card = page.getByTestId('certificate').first();
        await card.waitFor();
        const { certificates } = (await (await page.request.get('/api/v1/me/certificates')).json()) as { certificates: { number: string }[] };
        expect(certificates).toHaveLength(1);
        await expect.poll(() => card.getAttribute('data-number')).toBe(certificates[0]!.number);
        await expect.poll(() => card.getByTestId('certificate-category').first().innerText()).toContain('经营性道路货物运输驾驶员');
        await expect.poll(() => card.getByTestId('certificate-status').innerText()).toBe('有效');
        await screenshot(page, 'account-a4-certificates', { fullPage: true });

        // Contact us: the driver's own province first.
        await page.goto('/user');
        await page.getByTestId('link-contacts').click();
        await page.getByTestId('contact-list').waitFor();
        await expect.poll(() => page.locator('[data-testid="contacts-province"] input').inputValue()).toBe('北京市');
        expect(await page.locator('a[href^="tel:"]').count()).toBeGreaterThan(0);
        await screenshot(page, 'account-a5-contacts');

        // Logging out asks first and ends the session on the server.
        await page.goto('/user');
        await page.getByTestId('logout').click();
        await page.locator('.van-dialog__confirm').click();
        await expect.poll(() => page.locator('.user-head__name').innerText()).toBe('未登录');
        expect((await page.request.get('/api/v1/me')).status()).toBe(401);
      },
      { baseURL: server.url, name: 'account-a' },
    );
  });

  it('an unverified driver is sent to real-name verification, uploads an ID photo read by the server, and finds her taxi certificate', async () => {
    const gao = demoPeople.find((p) => p.phone === '13800000019')!;
    const idNumber = demoIdNumber(gao);
    const photo = await renderIdCard({
      name: gao.name,
      sex: gao.sex,
      ethnicity: gao.ethnicity,
      birthDate: gao.birthDate,
      address: gao.address,
      idNumber,
    });

    await withPage(
      'driver',
      async (page) => {
        await page.goto('/login');
        await logInThroughUi(page, '13800000019');
        await page.waitForURL((url) => url.pathname === '/real-name');
        await page.getByTestId('real-name-notice').waitFor();
        // The separate consent to the ID card's data comes before any photo (PIPL Art. 29).
        const consent = page.getByTestId('sensitive-consent-id_card');
        await consent.waitFor();
        for (const heading of ['收集什么', '为什么需要', '保存多久', '如果您不同意']) expect(await consent.innerText()).toContain(heading);
        await screenshot(page, 'account-b0-sensitive-consent', { fullPage: true });
        // Refusing stops real-name verification here, and the account stays logged in.
        await page.getByTestId('sensitive-consent-refuse').click();
        await page.getByTestId('sensitive-consent-refused').waitFor();
        await screenshot(page, 'account-b0b-consent-refused');
        expect((await page.request.get('/api/v1/me')).status()).toBe(200);
        await page.getByRole('button', { name: '重新阅读' }).click();
        await page.getByTestId('sensitive-consent-agree').click();
        await page.getByTestId('id-photo-take').waitFor();
        const given = (await (await page.request.get('/api/v1/identity/consents')).json()) as { consents: { key: string; given: boolean }[] };
        expect(given.consents.find((c) => c.key === 'id_card')?.given).toBe(true);
        await screenshot(page, 'account-b1-real-name');

        await page.getByTestId('id-photo-pick').setInputFiles({ name: 'id-card.png', mimeType: 'image/png', buffer: photo });
        await page.getByTestId('id-reading').waitFor();
        await screenshot(page, 'account-b2-reading');
        const form = page.getByTestId('id-form');
        await form.waitFor({ timeout: 60_000 });
        const value = (field: string) => page.locator(`[data-testid="id-field-${field}"] input, [data-testid="id-field-${field}"] textarea`).first().inputValue();
        expect(await value('name')).toBe(gao.name);
        expect(await value('idNumber')).toBe(idNumber);
        expect(await value('birthDate')).toBe(gao.birthDate);
        expect(await value('ethnicity')).toBe(gao.ethnicity);
        expect(await value('address')).toBe(gao.address);
        expect(await page.locator('[data-testid="id-field-sex"] .van-radio[aria-checked="true"]').innerText()).toBe('女');
        await screenshot(page, 'account-b3-form', { fullPage: true });

        await page.getByTestId('id-submit').click();
        const done = page.getByTestId('real-name-done');
        await done.waitFor({ timeout: 20_000 });
        await expect.poll(() => page.getByTestId('certificates-found').getAttribute('data-count')).toBe('1');
        await screenshot(page, 'account-b4-verified');

        await page.getByTestId('see-certificates').click();
        await page.waitForURL((url) => url.pathname === '/certificates');
        const card = page.getByTestId('certificate').first();
        await card.waitFor();
        await expect.poll(() => card.getByTestId('certificate-category').first().innerText()).toContain('巡游出租汽车驾驶员');
        await screenshot(page, 'account-b5-certificates', { fullPage: true });
      },
      { baseURL: server.url, name: 'account-b' },
    );
  }, 120_000);

  it('a new driver corrects a misread name, which goes to review; a Beijing handler approves and the driver then sees the certificate', async () => {
    const zheng = demoPeople.find((p) => p.name === '郑晓明')!;
    const idNumber = demoIdNumber(zheng);
    const unreadable = await sharp({ create: { width: 856, height: 540, channels: 3, background: { r: 205, g: 210, b: 215 } } }).jpeg().toBuffer();
    const driverContext = await (await sharedBrowser()).newContext({ ...contextOptions.driver, baseURL: server.url });
    const page = await driverContext.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.stack ?? error.message));
    try {
      await page.goto('/login');
      await logInThroughUi(page, '13900000031');
      // A first login creates the account and goes straight to real-name verification.
      await page.waitForURL((url) => url.pathname === '/real-name');
      await agreeToIdCardConsent(page);

      await page.getByTestId('id-photo-pick').setInputFiles({ name: 'blank.jpg', mimeType: 'image/jpeg', buffer: unreadable });
      const hintOrFailure = page.locator('[data-testid="id-hint"], [data-testid="id-unreadable"]');
      await hintOrFailure.first().waitFor({ timeout: 60_000 });
      await screenshot(page, 'account-f1-unreadable');
      if (await page.getByTestId('id-unreadable').isVisible()) await page.getByTestId('id-manual').click();
      await page.getByTestId('id-form').waitFor();

      const field = (name: string) => page.locator(`[data-testid="id-field-${name}"] input, [data-testid="id-field-${name}"] textarea`).first();
      await field('name').fill(zheng.name);
      await page.locator('[data-testid="id-field-sex"] .van-radio', { hasText: '女' }).click();
      await field('ethnicity').fill(zheng.ethnicity);
      await field('address').fill(zheng.address);
      await field('idNumber').fill(idNumber);
      await field('idNumber').blur();
      // The number gives the birth date; the sex chosen disagrees with it and is flagged before submitting.
      await expect.poll(() => field('birthDate').inputValue()).toBe(zheng.birthDate);
      await page.getByTestId('id-submit').click();
      await expect.poll(() => page.locator('[data-testid="id-field-sex"] .van-field__error-message').innerText()).toBe('性别与身份证号码不一致，请核对');
      await screenshot(page, 'account-f2-sex-mismatch', { fullPage: true });

      // The driver retakes the photo instead; the card was misread (郑晓名), and the driver corrects the name.
      const misread = await renderIdCard({ name: '郑晓名', sex: zheng.sex, ethnicity: zheng.ethnicity, birthDate: zheng.birthDate, address: zheng.address, idNumber });
      await page.locator('.link-button', { hasText: '重新拍摄' }).click();
      await page.getByTestId('id-photo-pick').setInputFiles({ name: 'id-card.png', mimeType: 'image/png', buffer: misread });
      await page.getByTestId('id-form').waitFor({ timeout: 60_000 });
      await expect.poll(() => field('idNumber').inputValue()).toBe(idNumber);
      expect(await field('name').inputValue()).toBe('郑晓名');
      // A reload keeps the photo's reading: it is on the server.
      await page.reload();
      await page.getByTestId('id-form').waitFor();
      await expect.poll(() => field('name').inputValue()).toBe('郑晓名');
      await field('name').fill(zheng.name);
      await expect.poll(() => page.getByTestId('id-correction-notice').innerText()).toContain('您修改了照片识别出的姓名');
      await screenshot(page, 'account-f2b-correction', { fullPage: true });
      await page.getByTestId('id-submit').click();

      // A correction against what the photo showed is not bound: a clerk decides, and nothing is linked meanwhile.
      const pending = page.getByTestId('real-name-pending');
      await pending.waitFor({ timeout: 20_000 });
      await expect.poll(() => page.getByTestId('real-name-deadline').innerText()).toMatch(/\d{4}-\d{2}-\d{2} 前完成/);
      expect(await pending.innerText()).toContain('提交的信息与证件照片识别结果不一致');
      await screenshot(page, 'account-f3-pending');
      await page.reload();
      await page.getByTestId('real-name-pending').waitFor();

      await withPage(
        'staff',
        async (staff) => {
          await staff.goto('/staff/login');
          await staff.locator('input[name="username"]').fill('bj-handler');
          await staff.locator('input[name="password"]').fill(DEMO_PASSWORD);
          await staff.locator('input[name="totp"]').fill(totpCodeAt(DEMO_TOTP_SECRET, server.clock.now()));
          await staff.locator('button[type="submit"]').click();
          await staff.waitForURL((url) => url.pathname === '/staff/');
          await expect.poll(() => staff.getByTestId('stat-real-name').innerText()).toMatch(/1/);
          await staff.locator('[data-menu="realName"]').click();
          const row = staff.locator('[data-testid="real-name-table"] .el-table__row').first();
          await row.waitFor();
          expect(await row.innerText()).toContain('郑*明');
          await saveScreenshot(staff, 'account-f4-staff-queue');
          await row.locator('[data-rn-action="open"]').click();
          const drawer = staff.getByTestId('real-name-drawer');
          await drawer.getByTestId('real-name-compare').waitFor();
          expect(await drawer.locator('[data-field="idNumber"]').innerText()).toContain(idNumber);
          expect(await drawer.innerText()).toContain('姓名一致');
          await saveScreenshot(staff, 'account-f5-staff-review');
          await drawer.locator('[data-rn-action="approve"]').click();
          await staff.locator('.el-message-box').getByRole('button', { name: '审核通过' }).click();
          await staff.locator('.el-message--success', { hasText: '已审核通过' }).waitFor();
          await expect.poll(() => staff.locator('[data-testid="real-name-table"] .el-table__row').count()).toBe(0);
        },
        { baseURL: server.url, name: 'account-f-staff' },
      );

      await page.reload();
      await page.getByTestId('real-name-already').waitFor();
      await page.getByTestId('see-certificates').click();
      await page.waitForURL((url) => url.pathname === '/certificates');
      await page.getByTestId('certificate').first().waitFor();
      await screenshot(page, 'account-f6-certificates');

      await page.goto('/user');
      await expect.poll(() => page.getByTestId('user-phone').innerText()).toBe('139****0031');
      await page.getByTestId('user-verified').waitFor();
      if (pageErrors.length > 0) throw new Error(`Uncaught errors in the driver page:\n${pageErrors.join('\n')}`);
    } catch (error) {
      await saveScreenshot(page, 'failed-account-f').catch(() => undefined);
      throw error;
    } finally {
      await driverContext.close();
    }
  }, 180_000);

  it('a driver who held the phone the other way uploads a quarter-turned 12 MP photo and sees the card’s ID number in the form', async () => {
    const truth = randomIdentity(seededRandom(1717));
    const settings: PhotoSettings = {
      condition: 'quarter-cw', side: 'portrait', frame: { width: 4032, height: 3024 }, cardShare: 0.6, tilt: 6, keystone: 0.05,
      keystoneEdge: 'top', turns: 1, exif: false, glare: false, dim: false, defocus: 0, jpegQuality: 75, formBeside: false, seed: 99,
    };
    const { image } = await renderIdPhoto(truth, randomBack(seededRandom(1717), truth), settings);
    expect((await sharp(image).metadata()).height).toBe(4032);

    await withPage(
      'driver',
      async (page) => {
        await page.goto('/login');
        await logInThroughUi(page, '13900000032');
        await page.waitForURL((url) => url.pathname === '/real-name');
      await agreeToIdCardConsent(page);
        await page.getByTestId('id-photo-pick').setInputFiles({ name: 'IMG_0412.jpg', mimeType: 'image/jpeg', buffer: image });
        const form = page.getByTestId('id-form');
        await form.waitFor({ timeout: 60_000 });
        const value = (field: string) => page.locator(`[data-testid="id-field-${field}"] input, [data-testid="id-field-${field}"] textarea`).first().inputValue();
        await expect.poll(() => value('idNumber')).toBe(truth.idNumber);
        expect(await value('name')).toBe(truth.name);
        expect(await value('address')).toBe(truth.address);
        await screenshot(page, 'account-g1-quarter-turned-photo', { fullPage: true });
      },
      { baseURL: server.url, name: 'account-g' },
    );
  }, 120_000);

  it('the login page refuses an invalid phone and counts down after sending a code', async () => {
    await withPage(
      'driver',
      async (page) => {
        await page.goto('/login');
        await phoneInput(page).fill('12345678901');
        await phoneInput(page).blur();
        await page.locator('[data-testid="login-agree"] .van-checkbox__icon').click();
        await expect.poll(() => page.locator('[data-testid="login-phone"] .van-field__error-message').innerText()).toBe('请输入正确的11位中国大陆手机号码');
        expect(await sendButton(page).isDisabled()).toBe(true);
        expect(await page.getByTestId('login-submit').isDisabled()).toBe(true);
        await screenshot(page, 'account-c1-invalid-phone');

        await phoneInput(page).fill('13800000004');
        await expect.poll(() => sendButton(page).isEnabled()).toBe(true);
        await sendButton(page).click();
        await page.getByTestId('code-sent').waitFor();
        await expect.poll(() => sendButton(page).innerText()).toMatch(/^\d+ 秒后重新获取$/);
        expect(Number(await sendButton(page).getAttribute('data-wait'))).toBeGreaterThan(50);
        expect(await sendButton(page).isDisabled()).toBe(true);
        await screenshot(page, 'account-c2-countdown');

        // A wrong code is refused with the server's reason.
        await codeInput(page).fill('000000');
        const real = await codeFor('13800000004');
        if (real === '000000') await codeInput(page).fill('111111');
        await page.getByTestId('login-submit').click();
        await expect.poll(() => page.getByTestId('login-error').getAttribute('data-code')).toBe('SMS_CODE_INVALID');
        await screenshot(page, 'account-c3-wrong-code');

        // The same page in English, the countdown still running.
        await page.getByRole('button', { name: 'English' }).first().click();
        await expect.poll(() => sendButton(page).innerText()).toMatch(/^Resend in \d+s$/);
        await expect.poll(() => page.locator('.login-head__title').innerText()).toBe('Log in with your phone');
        await screenshot(page, 'account-c4-login-en');
      },
      { baseURL: server.url, name: 'account-c' },
    );
  });

  it('a logged-out visit to the certificates goes to the login and back after it', async () => {
    await withPage(
      'driver',
      async (page) => {
        await page.goto('/certificates');
        await page.waitForURL((url) => url.pathname === '/login' && url.searchParams.get('redirect') === '/certificates');
        await phoneInput(page).waitFor();
        await logInThroughUi(page, '13800000003');
        await page.waitForURL((url) => url.pathname === '/certificates');
        await page.getByTestId('certificate').first().waitFor();
        // This driver holds one certificate with a dangerous-goods and a freight category.
        expect(await page.getByTestId('certificate-category').count()).toBe(2);
        await screenshot(page, 'account-d1-back-to-certificates', { fullPage: true });
      },
      { baseURL: server.url, name: 'account-d' },
    );
  });

  it('a driver files an information-verification request with a photo and sees it listed', async () => {
    const evidence = await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 230, g: 236, b: 245 } } }).png().toBuffer();
    await withPage(
      'driver',
      async (page) => {
        await page.goto('/certificates');
        await phoneInput(page).waitFor();
        await logInThroughUi(page, '13800000002');
        await page.waitForURL((url) => url.pathname === '/certificates');
        await page.getByTestId('request-verification').first().click();
        await page.waitForURL((url) => url.pathname.endsWith('/verification-request'));
        await page.getByTestId('verification-form').waitFor();

        // Submitting without choosing says what is missing.
        await page.getByTestId('verification-submit').click();
        await expect.poll(() => page.locator('[data-testid="verification-field"] .van-field__error-message').innerText()).toBe('请选择有误的项目');

        await page.getByTestId('verification-field').click();
        const picker = page.getByTestId('verification-field-picker');
        const addressOption = picker.locator('.van-picker-column__item', { hasText: /^住址$/ });
        await addressOption.click();
        // The column takes the choice once the option shows as selected (it scrolls there meanwhile).
        await expect.poll(() => addressOption.getAttribute('class')).toContain('van-picker-column__item--selected');
        await picker.locator('.van-picker__confirm').click();
        await expect.poll(() => page.locator('[data-testid="verification-field"] input').inputValue()).toBe('住址');
        await page.locator('[data-testid="verification-expected"] textarea').fill('上海市徐汇区漕溪北路101号');
        await page.locator('[data-testid="verification-note"] textarea').fill('门牌号有误');
        await page.locator('.van-uploader__input').setInputFiles({ name: 'evidence.png', mimeType: 'image/png', buffer: evidence });
        await page.locator('.van-uploader__preview').waitFor();
        await expect.poll(() => page.locator('.van-uploader__mask').count()).toBe(0);
        await screenshot(page, 'account-e1-verification-form', { fullPage: true });

        await page.getByTestId('verification-submit').click();
        await page.getByTestId('verification-submitted').waitFor();
        await screenshot(page, 'account-e2-verification-submitted');

        await page.getByTestId('see-requests').click();
        await page.waitForURL((url) => url.pathname === '/certificates');
        const request = page.getByTestId('verification-request').first();
        await request.waitFor();
        expect(await request.getAttribute('data-state')).toBe('submitted');
        await expect.poll(() => request.innerText()).toContain('上海市徐汇区漕溪北路101号');
        expect(await request.innerText()).toContain('待受理');
        await request.scrollIntoViewIfNeeded();
        await screenshot(page, 'account-e3-requests-listed');

        const { requests } = (await (await page.request.get('/api/v1/me/verification-requests')).json()) as { requests: { field: string; hasPhoto: boolean }[] };
        expect(requests).toEqual([expect.objectContaining({ field: 'address', hasPhoto: true })]);
      },
      { baseURL: server.url, name: 'account-e' },
    );
  });
});
