import { createHash, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { sql } from 'drizzle-orm';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { chinaToday } from '../../domain/dates.ts';
import type { AppContext } from '../context.ts';
import type { PoolStats } from '../db/client.ts';
import { AppError } from '../errors.ts';
import { queryRows } from '../db/rows.ts';
import { requestTallies, type RequestTally } from './requestTally.ts';

/**
 * Prometheus metrics (`prom-client`), one registry per app. What a province's operators watch:
 * requests by route and status with their latency, the database pool, the outbox, the bounded image
 * and OCR queues, open work per province and state, overdue work (the SLA), and verification verdicts.
 * Database figures are read at scrape time from small sources (the kept state counts, the outbox's
 * pending index, the open-queue index), so a scrape costs a few index lookups.
 */
export interface MetricsSources {
  ctx: Pick<AppContext, 'db' | 'now' | 'work' | 'logger' | 'verifier'>;
  pool?: (() => PoolStats) | undefined;
}

const OPEN_STATES_SQL = sql.raw(`('submitted', 'accepted', 'returned', 'approved')`);

const query = queryRows;

export function createMetrics({ ctx, pool }: MetricsSources): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const db = ctx.db;
  /** A database figure that cannot be read this scrape is left at its last value; rto_database_up says why. */
  const fromDatabase = async (read: () => Promise<void>) => {
    try {
      await read();
    } catch {
      // the database is down: rto_database_up is 0
    }
  };

  // Tallied on the request path in plain numbers (requestTally.ts).
  requestTallies(registry);

  // Counted where queries pass (db/availability.ts): postgres.js tells nothing of its pool.
  const poolUse = () => pool?.() ?? { max: 1, inUse: 0, waiting: 0 };
  new Gauge({
    name: 'rto_db_pool_connections',
    help: 'Database connections of this instance: busy with a statement or a transaction (active), and the most it opens (max)',
    labelNames: ['state'],
    registers,
    collect() {
      const stats = poolUse();
      this.set({ state: 'max' }, stats.max);
      this.set({ state: 'active' }, stats.inUse);
    },
  });
  new Gauge({
    name: 'rto_db_pool_waiting_requests',
    help: 'Statements and transactions waiting for a database connection, all being busy',
    registers,
    collect() {
      this.set(poolUse().waiting);
    },
  });

  new Gauge({
    name: 'rto_work_queue_jobs',
    help: 'Costly work in this instance by queue (images: upload decoding, ocr: ID-card reading) and status (running, waiting)',
    labelNames: ['queue', 'status'],
    registers,
    collect() {
      for (const [queue, work] of Object.entries(ctx.work)) {
        this.set({ queue, status: 'running' }, work.running);
        this.set({ queue, status: 'waiting' }, work.waiting);
      }
    },
  });

  // Both outbox figures come from one query per scrape: the metrics are collected side by side, so the
  // second finds the first's query still in flight and shares it.
  let outboxRead: Promise<{ n: string; oldest: string | null } | undefined> | undefined;
  const outboxFigures = () =>
    (outboxRead ??= query<{ n: string; oldest: string | null }>(db, sql`select count(*)::text as n, (extract(epoch from (now() - min(created_at))))::text as oldest from outbox where sent_at is null and failed_at is null`)
      .then((rows) => rows[0])
      .finally(() => {
        outboxRead = undefined;
      }));
  new Gauge({
    name: 'rto_outbox_pending_messages',
    help: 'Outbox messages not yet delivered nor given up (due now or later)',
    registers,
    async collect() {
      await fromDatabase(async () => this.set(Number((await outboxFigures())?.n ?? 0)));
    },
  });
  new Gauge({
    name: 'rto_outbox_oldest_pending_age_seconds',
    help: 'Age of the oldest outbox message still pending (0 when none)',
    registers,
    async collect() {
      await fromDatabase(async () => {
        const oldest = (await outboxFigures())?.oldest;
        this.set(oldest ? Math.max(0, Number(oldest)) : 0);
      });
    },
  });
  new Gauge({
    name: 'rto_outbox_failed_messages',
    help: 'Outbox messages given up for good (an SMS that was never sent)',
    registers,
    async collect() {
      await fromDatabase(async () => {
        const [row] = (await query<{ n: string }>(db, sql`select count(*)::text as n from outbox where failed_at is not null and sent_at is null`));
        this.set(Number(row?.n ?? 0));
      });
    },
  });

  new Gauge({
    name: 'rto_applications_open',
    help: 'Open applications (submitted, accepted, returned, approved) by province and state',
    labelNames: ['province', 'state'],
    registers,
    async collect() {
      await fromDatabase(async () => {
        const rows = (await query<{ p: string; s: string; n: string }>(db, sql`select province_code as p, state as s, sum(n)::text as n from application_state_counts where state in ${OPEN_STATES_SQL} group by 1, 2`));
        this.reset();
        for (const row of rows) this.set({ province: row.p, state: row.s }, Number(row.n));
      });
    },
  });
  new Gauge({
    name: 'rto_applications_overdue',
    help: 'Applications past their running deadline (acceptance while submitted, decision while accepted), by province and clock',
    labelNames: ['province', 'clock'],
    registers,
    async collect() {
      await fromDatabase(async () => {
        const today = chinaToday(ctx.now());
        const rows = (await query<{ p: string; s: string; n: string }>(db, sql`
            select province_code as p, state as s, count(*)::text as n from applications
            where state in ${OPEN_STATES_SQL}
              and coalesce(case state when 'submitted' then accept_deadline when 'accepted' then decide_deadline end, '9999-12-31'::date) < ${today}::date
            group by 1, 2`));
        this.reset();
        for (const row of rows) this.set({ province: row.p, clock: row.s === 'submitted' ? 'accept' : 'decide' }, Number(row.n));
      });
    },
  });

  new Counter({
    name: 'rto_verification_checks_total',
    help: 'Voucher and e-certificate checks logged by this instance, by verdict',
    labelNames: ['verdict'],
    registers,
    collect() {
      this.reset();
      for (const [verdict, n] of Object.entries(ctx.verifier.checkLog.verdictCounts())) this.inc({ verdict }, n);
    },
  });

  new Gauge({
    name: 'rto_database_up',
    help: '1 when the database answered this scrape, else 0 (its figures then keep their last values)',
    registers,
    async collect() {
      try {
        await db.execute(sql`select 1`);
        this.set(1);
      } catch {
        this.set(0);
      }
    },
  });
  return registry;
}

