import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from '../server/config.ts';
import type { DatabaseHandle } from '../server/db/client.ts';

// Commands import the server lazily so `--help` and light commands start fast.
const server = () => import('../server/start.ts');
const database = () => import('../server/database.ts');

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface Command {
  summary: string;
  usage: string;
  options?: Record<string, { type: 'boolean' | 'string'; description: string }>;
  run(values: Record<string, string | boolean | undefined>, positionals: string[]): Promise<number>;
}

const environmentHelp = `Settings come from the environment: PORT, HOST, DATA_DIR, DATABASE_URL, REDIS_URL, SMS_PROVIDER,
S3_*, PUBLIC_BASE_URL, LOG_LEVEL, NODE_ENV, RTO_DATA_KEY, SHUTDOWN_GRACE_SECONDS, METRICS_TOKEN,
METRICS_PORT (see README.md).`;

const commands: Record<string, Command> = {
  serve: {
    summary: 'Serve the API, the drivers\' app, the staff console and the verifier',
    usage: 'rto serve [--build-if-missing]',
    options: { 'build-if-missing': { type: 'boolean', description: 'build the web apps first when dist/web is missing' } },
    async run(values) {
      const config = readConfig();
      const { webAppsBuilt } = await import('../server/http/webApps.ts');
      if (values['build-if-missing'] && !webAppsBuilt()) {
        console.log('Building the web apps (first start only)…');
        const build = spawnSync('npx', ['vite', 'build', '--config', 'vite.config.ts', '--logLevel', 'warn'], { cwd: projectRoot, stdio: 'inherit' });
        if (build.status !== 0) {
          console.error('The web build failed; see the messages above.');
          return 1;
        }
      }
      const { startServer, startupBanner } = await server();
      const running = await startServer(config);
      console.log(startupBanner(running, config));
      // SIGTERM (systemd, an orchestrator) or Ctrl-C: the shutdown sequence in start.ts, then exit 0 —
      // a clean stop even when the grace ran out and connections were cut (the log says so).
      const stop = async (signal: string) => {
        running.app.log.info({ signal, graceMs: config.shutdownGraceMs }, 'shutting down');
        await running.stop();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop('SIGINT'));
      process.once('SIGTERM', () => void stop('SIGTERM'));
      return -1; // keep running
    },
  },
  migrate: {
    summary: 'Create or upgrade the database schema',
    usage: 'rto migrate',
    async run() {
      await withDatabase(readConfig(), async () => {});
      console.log('Database is up to date.');
      return 0;
    },
  },
  seed: {
    summary: 'Load the demo data (idempotent; refused when NODE_ENV=production)',
    usage: 'rto seed',
    async run() {
      const config = readConfig();
      if (config.env === 'production') {
        console.error('Demo data is never loaded in production (NODE_ENV=production).');
        return 1;
      }
      const { seedDemoData } = await import('../server/seed/demo.ts');
      const { configuredSecretBox } = await import('../server/secrets/secretBox.ts');
      const result = await withDatabase(config, (db) => seedDemoData(db, configuredSecretBox(config)));
      console.log(result.created ? 'Demo data loaded.' : 'Demo data was already loaded; nothing changed.');
      return 0;
    },
  },
  bench: {
    summary: 'Benchmarks: offline ID-card OCR (accuracy and time per image), voucher signing/rendering, the staff queue at scale, image intake, registry import, verification throughput, the drivers\' app on a mid-range phone',
    usage: 'rto bench [--only ocr|voucher|queue|intake|registry|verify|web] [--count N] [--applications N] [--keep] [--rows N] [--vouchers N] [--seconds S] [--connections C] [--rounds R]',
    options: {
      only: { type: 'string', description: 'run one benchmark: ocr, voucher, queue, intake, registry, verify or web' },
      rows: { type: 'string', description: 'rows of the registry-import benchmark (default 1000000)' },
      vouchers: { type: 'string', description: 'vouchers in the database for the verify benchmark (default 100000; 1000000 for the full size)' },
      seconds: { type: 'string', description: 'seconds of load per target in the verify benchmark (default 10)' },
      connections: { type: 'string', description: 'concurrent connections in the verify benchmark (default 50)' },
      rounds: { type: 'string', description: 'rounds the verify benchmark splits its seconds into, bare then verify in each (default 5)' },
      count: { type: 'string', description: 'generated ID-card photos per condition in the OCR benchmark (default 4; 15 conditions); cold loads per page in the web benchmark (default 3)' },
      applications: { type: 'string', description: 'applications in the queue benchmark (default 200000; 1000000 and 10000000 for the province and national sizes)' },
      keep: { type: 'boolean', description: 'queue benchmark on PostgreSQL: keep its filled database (rto_queue_bench_N) and use it again next time' },
    },
    async run(values) {
      const only = values.only as string | undefined;
      if (only !== undefined && !['ocr', 'voucher', 'queue', 'intake', 'registry', 'verify', 'web'].includes(only)) {
        console.error('--only takes ocr, voucher, queue, intake, registry, verify or web');
        return 2;
      }
      const count = values.count === undefined ? 4 : Number(values.count);
      const applications = values.applications === undefined ? 200_000 : Number(values.applications);
      if (!Number.isInteger(count) || count < 1 || !Number.isInteger(applications) || applications < 1) {
        console.error('--count and --applications take a whole number');
        return 2;
      }
      if (only === undefined || only === 'ocr') {
        console.log('== Offline ID-card OCR (targets: ID number right ≥ 99 %, name ≥ 98 %, wrong reads 0, p95 < 1.5 s per 12 MP photo)');
        const { runOcrBench } = await import('./bench/ocrBench.ts');
        await runOcrBench({ perCondition: count });
      }
      if (only === undefined || only === 'voucher') {
        console.log('\n== Voucher signing and rendering');
        const { runVoucherBench } = await import('./bench/voucherBench.ts');
        await runVoucherBench();
      }
      if (only === undefined || only === 'queue') {
        console.log('\n== Staff work queue (keyset pagination on the running deadline)');
        const { runQueueBench } = await import('./bench/queueBench.ts');
        await runQueueBench({ count: applications, keep: values.keep === true });
      }
      if (only === undefined || only === 'intake') {
        console.log('\n== Image intake (one decode per upload; bounded queue)');
        const { runIntakeBench } = await import('./bench/intakeBench.ts');
        await runIntakeBench({ count: values.count === undefined ? 10 : count });
      }
      if (only === undefined || only === 'registry') {
        const rows = values.rows === undefined ? 1_000_000 : Number(values.rows);
        if (!Number.isInteger(rows) || rows < 1) {
          console.error('--rows takes a whole number');
          return 2;
        }
        console.log('\n== Registry import (target: 1 000 000 rows in under 5 minutes on PostgreSQL)');
        const { runRegistryBench } = await import('./bench/registryBench.ts');
        await runRegistryBench({ rows });
      }
      if (only === undefined || only === 'verify') {
        console.log('\n== Public verification throughput (target: ≥ 80 % of a bare Fastify JSON route on PostgreSQL, ≥ 50 % on PGlite)');
        const { runVerifyBench } = await import('./bench/verifyBench.ts');
        const whole = (v: unknown, fallback: number) => (v === undefined ? fallback : Number(v));
        const load = { vouchers: whole(values.vouchers, 100_000), seconds: whole(values.seconds, 10), connections: whole(values.connections, 50), rounds: whole(values.rounds, 5) };
        if (Object.values(load).some((n) => !Number.isInteger(n) || n < 1)) {
          console.error('--vouchers, --seconds, --connections and --rounds take a whole number ≥ 1');
          return 2;
        }
        await runVerifyBench(load);
      }
      if (only === undefined || only === 'web') {
        console.log('\n== The drivers\' app on a mid-range phone (targets: home ≤ 90 KB JS, business flow ≤ 160 KB JS, FCP ≤ 1.2 s, load ≤ 2 s)');
        const { runWebBench } = await import('./bench/webBench.ts');
        await runWebBench({ count: values.count === undefined ? 3 : count });
      }
      return 0;
    },
  },
  registry: {
    summary: 'The certificates registry: import a province\'s CSV/XLSX (UTF-8 or GBK), export it, print the template',
    usage: 'rto registry import FILE [--dry-run] [--province 11] [--encoding auto|utf8|gbk] [--report FILE] | rto registry export --province 11 --out FILE | rto registry template',
    options: {
      'dry-run': { type: 'boolean', description: 'check every row and count what would change, write nothing' },
      province: { type: 'string', description: 'two-digit province code: import only its authorities\' rows; the province to export' },
      encoding: { type: 'string', description: 'CSV encoding: auto (default: UTF-8 if it decodes, else GBK), utf8 or gbk' },
      report: { type: 'string', description: 'where refused rows are written (default: FILE.refused.csv beside the file)' },
      out: { type: 'string', description: 'export: the file to write (.csv or .xlsx)' },
      english: { type: 'boolean', description: 'template: English column names' },
    },
    async run(values, positionals) {
      const { runRegistryCommand } = await import('./registry.ts');
      const config = readConfig();
      return runRegistryCommand(values, positionals, (work) => withDatabase(config, work));
    },
  },
  exchange: {
    summary: 'Partners of the exchange with the ministerial system: add (prints the API key once), list, revoke',
    usage: 'rto exchange partners add NAME --provinces 11,31 | rto exchange partners list | rto exchange partners revoke NAME_OR_ID',
    options: { provinces: { type: 'string', description: 'comma-separated province codes the partner may see and write' } },
    async run(values, positionals) {
      const { runExchangeCommand } = await import('./exchange.ts');
      const config = readConfig();
      return runExchangeCommand(values, positionals, (work) => withDatabase(config, work));
    },
  },
  backup: {
    summary: 'Back up the database and the stored files into a directory, with SHA-256 checksums',
    usage: 'rto backup --out DIR',
    options: { out: { type: 'string', description: 'an empty (or new) directory for the backup' } },
    async run(values) {
      if (typeof values.out !== 'string' || values.out === '') {
        console.error('Usage: rto backup --out DIR');
        return 2;
      }
      const config = readConfig();
      const { writeBackup } = await import('../server/ops/backup.ts');
      const { createFileStorage } = await import('../server/storage/index.ts');
      const bars = await progressBars();
      try {
        const result = await withDatabaseHandle(config, (handle) =>
          writeBackup({ db: handle.db, kind: handle.kind, storage: createFileStorage(config.storage), outDir: path.resolve(values.out as string), progress: bars.update }),
        );
        bars.stop();
        const rows = Object.values(result.manifest.tables).reduce((a, b) => a + b, 0);
        console.log(`Backup written to ${path.resolve(values.out)}: ${rows} rows in ${Object.keys(result.manifest.tables).length} tables, ${result.files} files (${(result.bytes / 1024 / 1024).toFixed(1)} MB).`);
        if (result.manifest.missingFiles.length) {
          console.error(`${result.manifest.missingFiles.length} stored files were removed by changes after the snapshot and are listed in manifest.json (missingFiles).`);
        }
        console.log('Keep RTO_DATA_KEY apart from the backup: a restore needs it, and the backup never holds it.');
        return 0;
      } catch (error) {
        bars.stop();
        throw error;
      }
    },
  },
  restore: {
    summary: 'Restore a backup into an empty database and file storage, after checking every checksum and the data key',
    usage: 'rto restore DIR',
    async run(_values, positionals) {
      const [dir] = positionals;
      if (!dir) {
        console.error('Usage: rto restore DIR');
        return 2;
      }
      const config = readConfig();
      if (!config.dataKey && config.env !== 'production') {
        const { existsSync } = await import('node:fs');
        const { dataKeyFile } = await import('../server/secrets/secretBox.ts');
        if (!existsSync(dataKeyFile(config.dataDir))) {
          console.error('Set RTO_DATA_KEY to the data key of the system that was backed up: a restore never makes a new key.');
          return 1;
        }
      }
      const { restoreBackup, RestoreRefused } = await import('../server/ops/restore.ts');
      const { createFileStorage } = await import('../server/storage/index.ts');
      const { configuredSecretBox } = await import('../server/secrets/secretBox.ts');
      const bars = await progressBars();
      try {
        const manifest = await withDatabaseHandle(config, (handle) =>
          restoreBackup({ dir: path.resolve(dir), db: handle.db, storage: createFileStorage(config.storage), secrets: configuredSecretBox(config), progress: bars.update }),
        );
        bars.stop();
        const rows = Object.values(manifest.tables).reduce((a, b) => a + b, 0);
        console.log(`Restored the backup of ${manifest.createdAt}: ${rows} rows, ${Object.keys(manifest.checksums).filter((f) => f.startsWith('files/')).length} files, every checksum verified.`);
        return 0;
      } catch (error) {
        bars.stop();
        if (error instanceof RestoreRefused) {
          console.error(error.message);
          return 1;
        }
        throw error;
      }
    },
  },
  keys: {
    summary: 'Manage the SM2 keys that sign vouchers and e-certificates (rotate, list) and the data key sealing data at rest (new-data-key, reseal)',
    usage: 'rto keys rotate | rto keys list | rto keys new-data-key | rto keys reseal',
    async run(_values, positionals) {
      const [action] = positionals;
      if (action === 'new-data-key') {
        const { generateDataKeyBytes } = await import('../server/secrets/sealedBox.ts');
        console.log(generateDataKeyBytes().toString('base64'));
        console.error('A new data key. To rotate: start every instance with RTO_DATA_KEY=<this key> and RTO_DATA_KEY_PREVIOUS=<the old key>, run `rto keys reseal` with the same settings, then drop RTO_DATA_KEY_PREVIOUS.');
        return 0;
      }
      if (action === 'reseal') return resealCommand();
      if (action !== 'rotate' && action !== 'list') {
        console.error('Usage: rto keys rotate | rto keys list | rto keys new-data-key | rto keys reseal');
        return 2;
      }
      const keyStore = await import('../server/vouchers/keyStore.ts');
      const { configuredSecretBox } = await import('../server/secrets/secretBox.ts');
      const config = readConfig();
      await withDatabase(config, async (db) => {
        if (action === 'rotate') {
          const { kid, retired } = await keyStore.rotateSigningKey(db, configuredSecretBox(config), new Date());
          console.log(kid);
          console.error(
            retired.length
              ? `New signing key ${kid} is active; ${retired.join(', ')} retired and still published for verification.`
              : `Signing key ${kid} is active.`,
          );
        } else {
          const keys = await keyStore.publishedKeys(db);
          if (keys.length === 0) console.log('No signing key yet: one is created with the first voucher, or by `rto keys rotate`.');
          for (const key of keys) {
            console.log(`${key.kid}  ${key.alg}  created ${key.createdAt}  ${key.retiredAt ? `retired ${key.retiredAt}` : 'ACTIVE'}`);
          }
        }
      });
      return 0;
    },
  },
  audit: {
    summary: 'Check the audit trail\'s SM3 hash chain and signed checkpoints (verify), or sign its head now (checkpoint)',
    usage: 'rto audit verify [--keys FILE_OR_URL] | rto audit checkpoint',
    options: { keys: { type: 'string', description: 'verify: check the checkpoints against this published key set (rto-keys.json, kept apart) instead of the keys in the database' } },
    async run(values, positionals) {
      const [action] = positionals;
      if (action !== 'verify' && action !== 'checkpoint') {
        console.error('Usage: rto audit verify [--keys FILE_OR_URL] | rto audit checkpoint');
        return 2;
      }
      const chain = await import('../server/audit/chain.ts');
      const config = readConfig();
      return withDatabase(config, async (db) => {
        if (action === 'checkpoint') {
          const { configuredSecretBox } = await import('../server/secrets/secretBox.ts');
          const written = await chain.writeCheckpoint(db, configuredSecretBox(config), 'manual', new Date());
          console.log(written ? `Checkpoint ${written.id}: rows up to ${written.auditId} signed by key ${written.kid}.` : 'The audit log has no chained row yet; nothing to sign.');
          return 0;
        }
        const trusted = typeof values.keys === 'string' ? (await (await import('../server/verify/cli.ts')).loadKeySet(values.keys)).keys : undefined;
        const report = await chain.verifyAuditChain(db, trusted ? { trustedKeys: trusted } : {});
        for (const line of chain.describeChainReport(report)) (report.ok ? console.log : console.error)(line);
        return report.ok ? 0 : 1;
      });
    },
  },
  'faceid-stand-in': {
    summary: 'Run the local Tencent FaceID stand-in (development): real-name checks with the face step, knowing the demo people',
    usage: 'rto faceid-stand-in [--port N]',
    options: { port: { type: 'string', description: 'port on 127.0.0.1 (default 9300)' } },
    async run(values) {
      const port = values.port === undefined ? 9300 : Number(values.port);
      if (!Number.isInteger(port) || port < 1 || port > 65535) {
        console.error('--port takes a port number');
        return 2;
      }
      const { startTencentFaceIdStandIn } = await import('../server/identity/providers/tencentFaceIdStandIn.ts');
      const { demoIdNumber, demoPeople } = await import('../server/seed/demo.ts');
      const credentials = { secretId: 'AKIDlocalstandin', secretKey: 'local-stand-in-secret', ruleId: '1' };
      const standIn = await startTencentFaceIdStandIn({ ...credentials, port, people: demoPeople.map((p) => ({ name: p.name, idNumber: demoIdNumber(p) })) });
      console.log(`Tencent FaceID stand-in on ${standIn.endpoint}. Start the server with:`);
      console.log(
        `  IDENTITY_PROVIDER=tencent TENCENT_FACEID_ENDPOINT=${standIn.endpoint} TENCENT_SECRET_ID=${credentials.secretId} TENCENT_SECRET_KEY=${credentials.secretKey} TENCENT_FACEID_RULE_ID=${credentials.ruleId} npm start`,
      );
      console.log('Its face-check page passes whoever taps 开始验证; Ctrl-C stops it.');
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await standIn.close();
      return 0;
    },
  },
  'wechat-stand-in': {
    summary: 'Run the local WeChat stand-in (development): web authorisation, mini program login and getPhoneNumber, knowing the demo drivers',
    usage: 'rto wechat-stand-in [--port N]',
    options: { port: { type: 'string', description: 'port on 127.0.0.1 (default 9400)' } },
    async run(values) {
      const port = values.port === undefined ? 9400 : Number(values.port);
      if (!Number.isInteger(port) || port < 1 || port > 65535) {
        console.error('--port takes a port number');
        return 2;
      }
      const { startWeChatStandIn } = await import('../server/wechat/standIn.ts');
      const { demoPeople } = await import('../server/seed/demo.ts');
      const web = { appId: 'wx0000000000localweb', secret: 'local-wechat-web-secret' };
      const miniProgram = { appId: 'wx000000000localmini', secret: 'local-wechat-mini-secret' };
      const users = demoPeople
        .filter((p) => p.phone)
        .map((p) => ({ key: p.phone!, nickname: `${p.name.slice(0, 1)}师傅（${p.phone!.slice(-4)}）`, phone: p.phone! }));
      const standIn = await startWeChatStandIn({ web, miniProgram, users, port });
      console.log(`WeChat stand-in on ${standIn.endpoint}. Start the server with:`);
      console.log(
        `  WECHAT_APPID=${web.appId} WECHAT_SECRET=${web.secret} WECHAT_MINI_APPID=${miniProgram.appId} WECHAT_MINI_SECRET=${miniProgram.secret} WECHAT_API_ENDPOINT=${standIn.endpoint} WECHAT_OPEN_ENDPOINT=${standIn.endpoint} npm start`,
      );
      console.log('WeChat login shows in a browser whose user agent contains MicroMessenger (e.g. Chromium’s device toolbar with a custom agent).');
      console.log('Its authorize page lets you pick which demo driver is "signed in to WeChat"; Ctrl-C stops it.');
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await standIn.close();
      return 0;
    },
  },
  verify: {
    summary: 'Verify a voucher or e-certificate QR (picture, token or /v/ URL); exit 0 if valid',
    usage: 'rto verify IMAGE_OR_TOKEN [--keys FILE_OR_URL] [--status FILE_OR_URL] [--offline] [--server URL]',
    options: {
      keys: { type: 'string', description: 'rto-keys.json file or URL: verify the signature locally' },
      status: { type: 'string', description: 'rto-status.json file or URL for the offline check (default: beside a --keys URL)' },
      offline: { type: 'boolean', description: 'no server: needs --keys; the status comes from the status list ("状态截至 …"), without one it is not checked' },
      server: { type: 'string', description: 'server to ask online (default: the URL in the QR, else PUBLIC_BASE_URL)' },
    },
    async run(values, positionals) {
      const [input] = positionals;
      if (!input) {
        console.error('Usage: rto verify IMAGE_OR_TOKEN [--keys FILE_OR_URL] [--status FILE_OR_URL] [--offline] [--server URL]');
        return 2;
      }
      const { runVerifyCommand } = await import('../server/verify/cli.ts');
      const result = await runVerifyCommand({
        input,
        ...(typeof values.keys === 'string' ? { keys: values.keys } : {}),
        ...(typeof values.status === 'string' ? { status: values.status } : {}),
        ...(typeof values.server === 'string' ? { server: values.server } : {}),
        offline: values.offline === true,
      });
      for (const line of result.lines) (result.exitCode === 2 ? console.error : console.log)(line);
      return result.exitCode;
    },
  },
};

