import { randomUUID } from 'node:crypto';
import http from 'node:http';
import fastifyCookie from '@fastify/cookie';
import fastifyMultipart from '@fastify/multipart';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { createAdapters, type Adapters } from './adapters.ts';
import type { Config } from './config.ts';
import type { AppContext } from './context.ts';
import type { Database, PoolStats } from './db/client.ts';
import { useFieldKeys } from './secrets/fieldCipher.ts';
import { configuredSecretBox, type SecretBox } from './secrets/secretBox.ts';
import { registerErrorHandling } from './http/errorHandling.ts';
import { registerWebApps } from './http/webApps.ts';
import { registerSecurityHeaders, securityHeaderSets } from './http/securityHeaders.ts';
import { registerCompression } from './http/compression.ts';
import { registerTextInputGuard } from './http/textInput.ts';
import { WorkQueue } from './http/workQueue.ts';
import { OutageLog } from './http/outage.ts';
import { readinessRoutes } from './http/readiness.ts';
import { Lifecycle } from './ops/shutdown.ts';
import { createMetrics, registerMetricsRoute, registerRequestMetrics, requestSeries } from './ops/metrics.ts';
import { authRoutes } from './auth/routes.ts';
import { accountSecurityRoutes } from './auth/accountSecurity.ts';
import { wechatRoutes } from './wechat/routes.ts';
import { identityRoutes } from './identity/routes.ts';
import { realNameReviewRoutes } from './identity/reviewRoutes.ts';
import { certificateRoutes } from './certificates/routes.ts';
import { applicationRoutes } from './applications/routes.ts';
import { catalogRoutes } from './catalog/routes.ts';
import { referenceRoutes } from './reference/routes.ts';
import { verifyRoutes, wellKnownRoutes } from './verify/routes.ts';
import { Verifier } from './verify/verify.ts';
import { verifyLane, type Lane } from './verify/lane.ts';
import { Publication } from './verify/publication.ts';
import { voucherRevocationRoutes } from './vouchers/revoke.ts';
import { voucherRoutes } from './vouchers/routes.ts';
import { staffRoutes } from './staff/routes.ts';
import { outboxRoutes, registerOutboxWorker } from './outbox/routes.ts';
import { registerAuditCheckpoints } from './audit/chain.ts';
import { accountRoutes } from './account/routes.ts';
import { adminRoutes } from './admin/routes.ts';
import { verificationRequestRoutes } from './staff/verificationRequestsRoutes.ts';
import { exchangeRoutes } from './exchange/routes.ts';
import { registryAdminRoutes } from './registry/adminRoutes.ts';
import { applyOperationDescriptions } from './http/operationDocs.ts';

export type App = FastifyInstance;

declare module 'fastify' {
  interface FastifyInstance {
    /** The public verifier (cached state, batched check log). */
    verifier: Verifier;
  }
}

export interface BuildAppOptions {
  config: Config;
  db: Database;
  now?: () => Date;
  /** Replacements for outside-world adapters (tests). */
  adapters?: Partial<Adapters>;
  /** The data key's box (default: from the configuration). */
  secrets?: SecretBox;
  /** Where logs go (default: standard output); tests read them. */
  logStream?: NodeJS.WritableStream;
  /** Where the built web apps live; tests of the API alone may point elsewhere. */
  webDistDir?: string;
  /** The database pool's figures for the metrics (PostgreSQL). */
  poolStats?: (() => PoolStats) | undefined;
  /** Draining state shared with the shutdown sequence (readiness answers 503 while draining). */
  lifecycle?: Lifecycle;
}

/**
 * Per instance: two decodes at a time (a 24 MP photo holds ~100 MB while decoded) and one OCR (the
 * engine uses both cores for ~1 s). A short wait is fine; beyond it a clear 503 beats slowing everyone.
 */
function createWorkQueues(): AppContext['work'] {
  return {
    images: new WorkQueue({
      name: 'images',
      concurrency: 2,
      maxWaiting: 8,
      retryAfterSeconds: 5,
      busyMessage: { zh: '当前上传人数较多，请稍后重新上传', en: 'Many uploads are being processed; upload again in a moment' },
    }),
    ocr: new WorkQueue({
      name: 'ocr',
      concurrency: 1,
      maxWaiting: 4,
      retryAfterSeconds: 10,
      busyMessage: { zh: '当前识别人数较多，请稍后再试，或直接手动填写', en: 'Many cards are being read; try again in a moment, or type the details yourself' },
    }),
  };
}

export const appVersion = process.env.npm_package_version ?? '0.1.0';

/** Request logs carry the route pattern, never the raw URL, so phone numbers in queries stay out of logs. */
const loggerOptions = (config: Config) => ({
  level: config.env === 'test' ? 'silent' : config.logLevel,
  redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'], remove: true },
  serializers: {
    req: (request: { method: string; routeOptions?: { url?: string }; id: string; ip: string }) => ({
      method: request.method,
      route: request.routeOptions?.url ?? 'unmatched',
      id: request.id,
    }),
  },
});

