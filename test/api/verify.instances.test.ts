/**
 * The verifier's caches across instances: two apps on one database (PGlite here, PostgreSQL with
 * TEST_DATABASE_URL) with the production freshness setting. A revocation or supersession made through
 * one instance is answered by the other within a second, even when the other has the token's signature
 * and "on record" answer cached; a key rotation reaches the other's key set; the status list and the
 * trust list offline verifiers download follow, with ETags; the check log loses nothing at close.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStatusList, readStatusList, STATUS_LIST_MIN_ENTRIES } from '../../src/domain/statusList.ts';
import { verifyTrustList } from '../../src/domain/trustList.ts';
import { decodeVoucherToken } from '../../src/domain/voucherToken.ts';
import { buildApp, type App } from '../../src/server/app.ts';
import { users, voucherChecks, vouchers } from '../../src/server/db/schema.ts';
import { MemoryRateLimiter } from '../../src/server/rateLimit/index.ts';
import { rotateSigningKey } from '../../src/server/vouchers/keyStore.ts';
import { VerifierState } from '../../src/server/verify/verifierState.ts';
import type { Executor } from '../../src/server/db/client.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { acceptedCreditAssessment, approveWithVoucher } from '../helpers/applications.ts';
import { testSecrets } from '../helpers/dataKey.ts';
import { staffLogin } from '../helpers/staffLogin.ts';
import { userPhoneIs } from '../../src/server/auth/accounts.ts';

const MAX_AGE_MS = 250;

describe('the verifier on two instances', () => {
  let a: TestApp;
  let b: App;
  let driverId: string;
  let ip = 0;
  const verdictOn = async (app: App, token: string) =>
    (await app.inject({ method: 'GET', url: `/api/v1/verify/${token}`, remoteAddress: `198.51.100.${(ip++ % 200) + 1}` })).json() as {
      verdict: string;
      reason?: string;
      revokedAt?: string;
      supersededBy?: string;
    };
  /** Polls `app` until the verdict is `expected`; returns how long that took. */
  const untilVerdict = async (app: App, token: string, expected: string): Promise<number> => {
    const started = Date.now();
    for (;;) {
      const { verdict } = await verdictOn(app, token);
      if (verdict === expected) return Date.now() - started;
      expect(verdict, `still ${verdict} after ${Date.now() - started} ms`).toBe('valid');
      if (Date.now() - started > 1000) throw new Error(`not ${expected} within a second`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  beforeAll(async () => {
    a = await createTestApp({ env: { VERIFY_STATUS_MAX_AGE_MS: String(MAX_AGE_MS) } });
    a.clock.set('2026-11-20T02:00:00Z');
    b = await buildApp({ config: a.config, db: a.database.db, now: a.clock.now, secrets: testSecrets, adapters: { rateLimiter: new MemoryRateLimiter() } });
    await b.ready();
    const [driver] = await a.database.db.select().from(users).where(userPhoneIs('13800000001'));
    driverId = driver!.id;
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  const newVoucher = async () => approveWithVoucher(a.database.db, await acceptedCreditAssessment(a.database.db, driverId, a.clock.now()), 'AA', a.clock.now());

  it('never answers valid for a voucher revoked on the other instance once its freshness window has passed', async () => {
    const voucher = await newVoucher();
    // B has the signature, the record and the status cached.
    expect((await verdictOn(b, voucher.token)).verdict).toBe('valid');
    expect((await verdictOn(b, voucher.token)).verdict).toBe('valid');
    const login = await staffLogin(a, 'bj-reviewer');
    const revoked = await a.app.inject({ method: 'POST', url: `/api/v1/staff/vouchers/${voucher.serial}/revoke`, headers: login.headers, payload: { reason: '考核等级评定有误' } });
    expect(revoked.statusCode, revoked.body).toBe(200);
    // The instance that revoked answers at once; the other within its window (and well within a second).
    expect((await verdictOn(a.app, voucher.token)).verdict).toBe('revoked');
    const took = await untilVerdict(b, voucher.token, 'revoked');
    expect(took).toBeLessThanOrEqual(MAX_AGE_MS + 200);
    await new Promise((resolve) => setTimeout(resolve, MAX_AGE_MS + 10));
    expect(await verdictOn(b, voucher.token)).toMatchObject({ verdict: 'revoked', revokedAt: revoked.json().revokedAt });
  });

  it('answers superseded on the other instance once a later voucher replaced it', async () => {
    const first = await newVoucher();
    expect((await verdictOn(b, first.token)).verdict).toBe('valid');
    const second = await newVoucher();
    await untilVerdict(b, first.token, 'superseded');
    expect(await verdictOn(b, first.token)).toMatchObject({ verdict: 'superseded', supersededBy: second.serial });
    expect((await verdictOn(b, second.token)).verdict).toBe('valid');
  });

  it('answers superseded at once on the instance whose approval replaced the voucher', async () => {
    // An instance that looks at the register only once a minute: only its own change can tell it.
    const c = await buildApp({ config: { ...a.config, verifyStatusMaxAgeMs: 60_000 }, db: a.database.db, now: a.clock.now, secrets: testSecrets, adapters: { rateLimiter: new MemoryRateLimiter() } });
    try {
      const first = await newVoucher();
      const application = await acceptedCreditAssessment(a.database.db, driverId, a.clock.now());
      expect((await verdictOn(c, first.token)).verdict).toBe('valid');
      const login = await staffLogin(a, 'bj-reviewer');
      const approved = await c.inject({ method: 'POST', url: `/api/v1/staff/applications/${application.id}/actions`, headers: login.headers, payload: { action: 'approve', rating: 'AAA' } });
      expect(approved.statusCode, approved.body).toBe(200);
      expect((await verdictOn(c, first.token)).verdict).toBe('superseded');
    } finally {
      await c.close();
    }
  });

  it('picks up a key rotated anywhere: new vouchers verify on both, old ones still do', async () => {
    const before = await newVoucher();
    expect((await verdictOn(b, before.token)).verdict).toBe('valid');
    const { kid } = await rotateSigningKey(a.database.db, testSecrets, a.clock.now());
    const after = await newVoucher();
    expect(decodeVoucherToken(after.token).claims.kid).toBe(kid);
    // Until B reloads its key set the new key is unknown there (invalid); within the window it is known.
    const started = Date.now();
    while ((await verdictOn(b, after.token)).verdict !== 'valid') {
      expect(Date.now() - started).toBeLessThan(1000);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // The earlier voucher (same certificate and cycle) is replaced, and its old key still verifies it.
    expect((await verdictOn(b, before.token)).verdict).toBe('superseded');
    // The trust list names the new key, is signed by it and by the key it replaced.
    const keys = (await b.inject({ method: 'GET', url: '/.well-known/rto-keys.json' })).json();
    expect(keys.keys.map((k: { kid: string }) => k.kid)).toContain(kid);
    expect(keys.signatures.map((s: { kid: string }) => s.kid)).toContain(kid);
    expect(verifyTrustList(keys)).toEqual({ ok: true });
  });

  it('publishes the signed, padded status list with an ETag, following revocations on any instance', async () => {
    const voucher = await newVoucher();
    const index = decodeVoucherToken(voucher.token).claims.statusIndex!;
    // Past B's freshness window, B has seen the new voucher: the list it publishes now stays as it is.
    await new Promise((resolve) => setTimeout(resolve, MAX_AGE_MS + 10));
    const keys = (await b.inject({ method: 'GET', url: '/.well-known/rto-keys.json' })).json();
    const first = await b.inject({ method: 'GET', url: '/.well-known/rto-status.json' });
    expect(first.statusCode).toBe(200);
    expect(first.headers['cache-control']).toMatch(/^public, max-age=\d+$/);
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^".+"$/);
    const list = first.json();
    expect(list.entries).toBeGreaterThanOrEqual(STATUS_LIST_MIN_ENTRIES);
    expect(list.entries % STATUS_LIST_MIN_ENTRIES).toBe(0);
    expect(Date.parse(list.nextUpdate)).toBeGreaterThan(Date.parse(list.issued));
    const opened = openStatusList(list, keys);
    expect(opened.ok).toBe(true);
    expect(readStatusList(opened, index, a.clock.now().getTime())).toMatchObject({ revoked: false, superseded: false, stale: false });
    expect((await b.inject({ method: 'GET', url: '/.well-known/rto-status.json', headers: { 'if-none-match': etag } })).statusCode).toBe(304);

    const login = await staffLogin(a, 'bj-reviewer');
    await a.app.inject({ method: 'POST', url: `/api/v1/staff/vouchers/${voucher.serial}/revoke`, headers: login.headers, payload: { reason: '考核等级评定有误' } });
    await new Promise((resolve) => setTimeout(resolve, MAX_AGE_MS + 10));
    const next = await b.inject({ method: 'GET', url: '/.well-known/rto-status.json', headers: { 'if-none-match': etag } });
    expect(next.statusCode).toBe(200);
    expect(next.headers.etag).not.toBe(etag);
    const reading = readStatusList(openStatusList(next.json(), keys), index, a.clock.now().getTime());
    expect(reading).toMatchObject({ revoked: true, superseded: false });
    // The size says nothing about which entries are set.
    expect(next.json().entries).toBe(list.entries);
  });

  /** The database as `db`, its answers arriving `delay.ms` after they were read. */
  const lateAnswers = (db: Executor, delay: { ms: number; reads: number }): Executor => {
    const wrap = <T extends object>(target: T): T =>
      new Proxy(target, {
        get(object, name) {
          const value = Reflect.get(object, name, object) as unknown;
          if (typeof value !== 'function') return value;
          if (name === 'then') {
            delay.reads += 1;
            return (resolve: (v: unknown) => void, reject: (e: unknown) => void) =>
              (value as (a: unknown, b: unknown) => unknown).call(object, (v: unknown) => setTimeout(() => resolve(v), delay.ms), reject);
          }
          return (...args: unknown[]) => {
            const out = (value as (...a: unknown[]) => unknown).apply(object, args);
            return out && typeof out === 'object' ? wrap(out) : out;
          };
        },
      });
    return wrap(db);
  };

  it('a look under way when this instance changes the register vouches for nothing: the next check sees the change', async () => {
    const voucher = await newVoucher();
    const delay = { ms: 0, reads: 0 };
    const state = new VerifierState(lateAnswers(a.database.db, delay), 60_000);
    await state.current();
    expect(state.voucher(voucher.serial)).toEqual({});
    // A check whose look reads the database before the revocation, and answers after it.
    delay.ms = 200;
    state.invalidate();
    const looking = state.current();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await a.database.db.update(vouchers).set({ revokedAt: a.clock.now(), revocationReason: '考核等级评定有误' }).where(eq(vouchers.serial, voucher.serial));
    state.invalidate();
    delay.ms = 0;
    // That check came with the revocation: either answer is right for it. Nothing after it may be valid.
    await looking;
    expect(state.isCurrent()).toBe(false);
    await state.current();
    expect(state.isCurrent()).toBe(true);
    expect(state.voucher(voucher.serial)).toMatchObject({ revocationReason: '考核等级评定有误' });
  });

  it('keeps answering while changes through this instance come faster than a look takes', async () => {
    const delay = { ms: 30, reads: 0 };
    const state = new VerifierState(lateAnswers(a.database.db, delay), 60_000);
    const burst = setInterval(() => state.invalidate(), 5);
    try {
      const checks = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => new Promise((resolve) => setTimeout(resolve, i * 20)).then(() => state.current())));
      expect(checks.map((c) => c.status)).toEqual(Array(5).fill('fulfilled'));
    } finally {
      clearInterval(burst);
    }
  });

  it('looks at the database ahead of time under steady checks, so it never goes stale while in use', async () => {
    const delay = { ms: 0, reads: 0 };
    const state = new VerifierState(lateAnswers(a.database.db, delay), 200);
    await state.current();
    const started = Date.now();
    while (Date.now() - started < 700) {
      expect(state.isCurrent()).toBe(true);
      state.refreshAhead();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    // The first look, then one about every 100 ms (half the freshness window).
    expect(delay.reads).toBeGreaterThanOrEqual(1 + 4);
  });

  it('writes every logged check when the instance closes', async () => {
    const voucher = await newVoucher();
    const c = await buildApp({ config: a.config, db: a.database.db, now: a.clock.now, secrets: testSecrets, adapters: { rateLimiter: new MemoryRateLimiter() } });
    await c.ready();
    await a.database.db.delete(voucherChecks);
    for (let i = 0; i < 25; i++) await verdictOn(c, voucher.token);
    expect(c.verifier.checkLog.waiting).toBe(25);
    expect(c.verifier.checkLog.verdictCounts()).toEqual({ valid: 25 });
    await c.close();
    const written = await a.database.db.select().from(voucherChecks).where(eq(voucherChecks.serial, voucher.serial));
    expect(written.reduce((sum, row) => sum + row.checks, 0)).toBe(25);
  });
});