function readConfig(): Config {
  return loadConfig(process.env);
}

/** Opens (and migrates) the configured database for one piece of work, and closes it whatever happens. */
/**
 * `rto keys reseal`: everything sealed at rest moved to RTO_DATA_KEY while the system runs, with a
 * progress bar on stderr and the final count on stdout. Safe to interrupt and run again.
 */
async function resealCommand(): Promise<number> {
  const config = readConfig();
  const { configuredSecretBox } = await import('../server/secrets/secretBox.ts');
  const { resealAll } = await import('../server/secrets/reseal.ts');
  const { createFileStorage, EncryptedFileStorage } = await import('../server/storage/index.ts');
  const { default: progress } = await import('cli-progress');
  const secrets = configuredSecretBox(config);
  const ring = secrets.ring();
  console.error(`Resealing under data key ${ring.current.id}${ring.all.length > 1 ? ` (also opening ${ring.all.slice(1).map((key) => key.id).join(', ')})` : ''}…`);
  const bar = new progress.SingleBar(
    { format: '{phase} [{bar}] {percentage}% | {value}/{total}', stream: process.stderr, hideCursor: true, noTTYOutput: true, notTTYSchedule: 2000 },
    progress.Presets.shades_classic,
  );
  let phase: string | undefined;
  const { checkDataKeyFingerprint } = await import('../server/secrets/keyFingerprint.ts');
  const counts = await withDatabase(config, async (db) => {
    // The database must be sealed under one of the keys given, or nothing would open.
    await checkDataKeyFingerprint(db, secrets);
    return resealAll(db, secrets, {
      files: new EncryptedFileStorage(createFileStorage(config.storage), () => ring),
      onProgress: ({ phase: next, done, total }) => {
        const label = next === 'rows' ? 'database rows' : 'stored files';
        if (phase !== label) {
          if (phase) bar.stop();
          phase = label;
          bar.start(total, done, { phase: label.padEnd(13) });
        } else {
          bar.setTotal(total);
          bar.update(done, { phase: label.padEnd(13) });
        }
      },
    });
  }).finally(() => bar.stop());
  console.log(
    `Resealed under data key ${ring.current.id}: ${counts.rows} rows (${counts.values} values), ${counts.secrets} secrets, ` +
      `${counts.files.resealed} files re-sealed, ${counts.files.encrypted} files encrypted, ${counts.files.current} files already current.`,
  );
  if (ring.all.length > 1) console.error('Done: RTO_DATA_KEY_PREVIOUS can now be removed from every instance.');
  return 0;
}