export async function buildApp(options: BuildAppOptions): Promise<App> {
  const { config } = options;
  // Known verification answers are given before the framework (verify/lane.ts); set once the verifier exists.
  let lane: Lane = (request, response, handler) => handler(request, response);
  // One trust for the client address, given to the framework and the lane alike.
  const trustProxy = config.trustProxy ? () => true : () => false;
  const app = Fastify({
    logger: { ...loggerOptions(config), ...(options.logStream ? { stream: options.logStream } : {}) },
    genReqId: () => randomUUID(),
    trustProxy,
    bodyLimit: 1024 * 1024,
    serverFactory: (handler, serverOptions) => {
      const server = http.createServer((request, response) => lane(request, response, handler));
      // What Fastify sets on the server it makes itself (its options, with its defaults filled in).
      const timeouts = serverOptions as { keepAliveTimeout?: number; requestTimeout?: number; connectionTimeout?: number };
      server.keepAliveTimeout = timeouts.keepAliveTimeout ?? 72_000;
      server.requestTimeout = timeouts.requestTimeout ?? 0;
      server.setTimeout(timeouts.connectionTimeout ?? 0);
      return server;
    },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  const outage = new OutageLog(app.log);
  registerErrorHandling(app, outage);
  // First, so every response (errors and 404s included) carries the headers.
  await registerSecurityHeaders(app, config);
  registerTextInputGuard(app);
  // Before any route and before the static assets (whose precompressed files it leaves alone).
  await registerCompression(app);

  const lifecycle = options.lifecycle ?? new Lifecycle();
  app.decorate('lifecycle', lifecycle);
  // Closing (a stop began another way than the shutdown sequence): readiness answers 503 as well.
  app.addHook('preClose', async () => lifecycle.drain());
  const adapters = createAdapters(config, app.log, options.adapters);
  const work = createWorkQueues();
  const secrets = options.secrets ?? configuredSecretBox(config);
  // Personal data in the database is sealed under the same keys as the secrets.
  useFieldKeys(() => secrets.ring());
  const verifier = new Verifier(options.db, { maxStatusAgeMs: config.verifyStatusMaxAgeMs, logger: app.log });
  const publication = new Publication(options.db, secrets, verifier.state);
  // Reachable from outside the routes: metrics count its verdicts, tests flush its check log.
  app.decorate('verifier', verifier);
  const ctx: AppContext = { config, db: options.db, logger: app.log, now: options.now ?? (() => new Date()), secrets, work, verifier, publication, ...adapters };
  const metrics = createMetrics({ ctx, pool: options.poolStats });
  app.decorate('metrics', metrics);
  const series = requestSeries(metrics);
  registerRequestMetrics(app, series);
  lane = verifyLane({
    verifier,
    rateLimiter: adapters.rateLimiter,
    securityHeaders: securityHeaderSets(config).answer,
    series,
    now: ctx.now,
    trustProxy,
    stopping: () => lifecycle.draining,
    logger: app.log,
  });
  app.addHook('onClose', async () => {
    // In-flight decoding and OCR get the shutdown grace, then the process goes on closing.
    const finished = await Promise.all([work.images.close(config.shutdownGraceMs), work.ocr.close(config.shutdownGraceMs)]);
    if (finished.includes(false)) app.log.warn('shutdown grace passed with image or OCR work still running');
    await adapters.rateLimiter.close?.();
    await adapters.idCardReader.close?.();
    // Checks logged in memory are written before the database closes (start.ts closes it after the app).
    await verifier.close();
  });

  await app.register(fastifyCookie);
  await app.register(fastifyMultipart, { limits: { fileSize: 10 * 1024 * 1024, files: 1 } });
  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Road Transport Office API',
        description: '道路运政一网通办 — drivers, provincial back office and public voucher verification',
        version: appVersion,
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          cookie: { type: 'apiKey', in: 'cookie', name: 'rto_session' },
          staffCookie: { type: 'apiKey', in: 'cookie', name: 'rto_staff_session' },
        },
      },
    },
    transform: jsonSchemaTransform,
  });
  applyOperationDescriptions(app);
  // The docs page lists every route: off in production unless API_DOCS=1.
  if (config.apiDocs) await app.register(fastifySwaggerUi, { routePrefix: '/api/docs' });

  await app.register(
    async (api) => {
      await referenceRoutes(api, ctx);
      await readinessRoutes(api, ctx, outage, lifecycle);
      await catalogRoutes(api, ctx);
      await applicationRoutes(api, ctx);
      await authRoutes(api, ctx);
      await wechatRoutes(api, ctx);
      await accountSecurityRoutes(api, ctx);
      await identityRoutes(api, ctx);
      await certificateRoutes(api, ctx);
      await voucherRoutes(api, ctx);
      await voucherRevocationRoutes(api, ctx);
      await verifyRoutes(api, ctx);
      await staffRoutes(api, ctx);
      await outboxRoutes(api, ctx);
      await adminRoutes(api, ctx);
      await verificationRequestRoutes(api, ctx);
      await realNameReviewRoutes(api, ctx);
      await registryAdminRoutes(api, ctx);
      await accountRoutes(api, ctx);
    },
    { prefix: '/api/v1' },
  );
  await app.register(async (exchange) => exchangeRoutes(exchange, ctx), { prefix: '/api/exchange/v1' });
  await wellKnownRoutes(app, ctx);
  // Prometheus on the main port only behind METRICS_TOKEN (METRICS_PORT serves it apart: start.ts).
  if (config.metrics.token) registerMetricsRoute(app, metrics, config.metrics.token);
  registerOutboxWorker(app, ctx);
  registerAuditCheckpoints(app, { db: ctx.db, secrets: ctx.secrets, now: ctx.now });

  await registerWebApps(app, options.webDistDir);
  return app;
}
