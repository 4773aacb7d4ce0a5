import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IdCardReader } from '../../src/server/identity/ocr.ts';
import { uploadRules } from '../../src/server/images/upload.ts';
import { MemoryRateLimiter } from '../../src/server/rateLimit/index.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { loginDriver } from '../helpers/driverLogin.ts';
import { documentPhoto, multipart } from './uploads.fixtures.ts';

/** An OCR engine that takes a while and records how many readings ran at once. */
let active = 0;
let peak = 0;
let delayMs = 0;
const slowReader: IdCardReader = {
  read: async () => {
    active++;
    peak = Math.max(peak, active);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    active--;
    return { fields: {}, confidence: 0, lines: [], durationMs: delayMs, doubts: [], fieldConfidence: {} };
  },
  readBack: async () => ({ fields: {}, confidence: 0, durationMs: 0, doubts: [] }),
};

describe('bounded cost per request: OCR and uploads', () => {
  let t: TestApp;
  const limiter = new MemoryRateLimiter();
  let card: Buffer;

  beforeAll(async () => {
    t = await createTestApp({ adapters: { idCardReader: slowReader, rateLimiter: limiter } });
    card = await documentPhoto(1, 'jpeg', 860, 540);
  });
  afterAll(async () => {
    await t?.close();
  });

  const readCard = (headers: Record<string, string>) => {
    const body = multipart(card, 'card.jpg', 'image/jpeg');
    return t.app.inject({ method: 'POST', url: '/api/v1/identity/id-card-ocr', headers: { ...headers, ...body.headers }, payload: body.payload });
  };

  it('runs one reading at a time, lets a few wait, and answers the rest 503 with Retry-After; /health stays up', async () => {
    delayMs = 400;
    peak = 0;
    const drivers = await Promise.all(Array.from({ length: 8 }, (_, i) => loginDriver(t.app, `1370000${String(1000 + i)}`)));
    const pending = drivers.map((driver) => readCard(driver.headers));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/health' })).statusCode).toBe(200);
    const answers = await Promise.all(pending);
    expect(peak).toBe(1);
    const busy = answers.filter((a) => a.statusCode === 503);
    expect(answers.filter((a) => a.statusCode === 200).length + busy.length).toBe(8);
    expect(busy.length).toBeGreaterThan(0);
    for (const answer of busy) {
      expect(answer.json().error.code).toBe('SERVICE_BUSY');
      expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
      expect(answer.json().error.message).toMatch(/识别/);
    }
  });

  it('limits card readings per driver and hour', async () => {
    delayMs = 0;
    const driver = await loginDriver(t.app, '13700002000');
    for (let i = 0; i < 20; i++) expect((await readCard(driver.headers)).statusCode).toBe(200);
    const refused = await readCard(driver.headers);
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.code).toBe('OCR_RATE_LIMITED');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('limits uploads per driver and hour', async () => {
    const driver = await loginDriver(t.app, '13700003000');
    // The hour's uploads already used (as many as the limit allows).
    for (let i = 0; i < uploadRules[0]!.limit; i++) await limiter.consume(`upload:${driver.userId}`, uploadRules);
    const refused = await readCard(driver.headers);
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.code).toBe('UPLOAD_RATE_LIMITED');
  });
});
