import { describe, expect, it } from 'vitest';
import { createRateLimiter, MemoryRateLimiter, type RateRule } from './index.ts';

const perPhone: RateRule[] = [
  { name: 'sms-phone-minute', limit: 1, windowSeconds: 60 },
  { name: 'sms-phone-hour', limit: 5, windowSeconds: 3600 },
  { name: 'sms-phone-day', limit: 10, windowSeconds: 86_400 },
];

function fakeClock(start = Date.parse('2026-03-02T08:00:00Z')) {
  let now = start;
  return {
    now: () => now,
    advance: (seconds: number) => {
      now += seconds * 1000;
    },
  };
}

describe('MemoryRateLimiter', () => {
  it('allows one code a minute per phone and says when the next one may be asked for', async () => {
    const clock = fakeClock();
    const limiter = new MemoryRateLimiter({ now: clock.now });
    expect(await limiter.consume('13800000001', perPhone)).toMatchObject({ allowed: true, retryAfterSeconds: 0 });
    clock.advance(15);
    expect(await limiter.consume('13800000001', perPhone)).toEqual({ allowed: false, retryAfterSeconds: 45, rule: 'sms-phone-minute' });
    clock.advance(44);
    expect((await limiter.consume('13800000001', perPhone)).allowed).toBe(false);
    clock.advance(1);
    expect((await limiter.consume('13800000001', perPhone)).allowed).toBe(true);
  });

  it('allows five an hour, counting the hour from each code (sliding window)', async () => {
    const clock = fakeClock();
    const limiter = new MemoryRateLimiter({ now: clock.now });
    for (let i = 0; i < 5; i++) {
      expect((await limiter.consume('13800000001', perPhone)).allowed).toBe(true);
      clock.advance(60);
    }
    // 300 s after the first code: the hour rule refuses until the first code is an hour old.
    expect(await limiter.consume('13800000001', perPhone)).toEqual({ allowed: false, retryAfterSeconds: 3300, rule: 'sms-phone-hour' });
    clock.advance(3300);
    expect((await limiter.consume('13800000001', perPhone)).allowed).toBe(true);
    // The second code (sent at 60 s) still counts: the next free slot is when it turns an hour old.
    clock.advance(60);
    expect((await limiter.consume('13800000001', perPhone)).allowed).toBe(true);
  });

  it('keeps counting a key across the turns of its generations, and forgets idle keys two windows on', async () => {
    const clock = fakeClock();
    const limiter = new MemoryRateLimiter({ now: clock.now });
    const perMinute: RateRule[] = [{ name: 'per-minute', limit: 5, windowSeconds: 60 }];
    // 100 clients once each, and one client five times late in the first window.
    for (let i = 0; i < 100; i++) expect((await limiter.consume(`client-${i}`, perMinute)).allowed).toBe(true);
    clock.advance(55);
    for (let i = 0; i < 5; i++) expect((await limiter.consume('busy', perMinute)).allowed).toBe(true);
    expect(limiter.logsHeld).toBe(101);
    // A new window begins: the busy client's five events (at 55 s) still count until 115 s.
    clock.advance(10);
    expect(await limiter.consume('busy', perMinute)).toEqual({ allowed: false, retryAfterSeconds: 50, rule: 'per-minute' });
    clock.advance(49);
    expect((await limiter.consume('busy', perMinute)).allowed).toBe(false);
    clock.advance(1.001);
    expect((await limiter.consume('busy', perMinute)).allowed).toBe(true);
    // Two windows after they were last seen, the idle clients are gone; the busy one is still counted.
    expect(limiter.logsHeld).toBe(101);
    clock.advance(11);
    expect(await limiter.check('busy', perMinute)).toEqual({ allowed: true, retryAfterSeconds: 0 });
    expect(limiter.logsHeld).toBe(1);
    for (let i = 0; i < 4; i++) expect((await limiter.consume('busy', perMinute)).allowed).toBe(true);
    expect((await limiter.consume('busy', perMinute)).allowed).toBe(false);
    // A long silence: everything is forgotten, and every client starts afresh.
    clock.advance(3600);
    expect((await limiter.consume('client-1', perMinute)).allowed).toBe(true);
    expect(limiter.logsHeld).toBe(1);
  });

  it('allows ten a day', async () => {
    const clock = fakeClock();
    const limiter = new MemoryRateLimiter({ now: clock.now });
    // Two bursts of five, an hour apart, then the day is full.
    for (let burst = 0; burst < 2; burst++) {
      for (let i = 0; i < 5; i++) {
        expect((await limiter.consume('13800000001', perPhone)).allowed).toBe(true);
        clock.advance(61);
      }
      clock.advance(3600);
    }
    const refused = await limiter.consume('13800000001', perPhone);
    expect(refused).toMatchObject({ allowed: false, rule: 'sms-phone-day' });
    // 2 × (5 × 61 + 3600) s have passed since the first code.
    expect(refused.retryAfterSeconds).toBe(86_400 - 2 * (5 * 61 + 3600));
    clock.advance(refused.retryAfterSeconds);
    expect((await limiter.consume('13800000001', perPhone)).allowed).toBe(true);
  });

  it('check does not count, so a failed send does not use up the quota', async () => {
    const clock = fakeClock();
    const limiter = new MemoryRateLimiter({ now: clock.now });
    for (let i = 0; i < 3; i++) expect((await limiter.check('13800000001', perPhone)).allowed).toBe(true);
    expect((await limiter.consume('13800000001', perPhone)).allowed).toBe(true);
    expect(await limiter.check('13800000001', perPhone)).toMatchObject({ allowed: false, rule: 'sms-phone-minute', retryAfterSeconds: 60 });
  });

  it('a refused event burns no rule', async () => {
    const clock = fakeClock();
    const limiter = new MemoryRateLimiter({ now: clock.now });
    const rules: RateRule[] = [
      { name: 'minute', limit: 1, windowSeconds: 60 },
      { name: 'hour', limit: 2, windowSeconds: 3600 },
    ];
    expect((await limiter.consume('k', rules)).allowed).toBe(true);
    clock.advance(10);
    expect(await limiter.consume('k', rules)).toMatchObject({ allowed: false, rule: 'minute' });
    clock.advance(51);
    // Had the refused attempt counted under 'hour', this would be its third event.
    expect((await limiter.consume('k', rules)).allowed).toBe(true);
    clock.advance(61);
    expect(await limiter.consume('k', rules)).toMatchObject({ allowed: false, rule: 'hour' });
  });

  it('names the rule that frees last when several refuse', async () => {
    const clock = fakeClock();
    const limiter = new MemoryRateLimiter({ now: clock.now });
    const rules: RateRule[] = [
      { name: 'minute', limit: 1, windowSeconds: 60 },
      { name: 'hour', limit: 1, windowSeconds: 3600 },
    ];
    await limiter.consume('k', rules);
    expect(await limiter.check('k', rules)).toEqual({ allowed: false, retryAfterSeconds: 3600, rule: 'hour' });
  });

  it('keeps keys apart, and reset forgets a key', async () => {
    const clock = fakeClock();
    const limiter = new MemoryRateLimiter({ now: clock.now });
    await limiter.consume('13800000001', perPhone);
    expect((await limiter.consume('13800000002', perPhone)).allowed).toBe(true);
    expect((await limiter.check('13800000001', perPhone)).allowed).toBe(false);
    await limiter.reset('13800000001');
    expect((await limiter.check('13800000001', perPhone)).allowed).toBe(true);
    expect((await limiter.check('13800000002', perPhone)).allowed).toBe(false);
  });

  it('a limit of 0 blocks, and malformed rules are rejected', async () => {
    const limiter = new MemoryRateLimiter();
    expect(await limiter.consume('k', [{ name: 'closed', limit: 0, windowSeconds: 30 }])).toEqual({ allowed: false, retryAfterSeconds: 30, rule: 'closed' });
    await expect(limiter.consume('k', [{ name: 'x', limit: 1.5, windowSeconds: 60 }])).rejects.toThrow(/limit/);
    await expect(limiter.consume('k', [{ name: 'x', limit: 1, windowSeconds: 0 }])).rejects.toThrow(/windowSeconds/);
    await expect(limiter.consume('k', [{ name: 'x', limit: 1, windowSeconds: 1 }, { name: 'x', limit: 2, windowSeconds: 2 }])).rejects.toThrow(/distinct/);
  });

  it('concurrent consumers never exceed the limit, and release gives back exactly the slot reserved', async () => {
    const limiter = new MemoryRateLimiter();
    const rules: RateRule[] = [{ name: 'burst', limit: 10, windowSeconds: 60 }];
    const decisions = await Promise.all(Array.from({ length: 100 }, () => limiter.consume('k', rules)));
    const granted = decisions.filter((d) => d.allowed);
    expect(granted).toHaveLength(10);
    expect(new Set(granted.map((d) => d.reservation)).size).toBe(10);
    await limiter.release('k', rules, granted[3]!.reservation!);
    // Releasing twice, or something unknown, gives nothing more back.
    await limiter.release('k', rules, granted[3]!.reservation!);
    await limiter.release('k', rules, 'unknown');
    const again = await Promise.all(Array.from({ length: 5 }, () => limiter.consume('k', rules)));
    expect(again.filter((d) => d.allowed)).toHaveLength(1);
  });

  it('decides at once with consumeNow, on the same counters as consume', async () => {
    const clock = fakeClock();
    const limiter = new MemoryRateLimiter({ now: clock.now });
    const rules = Object.freeze([Object.freeze({ name: 'verify', limit: 2, windowSeconds: 60 })]) as RateRule[];
    expect(limiter.consumeNow('10.0.0.1', rules)).toMatchObject({ allowed: true, reservation: expect.any(String) });
    expect((await limiter.consume('10.0.0.1', rules)).allowed).toBe(true);
    expect(limiter.consumeNow('10.0.0.1', rules)).toEqual({ allowed: false, retryAfterSeconds: 60, rule: 'verify' });
    clock.advance(60);
    expect(limiter.consumeNow('10.0.0.1', rules).allowed).toBe(true);
  });

  it('checks a rule list again unless it is frozen: one changed after a check is still refused', () => {
    const limiter = new MemoryRateLimiter();
    const rules: RateRule[] = [{ name: 'open', limit: 5, windowSeconds: 60 }];
    expect(limiter.consumeNow('k', rules).allowed).toBe(true);
    rules[0]!.limit = -1;
    expect(() => limiter.consumeNow('k', rules)).toThrow(/limit/);
  });

  it('is what createRateLimiter gives without a Redis URL', () => {
    expect(createRateLimiter()).toBeInstanceOf(MemoryRateLimiter);
  });
});
