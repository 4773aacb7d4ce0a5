import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app.ts';
import { loadConfig } from '../../src/server/config.ts';
import { openDatabase, type DatabaseHandle } from '../../src/server/db/client.ts';
import { MemoryRateLimiter } from '../../src/server/rateLimit/index.ts';
import { TEST_DATA_KEY_HEX } from '../helpers/dataKey.ts';
import { freshDatabase } from '../helpers/db.ts';

async function appOn(database: DatabaseHandle) {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'rto-outage-'));
  // Development mode: logs are written (the test reads them); tests are otherwise silent.
  const config = loadConfig({ NODE_ENV: 'development', LOG_LEVEL: 'info', DATA_DIR: dataDir, RTO_DATA_KEY: TEST_DATA_KEY_HEX });
  const logs: Record<string, unknown>[] = [];
  const logStream = new PassThrough();
  logStream.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
  });
  const app = await buildApp({ config, db: database.db, logStream, adapters: { rateLimiter: new MemoryRateLimiter() } });
  await app.ready();
  return { app, logs };
}

async function expectOutageAnswers(app: Awaited<ReturnType<typeof appOn>>['app'], logs: Record<string, unknown>[]) {
  const requests = Array.from({ length: 40 }, (_, i) =>
    i % 2
      ? app.inject({ method: 'GET', url: '/api/v1/provinces' })
      : app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: 'Bearer some-session-token-value' } }),
  );
  for (const answer of await Promise.all(requests)) {
    expect(answer.statusCode, answer.body).toBe(503);
    expect(answer.json().error.code).toBe('SERVICE_UNAVAILABLE');
    expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
  }
  // Liveness: the process is up. Readiness: it cannot serve, say so to the load balancer.
  expect((await app.inject({ method: 'GET', url: '/api/v1/health' })).statusCode).toBe(200);
  const ready = await app.inject({ method: 'GET', url: '/api/v1/ready' });
  expect(ready.statusCode).toBe(503);
  expect(ready.json().error).toMatchObject({ code: 'SERVICE_UNAVAILABLE', details: { checks: { database: 'failed', storage: 'ok', redis: 'not_configured' } } });
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(logs.filter((l) => l.msg === 'database unavailable: answering 503 until it is back')).toHaveLength(1);
  expect(logs.filter((l) => l.msg === 'unhandled error')).toHaveLength(0);
  expect(logs.filter((l) => Number(l.level) >= 50)).toHaveLength(1);
}

describe('a database outage answers 503, logged once', () => {
  it('readiness is 200 with every dependency checked while the database answers', async () => {
    const database = await freshDatabase({ demo: false });
    const { app } = await appOn(database);
    try {
      const ready = await app.inject({ method: 'GET', url: '/api/v1/ready' });
      expect(ready.statusCode, ready.body).toBe(200);
      expect(ready.json()).toEqual({ status: 'ready', checks: { database: 'ok', redis: 'not_configured', storage: 'ok' } });
    } finally {
      await app.close();
      await database.close();
    }
  });

  it('PostgreSQL that refuses connections', async () => {
    // Nothing listens on port 1: every connection is refused, as when the server is down.
    const database = await openDatabase({ databaseUrl: 'postgres://postgres@127.0.0.1:1/rto' });
    const { app, logs } = await appOn(database);
    try {
      await expectOutageAnswers(app, logs);
    } finally {
      await app.close();
      await database.close();
    }
  });

  it('the embedded database gone', async () => {
    const database = await freshDatabase({ demo: false });
    const { app, logs } = await appOn(database);
    await database.close();
    try {
      await expectOutageAnswers(app, logs);
    } finally {
      await app.close();
    }
  });
});
