import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { afterAll, describe, it } from 'vitest';

/**
 * Browser tests drive the built web apps in the system's Chromium (Debian package `chromium`)
 * through playwright-core. Without Chromium the suites are skipped loudly, or fail when
 * REQUIRE_BROWSER=1 (CI must not pass by skipping).
 */

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const screenshotDir = path.join(repoRoot, 'test-results', 'screenshots');
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags for a quiet, offline-friendly headless Chromium in containers. */
export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export type AppKind = 'driver' | 'staff';

const wechatOnIphone =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 ' +
  'MicroMessenger/8.0.49(0x18003137) NetType/WIFI Language/zh_CN';

/** The drivers' app on a phone inside WeChat; the staff console on a desktop screen. */
export const contextOptions: Record<AppKind, BrowserContextOptions> = {
  driver: {
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    userAgent: wechatOnIphone,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  },
  staff: {
    viewport: { width: 1440, height: 900 },
    deviceScaleFactor: 1,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  },
};

export function browserAvailable(): boolean {
  return existsSync(chromiumPath);
}

let browser: Promise<Browser> | undefined;

/** One Chromium per test file, started on first use with a fresh temporary profile. */
export function sharedBrowser(): Promise<Browser> {
  browser ??= chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs, timeout: 60_000 });
  return browser;
}

export async function closeBrowser(): Promise<void> {
  const running = browser;
  browser = undefined;
  if (running) await (await running).close();
}

/**
 * `describe` for suites that need Chromium: closes the browser after the suite; when Chromium is
 * missing, skips with a loud warning, or fails if REQUIRE_BROWSER=1.
 */
export function browserSuite(name: string, body: () => void): void {
  if (browserAvailable()) {
    describe(name, () => {
      afterAll(closeBrowser);
      body();
    });
    return;
  }
  const reason = `Chromium not found at ${chromiumPath} (install it with \`apt-get install -y chromium\` or set CHROMIUM_PATH)`;
  if (process.env.REQUIRE_BROWSER === '1') {
    describe(name, () => {
      it('needs Chromium (REQUIRE_BROWSER=1)', () => {
        throw new Error(reason);
      });
    });
    return;
  }
  console.warn(`\n!!!!!!!!!! BROWSER TESTS SKIPPED: "${name}" !!!!!!!!!!\n!!! ${reason}\n!!! Set REQUIRE_BROWSER=1 to make this a failure.\n`);
  describe.skip(name, body);
}

/** Saves a PNG of the page under test-results/screenshots/NAME.png and returns its path. */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<string> {
  await mkdir(screenshotDir, { recursive: true });
  const file = path.join(screenshotDir, `${name}.png`);
  // Let web fonts, images and transitions settle so the picture shows what a person sees.
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
  await page.screenshot({ path: file, fullPage: options.fullPage ?? false, animations: 'disabled' });
  return file;
}

/**
 * Runs `fn` with a new page in a fresh context (no cookies, no storage) set up for the drivers' app or
 * the staff console. Uncaught errors in the page fail the test; on failure a screenshot is kept.
 */
export async function withPage<T>(
  kind: AppKind,
  fn: (page: Page) => Promise<T>,
  options: { baseURL?: string; name?: string } = {},
): Promise<T> {
  const context = await (await sharedBrowser()).newContext({ ...contextOptions[kind], baseURL: options.baseURL });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.stack ?? error.message));
  try {
    const result = await fn(page);
    if (pageErrors.length > 0) throw new Error(`Uncaught errors in the ${kind} page:\n${pageErrors.join('\n')}`);
    return result;
  } catch (error) {
    await screenshot(page, `failed-${options.name ?? kind}`).catch(() => undefined);
    throw error;
  } finally {
    await context.close();
  }
}

/** Builds the web apps into dist/web unless both index.html files are already there. */
export async function ensureWebAppsBuilt(): Promise<void> {
  const built = ['driver', 'staff'].every((app) => existsSync(path.join(repoRoot, 'dist', 'web', app, 'index.html')));
  if (built) return;
  const { build } = await import('vite');
  await build({ configFile: path.join(repoRoot, 'vite.config.ts'), logLevel: 'warn' });
}
