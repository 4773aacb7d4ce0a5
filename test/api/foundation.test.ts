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
      url: '/api/v1/health',
      headers: { 'content-type': 'application/json' },
      payload: '{"phone": ',
    });
    expect([400, 404]).toContain(response.statusCode);
    expect(response.body).not.toMatch(/at .*\.ts:\d+/);
    expect(response.json().error.code).toMatch(/MALFORMED_JSON|NOT_FOUND/);
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
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x' });
    } catch (error) {
      expect((error as ConfigError).problems.join('\n')).toMatch(/PORT/);
      expect((error as ConfigError).problems.join('\n')).toMatch(/DATABASE_URL/);
    }
  });

  it('never seeds demo data in production', () => {
    expect(loadConfig({ NODE_ENV: 'production', SEED_DEMO: '1' }).seedDemo).toBe(false);
    expect(loadConfig({}).seedDemo).toBe(true);
  });

  it('uses S3 only when a bucket is configured, and then needs its credentials', () => {
    expect(loadConfig({}).storage.kind).toBe('local');
    expect(() => loadConfig({ S3_BUCKET: 'files' })).toThrow(/S3_ENDPOINT/);
  });
});
