import { ConfigError, refuseUnsafeProduction, type Config } from './config.ts';
import { appRoleProblems } from './audit/privileges.ts';
import { buildApp, type App } from './app.ts';
import { openConfiguredDatabase } from './database.ts';
import type { DatabaseHandle } from './db/client.ts';
import { seedDemoData, demoAccountsSummary } from './seed/demo.ts';
import { configuredSecretBox } from './secrets/secretBox.ts';
import { checkDataKeyFingerprint } from './secrets/keyFingerprint.ts';
import { useFieldKeys } from './secrets/fieldCipher.ts';
import { sealPlaintextFromBefore } from './secrets/reseal.ts';
import { createFileStorage, EncryptedFileStorage } from './storage/index.ts';
import { Lifecycle, runShutdown, type ShutdownStep } from './ops/shutdown.ts';
import { startMetricsServer } from './ops/metrics.ts';

type MetricsServer = Awaited<ReturnType<typeof startMetricsServer>>;

export interface RunningServer {
  app: App;
  database: DatabaseHandle;
  url: string;
  /** `/metrics` on METRICS_PORT, when set. */
  metricsUrl: string | undefined;
  /** Draining from the first moment of a stop (readiness answers 503). */
  lifecycle: Lifecycle;
  /** The shutdown sequence (SIGTERM, SIGINT); resolves whether every step went cleanly. Runs once. */
  stop(): Promise<boolean>;
}

/** Opens and migrates the database, seeds demo data (never in production), and listens. */
export async function startServer(config: Config): Promise<RunningServer> {
  // Before anything is opened: a refused start leaves nothing behind.
  refuseUnsafeProduction(config);
  const database = await openConfiguredDatabase(config);
  let app: App | undefined;
  const lifecycle = new Lifecycle();
  let metricsServer: MetricsServer | undefined;
  const secrets = configuredSecretBox(config);
  useFieldKeys(() => secrets.ring());
  try {
    await checkDataKeyFingerprint(database.db, secrets);
    // The server's role must not be able to rewrite the audit trail (checked where it can be: PostgreSQL).
    if (config.env === 'production' && database.kind === 'postgres') {
      const problems = await appRoleProblems(database.db);
      if (problems.length > 0) throw new ConfigError(problems);
    }
    // Rows and files from before personal data was sealed at rest: sealed once, before serving.
    const sealed = await sealPlaintextFromBefore(database.db, secrets, new EncryptedFileStorage(createFileStorage(config.storage), () => secrets.ring()));
    if (sealed) console.error(`Sealed data from before encryption at rest: ${sealed.rows} rows, ${sealed.files.encrypted} files.`);
    if (config.seedDemo) await seedDemoData(database.db, secrets);
    app = await buildApp({ config, db: database.db, secrets, lifecycle, poolStats: database.poolStats });
    await app.listen({ host: config.host, port: config.port });
    if (config.metrics.port) metricsServer = await startMetricsServer(app.metrics, config.metrics.host, config.metrics.port);
    // Stopped by app.close() (onClose), before the database is closed.
    app.outboxWorker.start();
    // Signs the audit chain's head daily; the app's close signs it once more.
    app.auditCheckpoints.start();
  } catch (error) {
    await metricsServer?.close();
    await app?.close();
    await database.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host}:${port}`;
  const started = app;
  let stopping: Promise<boolean> | undefined;
  return {
    app,
    database,
    url,
    lifecycle,
    metricsUrl: metricsServer?.url,
    stop: () => (stopping ??= runShutdown(shutdownSteps(started, database, lifecycle, metricsServer), config.shutdownGraceMs, started.log)),
  };
}

/**
 * The shutdown sequence, in order, sharing SHUTDOWN_GRACE_SECONDS. A capability that must write
 * something on the way out (while the database is still open) adds its step before `database`.
 */
export function shutdownSteps(app: App, database: DatabaseHandle, lifecycle: Lifecycle, metricsServer?: MetricsServer): ShutdownStep[] {
  return [
    // 1. The load balancer stops sending new work here: readiness answers 503 from now on.
    { name: 'readiness', run: async () => lifecycle.drain() },
    // 2. The outbox stops claiming; the delivery in hand gets the grace, then its claim is handed back.
    { name: 'outbox', run: (remainingMs) => app.outboxWorker.stop(remainingMs) },
    // 3. No new connections; in-flight requests (and their image/OCR work) get what is left of the grace,
    //    then their connections are cut, so a stuck upload cannot hold the process.
    { name: 'requests', run: (remainingMs) => closeWithin(app, remainingMs) },
    // 4. The metrics port (scraped until here, so the drain shows).
    { name: 'metrics', run: async () => metricsServer?.close() },
    // 5. Last: the database (PGlite keeps the process alive until closed).
    { name: 'database', run: () => database.close() },
  ];
}

/** Closes `app`, giving in-flight requests `deadlineMs`; then their connections are cut. */
export async function closeWithin(app: Pick<App, 'close' | 'log' | 'server'>, deadlineMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), deadlineMs);
  });
  const closing = app.close();
  // Keep-alive connections whose request finished after the close began would hold it until the deadline.
  const idleSweep = setInterval(() => app.server.closeIdleConnections(), 100);
  try {
    if ((await Promise.race([closing, deadline])) === 'late') {
      app.log.warn({ deadlineMs }, 'shutdown deadline passed: closing the connections still open');
      app.server.closeAllConnections();
      await closing;
    }
  } finally {
    clearTimeout(timer);
    clearInterval(idleSweep);
  }
}

export function startupBanner(server: RunningServer, config: Config): string {
  const lines = [
    '',
    '道路运政一网通办 Road Transport Office is running',
    `  Drivers' app     ${server.url}/`,
    `  Staff console    ${server.url}/staff`,
    `  Voucher check    ${server.url}/v/{token}`,
    `  API              ${server.url}/api/v1`,
    ...(config.apiDocs ? [`  API docs         ${server.url}/api/docs`] : []),
    `  Database         ${server.database.kind === 'pglite' ? `embedded PGlite in ${config.dataDir}/db` : 'PostgreSQL (DATABASE_URL)'}`,
  ];
  if (config.seedDemo) lines.push('', demoAccountsSummary());
  lines.push('', 'Press Ctrl-C to stop.', '');
  return lines.join('\n');
}
