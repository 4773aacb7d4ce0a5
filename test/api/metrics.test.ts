import parsePrometheusTextFormat, { type MetricFamily } from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outbox, users } from '../../src/server/db/schema.ts';
import { acceptedCreditAssessment } from '../helpers/applications.ts';
import { startMetricsServer } from '../../src/server/ops/metrics.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { userPhoneIs } from '../../src/server/auth/accounts.ts';

const TOKEN = 'metrics-token-for-the-test-0123456789';

describe('GET /metrics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { METRICS_TOKEN: TOKEN } });
  });
  afterAll(async () => {
    await t.close();
  });

  let lastText = '';
  const scrape = async (): Promise<Map<string, MetricFamily>> => {
    const response = await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    lastText = response.body;
    return new Map(parsePrometheusTextFormat(response.body).map((family) => [family.name, family]));
  };
  const value = (family: MetricFamily | undefined, labels: Record<string, string>) =>
    Number(family?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))?.value ?? NaN);

  it('refuses a scrape without the bearer token or with a wrong one', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong-token-of-the-same-kind-000000' }, { authorization: `Basic ${TOKEN}` }, { authorization: TOKEN }]) {
      const response = await t.app.inject({ method: 'GET', url: '/metrics', headers });
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(response.json().error.code).toBe('METRICS_TOKEN_REQUIRED');
      expect(response.body).not.toMatch(/rto_/);
    }
  });

  it('is not served on the main port without METRICS_TOKEN', async () => {
    const plain = await createTestApp({ demo: false });
    try {
      const response = await plain.app.inject({ method: 'GET', url: '/metrics' });
      expect(response.statusCode).not.toBe(200);
      expect(response.body).not.toMatch(/rto_http_requests_total/);
    } finally {
      await plain.close();
    }
  });

  it('parses as Prometheus text and carries every figure a province watches', async () => {
    await t.app.inject({ method: 'GET', url: '/api/v1/health' });
    await t.app.inject({ method: 'GET', url: '/api/v1/health' });
    await t.app.inject({ method: 'GET', url: '/api/v1/applications/00000000-0000-4000-8000-000000000000' });
    const before = await scrape();
    await t.app.inject({ method: 'GET', url: '/api/v1/verify/not-a-token' });
    const [driver] = await t.database.db.select().from(users).where(userPhoneIs('13800000001'));
    // Accepted long ago: its decision deadline has passed.
    await acceptedCreditAssessment(t.database.db, driver!.id, new Date('2026-01-05T02:00:00Z'));
    await t.database.db.insert(outbox).values({ topic: 'sms.application_update', payload: {}, availableAt: new Date(), createdAt: new Date(Date.now() - 90_000) });
    const families = await scrape();

    // Requests by route pattern (never the raw URL) and status, with their latency.
    const requests = families.get('rto_http_requests_total');
    expect(requests?.type).toBe('COUNTER');
    expect(value(requests, { method: 'GET', route: '/api/v1/health', status: '200' })).toBeGreaterThanOrEqual(2);
    expect(value(requests, { route: '/api/v1/applications/:id', status: '401' })).toBe(1);
    expect(JSON.stringify(requests)).not.toMatch(/00000000-0000/);
    const latency = families.get('rto_http_request_duration_seconds');
    expect(latency?.type).toBe('HISTOGRAM');
    // (The parser folds a labelled histogram's series together, so its series are read from the text.)
    const healthCount = /^rto_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/health",status="200"\} (\d+)$/m.exec(lastText);
    expect(Number(healthCount?.[1])).toBeGreaterThanOrEqual(2);
    expect(lastText).toMatch(/^rto_http_request_duration_seconds_bucket\{le="0\.1",method="GET",route="\/api\/v1\/health",status="200"\} \d+$/m);

    // The pool (PGlite: one connection), the bounded work queues, the outbox.
    expect(value(families.get('rto_db_pool_connections'), { state: 'max' })).toBe(t.database.kind === 'pglite' ? 1 : 10);
    expect(value(families.get('rto_work_queue_jobs'), { queue: 'ocr', status: 'waiting' })).toBe(0);
    expect(value(families.get('rto_work_queue_jobs'), { queue: 'images', status: 'running' })).toBe(0);
    expect(Number(families.get('rto_outbox_pending_messages')?.metrics[0]?.value)).toBeGreaterThanOrEqual(1);
    expect(Number(families.get('rto_outbox_oldest_pending_age_seconds')?.metrics[0]?.value)).toBeGreaterThanOrEqual(89);

    // Open work per province and state, overdue work.
    const open = families.get('rto_applications_open');
    expect(value(open, { province: '11', state: 'accepted' })).toBeGreaterThanOrEqual(1);
    expect(open?.metrics.every((m) => /^\d{2}$/.test(m.labels?.province ?? '') && ['submitted', 'accepted', 'returned', 'approved'].includes(m.labels?.state ?? ''))).toBe(true);
    expect(value(families.get('rto_applications_overdue'), { province: '11', clock: 'decide' })).toBeGreaterThanOrEqual(1);

    // Verification checks by verdict: the check above is counted.
    const total = (map: Map<string, MetricFamily>) => (map.get('rto_verification_checks_total')?.metrics ?? []).reduce((sum, m) => sum + Number(m.value), 0);
    expect(total(families) - total(before)).toBe(1);
    expect(value(families.get('rto_database_up'), {})).toBe(1);
    // And the process itself.
    expect(families.has('process_resident_memory_bytes')).toBe(true);
    expect(families.has('nodejs_eventloop_lag_seconds')).toBe(true);
  });

  it('counts the pool\'s use: connections busy with a transaction, statements waiting for one, and none once they are done', async () => {
    const { max } = t.database.poolStats();
    const poolFigures = (families: Map<string, MetricFamily>) => ({
      max: value(families.get('rto_db_pool_connections'), { state: 'max' }),
      active: value(families.get('rto_db_pool_connections'), { state: 'active' }),
      waiting: Number(families.get('rto_db_pool_waiting_requests')?.metrics[0]?.value),
    });
    const untilPool = async (done: (stats: ReturnType<typeof t.database.poolStats>) => boolean) => {
      for (let i = 0; !done(t.database.poolStats()); i++) {
        if (i > 500) throw new Error(`pool never got there: ${JSON.stringify(t.database.poolStats())}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    // Idle, once what the app does in the background (the outbox, the check log) has let go.
    await expect.poll(async () => poolFigures(await scrape())).toEqual({ max, active: 0, waiting: 0 });

    // Every connection held by an open transaction, and one more statement waiting behind them.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const transactions = Array.from({ length: max }, () => t.database.db.transaction(async (tx) => {
      await tx.select().from(users).limit(1);
      await held;
    }));
    const waiting = t.database.db.select().from(users).limit(1);
    const waited = waiting.then(() => 'answered');
    await untilPool((stats) => stats.inUse === max && stats.waiting === 1);
    // The scrape reads the pool first, then queries the outbox and the counts, which wait as well:
    // the transactions end once those are queued.
    const during = scrape();
    await untilPool((stats) => stats.waiting > 1);
    release();
    expect(poolFigures(await during)).toEqual({ max, active: max, waiting: 1 });
    await Promise.all(transactions);
    expect(await waited).toBe('answered');
    await expect.poll(async () => poolFigures(await scrape())).toEqual({ max, active: 0, waiting: 0 });
  });

  it('is served without a token on its own port (METRICS_PORT), and nothing else there', async () => {
    const server = await startMetricsServer(t.app.metrics, '127.0.0.1', 0);
    try {
      const response = await fetch(server.url);
      expect(response.status).toBe(200);
      const families = parsePrometheusTextFormat(await response.text());
      expect(families.some((f) => f.name === 'rto_applications_open')).toBe(true);
      expect((await fetch(server.url.replace('/metrics', '/api/v1/health'))).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
