import { Redis } from 'ioredis';

/** The Redis the tests share: REDIS_URL, else the local default. */
export const testRedisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Whether the test Redis answers a PING within a second. Outside CI a missing Redis skips the tests that
 * need it, with a warning naming them; CI sets CI so that those tests run (and fail) instead.
 */
export async function testRedisAnswers(skippedTests: string): Promise<boolean> {
  const probe = new Redis(testRedisUrl, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => {});
  let up = false;
  try {
    await probe.connect();
    up = (await probe.ping()) === 'PONG';
  } catch {
    up = false;
  } finally {
    probe.disconnect();
  }
  if (!up && !process.env.CI) console.warn(`${skippedTests} skipped: no Redis answers at ${testRedisUrl} (required when CI is set).`);
  return up;
}
