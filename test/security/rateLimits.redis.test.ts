import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/server/app.ts';
import { loadConfig } from '../../src/server/config.ts';
import type { DatabaseHandle } from '../../src/server/db/client.ts';
import { createRateLimiter } from '../../src/server/rateLimit/index.ts';
import { SmsSendError, type SmsMessage, type SmsProvider } from '../../src/server/sms/index.ts';
import { testRedisAnswers, testRedisUrl } from '../helpers/redis.ts';
import { TEST_DATA_KEY_HEX } from '../helpers/dataKey.ts';
import { freshDatabase } from '../helpers/db.ts';

const redisUp = await testRedisAnswers('Two-instance rate-limit race tests');

/** Records what was "sent"; fails the phones it is told to fail, as a provider outage would. */
class RecordingSms implements SmsProvider {
  readonly name = 'recording';
  readonly sent: SmsMessage[] = [];
  readonly failing = new Set<string>();
  async send(message: SmsMessage): Promise<void> {
    // A real provider takes a while: the race window the limits must close.
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (this.failing.has(message.phone)) throw new SmsSendError('recording', 'isv.OUTAGE', 'provider down');
    this.sent.push(message);
  }
}

const phoneFor = (i: number) => `139${String(10_000_000 + i).slice(-8)}`;

describe.runIf(redisUp)('rate limits hold with two instances sharing Redis and 100 concurrent requests', () => {
  const prefix = `rto:test:race:${randomUUID()}:`;
  let database: DatabaseHandle;
  const instances: { app: App; sms: RecordingSms }[] = [];

  beforeAll(async () => {
    database = await freshDatabase({ demo: false });
    for (let i = 0; i < 2; i++) {
      const dataDir = await mkdtemp(path.join(os.tmpdir(), 'rto-race-'));
      const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, RTO_DATA_KEY: TEST_DATA_KEY_HEX, REDIS_URL: testRedisUrl });
      const sms = new RecordingSms();
      // Each instance has its own Redis connection, as two processes would.
      const app = await buildApp({ config, db: database.db, adapters: { sms, rateLimiter: createRateLimiter({ redisUrl: testRedisUrl, keyPrefix: prefix }) } });
      await app.ready();
      instances.push({ app, sms });
    }
  });
  afterAll(async () => {
    for (const { app } of instances) await app.close();
    await database?.close();
    const redis = new Redis(testRedisUrl);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  const totalSent = () => instances.reduce((sum, { sms }) => sum + sms.sent.length, 0);
  const request = (i: number, phone: string, ip: string) =>
    instances[i % 2]!.app.inject({ method: 'POST', url: '/api/v1/auth/sms-codes', payload: { phone }, remoteAddress: ip });

  it('one network asking for 100 distinct phones gets exactly 10 codes sent in the minute', async () => {
    const before = totalSent();
    const ip = '203.0.113.7';
    const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => request(i, phoneFor(i), ip)));
    const accepted = answers.filter((a) => a.statusCode === 202);
    expect(accepted).toHaveLength(10);
    const refused = answers.filter((a) => a.statusCode === 429);
    expect(refused).toHaveLength(90);
    expect(new Set(refused.map((a) => a.json().error.code))).toEqual(new Set(['SMS_IP_LIMIT']));
    expect(refused.every((a) => Number(a.headers['retry-after']) >= 1)).toBe(true);
    expect(totalSent() - before).toBe(10);
  });

  it('one phone asked for from 100 networks at once gets exactly one SMS', async () => {
    const before = totalSent();
    const phone = phoneFor(500);
    const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => request(i, phone, `198.51.100.${i}`)));
    expect(answers.filter((a) => a.statusCode === 202)).toHaveLength(1);
    const refused = answers.filter((a) => a.statusCode === 429);
    expect(refused).toHaveLength(99);
    expect(new Set(refused.map((a) => a.json().error.code))).toEqual(new Set(['SMS_TOO_FREQUENT']));
    expect(totalSent() - before).toBe(1);
  });

  it('readiness asks Redis too', async () => {
    const ready = await instances[0]!.app.inject({ method: 'GET', url: '/api/v1/ready' });
    expect(ready.statusCode, ready.body).toBe(200);
    expect(ready.json().checks).toEqual({ database: 'ok', redis: 'ok', storage: 'ok' });
  });

  it('a provider failure gives the slots back: the driver may ask again at once', async () => {
    const phone = phoneFor(600);
    const ip = '192.0.2.50';
    for (const { sms } of instances) sms.failing.add(phone);
    const failed = await request(0, phone, ip);
    expect(failed.statusCode).toBe(502);
    expect(failed.json().error.code).toBe('SMS_SEND_FAILED');
    for (const { sms } of instances) sms.failing.delete(phone);
    const retried = await request(1, phone, ip);
    expect(retried.statusCode).toBe(202);
    // And the slot taken by the success does count.
    expect((await request(0, phone, ip)).statusCode).toBe(429);
  });
});