export type RequestSeries = (method: string, status: number, route: string) => RequestTally;

/** The request tally of each method, status and route. */
export function requestSeries(registry: Registry): RequestSeries {
  const tallies = requestTallies(registry);
  return (method, status, route) => tallies.of(method, status, route);
}

/** Counts every answered request; the route is the pattern (never the raw URL with its ids and queries). */
export function registerRequestMetrics(app: FastifyInstance, series: RequestSeries): void {
  // A plain (not async) hook: it runs on every request.
  app.addHook('onResponse', (request, reply, done) => {
    series(request.method, reply.statusCode, request.routeOptions.url ?? 'unmatched').record(reply.elapsedTime / 1000);
    done();
  });
}

function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

const unauthorized = () => new AppError(401, 'METRICS_TOKEN_REQUIRED', { zh: '需要有效的监控令牌', en: 'A valid metrics bearer token is required' });

/** `GET /metrics` on the main port, only with `METRICS_TOKEN` set, and only for a request bearing it. */
export function registerMetricsRoute(app: FastifyInstance, registry: Registry, token: string): void {
  app.get('/metrics', { schema: { hide: true } }, async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match || !sameSecret(match[1]!, token)) {
      reply.header('www-authenticate', 'Bearer realm="metrics"');
      throw unauthorized();
    }
    const body = await registry.metrics();
    return reply.header('cache-control', 'no-store').type(registry.contentType).send(body);
  });
}

/** `/metrics` on its own port (METRICS_PORT), for a scraper on an internal network: no token there. */
export async function startMetricsServer(registry: Registry, host: string, port: number): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((request, response) => {
    if (request.method !== 'GET' || (request.url ?? '').split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    registry.metrics().then(
      (body) => response.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' }).end(body),
      () => response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('metrics unavailable\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://${host}:${bound}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

declare module 'fastify' {
  interface FastifyInstance {
    /** This app's Prometheus registry (ops/metrics.ts). */
    metrics: Registry;
  }
}
