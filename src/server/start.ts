import { ConfigError, refuseUnsafeProduction, type Config } from './config.ts';
import { appRoleProblems } from './audit/privileges.ts';
import { buildApp, SHUTDOWN_DEADLINE_MS, type App } from './app.ts';
import { openConfiguredDatabase } from './database.ts';
import type { DatabaseHandle } from './db/client.ts';
import { seedDemoData, demoAccountsSummary } from './seed/demo.ts';
import { configuredSecretBox } from './secrets/secretBox.ts';
import { checkDataKeyFingerprint } from './secrets/keyFingerprint.ts';
import { useFieldKeys } from './secrets/fieldCipher.ts';
import { sealPlaintextFromBefore } from './secrets/reseal.ts';
import { createFileStorage, EncryptedFileStorage } from './storage/index.ts';

export interface RunningServer {
  app: App;
  database: DatabaseHandle;
  url: string;
  stop(): Promise<void>;
}

/** Opens and migrates the database, seeds demo data (never in production), and listens. */
export async function startServer(config: Config): Promise<RunningServer> {
  // Before anything is opened: a refused start leaves nothing behind.
  refuseUnsafeProduction(config);
  const database = await openConfiguredDatabase(config);
  let app: App | undefined;
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
    app = await buildApp({ config, db: database.db, secrets });
    await app.listen({ host: config.host, port: config.port });
    // Stopped by app.close() (onClose), before the database is closed.
    app.outboxWorker.start();
    // Signs the audit chain's head daily; the app's close signs it once more.
    app.auditCheckpoints.start();
  } catch (error) {
    await app?.close();
    await database.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host}:${port}`;
  let stopping: Promise<void> | undefined;
  const running: RunningServer = {
    app,
    database,
    url,
    // In-flight requests get SHUTDOWN_DEADLINE_MS to finish; then their connections are cut, so a stuck
    // upload or OCR cannot hold the process. The database closes last.
    stop: () => (stopping ??= closeWithin(app!, SHUTDOWN_DEADLINE_MS).finally(() => database.close())),
  };
  return running;
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
