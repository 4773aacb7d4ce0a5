/**
 * Verification throughput: the real `GET /api/v1/verify/{token}` against a bare Fastify JSON route,
 * the same load (autocannon, the same connections and duration, a different X-Forwarded-For on every
 * request so the per-IP limit does not answer) on the same machine in the same run; prints both and
 * the ratio. The servers run in a child process, the load generator in this one.
 *
 * A third target tells how much of the gap is the answer itself: the bare route answering the verify
 * answer's very bytes (its body and headers, taken from the real endpoint) with no work at all. The
 * load generator parses every response in JavaScript, and the larger answer costs it — and the
 * kernel — more per request than the bare route's; that share no server can win back, and its ratio
 * is the ceiling for the real endpoint's in the same run.
 *
 * The time is taken in rounds, the three targets in turn in each, and the medians are reported: on a
 * shared machine the speed of all drifts by a third within a minute, and one long run of each
 * compared a fast minute with a slow one.
 *
 * The database holds `vouchers` vouchers (made by the database itself); `distinct` of them carry real
 * signed tokens that the load cycles through, 1 % of those revoked.
 *
 *   rto bench --only verify [--vouchers N] [--seconds S] [--connections C]
 *   (DATABASE_URL: PostgreSQL; otherwise in-memory PGlite)
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { queryRows } from '../../server/db/rows.ts';
import { recountStateCounts } from './queueBench.ts';

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
}

export interface VerifyBenchResult {
  vouchers: number;
  database: string;
  /** Medians over the rounds (req/s, p50, p99); errors and non-2xx summed. */
  bare: LoadResult;
  /** The bare route answering the verify answer's bytes: the ceiling for `verify` (see above). */
  sameBytes: LoadResult;
  verify: LoadResult;
  /** The median of the rounds' ratios verify / bare, in %. */
  ratio: number;
  /** The same for sameBytes / bare. */
  sameBytesRatio: number;
  rounds: { bare: LoadResult; sameBytes: LoadResult; verify: LoadResult; ratio: number; sameBytesRatio: number }[];
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

const medianLoad = (loads: LoadResult[]): LoadResult => ({
  requestsPerSecond: Math.round(median(loads.map((l) => l.requestsPerSecond))),
  p50Ms: median(loads.map((l) => l.p50Ms)),
  p99Ms: median(loads.map((l) => l.p99Ms)),
  errors: loads.reduce((sum, l) => sum + l.errors, 0),
  non2xx: loads.reduce((sum, l) => sum + l.non2xx, 0),
});

interface ChildReady {
  bareUrl: string;
  appUrl: string;
  tokens: string[];
  database: string;
}

// ---------------------------------------------------------------------------------------------------
// The child: database, app and bare route

