/**
 * Staff work-queue benchmark: fills a database with many applications (200 000 by default, 1 000 000
 * and 10 000 000 for the province and national sizes) and times the queue through the API, as the staff
 * console calls it over HTTP: the first page, every filter, search by reference and by ID-number tail,
 * paging deep with the cursor, and the national view of a system administrator.
 *
 *   rto bench --only queue [--applications N] [--keep]
 *
 * With DATABASE_URL (PostgreSQL) the bench fills a database of its own on that server,
 * `rto_queue_bench_<N>`, dropped after the run unless `--keep`; a kept database filled with the same
 * number of applications is used again as it is, so a 10 000 000-row fill is paid once. Without it,
 * an in-memory PGlite.
 *
 * The fill is the database's own work (generate_series in batches), with the tables' secondary
 * indexes dropped and built again after the load, and the per-row triggers and foreign-key checks
 * off while loading (`session_replication_role = replica`); the kept state counts are recounted after.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { buildApp } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { openDatabase, type DatabaseHandle } from '../../server/db/client.ts';
import { queryRows } from '../../server/db/rows.ts';
import { DEMO_PASSWORD, DEMO_TOTP_SECRET, seedDemoData } from '../../server/seed/demo.ts';
import { dataKeyFrom } from '../../server/secrets/sealedBox.ts';
import { secretBox } from '../../server/secrets/secretBox.ts';
import { sealField, useFieldKeys } from '../../server/secrets/fieldCipher.ts';
import { blindIndex } from '../../server/secrets/blindIndex.ts';
import { certificatesOfHolder } from '../../server/registry/certificates.ts';
import { totpCodeAt } from '../../server/staff/totp.ts';

export interface QueueTiming {
  name: string;
  rounds: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  rows: number;
}

export interface QueueBenchResult {
  count: number;
  database: 'pglite' | 'postgres';
  /** Null when a kept database was used as it was. */
  fillMs: number | null;
  timings: QueueTiming[];
}

/**
 * The bench's data key. Derived from a fixed label, so a kept bench database can be opened again by the
 * next run: it seals synthetic data only, in a database the bench made for itself.
 */
const BENCH_KEY = dataKeyFrom(createHash('sha256').update('rto queue bench: synthetic data only').digest());

/**
 * One application in ten is open work — still far more than a province has open at once (open work is
 * bounded by a few working days of intake); the rest is history: completed, withdrawn, declined, rejected.
 */
const STATES = ['submitted', 'accepted', 'returned', 'approved', ...Array<string>(30).fill('completed'), 'withdrawn', 'withdrawn', 'declined', 'declined', 'rejected', 'rejected'];
const BUSINESSES = ['credit_assessment', 'renewal', 'replacement', 'change', 'cancellation'];
const PROVINCES = ['11', '31', '44', '32', '51'];
/** Issuing authorities per province: the province's own (`XX0000`, seeded) and four city offices. */
const AUTHORITY_SUFFIXES = ['0000', '0100', '0200', '0300', '0400'];
/** Distinct ID-number tails among the drivers (the search by 尾号 finds a few hundred drivers at 10 M). */
const TAILS = 10_000;
const BATCH = 500_000;

const arrayLiteral = (values: readonly string[]) => `(array[${values.map((value) => `'${value}'`).join(',')}])`;
const literalArray = (values: readonly string[]) => sql.raw(arrayLiteral(values));
/** Ids made from the row number (kind 1: drivers, 2: certificates), so the applications need no join to find theirs. */
const benchId = (kind: number, g: ReturnType<typeof sql.raw>) => sql`('0000000${sql.raw(String(kind))}-0000-4000-8000-' || lpad(to_hex(${g}), 12, '0'))::uuid`;
/** References in the real format (XX-YYMMDD-7 unambiguous characters): hex digits of the row number, mapped. */
const benchReferenceSql = sql.raw(`'BN-261126-' || translate(lpad(to_hex(g), 7, '0'), '0123456789abcdef', '34679ACDEFGHJKMN')`);

interface BenchDatabase {
  handle: DatabaseHandle;
  /** Whether it already holds a fill of this size. */
  filled: boolean;
  /** Drops the bench's own database (PostgreSQL) unless it is kept. */
  release(): Promise<void>;
}

