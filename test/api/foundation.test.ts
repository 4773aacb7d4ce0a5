import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/server/config.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';

describe('the API foundation', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers the health check', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/health' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: 'ok' });
  });

  it('lists all 31 provincial-level divisions plus the XPCC', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/provinces' });
    const { provinces } = response.json() as { provinces: { code: string; name: { zh: string } }[] };
    expect(provinces).toHaveLength(32);
    expect(provinces.find((p) => p.code === '11')?.name.zh).toBe('北京市');
    expect(provinces.find((p) => p.code === '66')?.name.zh).toBe('新疆生产建设兵团');
  });

  it('lists the business managers of a province', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/contacts?province=31' });
    expect(response.statusCode).toBe(200);
    const body = response.json() as { province: { name: { zh: string } }; contacts: { phone: string }[] };
    expect(body.province.name.zh).toBe('上海市');
    expect(body.contacts.length).toBeGreaterThan(0);
  });

  it('answers an unknown province with 404 and a bad one with 400, in the user language', async () => {
    const unknown = await t.app.inject({ method: 'GET', url: '/api/v1/contacts?province=99' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({ error: { code: 'PROVINCE_NOT_FOUND', message: '没有这个省份' } });
    const bad = await t.app.inject({ method: 'GET', url: '/api/v1/contacts?province=Beijing', headers: { 'accept-language': 'en-US,en;q=0.9' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('VALIDATION_FAILED');
    expect(bad.json().error.message).toMatch(/not valid/);
  });

  it('answers unknown API routes with the contract error shape, not HTML', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/no-such-thing' });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/application\/json/);
    expect(response.json()).toEqual({ error: { code: 'NOT_FOUND', message: '请求的资源不存在' } });
  });

  it('refuses malformed JSON with 400 and a code, never a stack trace', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sms-codes',
      headers: { 'content-type': 'application/json' },
      payload: '{"phone": ',
    });
    expect(response.statusCode).toBe(400);
    expect(response.body).not.toMatch(/at .*\.ts:\d+/);
    expect(response.json().error.code).toBe('MALFORMED_JSON');
  });

  it('publishes the OpenAPI description', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/docs/json' });
    expect(response.statusCode).toBe(200);
    const spec = response.json() as { openapi: string; paths: Record<string, unknown> };
    expect(spec.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.paths)).toContain('/api/v1/provinces');
  });
});

describe('configuration', () => {
  it('refuses a bad value and names the variable', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    const error = (() => {
      try {
        loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x' });
        return undefined;
      } catch (caught) {
        return caught;
      }
    })();
    // Both bad values are named at once, not only the first.
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.join('\n')).toMatch(/PORT/);
    expect((error as ConfigError).problems.join('\n')).toMatch(/DATABASE_URL/);
  });

  it('never seeds demo data in production', () => {
    expect(loadConfig({ NODE_ENV: 'production', SEED_DEMO: '1', RTO_DATA_KEY: 'a'.repeat(64), IDENTITY_PROVIDER: 'manual' }).seedDemo).toBe(false);
    expect(loadConfig({}).seedDemo).toBe(true);
  });

  it('uses S3 only when a bucket is configured, and then needs its credentials', () => {
    expect(loadConfig({}).storage.kind).toBe('local');
    expect(() => loadConfig({ S3_BUCKET: 'files' })).toThrow(/S3_ENDPOINT/);
  });
});

describe('logs', () => {
  it('never carry the parameters of a failed query (phone or ID numbers)', async () => {
    const { Writable } = await import('node:stream');
    const { buildApp } = await import('../../src/server/app.ts');
    const { freshDatabase } = await import('../helpers/db.ts');
    const lines: string[] = [];
    const stream = new Writable({ write(chunk, _encoding, done) { lines.push(String(chunk)); done(); } });
    const database = await freshDatabase({ demo: false });
    const config = loadConfig({ NODE_ENV: 'development', LOG_LEVEL: 'info' });
    const app = await buildApp({ config, db: database.db, logStream: stream });
    app.get('/api/v1/boom', async () => {
      throw Object.assign(new Error('Failed query: select * from users where phone = $1\nparams: 13800000001,110105198503120016'), { code: '42P01' });
    });
    const response = await app.inject({ method: 'GET', url: '/api/v1/boom?phone=13800000001' });
    expect(response.statusCode).toBe(500);
    expect(response.json().error.code).toBe('INTERNAL_ERROR');
    expect(response.body).not.toMatch(/13800000001|Failed query/);
    const log = lines.join('');
    expect(log).toMatch(/unhandled error/);
    expect(log).not.toMatch(/13800000001|110105198503120016/);
    await app.close();
    await database.close();
  });
});

describe('web apps', () => {
  it('serves each app for its own paths and keeps machine paths out of the page fallback', async () => {
    const { mkdtemp, mkdir, writeFile } = await import('node:fs/promises');
    const os = await import('node:os');
    const path = await import('node:path');
    const dist = await mkdtemp(path.join(os.tmpdir(), 'rto-dist-'));
    for (const app of ['driver', 'staff']) {
      await mkdir(path.join(dist, app), { recursive: true });
      await writeFile(path.join(dist, app, 'index.html'), `<html><body>${app} app</body></html>`);
    }
    await mkdir(path.join(dist, 'assets'));
    await writeFile(path.join(dist, 'assets', 'main-abc123.js'), 'console.log(1)');
    const { buildApp } = await import('../../src/server/app.ts');
    const { freshDatabase } = await import('../helpers/db.ts');
    const database = await freshDatabase({ demo: false });
    const app = await buildApp({ config: loadConfig({ NODE_ENV: 'test' }), db: database.db, webDistDir: dist });
    const get = (url: string) => app.inject({ method: 'GET', url });
    expect((await get('/')).body).toMatch(/driver app/);
    expect((await get('/my-office/123')).body).toMatch(/driver app/);
    expect((await get('/v/some-token')).body).toMatch(/driver app/);
    expect((await get('/staff')).body).toMatch(/staff app/);
    expect((await get('/staff/queue')).body).toMatch(/staff app/);
    const asset = await get('/assets/main-abc123.js');
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toMatch(/immutable/);
    for (const url of ['/assets/missing.js', '/.well-known/nothing', '/api/v1/nothing']) {
      const response = await get(url);
      expect(response.statusCode).toBe(404);
      expect(response.json().error.code).toBe('NOT_FOUND');
    }
    await app.close();
    await database.close();
  });
});
