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
S3_*, PUBLIC_BASE_URL, LOG_LEVEL, NODE_ENV, RTO_DATA_KEY (see README.md).`;

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
      const stop = async (signal: string) => {
        running.app.log.info({ signal }, 'shutting down');
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
    summary: 'Benchmarks: offline ID-card OCR (accuracy and time per image), voucher signing/rendering, the staff queue at scale, image intake, the drivers\' app on a mid-range phone',
    usage: 'rto bench [--only ocr|voucher|queue|intake|web] [--count N] [--applications N]',
    options: {
      only: { type: 'string', description: 'run one benchmark: ocr, voucher, queue, intake or web' },
      count: { type: 'string', description: 'generated ID-card photos per condition in the OCR benchmark (default 4; 15 conditions); cold loads per page in the web benchmark (default 3)' },
      applications: { type: 'string', description: 'applications in the queue benchmark (default 200000; 1000000 for the full size)' },
    },
    async run(values) {
      const only = values.only as string | undefined;
      if (only !== undefined && !['ocr', 'voucher', 'queue', 'intake', 'web'].includes(only)) {
        console.error('--only takes ocr, voucher, queue, intake or web');
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
        await runQueueBench({ count: applications });
      }
      if (only === undefined || only === 'intake') {
        console.log('\n== Image intake (one decode per upload; bounded queue)');
        const { runIntakeBench } = await import('./bench/intakeBench.ts');
        await runIntakeBench({ count: values.count === undefined ? 10 : count });
      }
      if (only === undefined || only === 'web') {
        console.log('\n== The drivers\' app on a mid-range phone (targets: home ≤ 90 KB JS, business flow ≤ 160 KB JS, FCP ≤ 1.2 s, load ≤ 2 s)');
        const { runWebBench } = await import('./bench/webBench.ts');
        await runWebBench({ count: values.count === undefined ? 3 : count });
      }
      return 0;
    },
  },
  keys: {
    summary: 'Manage the SM2 keys that sign vouchers and e-certificates (rotate, list)',
    usage: 'rto keys rotate | rto keys list',
    async run(_values, positionals) {
      const [action] = positionals;
      if (action !== 'rotate' && action !== 'list') {
        console.error('Usage: rto keys rotate | rto keys list');
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
  verify: {
    summary: 'Verify a voucher or e-certificate QR (picture, token or /v/ URL); exit 0 if valid',
    usage: 'rto verify IMAGE_OR_TOKEN [--keys FILE_OR_URL] [--offline] [--server URL]',
    options: {
      keys: { type: 'string', description: 'rto-keys.json file or URL: verify the signature locally (status not checked)' },
      offline: { type: 'boolean', description: 'no server: needs --keys; a good token reads "authentic, status not checked"' },
      server: { type: 'string', description: 'server to ask online (default: the URL in the QR, else PUBLIC_BASE_URL)' },
    },
    async run(values, positionals) {
      const [input] = positionals;
      if (!input) {
        console.error('Usage: rto verify IMAGE_OR_TOKEN [--keys FILE_OR_URL] [--offline] [--server URL]');
        return 2;
      }
      const { runVerifyCommand } = await import('../server/verify/cli.ts');
      const result = await runVerifyCommand({
        input,
        ...(typeof values.keys === 'string' ? { keys: values.keys } : {}),
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
async function withDatabase<T>(config: Config, work: (db: DatabaseHandle['db']) => Promise<T>): Promise<T> {
  const { openConfiguredDatabase } = await database();
  const handle = await openConfiguredDatabase(config);
  try {
    return await work(handle.db);
  } finally {
    await handle.close();
  }
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

