import { afterAll, beforeAll, expect, it } from 'vitest';
import { browserSuite, ensureWebAppsBuilt, sharedBrowser } from '../helpers/browser.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { closeOpenApplications, loginDemoDriver, type DriverSession } from '../helpers/httpSession.ts';
import { measurePageLoad, type PageLoadReport } from '../../src/cli/bench/webLoad.ts';

/**
 * The built drivers' app goes over the wire compressed and within its byte budgets (bodies as sent, the
 * figures `rto bench --only web` prints): home ≤ 90 KB of JavaScript, the business flow ≤ 160 KB in at
 * most 12 files of code (on a phone's network each file costs a round trip; vite/driverChunks.ts).
 * The staff console's login page stays ≤ 250 KB of JavaScript gzip. Timings are the benchmark's business,
 * not a test's.
 */
browserSuite('the drivers’ app on the wire', () => {
  let server: TestServer;
  let wang: DriverSession;

  beforeAll(async () => {
    await ensureWebAppsBuilt();
    server = await startTestServer({ seed: true });
    wang = await loginDemoDriver(server.url, '13800000001');
    await closeOpenApplications(wang);
  }, 120_000);
  afterAll(async () => {
    await server?.close();
  });

  function expectCompressed(report: PageLoadReport): void {
    const assets = report.resources.filter((r) => new URL(r.url).pathname.startsWith('/assets/'));
    expect(assets.length).toBeGreaterThan(3);
    for (const asset of assets) {
      const name = new URL(asset.url).pathname;
      if (asset.kind === 'script' || asset.kind === 'stylesheet') {
        // Anything of size comes as the build's Brotli copy; a tiny one may go as it is.
        if (asset.bodyBytes > 1024) expect(asset.encoding, name).toBe('br');
      }
      expect(asset.cacheControl, name).toContain('max-age=31536000');
      expect(asset.cacheControl, name).toContain('immutable');
      // zod (the catalog's schemas) is not part of these pages.
      expect(name).not.toMatch(/\/zod-/);
    }
    const page = report.resources.find((r) => r.kind === 'document')!;
    expect(page.cacheControl).toBe('no-cache');
    expect(page.encoding).toBe('br');
    // Vary is checked over plain HTTP below (the DevTools protocol does not report it for every response).
  }

  it('home: every asset compressed and cached for a year, index.html no-cache, JavaScript ≤ 90 KB', async () => {
    const report = await measurePageLoad(await sharedBrowser(), server.url, '/', { throttle: false, readySelector: '[data-testid="business-tile"]' });
    expectCompressed(report);
    expect(report.bodyBytes.script).toBeLessThanOrEqual(90 * 1024);
    const catalog = report.resources.find((r) => r.url.endsWith('/api/v1/catalog/businesses'))!;
    expect(catalog.encoding, 'the catalog JSON is over 1 KB').toBe('br');
  });

  it('the business flow of a logged-in driver: JavaScript ≤ 160 KB in a few files, compressed', async () => {
    const report = await measurePageLoad(await sharedBrowser(), server.url, '/business/renewal', {
      throttle: false,
      cookies: [{ name: 'rto_session', value: wang.token }],
      readySelector: '.business-head__name',
    });
    expectCompressed(report);
    expect(report.bodyBytes.script).toBeLessThanOrEqual(160 * 1024);
    const code = report.resources.filter((r) => r.kind === 'script' || r.kind === 'stylesheet').map((r) => new URL(r.url).pathname);
    expect(code.length, code.join(' ')).toBeLessThanOrEqual(12);
  });

  it('the staff console’s login page: its JavaScript ≤ 250 KB gzip (Element Plus comes per page)', async () => {
    const report = await measurePageLoad(await sharedBrowser(), server.url, '/staff/login', { throttle: false, readySelector: 'input[name="username"]' });
    const scripts = report.resources.filter((r) => r.kind === 'script');
    let gzipBytes = 0;
    for (const script of scripts) {
      const response = await fetch(script.url, { headers: { 'accept-encoding': 'gzip' } });
      await response.arrayBuffer();
      // The precompressed file's length (small files go as they are).
      gzipBytes += Number(response.headers.get('content-length'));
    }
    expect(gzipBytes).toBeGreaterThan(50 * 1024);
    expect(gzipBytes).toBeLessThanOrEqual(250 * 1024);
  });

  it('each encoding on request: Brotli, gzip, or none; small API answers are sent as they are', async () => {
    const html = await (await fetch(server.url)).text();
    const script = /src="(\/assets\/driver-[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const get = (path: string, acceptEncoding: string) => fetch(`${server.url}${path}`, { headers: { 'accept-encoding': acceptEncoding } });
    const br = await get(script!, 'gzip, deflate, br');
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(br.headers.get('vary')?.toLowerCase()).toContain('accept-encoding');
    expect(br.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const gz = await get(script!, 'gzip');
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    const plain = await get(script!, 'identity');
    expect(plain.headers.get('content-encoding')).toBeNull();
    // fetch decodes: the three bodies are the same script.
    const [a, b, c] = await Promise.all([br.text(), gz.text(), plain.text()]);
    expect(a).toBe(c);
    expect(b).toBe(c);

    const page = await get('/my-office', 'gzip');
    expect(page.headers.get('content-encoding')).toBe('gzip');
    expect(page.headers.get('vary')?.toLowerCase()).toContain('accept-encoding');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const catalog = await get('/api/v1/catalog/businesses', 'gzip');
    expect(catalog.headers.get('content-encoding')).toBe('gzip');
    expect(catalog.headers.get('vary')?.toLowerCase()).toContain('accept-encoding');
    const health = await get('/api/v1/health', 'br');
    expect(health.headers.get('content-encoding')).toBeNull();
  });
});