async function serve(vouchers: number, distinct: number): Promise<void> {
  const { sql } = await import('drizzle-orm');
  const Fastify = (await import('fastify')).default;
  const { buildApp } = await import('../../server/app.ts');
  const { loadConfig } = await import('../../server/config.ts');
  const { openDatabase } = await import('../../server/db/client.ts');
  const { seedDemoData } = await import('../../server/seed/demo.ts');
  const { dataKeyFrom, generateDataKeyBytes } = await import('../../server/secrets/sealedBox.ts');
  const { secretBox } = await import('../../server/secrets/secretBox.ts');
  const { sealField, useFieldKeys } = await import('../../server/secrets/fieldCipher.ts');
  const { blindIndex } = await import('../../server/secrets/blindIndex.ts');
  const { activeSigningKey } = await import('../../server/vouchers/keyStore.ts');
  const { signVoucher } = await import('../../domain/voucherToken.ts');
  const { chinaDate } = await import('../../domain/dates.ts');

  const database = await openDatabase(process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : {});
  await database.migrate();
  const secrets = secretBox(dataKeyFrom(generateDataKeyBytes()));
  // Personal data is sealed under the bench's throwaway key, as a running system seals it.
  useFieldKeys(secrets.ring());
  await seedDemoData(database.db, secrets);
  const key = await activeSigningKey(database.db, secrets);
  // History: completed credit assessments of the demo driver's certificate, one voucher each. Loaded
  // with triggers off (the kept state counts would take each row one by one), then counted again.
  await database.db.transaction(async (tx) => {
    await tx.execute(sql`set local session_replication_role = replica`);
    await tx.execute(sql`
    insert into applications (reference, user_id, certificate_id, business, province_code, issuing_authority_code, state, created_at, updated_at, personal_info)
    select 'VB-' || g, u.id, c.id, 'credit_assessment', c.province_code, c.issuing_authority_code, 'completed', now(), now(), ${sealField('applications.personal_info', '{}')}
    from generate_series(1, ${vouchers}::int) g
    cross join (select id from users where phone_index = ${blindIndex('phone', '13800000001')}) u
    cross join (select c.* from certificates c join users u2 on u2.id_number_index = c.holder_id_number_index where u2.phone_index = ${blindIndex('phone', '13800000001')} limit 1) c`);
  });
  await recountStateCounts(database.db);
  await database.db.execute(sql`
    insert into vouchers (serial, application_id, certificate_id, user_id, rating, cycle_start, cycle_end, issuer_code, kid, token, issued_on, expires_on)
    select 'CXB' || substr(a.reference, 4), a.id, a.certificate_id, a.user_id, 'AA', date '2025-03-01', date '2026-02-28', a.issuing_authority_code,
           ${key.kid}, 'unsigned', current_date, current_date + 365
    from applications a where a.reference like 'VB-%'`);
  const rows = await queryRows<{ serial: string; status_index: number; issuer_code: string }>(
    database.db,
    sql`select serial, status_index, issuer_code from vouchers where serial like 'CXB%' order by serial limit ${distinct}`,
  );
  const today = chinaDate(new Date());
  const tokens: string[] = [];
  for (const row of rows) {
    const token = signVoucher(
      {
        serial: row.serial,
        holder: '王*国',
        idMasked: '1101**********0012',
        rating: 'AA',
        cycleStart: '2025-03-01',
        cycleEnd: '2026-02-28',
        issuer: '北京市交通委员会',
        issuerCode: row.issuer_code,
        issuedAt: today,
        expiresAt: chinaDate(new Date(Date.now() + 365 * 86_400_000)),
        statusIndex: Number(row.status_index),
      },
      key,
    );
    tokens.push(token);
  }
  // Real tokens on record, 1 % of them revoked, in one statement.
  const values = tokens.map((token, i) => sql`(${rows[i]!.serial}::text, ${token}::text, ${i % 100 === 0}::boolean)`);
  for (let i = 0; i < values.length; i += 1000) {
    await database.db.execute(sql`
      update vouchers v set token = t.token, revoked_at = case when t.revoke then now() else null end,
                            revocation_reason = case when t.revoke then '基准测试' else null end
      from (values ${sql.join(values.slice(i, i + 1000), sql`, `)}) as t(serial, token, revoke) where v.serial = t.serial`);
  }
  // Vacuumed as well as analyzed: a fresh bulk load otherwise has the database's autovacuum working
  // through a million rows during the rounds, on the cores the load and both servers share.
  await database.db.execute(sql`vacuum analyze`);

  const config = loadConfig({ NODE_ENV: 'development', LOG_LEVEL: 'warn', TRUST_PROXY: '1', SEED_DEMO: '0', DATA_DIR: process.env.RTO_BENCH_DATA_DIR ?? './data' });
  const app = await buildApp({ config, db: database.db, secrets, webDistDir: '/nonexistent' });
  const bare = Fastify({ logger: false, trustProxy: true });
  bare.get('/bare', async () => ({ ok: true }));
  const appUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  // The answer a check gets, byte for byte (what the server adds to every response left out).
  const sample = await fetch(`${appUrl}/api/v1/verify/${tokens[tokens.length - 1]}`, { headers: { 'x-forwarded-for': '10.254.0.1' } });
  const sameBody = await sample.text();
  const sameHeaders = Object.fromEntries([...sample.headers].filter(([name]) => !['date', 'connection', 'keep-alive', 'content-length'].includes(name)));
  bare.get('/same-bytes/*', (_request, reply) => {
    reply.headers(sameHeaders).send(sameBody);
  });
  const bareUrl = await bare.listen({ host: '127.0.0.1', port: 0 });
  const ready: ChildReady = { bareUrl, appUrl, tokens, database: database.kind };
  process.stdout.write(`${JSON.stringify(ready)}\n`);
  // Until the parent closes stdin.
  process.stdin.resume();
  await once(process.stdin, 'end');
  await bare.close();
  await app.close();
  await database.close();
}

// ---------------------------------------------------------------------------------------------------
// The parent: load

