import { afterAll, beforeAll, expect, it } from 'vitest';
import { browserSuite, ensureWebAppsBuilt, screenshot, withPage } from '../helpers/browser.ts';
import { startTestServer } from '../helpers/server.ts';

interface Bilingual {
  zh: string;
  en: string;
}

browserSuite('web app shells', () => {
  let server: { url: string; close(): Promise<void> };

  beforeAll(async () => {
    await ensureWebAppsBuilt();
    server = await startTestServer({ seed: true });
  });
  afterAll(async () => {
    await server?.close();
  });

  async function apiGet<T>(path: string): Promise<T> {
    const response = await fetch(`${server.url}/api/v1${path}`);
    expect(response.status, `GET ${path}`).toBe(200);
    return (await response.json()) as T;
  }

  it('drivers see the services from the catalog on a phone, in Chinese and then in English', async () => {
    const { businesses } = await apiGet<{ businesses: { name: Bilingual }[] }>('/catalog/businesses');
    expect(businesses).toHaveLength(6);

    await withPage(
      'driver',
      async (page) => {
        await page.goto('/');
        const tileNames = page.locator('[data-testid="business-tile"] .tile__name');
        await tileNames.first().waitFor();
        await expect.poll(() => tileNames.allInnerTexts()).toEqual(businesses.map((b) => b.name.zh));
        await expect.poll(() => page.locator('.banner__title').innerText()).toBe('道路运政一网通办');
        await screenshot(page, 'driver-home-zh');

        await page.getByRole('button', { name: 'English' }).first().click();
        await expect.poll(() => tileNames.allInnerTexts()).toEqual(businesses.map((b) => b.name.en));
        await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe('en');
        await screenshot(page, 'driver-home-en');

        // The choice is remembered on this phone.
        await page.reload();
        await tileNames.first().waitFor();
        await expect.poll(() => tileNames.allInnerTexts()).toEqual(businesses.map((b) => b.name.en));
      },
      { baseURL: server.url, name: 'driver-home' },
    );
  });

  it('a driver opening a deep link gets the app, and the user centre asks them to log in', async () => {
    await withPage(
      'driver',
      async (page) => {
        await page.goto('/user');
        await expect.poll(() => page.locator('.user-head__name').innerText()).toBe('未登录');
        await expect.poll(() => page.locator('.user-head__login').innerText()).toBe('登录');
        const { version } = await apiGet<{ version: string }>('/health');
        await expect.poll(() => page.getByTestId('app-version').innerText()).toContain(`v${version}`);
        await screenshot(page, 'driver-user-center');

        await page.locator('.van-tabbar-item', { hasText: '首页' }).click();
        await page.waitForURL((url) => url.pathname === '/');
        await page.locator('[data-testid="business-tile"]').first().click();
        await page.waitForURL((url) => url.pathname.startsWith('/business/'));
        await expect.poll(() => page.locator('.business-head__name').innerText()).not.toBe('');
        await screenshot(page, 'driver-business');
      },
      { baseURL: server.url, name: 'driver-user-center' },
    );
  });

  it('staff who are not logged in get the console login, and come back where they were going', async () => {
    await withPage(
      'staff',
      async (page) => {
        await page.goto('/staff/queue');
        await page.waitForURL(/\/staff\/login/);
        // The redirect is a route of the console's own router (base /staff/).
        expect(new URL(page.url()).searchParams.get('redirect')).toBe('/queue');
        await expect.poll(() => page.locator('input[autocomplete="username"], input[name="username"]').count()).toBeGreaterThan(0);
        await screenshot(page, 'staff-login-required');
      },
      { baseURL: server.url, name: 'staff-login-required' },
    );
  });

  it('a failed staff login shows the reason the server gives', async () => {
    const attempt = { username: 'no-such-user', password: 'wrong-password', totp: '000000' };
    const direct = await fetch(`${server.url}/api/v1/staff/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'accept-language': 'zh-CN' },
      body: JSON.stringify(attempt),
    });
    expect(direct.ok).toBe(false);
    const { error } = (await direct.json()) as { error: { code: string; message: string } };

    await withPage(
      'staff',
      async (page) => {
        await page.goto('/staff/login');
        await page.locator('input[name="username"]').fill(attempt.username);
        await page.locator('input[name="password"]').fill(attempt.password);
        await page.locator('input[name="totp"]').fill(attempt.totp);
        await page.locator('button[type="submit"]').click();
        const alert = page.getByTestId('login-error');
        await alert.waitFor();
        await expect.poll(() => alert.getAttribute('data-code')).toBe(error.code);
        await expect.poll(() => alert.innerText()).toContain(error.message);
        await screenshot(page, 'staff-login-failed');
      },
      { baseURL: server.url, name: 'staff-login' },
    );
  });
});
