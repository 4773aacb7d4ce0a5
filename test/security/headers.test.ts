import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/server/app.ts';
import { loadConfig } from '../../src/server/config.ts';
import { MemoryRateLimiter } from '../../src/server/rateLimit/index.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { TEST_DATA_KEY_HEX } from '../helpers/dataKey.ts';
import { freshDatabase } from '../helpers/db.ts';
import { loginDriver, type DriverLogin } from '../helpers/driverLogin.ts';
import { documentPhoto, multipart } from './uploads.fixtures.ts';

type Headers = Record<string, string | string[] | number | undefined>;

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter((words) => words[0])
      .map(([name, ...values]) => [name!, values]),
  );
}

/** What every response must carry, whatever route, status or mode. */
function expectHardened(headers: Headers, what: string) {
  const csp = String(headers['content-security-policy'] ?? '');
  expect(csp, `${what}: CSP`).not.toBe('');
  const policy = directives(csp);
  expect(policy.get('frame-ancestors'), `${what}: frame-ancestors`).toEqual(["'none'"]);
  expect(csp, `${what}: no inline or eval script`).not.toMatch(/(script|default)-src[^;]*'unsafe-(inline|eval)'/);
  expect(headers['x-content-type-options'], `${what}: nosniff`).toBe('nosniff');
  expect(headers['referrer-policy'], `${what}: referrer`).toBe('no-referrer');
  expect(headers['cross-origin-opener-policy'], `${what}: COOP`).toBe('same-origin');
  expect(headers['x-frame-options'], `${what}: XFO`).toBe('DENY');
  if (policy.get('default-src')?.[0] === "'none'") {
    // An answer only programs read (assets, the verification API, key and status lists): nothing may run or load.
    expect(policy.get('base-uri'), `${what}: base-uri`).toEqual(["'none'"]);
    expect(headers['permissions-policy'], `${what}: no page-only headers`).toBeUndefined();
    return;
  }
  expect(policy.get('script-src'), `${what}: script-src`).toEqual(["'self'"]);
  expect(policy.get('default-src'), `${what}: default-src`).toEqual(["'self'"]);
  expect(policy.get('object-src'), `${what}: object-src`).toEqual(["'none'"]);
  expect(policy.get('base-uri'), `${what}: base-uri`).toEqual(["'self'"]);
  expect(String(headers['permissions-policy']), `${what}: camera for the scan page only`).toMatch(/(^|, )camera=\(self\)/);
  expect(String(headers['permissions-policy'])).toMatch(/microphone=\(\)/);
}

/** The page's policy: what a document of the apps, an API answer or a served file carries. */
function expectPagePolicy(headers: Headers, what: string) {
  expectHardened(headers, what);
  expect(directives(String(headers['content-security-policy'])).get('default-src'), `${what}: the page's policy`).toEqual(["'self'"]);
}

/** The policy of an answer only programs read. */
function expectAnswerPolicy(headers: Headers, what: string) {
  expectHardened(headers, what);
  expect(directives(String(headers['content-security-policy'])).get('default-src'), `${what}: nothing may load`).toEqual(["'none'"]);
}

/** A fake built web app, so the pages and assets are served as in production. */
async function fakeWebDist(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'rto-web-'));
  for (const app of ['driver', 'staff']) {
    await mkdir(path.join(dir, app), { recursive: true });
    await writeFile(path.join(dir, app, 'index.html'), `<!doctype html><html><head><script type="module" src="/assets/${app}.js"></script></head><body></body></html>`);
  }
  await mkdir(path.join(dir, 'assets'), { recursive: true });
  await writeFile(path.join(dir, 'assets', 'driver.js'), 'console.log(1)');
  return dir;
}

