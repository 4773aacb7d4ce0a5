import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentAgreementVersions } from '../../src/server/auth/agreements.ts';
import { RedisRateLimiter } from '../../src/server/rateLimit/index.ts';
import { startAliyunSmsStandIn, type AliyunStandIn } from '../../src/server/sms/aliyunStandIn.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { testRedisAnswers, testRedisUrl } from '../helpers/redis.ts';

/** The SMS login against a real provider (Aliyun stand-in) and with limits shared through Redis. */

describe('SMS login through Aliyun', () => {
  const credentials = { accessKeyId: 'LTAI-test-key', accessKeySecret: 'test-secret-0123456789' };
  let standIn: AliyunStandIn;
  let t: TestApp;

  beforeAll(async () => {
    standIn = await startAliyunSmsStandIn({ ...credentials, signName: '道路运政一网通办', templateCodes: ['SMS_100000001'] });
    t = await createTestApp({
      env: {
        SMS_PROVIDER: 'aliyun',
        ALIYUN_SMS_ACCESS_KEY_ID: credentials.accessKeyId,
        ALIYUN_SMS_ACCESS_KEY_SECRET: credentials.accessKeySecret,
        ALIYUN_SMS_SIGN_NAME: '道路运政一网通办',
        ALIYUN_SMS_TEMPLATE_LOGIN: 'SMS_100000001',
        ALIYUN_SMS_ENDPOINT: standIn.endpoint,
      },
    });
  });
  afterAll(async () => {
    await t?.close();
    await standIn?.close();
  });

  const requestCode = (phone: string) => t.app.inject({ method: 'POST', url: '/api/v1/auth/sms-codes', payload: { phone }, remoteAddress: '198.51.100.7' });

  it('sends the code through the provider, and the code it carried logs in', async () => {
    const phone = '13600000001';
    expect((await requestCode(phone)).statusCode).toBe(202);
    const message = standIn.messages.at(-1)!;
    expect(message).toMatchObject({ phoneNumbers: phone, signName: '道路运政一网通办', templateCode: 'SMS_100000001' });
    const code = String(message.templateParam.code);
    expect(code).toMatch(/^\d{6}$/);
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sessions',
      payload: { phone, code, agreementVersion: currentAgreementVersions },
    });
    expect(login.statusCode).toBe(201);
  });

  it('answers a provider failure with 502 SMS_SEND_FAILED and burns no quota', async () => {
    const phone = '13600000002';
    standIn.failNext(1, 'isv.BUSINESS_LIMIT_CONTROL', 'limited');
    const failed = await requestCode(phone);
    expect(failed.statusCode).toBe(502);
    expect(failed.json().error.code).toBe('SMS_SEND_FAILED');
    expect(failed.body).not.toMatch(/BUSINESS_LIMIT_CONTROL/);
    // Had the failure counted, the per-minute limit would refuse this one.
    const retried = await requestCode(phone);
    expect(retried.statusCode).toBe(202);
  });

  it('has no development outbox', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/dev/sms-outbox?phone=13600000001' });
    expect(response.statusCode).toBe(404);
  });
});

const redisUrl = testRedisUrl;
const redisUp = await testRedisAnswers('Shared SMS limit test');

describe.runIf(redisUp || process.env.CI)('SMS limits shared by two instances through Redis', () => {
  const prefix = `rto:test:auth:${randomUUID()}:`;
  const connections: Redis[] = [];
  let first: TestApp;
  let second: TestApp;

  const limiter = () => {
    const redis = new Redis(redisUrl);
    connections.push(redis);
    return new RedisRateLimiter({ redis, keyPrefix: prefix });
  };

  beforeAll(async () => {
    first = await createTestApp({ adapters: { rateLimiter: limiter() } });
    second = await createTestApp({ adapters: { rateLimiter: limiter() } });
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
    const [redis] = connections;
    if (redis) {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
    }
    await Promise.all(connections.map((c) => c.quit()));
  });

  it('a code sent by one instance blocks the next one for a minute on the other', async () => {
    const phone = '13600000003';
    const ask = (t: TestApp) => t.app.inject({ method: 'POST', url: '/api/v1/auth/sms-codes', payload: { phone }, remoteAddress: '198.51.100.8' });
    expect((await ask(first)).statusCode).toBe(202);
    const refused = await ask(second);
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.code).toBe('SMS_TOO_FREQUENT');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(50);
  });
});