async function withDatabase<T>(config: Config, work: (db: DatabaseHandle['db']) => Promise<T>): Promise<T> {
  const { openConfiguredDatabase } = await database();
  const handle = await openConfiguredDatabase(config);
  const { useFieldKeys } = await import('../server/secrets/fieldCipher.ts');
  const { configuredKeyRing } = await import('../server/secrets/secretBox.ts');
  useFieldKeys(() => configuredKeyRing(config));
  try {
    return await work(handle.db);
  } finally {
    await handle.close();
  }
}

/** Like withDatabase, with the handle (its kind) too. */
async function withDatabaseHandle<T>(config: Config, work: (handle: DatabaseHandle) => Promise<T>): Promise<T> {
  const { openConfiguredDatabase } = await database();
  const handle = await openConfiguredDatabase(config);
  try {
    return await work(handle);
  } finally {
    await handle.close();
  }
}

const PHASES: Record<string, string> = { check: 'checking checksums', database: 'database rows', files: 'stored files' };

/** One progress bar per phase on standard error (nothing when it is not a terminal). */
async function progressBars(): Promise<{ update: (phase: string, done: number, total: number) => void; stop: () => void }> {
  const { default: cliProgress } = await import('cli-progress');
  const multi = new cliProgress.MultiBar(
    { format: ' {phase} |{bar}| {percentage}% {value}/{total}', hideCursor: true, clearOnComplete: false, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  const bars = new Map<string, ReturnType<typeof multi.create>>();
  return {
    update(phase, done, total) {
      let bar = bars.get(phase);
      if (!bar) {
        bar = multi.create(Math.max(total, 1), 0, { phase: (PHASES[phase] ?? phase).padEnd(18) });
        bars.set(phase, bar);
      }
      bar.setTotal(Math.max(total, 1));
      bar.update(total === 0 ? 1 : done, { phase: (PHASES[phase] ?? phase).padEnd(18) });
    },
    stop: () => multi.stop(),
  };
}

function generalHelp(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  return [
    'rto — Road Transport Office (道路运政一网通办)',
    '',
    'Usage: rto <command> [options]',
    '',
    'Commands:',
    ...Object.entries(commands).map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`),
    '',
    'Run `rto <command> --help` for a command\'s options.',
    environmentHelp,
  ].join('\n');
}

function commandHelp(name: string, command: Command): string {
  const options = Object.entries(command.options ?? {}).map(([option, spec]) => `  --${option}${spec.type === 'string' ? ' VALUE' : ''}  ${spec.description}`);
  return [`${command.summary}`, '', `Usage: ${command.usage}`, ...(options.length ? ['', 'Options:', ...options] : []), '', environmentHelp].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(generalHelp());
    return 0;
  }
  const command = commands[name];
  if (!command) {
    console.error(`Unknown command: ${name}\n\n${generalHelp()}`);
    return 2;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: { help: { type: 'boolean', short: 'h' }, ...Object.fromEntries(Object.entries(command.options ?? {}).map(([key, spec]) => [key, { type: spec.type }])) },
      allowPositionals: true,
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${commandHelp(name, command)}`);
    return 2;
  }
  if (parsed.values.help) {
    console.log(commandHelp(name, command));
    return 0;
  }
  try {
    return await command.run(parsed.values as Record<string, string | boolean | undefined>, parsed.positionals);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
}