async function benchDatabase(count: number, keep: boolean): Promise<BenchDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const handle = await openDatabase({});
    return { handle, filled: false, release: () => handle.close() };
  }
  const name = `rto_queue_bench_${count}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  const [exists] = await admin`select 1 from pg_database where datname = ${name}`;
  if (!exists) await admin.unsafe(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const handle = await openDatabase({ databaseUrl: url.toString() });
  let filled = false;
  if (exists) {
    const marker = await queryRows<{ n: string }>(handle.db, sql`select n::text from queue_bench_fill where n = ${count}`).catch(() => []);
    filled = marker.length > 0;
    if (!filled) {
      // A fill that did not finish, or another size: start again on an empty database.
      await handle.close();
      await admin.unsafe(`drop database ${name}`);
      await admin.unsafe(`create database ${name}`);
      await admin.end();
      return benchDatabase(count, keep);
    }
  }
  return {
    handle,
    filled,
    release: async () => {
      await handle.close();
      if (!keep) await admin.unsafe(`drop database if exists ${name}`);
      await admin.end();
    },
  };
}

/** The secondary indexes of the filled tables, as `create index` statements, to drop before the load and build after. */
async function secondaryIndexes(database: DatabaseHandle): Promise<{ name: string; definition: string }[]> {
  return queryRows<{ name: string; definition: string }>(
    database.db,
    sql`select c.relname as name, pg_get_indexdef(i.indexrelid) as definition
        from pg_index i join pg_class c on c.oid = i.indexrelid join pg_class t on t.oid = i.indrelid
        where t.relname in ('users', 'certificates', 'applications') and t.relnamespace = 'public'::regnamespace
          and not exists (select 1 from pg_constraint k where k.conindid = i.indexrelid)`,
  );
}

/** Runs `statement` over 1..total in batches, each in a transaction with triggers and foreign-key checks off. */
async function inBatches(database: DatabaseHandle, total: number, statement: (lo: number, hi: number) => ReturnType<typeof sql>, progress: (done: number) => void) {
  for (let lo = 1; lo <= total; lo += BATCH) {
    const hi = Math.min(total, lo + BATCH - 1);
    await database.db.transaction(async (tx) => {
      await tx.execute(sql`set local session_replication_role = replica`);
      await tx.execute(statement(lo, hi));
    });
    progress(hi);
  }
}

/** The kept state counts after a load with triggers off, as the migration that introduced them counted them. */
export async function recountStateCounts(db: DatabaseHandle['db']): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.execute(sql`delete from application_state_counts`);
    await tx.execute(sql`insert into application_state_counts (province_code, state, slot, n)
                         select province_code, state, (hashtext(id::text) & 7)::smallint, count(*) from applications group by 1, 2, 3`);
  });
}

/** Drivers, their certificates and `count` applications, made by the database itself. */
async function fill(database: DatabaseHandle, count: number, log: (line: string) => void): Promise<void> {
  const drivers = Math.ceil(count / BUSINESSES.length);
  const { db } = database;
  await db.execute(sql`create table if not exists queue_bench_tails (n integer primary key, index text not null)`);
  for (let lo = 0; lo < TAILS; lo += 1000) {
    const rows = Array.from({ length: Math.min(1000, TAILS - lo) }, (_, i) => sql`(${lo + i}::int, ${blindIndex('id_tail', String(lo + i).padStart(4, '0'))}::text)`);
    await db.execute(sql`insert into queue_bench_tails (n, index) values ${sql.join(rows, sql`, `)} on conflict do nothing`);
  }
  const authorities = PROVINCES.flatMap((province) => AUTHORITY_SUFFIXES.slice(1).map((suffix) => sql`(${province + suffix}, ${province}, ${'基准测试分局 ' + suffix}, ${'Bench office ' + suffix})`));
  await db.execute(sql`insert into issuing_authorities (code, province_code, name_zh, name_en) values ${sql.join(authorities, sql`, `)} on conflict do nothing`);

  const indexes = await secondaryIndexes(database);
  for (const index of indexes) await db.execute(sql.raw(`drop index "${index.name}"`));

  // Province and authority of driver / certificate number n.
  const province = (n: string) => sql.raw(`${arrayLiteral(PROVINCES)}[1 + ${n} % ${PROVINCES.length}]`);
  const authority = (n: string) => sql.raw(`${arrayLiteral(PROVINCES)}[1 + ${n} % ${PROVINCES.length}] || ${arrayLiteral(AUTHORITY_SUFFIXES)}[1 + (${n} / ${PROVINCES.length}) % ${AUTHORITY_SUFFIXES.length}]`);
  const g = sql.raw('g');
  const c = sql.raw('c');
  const step = (what: string) => (done: number) => log(`  ${what}: ${done.toLocaleString('en')}`);

  // Verified drivers: name and ID number sealed; phone and ID number found by index (distinct values
  // stand in for the HMACs), the ID tail by its real blind index among TAILS tails.
  await inBatches(
    database,
    drivers,
    (lo, hi) => sql`
      insert into users (id, phone, phone_index, verified_at, id_number, id_number_index, id_tail_index, name, sex, birth_date, address, province_code, created_at)
      select ${benchId(1, g)}, ${sealField('users.phone', '13800000000')}, 'BENCH' || g, now(), ${sealField('users.id_number', '110101198001010011')}, 'BENCH' || g, t.index,
             ${sealField('users.name', '测试')}, 'M', ${sealField('users.birth_date', '1980-01-01')}, ${sealField('users.address', '')}, ${province('g')}, now()
      from generate_series(${lo}::int, ${hi}::int) g join queue_bench_tails t on t.n = g % ${TAILS}`,
    step('drivers'),
  );
  await inBatches(
    database,
    drivers,
    (lo, hi) => sql`
      insert into certificates (id, number, number_index, holder_id_number, holder_id_number_index, holder_name, sex, birth_date, address, issuing_authority_code, province_code)
      select ${benchId(2, g)}, ${sealField('certificates.number', '110101198001010011')}, 'BENCH' || g, ${sealField('certificates.holder_id_number', '110101198001010011')}, 'BENCH' || g,
             ${sealField('certificates.holder_name', '测试')}, 'M', ${sealField('certificates.birth_date', '1980-01-01')}, ${sealField('certificates.address', '')}, ${authority('g')}, ${province('g')}
      from generate_series(${lo}::int, ${hi}::int) g`,
    step('certificates'),
  );
  // One application per certificate and business, so the one-open-application rule holds; states and
  // deadlines spread out.
  await inBatches(
    database,
    count,
    (lo, hi) => sql`
      insert into applications (id, reference, user_id, certificate_id, business, province_code, issuing_authority_code, state,
                                submitted_at, accept_deadline, decide_deadline, created_at, updated_at, personal_info)
      select gen_random_uuid(), ${benchReferenceSql}, ${benchId(1, c)}, ${benchId(2, c)},
             ${literalArray(BUSINESSES)}[1 + (g - 1) / ${drivers}::int], ${province('c')}, ${authority('c')},
             ${literalArray(STATES)}[1 + abs(hashint4(g) % ${STATES.length})],
             now() - (g % 900) * interval '1 hour',
             current_date + ((g % 23) - 12), current_date + ((g % 29) - 10), now() - (g % 900) * interval '1 hour', now(),
             ${sealField('applications.personal_info', JSON.stringify({ name: '测试', phone: '13800000001' }))}
      from generate_series(${lo}::int, ${hi}::int) g, lateral (select 1 + (g - 1) % ${drivers}::int as c) x`,
    step('applications'),
  );

  log(`  building ${indexes.length} indexes…`);
  for (const index of indexes) {
    await db.transaction(async (tx) => {
      if (database.kind === 'postgres') await tx.execute(sql`set local maintenance_work_mem = '512MB'`);
      await tx.execute(sql.raw(index.definition));
    });
  }
  await recountStateCounts(db);
  await db.execute(sql`vacuum analyze users`);
  await db.execute(sql`vacuum analyze certificates`);
  await db.execute(sql`vacuum analyze applications`);
  await db.execute(sql`create table if not exists queue_bench_fill (n integer primary key, filled_at timestamptz not null default now())`);
  await db.execute(sql`insert into queue_bench_fill (n) values (${count})`);
}

/** A demo holder's ID number: the registry lookup finds their certificate among the filled ones. */
const REGISTRY_LOOKUP_ID = '110105198503120012';

const round1 = (ms: number) => Math.round(ms * 10) / 10;

async function time(name: string, rounds: number, run: () => Promise<number>): Promise<QueueTiming> {
  // A few untimed calls first: the first of a kind pays for planning and cold caches.
  for (let i = 0; i < 3; i += 1) await run();
  const durations: number[] = [];
  let rows = 0;
  for (let i = 0; i < rounds; i += 1) {
    const started = performance.now();
    rows = await run();
    durations.push(performance.now() - started);
  }
  return summary(name, durations, rows);
}

function summary(name: string, durations: number[], rows: number): QueueTiming {
  const sorted = [...durations].sort((a, b) => a - b);
  return {
    name,
    rounds: sorted.length,
    p50Ms: round1(sorted[Math.floor(sorted.length / 2)]!),
    p95Ms: round1(sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)]!),
    maxMs: round1(sorted.at(-1)!),
    rows,
  };
}

interface QueuePage {
  items: unknown[];
  nextCursor: string | null;
}

export async function runQueueBench(opts: { count?: number; keep?: boolean; rounds?: number; quiet?: boolean } = {}): Promise<QueueBenchResult> {
  const count = opts.count ?? 200_000;
  const rounds = opts.rounds ?? 40;
  const log = opts.quiet ? () => undefined : (line: string) => console.log(line);
  const bench = await benchDatabase(count, opts.keep ?? false);
  const database = bench.handle;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'rto-queue-bench-'));
  try {
    const secrets = secretBox(BENCH_KEY);
    useFieldKeys(secrets.ring());
    let fillMs: number | null = null;
    // Also on a kept database: a migration since its fill (an index) applies to it first.
    await database.migrate();
    if (bench.filled) {
      log(`Using the kept bench database with ${count.toLocaleString('en')} applications (${database.kind}).`);
    } else {
      await seedDemoData(database.db, secrets);
      log(`Filling ${count.toLocaleString('en')} applications (${database.kind})…`);
      const started = performance.now();
      await fill(database, count, log);
      fillMs = Math.round(performance.now() - started);
      log(`filled in ${(fillMs / 1000).toFixed(1)} s`);
    }

    // What the searches look for: an open Beijing application, by its reference and by its driver's ID tail.
    const [target] = await queryRows<{ reference: string; user_id: string }>(
      database.db,
      sql`select reference, user_id from applications where province_code = '11' and state = 'submitted' and reference like 'BN-%' limit 1`,
    );
    if (!target) throw new Error('the fill made no open Beijing application');
    const tail = String(parseInt(target.user_id.slice(-12), 16) % TAILS).padStart(4, '0');

    const config = loadConfig({ NODE_ENV: 'development', LOG_LEVEL: 'warn', SEED_DEMO: '0', DATA_DIR: dataDir });
    const app = await buildApp({ config, db: database.db, secrets, webDistDir: '/nonexistent', poolStats: database.poolStats });
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const login = async (username: string) => {
        const response = await fetch(`${base}/api/v1/staff/sessions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username, password: DEMO_PASSWORD, totp: totpCodeAt(DEMO_TOTP_SECRET, new Date()) }),
        });
        if (response.status !== 201) throw new Error(`staff login ${username} answered ${response.status}: ${await response.text()}`);
        return `Bearer ${((await response.json()) as { token: string }).token}`;
      };
      // A kept database remembers the last code each account used: a run soon after another may use it again.
      await database.db.execute(sql`update staff set totp_last_counter = null, failed_logins = 0, locked_until = null where username in ('bj-handler', 'sys-admin')`);
      const handler = await login('bj-handler');
      const national = await login('sys-admin');
      const queue = async (authorization: string, query: Record<string, string>): Promise<QueuePage> => {
        const response = await fetch(`${base}/api/v1/staff/applications?${new URLSearchParams({ limit: '20', ...query }).toString()}`, { headers: { authorization } });
        const text = await response.text();
        if (response.status !== 200) throw new Error(`queue ${JSON.stringify(query)} answered ${response.status}: ${text}`);
        return JSON.parse(text) as QueuePage;
      };
      const kind = (name: string, query: Record<string, string>, who = handler) => time(name, rounds, async () => (await queue(who, query)).items.length);

      const timings: QueueTiming[] = [
        await kind('first page (open work, by deadline, with tab counts)', {}),
        await kind('state = submitted', { state: 'submitted' }),
        await kind('state = accepted', { state: 'accepted' }),
        await kind('state = returned', { state: 'returned' }),
        await kind('state = approved', { state: 'approved' }),
        await kind('state = completed (history)', { state: 'completed' }),
        await kind('business = renewal', { business: 'renewal' }),
        await kind('authority = 110200', { authority: '110200' }),
        await kind('due = overdue', { due: 'overdue' }),
        await kind('due = today', { due: 'today' }),
        await kind('due = week', { due: 'week' }),
        await kind('accepted + overdue + renewal', { state: 'accepted', due: 'overdue', business: 'renewal' }),
        await kind('search by reference', { q: target.reference }),
        await kind('search by ID-number tail', { q: tail }),
        await kind('national: first page', {}, national),
        await kind('national: state = accepted', { state: 'accepted' }, national),
        await kind('national: due = overdue', { due: 'overdue' }, national),
        await kind('national: business = change', { business: 'change' }, national),
        await kind('national: search by ID-number tail', { q: tail }, national),
      ];
      // Deep paging: every page from the 2nd to the 51st timed on its own.
      {
        let cursor = (await queue(handler, {})).nextCursor;
        const durations: number[] = [];
        let rows = 0;
        for (let page = 0; page < 50 && cursor; page += 1) {
          const started = performance.now();
          const result = await queue(handler, { cursor });
          durations.push(performance.now() - started);
          rows += result.items.length;
          cursor = result.nextCursor;
        }
        timings.push(summary('next pages with the cursor, 2nd to 51st', durations, rows));
      }
      // The registry found by the holder's ID number (a demo driver's, among the filled certificates), in-process.
      timings.push(await time('registry lookup by ID number (in-process)', rounds, async () => (await certificatesOfHolder(database.db, REGISTRY_LOOKUP_ID)).length));
      if (!opts.quiet) console.table(timings);
      return { count, database: database.kind, fillMs, timings };
    } finally {
      await app.close();
    }
  } finally {
    await bench.release();
    await rm(dataDir, { recursive: true, force: true });
  }
}
