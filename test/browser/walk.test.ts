import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { browserSuite, ensureWebAppsBuilt, screenshot, withPage } from '../helpers/browser.ts';
import { startTestServer } from '../helpers/server.ts';
import { closeOpenApplications, loginDemoDriver, signIn, submitThroughApi, uploadFiles, type DriverSession } from '../helpers/httpSession.ts';

/**
 * What a new driver meets first, walked as a person would on a 390 px phone: the login page, and the
 * whole app in English with no text running out of its box.
 */
browserSuite('a new driver’s walk through the app', () => {
  let server: { url: string; close(): Promise<void> };
  let wang: DriverSession;
  let files: Awaited<ReturnType<typeof uploadFiles>>;

  beforeAll(async () => {
    await ensureWebAppsBuilt();
    server = await startTestServer({ seed: true });
    wang = await loginDemoDriver(server.url, '13800000001');
    files = await uploadFiles();
  }, 120_000);
  afterAll(async () => {
    await closeOpenApplications(wang).catch(() => undefined);
    await server?.close();
  });

  it('login: [登录] upper right on the home page, the sentence ticks the box, one message for a wrong code, the resend wait survives a reload', async () => {
    await withPage(
      'driver',
      async (page) => {
        await page.goto('/');
        const login = page.getByTestId('nav-login');
        await expect.poll(() => login.innerText()).toBe('登录');
        const box = await login.boundingBox();
        expect(box!.x).toBeGreaterThan(390 / 2);
        expect(box!.y).toBeLessThan(46);
        expect(await page.getByTestId('tabbar').count()).toBe(1);
        await screenshot(page, 'walk-home-anonymous');
        await login.click();
        await page.waitForURL((url) => url.pathname === '/login');
        // No tab bar on the login page (nor on the agreements, nor in the flows).
        await expect.poll(() => page.getByTestId('tabbar').count()).toBe(0);

        // The code's placeholder fits its field.
        const code = page.locator('[data-testid="login-code"] input');
        const fits = await code.evaluate((input: HTMLInputElement) => {
          const canvas = document.createElement('canvas').getContext('2d')!;
          const style = getComputedStyle(input);
          canvas.font = `${style.fontSize} ${style.fontFamily}`;
          return canvas.measureText(input.placeholder).width <= input.clientWidth;
        });
        expect(fits).toBe(true);

        // Tapping the sentence ticks the box; the titles stay links.
        const checkbox = page.locator('[data-testid="login-agree"]');
        expect(await checkbox.getAttribute('aria-checked')).toBe('false');
        await page.getByTestId('login-agree-text').click({ position: { x: 8, y: 8 } });
        await expect.poll(() => checkbox.getAttribute('aria-checked')).toBe('true');
        await page.getByTestId('login-agree-text').locator('a').first().click();
        await page.waitForURL((url) => url.pathname.startsWith('/agreements/'));
        await expect.poll(() => page.getByTestId('tabbar').count()).toBe(0);
        await page.goBack();
        await page.waitForURL((url) => url.pathname === '/login');
        await expect.poll(() => checkbox.getAttribute('aria-checked')).toBe('true');

        await page.locator('[data-testid="login-phone"] input').fill('13800000002');
        const send = page.getByTestId('send-code');
        await expect.poll(() => send.isEnabled()).toBe(true);
        await send.click();
        await page.getByTestId('code-sent').waitFor();
        await expect.poll(async () => Number(await send.getAttribute('data-wait'))).toBeGreaterThan(50);

        // A wrong code: one message under the form, no toast on top of it.
        await code.fill('000000');
        await page.getByTestId('login-submit').click();
        await expect.poll(() => page.getByTestId('login-error').getAttribute('data-code')).toBe('SMS_CODE_INVALID');
        await page.waitForTimeout(300);
        expect(await page.locator('.van-toast:visible').count()).toBe(0);
        await screenshot(page, 'walk-login-wrong-code');

        // A reload keeps the countdown the server asked for.
        await page.reload();
        await page.getByTestId('send-code').waitFor();
        await expect.poll(async () => Number(await page.getByTestId('send-code').getAttribute('data-wait'))).toBeGreaterThan(40);
        await expect.poll(() => page.getByTestId('send-code').innerText()).toMatch(/\d+/);
        await screenshot(page, 'walk-login-after-reload');
      },
      { baseURL: server.url, name: 'walk-login' },
    );
  });

  /** Every heading, tile, tag and title on the page whose text is wider than its box. */
  async function overflowing(page: Page): Promise<string[]> {
    return page.evaluate(() => {
      const selectors = ['h1', 'h2', 'h3', '.tile__name', '.van-tag', '.state-tag', '.van-nav-bar__title', '.van-step__title', '.van-cell__title', '.van-tabbar-item__text'];
      const found: string[] = [];
      for (const element of document.querySelectorAll<HTMLElement>(selectors.join(','))) {
        if (element.offsetParent === null || element.clientWidth === 0) continue;
        if (element.scrollWidth > element.clientWidth + 1) found.push(`${element.className || element.tagName}: ${element.innerText.trim()}`);
      }
      return found;
    });
  }

  /** Full-width punctuation in the page's English text (Chinese names and data may keep theirs). */
  async function fullWidthPunctuation(page: Page): Promise<string[]> {
    return page.evaluate(() => {
      const found: string[] = [];
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent ?? '';
        // Text without Chinese characters must not carry Chinese punctuation.
        if (/[：；，。（）！？]/.test(text) && !/[\u4e00-\u9fff]/.test(text)) found.push(text.trim());
      }
      return found;
    });
  }

  it('in English at 390 px no heading, tile or tag runs out of its box, and no English text carries Chinese punctuation', async () => {
    const credit = await submitThroughApi(wang, files, { business: 'credit_assessment' }, { serviceCompany: 'Individual' });
    await withPage(
      'driver',
      async (page) => {
        await page.addInitScript(() => localStorage.setItem('rto.locale', 'en'));
        await signIn(page, server.url, wang);
        const pages: { path: string; ready: string; name: string }[] = [
          { path: '/', ready: '[data-testid="business-tiles"]', name: 'home' },
          { path: '/business/change', ready: '[data-variant="service_unit"]', name: 'change-variants' },
          { path: '/business/renewal', ready: '[data-step="notice"]', name: 'renewal-notice' },
          { path: '/business/change/certificate_info?step=certificate', ready: '[data-step="certificate"] [data-certificate]', name: 'certificate' },
          { path: '/my-office', ready: '[data-testid="applications"]', name: 'my-office' },
          { path: `/my-office/${credit.id}`, ready: '[data-testid="application-head"]', name: 'application' },
          { path: '/user', ready: 'main', name: 'user' },
          { path: '/contacts?province=11', ready: '[data-testid="contact-list"]', name: 'contacts' },
          { path: '/certificates', ready: 'main', name: 'certificates' },
        ];
        for (const target of pages) {
          await page.goto(target.path);
          await page.locator(target.ready).first().waitFor();
          await page.waitForTimeout(300);
          await screenshot(page, `walk-en-${target.name}`, { fullPage: true });
          expect(await overflowing(page), target.path).toEqual([]);
          expect(await fullWidthPunctuation(page), target.path).toEqual([]);
        }
        // The contacts read in English too.
        await page.goto('/contacts?province=11');
        await expect.poll(() => page.getByTestId('contact-list').innerText()).toContain('Working days');
      },
      { baseURL: server.url, name: 'walk-english' },
    );
  });
});
