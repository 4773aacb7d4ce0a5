import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { testRedisAnswers, testRedisUrl } from '../../../test/helpers/redis.ts';
import { createRateLimiter, RedisRateLimiter, type RateLimiter, type RateRule } from './index.ts';

const redisUrl = testRedisUrl;
const redisUp = await testRedisAnswers('Redis rate-limiter tests');

describe('Redis availability', () => {
  it.runIf(Boolean(process.env.CI))('Redis answers in CI, so the shared rate limits are tested', () => {
    expect(redisUp, `no Redis answers at ${redisUrl}`).toBe(true);
  });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Sleeps until a refusal's Retry-After has passed (whole seconds, rounded up, so a little more than the wait). */
const sleepPast = (decision: { retryAfterSeconds?: number }) => sleep((decision.retryAfterSeconds ?? 0) * 1000 + 100);

/*
 * The script reads Redis's own clock, so these tests wait in real time. Windows that must still hold are
 * a minute long, so a stall of the shared machine cannot end them early; the windows that must pass
 * are waited out by their Retry-After rather than a guessed sleep.
 */

describe.runIf(redisUp)('RedisRateLimiter', () => {
  const prefix = `rto:test:rl:${randomUUID()}:`;
  let redis: Redis;
  let other: Redis;
  let a: RedisRateLimiter;
  let b: RedisRateLimiter;

  beforeAll(() => {
    redis = new Redis(redisUrl);
    other = new Redis(redisUrl);
    // Two server instances: separate connections, same Redis and prefix.
    a = new RedisRateLimiter({ redis, keyPrefix: prefix });
    b = new RedisRateLimiter({ redis: other, keyPrefix: prefix });
  });

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    await other.quit();
  });

  it('two instances share one count', async () => {
    const key = randomUUID();
    const rules: RateRule[] = [{ name: 'pair', limit: 2, windowSeconds: 60 }];
    expect((await a.consume(key, rules)).allowed).toBe(true);
    expect((await b.consume(key, rules)).allowed).toBe(true);
    const refused = await a.consume(key, rules);
    expect(refused).toMatchObject({ allowed: false, rule: 'pair' });
    expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(60);
    expect((await b.check(key, rules)).allowed).toBe(false);
  });

  it('frees a slot once the oldest event leaves the window', async () => {
    const key = randomUUID();
    const rules: RateRule[] = [{ name: 'seconds', limit: 1, windowSeconds: 3 }];
    expect((await a.consume(key, rules)).allowed).toBe(true);
    const refused = await b.consume(key, rules);
    expect(refused.allowed).toBe(false);
    await sleepPast(refused);
    expect((await b.consume(key, rules)).allowed).toBe(true);
  });

  it('check does not count', async () => {
    const key = randomUUID();
    const rules: RateRule[] = [{ name: 'one', limit: 1, windowSeconds: 60 }];
    for (let i = 0; i < 3; i++) expect((await a.check(key, rules)).allowed).toBe(true);
    expect((await b.consume(key, rules)).allowed).toBe(true);
    expect((await a.check(key, rules)).allowed).toBe(false);
  });

  it('a refused event burns no rule', async () => {
    const key = randomUUID();
    const rules: RateRule[] = [
      { name: 'short', limit: 1, windowSeconds: 2 },
      { name: 'long', limit: 2, windowSeconds: 60 },
    ];
    expect((await a.consume(key, rules)).allowed).toBe(true);
    const refused = await b.consume(key, rules);
    expect(refused).toMatchObject({ allowed: false, rule: 'short' });
    await sleepPast(refused);
    // Had the refused attempt counted under 'long', this would be its third event.
    const second = await a.consume(key, rules);
    expect(second.allowed).toBe(true);
    // Once the short window has passed again, only 'long' can refuse.
    await sleep(2_100);
    expect(await b.consume(key, rules)).toMatchObject({ allowed: false, rule: 'long' });
  });

  it('concurrent requests on two instances never exceed the limit', async () => {
    const key = randomUUID();
    const rules: RateRule[] = [{ name: 'burst', limit: 5, windowSeconds: 10 }];
    const decisions = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).consume(key, rules)));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(5);
  });

  it('100 concurrent reservations on two instances: exactly the limit, and a release frees one slot on both', async () => {
    const key = randomUUID();
    const rules: RateRule[] = [
      { name: 'minute', limit: 10, windowSeconds: 60 },
      { name: 'day', limit: 30, windowSeconds: 86_400 },
    ];
    const decisions = await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 ? a : b).consume(key, rules)));
    const granted = decisions.filter((d) => d.allowed);
    expect(granted).toHaveLength(10);
    await a.release(key, rules, granted[0]!.reservation!);
    await b.release(key, rules, granted[0]!.reservation!);
    const again = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? a : b).consume(key, rules)));
    expect(again.filter((d) => d.allowed)).toHaveLength(1);
    expect(await redis.zcard(`${prefix}{${key}}:day`)).toBe(10);
  });

  it('stores prefixed keys that expire with their window', async () => {
    const key = randomUUID();
    await a.consume(key, [{ name: 'ttl', limit: 3, windowSeconds: 60 }]);
    const stored = `${prefix}{${key}}:ttl`;
    expect(await redis.exists(stored)).toBe(1);
    const ttl = await redis.pttl(stored);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('reset forgets a key under all its rules, or under the rules given', async () => {
    const key = randomUUID();
    const minute: RateRule = { name: 'm', limit: 1, windowSeconds: 60 };
    const hour: RateRule = { name: 'h', limit: 1, windowSeconds: 3600 };
    await a.consume(key, [minute, hour]);
    await b.reset(key, [minute]);
    expect(await a.check(key, [minute])).toMatchObject({ allowed: true });
    expect(await a.check(key, [hour])).toMatchObject({ allowed: false, rule: 'h' });
    await b.reset(key);
    expect((await a.check(key, [minute, hour])).allowed).toBe(true);
  });

  it('createRateLimiter uses Redis when given its URL', async () => {
    const limiter: RateLimiter = createRateLimiter({ redisUrl, keyPrefix: prefix });
    try {
      expect(limiter).toBeInstanceOf(RedisRateLimiter);
      const key = randomUUID();
      const rules: RateRule[] = [{ name: 'factory', limit: 1, windowSeconds: 60 }];
      expect((await limiter.consume(key, rules)).allowed).toBe(true);
      expect((await a.check(key, rules)).allowed).toBe(false);
    } finally {
      await limiter.close?.();
    }
  });
});
