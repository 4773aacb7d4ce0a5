import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import type { OutageLog } from './outage.ts';
import type { Lifecycle } from '../ops/shutdown.ts';

type CheckResult = 'ok' | 'failed' | 'not_configured';

const CHECK_TIMEOUT_MS = 2000;

async function probe(check: () => Promise<unknown>): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS);
      }),
    ]);
    return 'ok';
  } catch {
    return 'failed';
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Liveness stays `/api/v1/health` (the process answers). Readiness, `/api/v1/ready`, asks what a
 * request needs — the database, Redis when configured, file storage — so a load balancer stops
 * sending traffic to an instance that could only answer 503.
 */
export async function readinessRoutes(app: FastifyInstance, ctx: AppContext, outage: OutageLog, lifecycle: Lifecycle): Promise<void> {
  app.get('/ready', { schema: { tags: ['reference'] } }, async (_request, reply) => {
    // Stopping: no new work here, whatever the dependencies say (asked before them, so at once).
    if (lifecycle.draining) {
      throw new AppError(503, 'SHUTTING_DOWN', { zh: '本实例正在停止，请求将由其他实例处理', en: 'This instance is shutting down; other instances take the requests' }, { retryAfterSeconds: 5 });
    }
    const [database, redis, storage] = await Promise.all([
      probe(() => ctx.db.execute(sql`select 1`)),
      ctx.rateLimiter.ping ? probe(() => ctx.rateLimiter.ping!()) : Promise.resolve<CheckResult>('not_configured'),
      probe(() => ctx.storage.exists('readiness-probe')),
    ]);
    const checks = { database, redis, storage };
    if (database === 'ok') outage.recovered();
    if (Object.values(checks).includes('failed')) {
      throw new AppError(503, 'SERVICE_UNAVAILABLE', { zh: '服务暂时不可用，请稍后再试', en: 'The service is temporarily unavailable; try again in a moment' }, { retryAfterSeconds: 10, checks });
    }
    return reply.header('cache-control', 'no-store').send({ status: 'ready', checks });
  });
}