async function load(url: string, paths: string[], seconds: number, connections: number): Promise<LoadResult> {
  const { default: autocannon } = await import('autocannon');
  let n = 0;
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    requests: [
      {
        method: 'GET',
        setupRequest: (request) => {
          n += 1;
          request.path = paths[n % paths.length]!;
          request.headers = { ...request.headers, 'x-forwarded-for': `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}` };
          return request;
        },
      },
    ],
  });
  return {
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

export async function runVerifyBench(
  opts: { vouchers?: number; distinct?: number; seconds?: number; connections?: number; rounds?: number; quiet?: boolean } = {},
): Promise<VerifyBenchResult> {
  const vouchers = Math.max(1, opts.vouchers ?? 100_000);
  const distinct = Math.max(1, Math.min(vouchers, opts.distinct ?? 1000));
  const seconds = Math.max(1, opts.seconds ?? 10);
  const connections = Math.max(1, opts.connections ?? 50);
  // `seconds` of load on each target in all, in rounds of at least 2 s.
  const asked = Number.isFinite(opts.rounds) ? Math.trunc(opts.rounds!) : 5;
  const rounds = Math.max(1, Math.min(asked, Math.floor(seconds / 2)));
  const roundSeconds = Math.max(1, Math.round(seconds / rounds));
  const log = opts.quiet ? () => undefined : console.log;
  const child = spawn(process.execPath, [...(process.env.RTO_BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.RTO_BENCH_PROFILE] : []), '--import', 'tsx', fileURLToPath(import.meta.url)], {
    env: { ...process.env, RTO_VERIFY_BENCH_CHILD: JSON.stringify({ vouchers, distinct }) },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  try {
    log(`Filling ${vouchers.toLocaleString('en')} vouchers (${distinct} with real tokens) and starting the servers…`);
    const lines = createInterface({ input: child.stdout! });
    const first = await new Promise<string>((resolve, reject) => {
      lines.once('line', resolve);
      child.once('exit', (code) => reject(new Error(`the bench server exited (${code}) before it was ready`)));
    });
    const ready = JSON.parse(first) as ChildReady;
    const verifyPaths = ready.tokens.map((token) => `/api/v1/verify/${token}`);
    // Warm-up: every distinct token once (its one signature check and record lookup), so the run
    // measures the steady state a checkpoint sees; then a second of load on each target.
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(connections, 20) }, async () => {
        while (next < verifyPaths.length) {
          const path = verifyPaths[next]!;
          await (await fetch(`${ready.appUrl}${path}`, { headers: { 'x-forwarded-for': `10.255.${(next >> 8) & 255}.${next++ & 255}` } })).arrayBuffer();
        }
      }),
    );
    // The same token paths on the same-bytes route: the request the load generator sends is the same too.
    const sameBytesPaths = ready.tokens.map((token) => `/same-bytes/${token}`);
    await load(ready.appUrl, verifyPaths, 1, connections);
    await load(ready.bareUrl, ['/bare'], 1, connections);
    await load(ready.bareUrl, sameBytesPaths, 1, connections);
    const percentOf = (load: LoadResult, base: LoadResult) => Math.round((load.requestsPerSecond / Math.max(1, base.requestsPerSecond)) * 1000) / 10;
    const measured: VerifyBenchResult['rounds'] = [];
    for (let round = 1; round <= rounds; round++) {
      const bare = await load(ready.bareUrl, ['/bare'], roundSeconds, connections);
      const sameBytes = await load(ready.bareUrl, sameBytesPaths, roundSeconds, connections);
      const verify = await load(ready.appUrl, verifyPaths, roundSeconds, connections);
      const ratio = percentOf(verify, bare);
      const sameBytesRatio = percentOf(sameBytes, bare);
      measured.push({ bare, sameBytes, verify, ratio, sameBytesRatio });
      log(`round ${round}/${rounds}: bare ${bare.requestsPerSecond} req/s, same bytes ${sameBytes.requestsPerSecond} req/s (${sameBytesRatio} %), verify ${verify.requestsPerSecond} req/s (p99 ${verify.p99Ms} ms): ${ratio} %`);
    }
    const bare = medianLoad(measured.map((r) => r.bare));
    const sameBytes = medianLoad(measured.map((r) => r.sameBytes));
    const verify = medianLoad(measured.map((r) => r.verify));
    const ratio = Math.round(median(measured.map((r) => r.ratio)) * 10) / 10;
    const sameBytesRatio = Math.round(median(measured.map((r) => r.sameBytesRatio)) * 10) / 10;
    log(`bare Fastify JSON route   ${bare.requestsPerSecond} req/s  p50 ${bare.p50Ms} ms  p99 ${bare.p99Ms} ms  (medians of ${rounds} rounds of ${roundSeconds} s)`);
    log(`bare route, answer's bytes ${sameBytes.requestsPerSecond} req/s  p50 ${sameBytes.p50Ms} ms  p99 ${sameBytes.p99Ms} ms: ${sameBytesRatio} % — the ceiling for the endpoint in this run`);
    log(`GET /api/v1/verify/{token} ${verify.requestsPerSecond} req/s  p50 ${verify.p50Ms} ms  p99 ${verify.p99Ms} ms, worst round p99 ${Math.max(...measured.map((r) => r.verify.p99Ms))} ms  (errors ${verify.errors}, non-2xx ${verify.non2xx})`);
    log(`ratio ${ratio} % of the bare route, median of the rounds (${ready.database}, ${vouchers.toLocaleString('en')} vouchers, ${connections} connections)`);
    return { vouchers, database: ready.database, bare, sameBytes, verify, ratio, sameBytesRatio, rounds: measured };
  } finally {
    child.stdin!.end();
    if (child.exitCode === null) await once(child, 'exit');
  }
}

if (process.env.RTO_VERIFY_BENCH_CHILD && import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { vouchers, distinct } = JSON.parse(process.env.RTO_VERIFY_BENCH_CHILD) as { vouchers: number; distinct: number };
  await serve(vouchers, distinct);
}
