import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startWeChatStandIn, type WeChatStandIn } from '../../src/server/wechat/standIn.ts';
import { browserSuite, contextOptions, ensureWebAppsBuilt, screenshot as saveScreenshot, sharedBrowser } from '../helpers/browser.ts';
import { outboxCode } from '../helpers/httpSession.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * WeChat login in the drivers' app, through the local WeChat stand-in: in WeChat's browser the login
 * page offers 微信授权登录 first; the demo driver authorises (sharing nickname and avatar, so the
 * stand-in's consent page shows), binds the phone by SMS code and lands logged in and real-name
 * verified; opening the app again in WeChat logs in without a tap; 账号与安全 lists the methods and
 * the logins. Outside WeChat the login page is the SMS page as before.
 */
browserSuite('WeChat login in the drivers’ app', () => {
  let server: TestServer;
  let wx: WeChatStandIn;
  const WEB = { appId: 'wx00000000000web01', secret: 'web-secret-0123456789abcdef0123' };

  beforeAll(async () => {
    await ensureWebAppsBuilt();
    wx = await startWeChatStandIn({ web: WEB, users: [{ key: 'wang', nickname: '王师傅' }, { key: 'guest', nickname: '路人甲' }] });
    server = await startTestServer({
      seed: true,
      env: { WECHAT_APPID: WEB.appId, WECHAT_SECRET: WEB.secret, WECHAT_API_ENDPOINT: wx.endpoint, WECHAT_OPEN_ENDPOINT: wx.endpoint },
    });
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await wx?.close();
  });

  async function screenshot(page: Page, name: string, options?: { fullPage?: boolean }): Promise<void> {
    await page.locator('.van-toast').waitFor({ state: 'hidden', timeout: 4000 }).catch(() => undefined);
    await saveScreenshot(page, name, options);
  }

  async function withContext<T>(options: { userAgent?: string }, fn: (page: Page, context: BrowserContext) => Promise<T>): Promise<T> {
    const context = await (await sharedBrowser()).newContext({ ...contextOptions.driver, baseURL: server.url, ...options });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    try {
      const result = await fn(page, context);
      expect(errors).toEqual([]);
      return result;
    } catch (error) {
      await saveScreenshot(page, 'failed-wechat').catch(() => undefined);
      throw error;
    } finally {
      await context.close();
    }
  }

  it('binds the demo driver’s WeChat through the consent page, then logs in silently', async () => {
    await withContext({}, async (page) => {
      await page.goto('/login?redirect=/user');
      await page.getByTestId('wechat-login-button').waitFor();
      await screenshot(page, 'wechat-1-login-in-wechat');

      // Sharing nickname and avatar is the driver's choice: only then snsapi_userinfo and the consent page.
      await page.locator('[data-testid="wechat-show-profile"] .van-checkbox__icon').click();
      await page.getByTestId('wechat-login-button').click();
      await page.waitForURL((url) => url.origin === wx.endpoint);
      await page.getByTestId('wechat-standin-user-wang').click();
      await page.getByTestId('wechat-standin-allow').waitFor();
      await screenshot(page, 'wechat-2-standin-consent');
      await page.getByTestId('wechat-standin-allow').click();

      // No account has this WeChat yet: bind the phone by SMS code.
      await page.waitForURL((url) => url.pathname === '/login' && url.searchParams.get('wechat') === 'bind');
      await expect.poll(() => page.getByTestId('wechat-binding').innerText()).toContain('王师傅');
      await page.locator('[data-testid="login-phone"] input').fill('13800000001');
      await page.locator('[data-testid="login-agree"] .van-checkbox__icon').click();
      await page.getByTestId('send-code').click();
      await page.getByTestId('code-sent').waitFor();
      await page.locator('[data-testid="login-code"] input').fill(await outboxCode(server.url, '13800000001'));
      await expect.poll(() => page.getByTestId('login-submit').innerText()).toContain('绑定并登录');
      await screenshot(page, 'wechat-3-bind-phone');
      await page.getByTestId('login-submit').click();

      await page.waitForURL((url) => url.pathname === '/user');
      await page.getByTestId('user-verified').waitFor();
      expect(await page.getByTestId('user-phone').innerText()).toBe('138****0001');
      await screenshot(page, 'wechat-4-logged-in-verified');
    });

    // Later, WeChat opens the app in a new browser: logged in without a tap. (The server's clock stands
    // still unless moved: a minute later, so the logins are listed in order.)
    server.clock.advance(60_000);
    await withContext({}, async (page, context) => {
      await context.addCookies([{ name: 'wx_standin_user', value: 'wang', url: wx.endpoint }]);
      await page.goto('/user');
      await page.getByTestId('user-verified').waitFor();
      expect(new URL(page.url()).pathname).toBe('/user');
      const me = (await (await page.request.get('/api/v1/me')).json()) as { verified: boolean };
      expect(me.verified).toBe(true);

      await page.getByTestId('link-account-security').click();
      await page.waitForURL((url) => url.pathname === '/account-security');
      await expect.poll(() => page.getByTestId('security-wechat').getAttribute('data-bound')).toBe('yes');
      await expect.poll(() => page.getByTestId('security-logins').locator('[data-method]').count()).toBeGreaterThanOrEqual(2);
      const methods = await page.getByTestId('security-logins').locator('[data-method]').evaluateAll((cells) => cells.map((c) => c.getAttribute('data-method')));
      expect(methods.slice(0, 2)).toEqual(['wechat_web', 'sms']);
      expect(await page.getByTestId('security-wechat').innerText()).toContain('王师傅');
      await screenshot(page, 'wechat-5-account-security', { fullPage: true });
    });
  });

  it('an unknown WeChat opening the app stays a guest; a silent try does not loop', async () => {
    await withContext({}, async (page, context) => {
      await context.addCookies([{ name: 'wx_standin_user', value: 'guest', url: wx.endpoint }]);
      await page.goto('/user');
      await page.locator('.user-head__login').waitFor();
      expect(new URL(page.url()).pathname).toBe('/user');
      await page.reload();
      await page.locator('.user-head__login').waitFor();

      // Tapping 微信授权登录 offers the binding; the driver may log in with the phone alone instead.
      await page.goto('/login');
      await page.getByTestId('wechat-login-button').click();
      await page.waitForURL((url) => url.searchParams.get('wechat') === 'bind');
      await page.getByTestId('wechat-skip-binding').click();
      await page.waitForURL((url) => !url.searchParams.has('wechat'));
      await expect.poll(() => page.getByTestId('login-submit').innerText()).toBe('登录');
      expect(await page.getByTestId('wechat-binding').count()).toBe(0);
    });
  });

  it('outside WeChat the login page is the SMS page as before', async () => {
    const chrome = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
    await withContext({ userAgent: chrome }, async (page) => {
      await page.goto('/login');
      await page.locator('[data-testid="login-phone"] input').waitFor();
      await page.getByTestId('login-submit').waitFor();
      expect(await page.getByTestId('wechat-login').count()).toBe(0);
      expect(await page.getByTestId('wechat-binding').count()).toBe(0);
      expect(await page.getByTestId('login-submit').innerText()).toBe('登录');
      await screenshot(page, 'wechat-6-login-outside-wechat');
    });
  });
});