describe('security headers on every kind of route (development/test mode)', () => {
  let t: TestApp;
  let app: App;
  let driver: DriverLogin;

  beforeAll(async () => {
    t = await createTestApp();
    app = t.app;
    driver = await loginDriver(app, '13800000001');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('API answers, errors, 404s, validation failures and uploaded files all carry the headers', async () => {
    const cases: [string, Promise<{ statusCode: number; headers: Headers }>][] = [
      ['health', app.inject({ method: 'GET', url: '/api/v1/health' })],
      ['catalog', app.inject({ method: 'GET', url: '/api/v1/catalog/businesses' })],
      ['unknown API path', app.inject({ method: 'GET', url: '/api/v1/nothing-here' })],
      ['unauthenticated', app.inject({ method: 'GET', url: '/api/v1/me' })],
      ['invalid JSON', app.inject({ method: 'POST', url: '/api/v1/auth/sms-codes', headers: { 'content-type': 'application/json' }, payload: '{' })],
      ['validation', app.inject({ method: 'POST', url: '/api/v1/auth/sms-codes', payload: { phone: 1 } })],
      ['well-known keys', app.inject({ method: 'GET', url: '/.well-known/rto-keys.json' })],
      ['verify API', app.inject({ method: 'POST', url: '/api/v1/verify/x', payload: {} })],
      ['verify API', app.inject({ method: 'GET', url: '/api/v1/verify/x' })],
    ];
    for (const [what, pending] of cases) {
      const response = await pending;
      if (what === 'well-known keys' || what === 'verify API') expectAnswerPolicy(response.headers, `${what} (${response.statusCode})`);
      else expectPagePolicy(response.headers, `${what} (${response.statusCode})`);
      expect(response.headers['strict-transport-security'], `${what}: no HSTS outside production`).toBeUndefined();
    }

    const draft = (await app.inject({ method: 'POST', url: '/api/v1/applications', headers: driver.headers, payload: { business: 'credit_assessment', certificateId: await certificateOf(app, driver) } })).json() as { id: string };
    const body = multipart(await documentPhoto(), 'photo.jpg', 'image/jpeg');
    const uploaded = await app.inject({ method: 'PUT', url: `/api/v1/applications/${draft.id}/materials/education_record`, headers: { ...driver.headers, ...body.headers }, payload: body.payload });
    expect(uploaded.statusCode).toBe(200);
    expectPagePolicy(uploaded.headers, 'upload');
    for (const suffix of ['', '/thumbnail']) {
      const file = await app.inject({ method: 'GET', url: `/api/v1/applications/${draft.id}/materials/education_record${suffix}`, headers: driver.headers });
      expect(file.statusCode).toBe(200);
      expectPagePolicy(file.headers, `material file${suffix}`);
      expect(file.headers['content-type']).toBe('image/jpeg');
    }
  });
});

async function certificateOf(app: App, driver: DriverLogin): Promise<string> {
  const certificates = await app.inject({ method: 'GET', url: '/api/v1/me/certificates', headers: driver.headers });
  return (certificates.json() as { certificates: { id: string }[] }).certificates[0]!.id;
}

describe('security headers in production mode, with the web apps served', () => {
  let app: App;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'rto-prod-'));
    const config = loadConfig({
      NODE_ENV: 'production',
      DATA_DIR: dataDir,
      RTO_DATA_KEY: TEST_DATA_KEY_HEX,
      PUBLIC_BASE_URL: 'https://rto.example.gov.cn',
      SMS_PROVIDER: 'aliyun',
      ALIYUN_SMS_ACCESS_KEY_ID: 'id',
      ALIYUN_SMS_ACCESS_KEY_SECRET: 'secret',
      ALIYUN_SMS_SIGN_NAME: 'sign',
      ALIYUN_SMS_TEMPLATE_LOGIN: 'SMS_1',
    });
    const database = await freshDatabase({ demo: false });
    app = await buildApp({ config: { ...config, logLevel: 'silent' }, db: database.db, webDistDir: await fakeWebDist(), adapters: { rateLimiter: new MemoryRateLimiter() } });
    await app.ready();
    close = async () => {
      await app.close();
      await database.close();
    };
  });
  afterAll(async () => {
    await close?.();
  });

  it('pages (drivers, staff, /v/ links), assets and API answers carry the headers and HSTS', async () => {
    for (const url of ['/', '/staff', '/staff/applications/1', '/v/SOME.TOKEN.VALUE', '/api/v1/health', '/api/v1/nothing']) {
      const response = await app.inject({ method: 'GET', url });
      expectPagePolicy(response.headers, `${url} (${response.statusCode})`);
      expect(String(response.headers['strict-transport-security']), url).toMatch(/max-age=\d{7,}/);
      expect(String(response.headers['content-security-policy'])).toContain('upgrade-insecure-requests');
    }
    // Assets, key lists and the verification API are read by programs: the headers that act on them,
    // and a policy that lets nothing run or load should one be opened as a page.
    for (const url of ['/assets/driver.js', '/assets/missing.js', '/.well-known/rto-keys.json', '/api/v1/verify/x']) {
      const response = await app.inject({ method: 'GET', url });
      expectAnswerPolicy(response.headers, url);
      expect(response.headers['cross-origin-resource-policy'], url).toBe('same-origin');
      expect(String(response.headers['strict-transport-security']), url).toMatch(/max-age=\d{7,}/);
    }
    const script = await app.inject({ method: 'GET', url: '/assets/driver.js' });
    expect(script.statusCode).toBe(200);
    expect(script.body).toBe('console.log(1)');
    const staffPage = await app.inject({ method: 'GET', url: '/staff' });
    expect(staffPage.statusCode).toBe(200);
    expect(staffPage.headers['content-type']).toMatch(/text\/html/);
  });

  it('keeps the API docs off unless asked for', async () => {
    const docs = await app.inject({ method: 'GET', url: '/api/docs' });
    expect(docs.statusCode).toBe(404);
    expectPagePolicy(docs.headers, 'api docs');
  });
});
