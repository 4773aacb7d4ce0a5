import { Redis } from 'ioredis';
import { MemoryRateLimiter } from './memory.ts';
import { RedisRateLimiter } from './redis.ts';
import type { RateLimiter } from './types.ts';

export * from './types.ts';
export { MemoryRateLimiter } from './memory.ts';
export { RedisRateLimiter, type RedisRateLimiterOptions } from './redis.ts';

/** Redis when a URL is given (shared across instances), otherwise counters in this process. */
export function createRateLimiter(
  options: { redisUrl?: string; keyPrefix?: string; onRedisError?: (error: Error) => void } = {},
): RateLimiter {
  if (!options.redisUrl) return new MemoryRateLimiter();
  const redis = new Redis(options.redisUrl, {
    // A rate-limit check sits in front of a user request: fail it quickly rather than queue for long.
    maxRetriesPerRequest: 2,
    connectTimeout: 5000,
    commandTimeout: 2000,
  });
  // Commands fail with the error anyway; without a listener ioredis also prints every reconnect failure.
  redis.on('error', options.onRedisError ?? (() => {}));
  return new RedisRateLimiter({ redis, keyPrefix: options.keyPrefix, ownsConnection: true });
}
