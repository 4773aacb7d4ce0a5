/**
 * The verification API over real HTTP, where answers already known are given before the framework
 * (src/server/verify/lane.ts): the same answer, headers and limit as the route, the check logged and
 * counted, a revocation on another instance answered within a second, and everything the lane does
 * not know handed to the framework unchanged.
 */
import http from 'node:http';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp, type App } from '../../src/server/app.ts';
import { users, voucherChecks } from '../../src/server/db/schema.ts';
import { MemoryRateLimiter } from '../../src/server/rateLimit/index.ts';
import { userPhoneIs } from '../../src/server/auth/accounts.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { acceptedCreditAssessment, approveWithVoucher } from '../helpers/applications.ts';
import { testSecrets } from '../helpers/dataKey.ts';
import { staffLogin } from '../helpers/staffLogin.ts';

const MAX_AGE_MS = 250;

describe('verification answers over HTTP', () => {
  let a: TestApp;
  let b: App;
  let baseA: string;
  let baseB: string;
  let driverId: string;
  let ip = 0;
  const nextIp = () => `203.0.113.${(ip++ % 250) + 1}`;
  const get = (base: string, path: string, forwardedFor = nextIp(), headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, { headers: { 'x-forwarded-for': forwardedFor, ...headers } });
  const newVoucher = async () => approveWithVoucher(a.database.db, await acceptedCreditAssessment(a.database.db, driverId, a.clock.now()), 'AA', a.clock.now());
  /** The lane answers only once the verifier has worked the answer out and its state is fresh. */
  const known = async (base: string, token: string) => {
    await get(base, `/api/v1/verify/${token}`);
    await new Promise((resolve) => setTimeout(resolve, MAX_AGE_MS + 20));
    await get(base, `/api/v1/verify/${token}`);
  };

  beforeAll(async () => {
    a = await createTestApp({ env: { VERIFY_STATUS_MAX_AGE_MS: String(MAX_AGE_MS), TRUST_PROXY: '1' } });
    a.clock.set('2026-11-20T02:00:00Z');
    b = await buildApp({ config: a.config, db: a.database.db, now: a.clock.now, secrets: testSecrets, adapters: { rateLimiter: new MemoryRateLimiter() } });
    baseA = await a.app.listen({ host: '127.0.0.1', port: 0 });
    baseB = await b.listen({ host: '127.0.0.1', port: 0 });
    const [driver] = await a.database.db.select().from(users).where(userPhoneIs('13800000001'));
    driverId = driver!.id;
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('gives a known answer without the framework, identical to the route’s, logged and counted', async () => {
    const voucher = await newVoucher();
    const routed = await get(baseA, `/api/v1/verify/${voucher.token}?channel=web`, nextIp(), { 'accept-language': 'en' });
    expect(routed.status).toBe(200);
    const routedBody = await routed.text();
    await new Promise((resolve) => setTimeout(resolve, MAX_AGE_MS + 20));
    await get(baseA, `/api/v1/verify/${voucher.token}`); // the state is looked at again: fresh for the next
    const verify = vi.spyOn(a.app.verifier, 'verify');
    const before = Number((await a.app.metrics.getSingleMetricAsString('rto_http_requests_total')).match(/route="\/api\/v1\/verify\/\*",status="200"} (\d+)/)?.[1] ?? 0);
    const laned = await get(baseA, `/api/v1/verify/${voucher.token}?channel=web`, nextIp(), { 'accept-language': 'en' });
    expect(verify, 'answered before the framework').not.toHaveBeenCalled();
    verify.mockRestore();
    expect(laned.status).toBe(200);
    expect(await laned.text()).toBe(routedBody);
    expect(JSON.parse(routedBody)).toMatchObject({ verdict: 'valid', message: expect.stringMatching(/valid/i), claims: { serial: voucher.serial } });
    const headersOf = (response: Response) => Object.fromEntries([...response.headers].filter(([name]) => name !== 'date'));
    expect(headersOf(laned)).toEqual(headersOf(routed));
    expect(laned.headers.get('cache-control')).toBe('no-store');
    expect(laned.headers.get('content-security-policy')).toContain("default-src 'none'");
    // Checked again and again (in Chinese now): each check is counted, in the row of the ones before.
    for (let i = 0; i < 3; i++) {
      const again = await get(baseA, `/api/v1/verify/${voucher.token}?channel=web`);
      expect(JSON.parse(await again.text())).toMatchObject({ verdict: 'valid', message: '凭证有效' });
    }

    await a.app.verifier.checkLog.flush();
    const checks = await a.database.db.select().from(voucherChecks).where(eq(voucherChecks.serial, voucher.serial));
    expect(checks.filter((c) => c.channel === 'web').reduce((sum, c) => sum + c.checks, 0)).toBe(5);
    expect(checks.every((c) => c.verdict === 'valid')).toBe(true);
    const after = Number((await a.app.metrics.getSingleMetricAsString('rto_http_requests_total')).match(/route="\/api\/v1\/verify\/\*",status="200"} (\d+)/)?.[1] ?? 0);
    expect(after - before).toBe(4);
  });

  it('holds the per-IP limit: the 61st check in a minute from one address is refused by the route', async () => {
    const voucher = await newVoucher();
    await known(baseA, voucher.token);
    const address = '198.18.0.7';
    const statuses: number[] = [];
    for (let i = 0; i < 61; i++) statuses.push((await get(baseA, `/api/v1/verify/${voucher.token}`, address)).status);
    expect(statuses.slice(0, 60).every((s) => s === 200)).toBe(true);
    const refused = await get(baseA, `/api/v1/verify/${voucher.token}`, address, { 'accept-language': 'zh-CN' });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await refused.json()).toMatchObject({ error: { code: 'VERIFY_RATE_LIMITED', message: expect.stringContaining('核验过于频繁') } });
    expect(statuses[60]).toBe(429);
  });

  it('never answers valid from memory for a voucher revoked on another instance, past its freshness window', async () => {
    const voucher = await newVoucher();
    await known(baseB, voucher.token);
    expect((await (await get(baseB, `/api/v1/verify/${voucher.token}`)).json()).verdict).toBe('valid');
    const login = await staffLogin(a, 'bj-reviewer');
    const revoked = await a.app.inject({ method: 'POST', url: `/api/v1/staff/vouchers/${voucher.serial}/revoke`, headers: login.headers, payload: { reason: '考核等级评定有误' } });
    expect(revoked.statusCode, revoked.body).toBe(200);
    const started = Date.now();
    for (;;) {
      const { verdict } = (await (await get(baseB, `/api/v1/verify/${voucher.token}`)).json()) as { verdict: string };
      if (verdict === 'revoked') break;
      expect(verdict).toBe('valid');
      expect(Date.now() - started, 'revoked within a second').toBeLessThan(1000);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(Date.now() - started).toBeLessThanOrEqual(MAX_AGE_MS + 200);
    await new Promise((resolve) => setTimeout(resolve, MAX_AGE_MS + 20));
    for (let i = 0; i < 5; i++) expect((await (await get(baseB, `/api/v1/verify/${voucher.token}`)).json()).verdict).toBe('revoked');
  });

  it('looks at the answer again once the limiter has answered: a revocation meanwhile is not missed', async () => {
    // An instance whose limiter takes its time (a slow Redis: no decision at once), on the same database.
    const slow = new MemoryRateLimiter();
    let delayMs = 0;
    const limiter = Object.assign(Object.create(slow) as MemoryRateLimiter, {
      consumeNow: undefined,
      consume: async (key: string, rules: Parameters<MemoryRateLimiter['consume']>[1]) => {
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        return slow.consume(key, rules);
      },
    });
    const c = await buildApp({ config: a.config, db: a.database.db, now: a.clock.now, secrets: testSecrets, adapters: { rateLimiter: limiter } });
    try {
      const baseC = await c.listen({ host: '127.0.0.1', port: 0 });
      const voucher = await newVoucher();
      await known(baseC, voucher.token);
      delayMs = 400;
      const pending = get(baseC, `/api/v1/verify/${voucher.token}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const login = await staffLogin(a, 'bj-reviewer');
      // Revoked through the very instance that is waiting for its limiter: seen at once there.
      const revoked = await c.inject({ method: 'POST', url: `/api/v1/staff/vouchers/${voucher.serial}/revoke`, headers: login.headers, payload: { reason: '考核等级评定有误' } });
      expect(revoked.statusCode, revoked.body).toBe(200);
      expect((await (await pending).json()).verdict).toBe('revoked');
    } finally {
      await c.close();
    }
  });

  it('a failure inside the lane neither crashes the process nor loses the answer', async () => {
    const voucher = await newVoucher();
    await known(baseA, voucher.token);
    const record = vi.spyOn(a.app.verifier, 'recordKnown').mockImplementationOnce(() => {
      throw new Error('check log unavailable');
    });
    const response = await get(baseA, `/api/v1/verify/${voucher.token}`);
    expect(response.status).toBe(200);
    expect((await response.json()).verdict).toBe('valid');
    expect(record).toHaveBeenCalled();
    record.mockRestore();
    // Still serving.
    expect((await get(baseA, `/api/v1/verify/${voucher.token}`)).status).toBe(200);
  });

  it('a failure after the answer was written leaves the connection open for the next check', async () => {
    const voucher = await newVoucher();
    await known(baseA, voucher.token);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const check = () =>
      new Promise<{ status: number; body: string; reusedSocket: boolean }>((resolve, reject) => {
        const request = http.get(`${baseA}/api/v1/verify/${voucher.token}`, { agent, headers: { 'x-forwarded-for': nextIp() } }, (response) => {
          let body = '';
          response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
          response.on('end', () => resolve({ status: response.statusCode!, body, reusedSocket: request.reusedSocket }));
        });
        request.on('error', reject);
      });
    try {
      expect((await check()).status).toBe(200);
      const record = vi.spyOn(a.app.verifier, 'recordKnown').mockImplementationOnce(() => {
        throw new Error('check log unavailable');
      });
      const failedAfter = await check();
      expect(record).toHaveBeenCalled();
      record.mockRestore();
      expect(failedAfter.status).toBe(200);
      expect(JSON.parse(failedAfter.body).verdict).toBe('valid');
      // The next check goes over the same connection: the finished answer was not torn down.
      const next = await check();
      expect(next.status).toBe(200);
      expect(next.reusedSocket).toBe(true);
    } finally {
      agent.destroy();
    }
  });

  it('hands the framework whatever it does not know, unchanged', async () => {
    const voucher = await newVoucher();
    await known(baseA, voucher.token);
    const verify = vi.spyOn(a.app.verifier, 'verify');
    // Another query (or one more parameter), an encoded path, HEAD, and a token nobody issued all take the route.
    const badChannel = await get(baseA, `/api/v1/verify/${voucher.token}?channel=fax`);
    expect(badChannel.status).toBe(400);
    expect((await badChannel.json()).error.code).toBe('VALIDATION_FAILED');
    const encoded = await get(baseA, `/api/v1/verify/${voucher.token.slice(0, 4)}%2E${voucher.token.slice(4)}`);
    expect(encoded.status).toBe(200);
    expect((await encoded.json()).verdict).toBe('invalid');
    const extraQuery = await get(baseA, `/api/v1/verify/${voucher.token}?channel=web&x=1`);
    expect(verify.mock.calls.at(-1)?.[2]).toBe('web');
    expect((await extraQuery.json()).verdict).toBe('valid');
    const head = await fetch(`${baseA}/api/v1/verify/${voucher.token}`, { method: 'HEAD', headers: { 'x-forwarded-for': nextIp() } });
    expect(head.status).toBe(200);
    const junk = await get(baseA, '/api/v1/verify/RT2-not-a-token');
    expect((await junk.json()).verdict).toBe('invalid');
    expect(verify.mock.calls.length).toBe(4);
    verify.mockRestore();
  });
});
