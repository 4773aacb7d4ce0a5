import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { allowed, validateRules, type RateDecision, type RateLimiter, type RateRule } from './types.ts';

/**
 * One sorted set per key and rule, scored by event time in ms (Redis's own clock, so instances with
 * skewed clocks agree). The script checks every rule and only then records the event in all of them,
 * so a refused event burns nothing, and concurrent callers on several instances cannot overshoot.
 *
 * KEYS: one per rule. ARGV: consume (1/0), member, then limit and window in ms for each key.
 * Returns {allowed 1/0, wait ms, index of the refusing rule (1-based) or 0}.
 */
const SLIDING_WINDOW_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local consume = ARGV[1] == '1'
local member = ARGV[2]
local worstWait = -1
local worstRule = 0
for i, key in ipairs(KEYS) do
  local limit = tonumber(ARGV[1 + i * 2])
  local window = tonumber(ARGV[2 + i * 2])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local count = redis.call('ZCARD', key)
  if count >= limit then
    local wait = window
    if limit > 0 then
      local blocking = redis.call('ZRANGE', key, count - limit, count - limit, 'WITHSCORES')
      wait = tonumber(blocking[2]) + window - now
    end
    if wait > worstWait then
      worstWait = wait
      worstRule = i
    end
  end
end
if worstRule > 0 then
  return {0, worstWait, worstRule}
end
if consume then
  for i, key in ipairs(KEYS) do
    redis.call('ZADD', key, now, member)
    redis.call('PEXPIRE', key, tonumber(ARGV[2 + i * 2]))
  end
end
return {1, 0, 0}
`;

type SlidingWindowCommand = (numKeys: number, ...keysAndArgs: (string | number)[]) => Promise<[number, number, number]>;

export interface RedisRateLimiterOptions {
  redis: Redis;
  /** Prepended to every key; default 'rto:rl:'. */
  keyPrefix?: string;
  /** Quit the connection on close() (set when the limiter created it). */
  ownsConnection?: boolean;
}

/** Counters in Redis: shared by every server instance using the same Redis and prefix. */
export class RedisRateLimiter implements RateLimiter {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #ownsConnection: boolean;
  readonly #run: SlidingWindowCommand;

  constructor(options: RedisRateLimiterOptions) {
    this.#redis = options.redis;
    this.#prefix = options.keyPrefix ?? 'rto:rl:';
    this.#ownsConnection = options.ownsConnection ?? false;
    // defineCommand sends EVALSHA and falls back to EVAL when Redis does not know the script yet.
    this.#redis.defineCommand('rtoSlidingWindow', { lua: SLIDING_WINDOW_SCRIPT });
    const command = (this.#redis as unknown as { rtoSlidingWindow: SlidingWindowCommand }).rtoSlidingWindow;
    this.#run = command.bind(this.#redis);
  }

  check(key: string, rules: RateRule[]): Promise<RateDecision> {
    return this.#evaluate(key, rules, false);
  }

  consume(key: string, rules: RateRule[]): Promise<RateDecision> {
    return this.#evaluate(key, rules, true);
  }

  async release(key: string, rules: RateRule[], reservation: string): Promise<void> {
    if (rules.length === 0) return;
    const pipeline = this.#redis.pipeline();
    for (const rule of rules) pipeline.zrem(this.#storageKey(key, rule), reservation);
    await pipeline.exec();
  }

  /** Forgets the counts of `key` under the given rules. */
  async reset(key: string, rules?: RateRule[]): Promise<void> {
    if (rules && rules.length > 0) {
      await this.#redis.del(...rules.map((rule) => this.#storageKey(key, rule)));
      return;
    }
    // Without rules: every rule's set for this key (they share the hash-tagged key part).
    const pattern = `${escapeGlob(`${this.#prefix}{${key}}:`)}*`;
    let cursor = '0';
    do {
      const [next, found] = await this.#redis.scan(cursor, 'MATCH', pattern, 'COUNT', 200);
      if (found.length > 0) await this.#redis.del(...found);
      cursor = next;
    } while (cursor !== '0');
  }

  async ping(): Promise<void> {
    await this.#redis.ping();
  }

  async close(): Promise<void> {
    if (this.#ownsConnection) await this.#redis.quit();
  }

  async #evaluate(key: string, rules: RateRule[], consume: boolean): Promise<RateDecision> {
    validateRules(rules);
    if (rules.length === 0) return allowed;
    const keys = rules.map((rule) => this.#storageKey(key, rule));
    const args = rules.flatMap((rule) => [rule.limit, Math.round(rule.windowSeconds * 1000)]);
    const reservation = randomUUID();
    const [ok, waitMs, ruleIndex] = await this.#run(keys.length, ...keys, consume ? '1' : '0', reservation, ...args);
    if (ok === 1) return consume ? { ...allowed, reservation } : allowed;
    return {
      allowed: false,
      retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)),
      rule: rules[ruleIndex - 1]?.name,
    };
  }

  // The {key} hash tag keeps all rules of one key in one Redis Cluster slot, as the script needs.
  #storageKey(key: string, rule: RateRule): string {
    return `${this.#prefix}{${key}}:${rule.name}`;
  }
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
