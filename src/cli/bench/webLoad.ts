/**
 * One cold page load of a built web app in Chromium, measured the way a phone on a weak network sees
 * it: the mid-range phone profile (CPU ×4 slower, 1.6 Mbps down, 750 kbps up, 150 ms round trip) set
 * through the DevTools protocol, the cache off, and every response's bytes on the wire (body as sent,
 * compressed or not, plus headers) by kind. Used by `rto bench --only web` and by the browser test that
 * holds the byte budgets.
 */
import type { Browser, BrowserContextOptions } from 'playwright-core';

export const midPhoneProfile = {
  cpuSlowdown: 4,
  downloadBitsPerSecond: 1_600_000,
  uploadBitsPerSecond: 750_000,
  roundTripMs: 150,
} as const;

/** The phone the drivers' app is measured on (the browser tests use the same screen). */
export const phoneContext: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  locale: 'zh-CN',
  timezoneId: 'Asia/Shanghai',
};

export type ResourceKind = 'document' | 'script' | 'stylesheet' | 'font' | 'image' | 'api' | 'other';

export interface LoadedResource {
  url: string;
  kind: ResourceKind;
  /** Bytes on the wire: headers and body as sent (compressed when it was). */
  transferBytes: number;
  /** The body alone as sent (compressed when it was). */
  bodyBytes: number;
  /** Content-Encoding of the response ('' when none). */
  encoding: string;
  vary: string;
  cacheControl: string;
}

export interface PageLoadReport {
  path: string;
  resources: LoadedResource[];
  /** Bytes on the wire (headers and bodies) by kind. */
  bytes: Record<ResourceKind, number>;
  /** Bodies as sent (compressed when they were) by kind: what the byte budgets count. */
  bodyBytes: Record<ResourceKind, number>;
  firstContentfulPaintMs: number;
  /** The load event (from the navigation's start). */
  loadMs: number;
  /** When `readySelector` was on screen (NaN without one). */
  readyMs: number;
}

function kindOf(type: string, url: string): ResourceKind {
  if (new URL(url).pathname.startsWith('/api/')) return 'api';
  switch (type) {
    case 'Document':
      return 'document';
    case 'Script':
      return 'script';
    case 'Stylesheet':
      return 'stylesheet';
    case 'Font':
      return 'font';
    case 'Image':
      return 'image';
    case 'Fetch':
    case 'XHR':
      return 'api';
    default:
      return 'other';
  }
}

export interface MeasureOptions {
  /** Cookies for the origin (a logged-in driver), as name/value pairs. */
  cookies?: { name: string; value: string }[];
  /** Local storage set before the app starts (e.g. the language or the care mode). */
  localStorage?: Record<string, string>;
  /** Off: full speed (for the byte count alone). */
  throttle?: boolean;
  /** What the page shows when it is ready (a CSS selector); the load also waits for it. */
  readySelector?: string;
  timeoutMs?: number;
}

/** Opens `path` in a fresh context (nothing cached) and reports what came over the wire and when. */
export async function measurePageLoad(browser: Browser, baseURL: string, path: string, options: MeasureOptions = {}): Promise<PageLoadReport> {
  const context = await browser.newContext({ ...phoneContext, baseURL });
  try {
    if (options.cookies?.length) {
      await context.addCookies(options.cookies.map((cookie) => ({ ...cookie, url: baseURL })));
    }
    if (options.localStorage) {
      const entries = options.localStorage;
      await context.addInitScript((items: Record<string, string>) => {
        for (const [key, value] of Object.entries(items)) window.localStorage.setItem(key, value);
      }, entries);
    }
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    if (options.throttle ?? true) {
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: midPhoneProfile.roundTripMs,
        downloadThroughput: midPhoneProfile.downloadBitsPerSecond / 8,
        uploadThroughput: midPhoneProfile.uploadBitsPerSecond / 8,
      });
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: midPhoneProfile.cpuSlowdown });
    }
    const responses = new Map<string, { url: string; type: string; headers: Record<string, string>; headerBytes: number }>();
    const finished = new Map<string, number>();
    cdp.on('Network.responseReceived', (event) => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(event.response.headers)) headers[name.toLowerCase()] = String(value);
      // At this point the bytes received are the status line and the headers.
      responses.set(event.requestId, { url: event.response.url, type: event.type ?? 'Other', headers, headerBytes: event.response.encodedDataLength });
    });
    cdp.on('Network.loadingFinished', (event) => finished.set(event.requestId, event.encodedDataLength));

    await page.goto(path, { waitUntil: 'load', timeout: options.timeoutMs ?? 60_000 });
    let readyMs = Number.NaN;
    if (options.readySelector) {
      await page.locator(options.readySelector).first().waitFor({ timeout: options.timeoutMs ?? 60_000 });
      readyMs = await page.evaluate(() => performance.now());
    }
    // Requests the app starts after load (the catalog, the session) count too.
    await page.waitForLoadState('networkidle', { timeout: options.timeoutMs ?? 60_000 }).catch(() => undefined);

    const timing = await page.evaluate(() => {
      const paint = performance.getEntriesByName('first-contentful-paint')[0];
      const navigation = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
      return { fcp: paint?.startTime ?? Number.NaN, load: navigation?.loadEventEnd ?? Number.NaN };
    });

    const resources: LoadedResource[] = [];
    for (const [requestId, response] of responses) {
      if (!response.url.startsWith('http')) continue;
      resources.push({
        url: response.url,
        kind: kindOf(response.type, response.url),
        transferBytes: finished.get(requestId) ?? 0,
        bodyBytes: Math.max(0, (finished.get(requestId) ?? 0) - response.headerBytes),
        encoding: response.headers['content-encoding'] ?? '',
        vary: response.headers.vary ?? '',
        cacheControl: response.headers['cache-control'] ?? '',
      });
    }
    const bytes: Record<ResourceKind, number> = { document: 0, script: 0, stylesheet: 0, font: 0, image: 0, api: 0, other: 0 };
    const bodyBytes: Record<ResourceKind, number> = { ...bytes };
    for (const resource of resources) {
      bytes[resource.kind] += resource.transferBytes;
      bodyBytes[resource.kind] += resource.bodyBytes;
    }
    return { path, resources, bytes, bodyBytes, firstContentfulPaintMs: timing.fcp, loadMs: timing.load, readyMs };
  } finally {
    await context.close();
  }
}

export function kilobytes(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}
