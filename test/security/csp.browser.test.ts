import { createServer, type Server } from 'node:http';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { browserSuite, ensureWebAppsBuilt, screenshot, withPage } from '../helpers/browser.ts';
import { startTestServer } from '../helpers/server.ts';

/** Every CSP violation the page reports (console and the securitypolicyviolation event). */
function collectViolations(page: Page): string[] {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  return violations;
}

browserSuite('the content security policy with the built apps', () => {
  let server: { url: string; close(): Promise<void> };
  let attacker: Server;
  let attackerUrl: string;

  beforeAll(async () => {
    await ensureWebAppsBuilt();
    server = await startTestServer({ seed: true });
    // Another origin that tries to frame the console.
    attacker = createServer((_request, response) => {
      response.setHeader('content-type', 'text/html; charset=utf-8');
      response.end(`<!doctype html><iframe id="victim" src="${server.url}/staff/login" width="800" height="600"></iframe>`);
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    const address = attacker.address();
    attackerUrl = `http://localhost:${typeof address === 'object' && address ? address.port : 0}/`;
  });
  afterAll(async () => {
    await server?.close();
    await new Promise((resolve) => attacker?.close(resolve));
  });

  it('the drivers’ app, its verify page and the staff console run with no CSP violation', async () => {
    await withPage(
      'driver',
      async (page) => {
        const violations = collectViolations(page);
        await page.goto('/');
        await page.locator('[data-testid="business-tile"]').first().waitFor();
        await page.goto('/v/not-a-real-token');
        await page.waitForLoadState('networkidle');
        await screenshot(page, 'csp-driver-verify');
        expect(violations).toEqual([]);
      },
      { baseURL: server.url, name: 'csp-driver' },
    );
    await withPage(
      'staff',
      async (page) => {
        const violations = collectViolations(page);
        await page.goto('/staff/login');
        await page.locator('input[name="username"]').waitFor();
        // Element Plus positions its popups with inline styles: they must still work.
        await page.locator('button[type="submit"]').click();
        await page.waitForLoadState('networkidle');
        await screenshot(page, 'csp-staff-login');
        expect(violations).toEqual([]);
      },
      { baseURL: server.url, name: 'csp-staff' },
    );
  });

  it('a page on another origin cannot frame the staff console', async () => {
    await withPage(
      'staff',
      async (page) => {
        await page.goto(attackerUrl);
        await page.waitForTimeout(1000);
        const frame = page.frames().find((f) => f !== page.mainFrame());
        const framedInputs = frame ? await frame.locator('input[name="username"]').count().catch(() => 0) : 0;
        await screenshot(page, 'csp-framed-staff');
        expect(framedInputs).toBe(0);
      },
      { name: 'csp-frame' },
    );
  });
});
