import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { browserSuite, ensureWebAppsBuilt, screenshot, withPage } from '../helpers/browser.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/** Computed sizes of what is on screen, in CSS pixels. */
async function measure(page: Page) {
  return page.evaluate(() => {
    const px = (element: Element, property: string) => parseFloat(getComputedStyle(element).getPropertyValue(property));
    const body = document.querySelector('.care-row__hint') ?? document.body;
    const heading = document.querySelector('.card__title')!;
    const targets = [...document.querySelectorAll('main a, main button, main input, main [role="button"], main [role="switch"], .van-tabbar-item')]
      .filter((element) => {
        const box = element.getBoundingClientRect();
        const style = getComputedStyle(element);
        return box.width > 0 && box.height > 0 && style.visibility !== 'hidden' && style.opacity !== '0';
      })
      .map((element) => {
        const box = element.getBoundingClientRect();
        return { what: (element.textContent ?? '').trim().slice(0, 20) || element.outerHTML.slice(0, 60), width: Math.round(box.width), height: Math.round(box.height) };
      });
    return {
      bodyFont: px(body, 'font-size'),
      bodyLineHeight: px(body, 'line-height') / px(body, 'font-size'),
      headingFont: px(heading, 'font-size'),
      targets,
    };
  });
}

browserSuite('长辈版 (care mode)', () => {
  let server: TestServer;

  beforeAll(async () => {
    await ensureWebAppsBuilt();
    server = await startTestServer({ seed: true });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('the first visit asks; 长辈版 has large type and targets, a simple home, and is remembered on the phone', async () => {
    await withPage(
      'driver',
      async (page) => {
        await page.goto('/');
        await page.getByTestId('care-mode-prompt').waitFor();
        await page.locator('[data-testid="business-tile"]').first().waitFor();
        await screenshot(page, 'care-home-standard', { fullPage: true });

        await page.getByTestId('care-mode-on').click();
        await page.getByTestId('care-home').waitFor();
        await expect.poll(() => page.getByTestId('care-mode-prompt').count()).toBe(0);
        expect(await page.evaluate(() => document.documentElement.classList.contains('care-mode'))).toBe(true);
        // The five businesses (变更's two kinds as one), then My Office, scan and contact.
        await expect.poll(() => page.getByTestId('care-business').count()).toBe(5);
        expect(await page.locator('[data-shortcut]').evaluateAll((links) => links.map((l) => l.getAttribute('data-shortcut')))).toEqual(['my-office', 'scan', 'contact']);
        await screenshot(page, 'care-home-care', { fullPage: true });

        const sizes = await measure(page);
        expect(sizes.bodyFont).toBeGreaterThanOrEqual(18);
        expect(sizes.headingFont).toBeGreaterThanOrEqual(24);
        expect(sizes.bodyLineHeight).toBeGreaterThanOrEqual(1.3);
        const small = sizes.targets.filter((target) => target.width < 60 || target.height < 60);
        expect(small, JSON.stringify(small)).toEqual([]);

        // Remembered on this phone: a reload (or the next visit) opens 长辈版 without asking.
        await page.reload();
        await page.getByTestId('care-home').waitFor();
        expect(await page.getByTestId('care-mode-prompt').count()).toBe(0);

        // 用户中心 has the switch; it says its state and turns the mode off.
        await page.goto('/user');
        const switchControl = page.getByRole('switch', { name: /长辈版/ });
        await switchControl.waitFor({ state: 'attached' });
        expect(await switchControl.isChecked()).toBe(true);
        const row = await page.getByTestId('care-mode-cell').boundingBox();
        expect(row!.height).toBeGreaterThanOrEqual(60);
        await screenshot(page, 'care-user-center-care');
        await page.getByTestId('care-mode-cell').click();
        await expect.poll(() => page.evaluate(() => document.documentElement.classList.contains('care-mode'))).toBe(false);
        expect(await switchControl.isChecked()).toBe(false);
        await screenshot(page, 'care-user-center-standard');

        await page.goto('/');
        await page.locator('[data-testid="business-tile"]').first().waitFor();
        expect(await page.getByTestId('care-home').count()).toBe(0);
        expect(await page.getByTestId('care-mode-prompt').count(), 'asked once only').toBe(0);
      },
      { baseURL: server.url, name: 'care-mode' },
    );
  });

  it('the SMS code field takes one-time-code autofill and a pasted message, in both layouts', async () => {
    for (const mode of ['off', 'on']) {
      await withPage(
        'driver',
        async (page) => {
          await page.context().addInitScript((value) => window.localStorage.setItem('rto.careMode', value), mode);
          await page.goto('/login');
          const code = page.locator('input[name="code"]');
          await code.waitFor();
          expect(await code.getAttribute('autocomplete')).toBe('one-time-code');
          expect(await code.getAttribute('inputmode')).toBe('numeric');
          // Pasting the whole SMS fills the code, not its first six characters.
          await code.focus();
          await code.evaluate((input) => {
            const data = new DataTransfer();
            data.setData('text/plain', '【道路运政一网通办】您的验证码为 482913，5分钟内有效。');
            input.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
          });
          await expect.poll(() => code.inputValue()).toBe('482913');
          await screenshot(page, `care-login-${mode === 'on' ? 'care' : 'standard'}`);
        },
        { baseURL: server.url, name: `care-login-${mode}` },
      );
    }
  });
});
