/**
 * Staff work-queue benchmark: fills a database with many applications (a million by default) and times
 * the queue a Beijing handler opens — first page, filters, search, and paging deep with the cursor —
 * so keyset pagination and its indexes are measured at the size the province systems reach.
 *
 *   rto bench --only queue [--count N]      (DATABASE_URL: PostgreSQL; otherwise in-memory PGlite)
 */
import { sql } from 'drizzle-orm';
import pino from 'pino';
import type { AppContext } from '../../server/context.ts';
import { openDatabase, type DatabaseHandle } from '../../server/db/client.ts';
import { seedDemoData } from '../../server/seed/demo.ts';
import { dataKeyFrom, generateDataKeyBytes } from '../../server/secrets/sealedBox.ts';
import { secretBox } from '../../server/secrets/secretBox.ts';
import { sealField, useFieldKeys } from '../../server/secrets/fieldCipher.ts';
import { blindIndex } from '../../server/secrets/blindIndex.ts';
import type { StaffPrincipal } from '../../server/staff/principal.ts';
import { staffQueue } from '../../server/staff/queue.ts';
import { certificatesOfHolder } from '../../server/registry/certificates.ts';
import type { StaffQueueQuery } from '../../contract/staff.ts';

export interface QueueBenchResult {
  count: number;
  fillMs: number;
  timings: { name: string; meanMs: number; medianMs: number; p95Ms: number; maxMs: number; rows: number }[];
}

/** References in the real format (XX-YYMMDD-7 unambiguous characters): hex digits of the row number, mapped. */
const benchReferenceSql = sql.raw(`'BN-261126-' || translate(lpad(to_hex(g), 7, '0'), '0123456789abcdef', '34679ACDEFGHJKMN')`);
const benchReference = (g: number) =>
  `BN-261126-${g.toString(16).padStart(7, '0').replace(/[0-9a-f]/g, (digit) => '34679ACDEFGHJKMN'[parseInt(digit, 16)]!)}`;

/**
 * One application in ten is open work — still far more than a province has open at once (open work is
 * bounded by a few working days of intake); the rest is history: completed, withdrawn, declined, rejected.
 */
const STATES = ['submitted', 'accepted', 'returned', 'approved', ...Array<string>(30).fill('completed'), 'withdrawn', 'withdrawn', 'declined', 'declined', 'rejected', 'rejected'];
const stateSql = sql.raw(`(array[${STATES.map((state) => `'${state}'`).join(',')}])`);

const BUSINESSES = ['credit_assessment', 'renewal', 'replacement', 'change', 'cancellation'];
const PROVINCES = ['11', '31', '44', '32', '51'];

/** A row the fill makes open and in Beijing (the same formulas as the SQL in fill()), for the search timing. */
const openBeijingRow = (() => {
  for (let g = PROVINCES.length; ; g += PROVINCES.length) if ((Math.floor(g / PROVINCES.length) * 7) % STATES.length < 4) return g;
})();

/** Certificates and applications made by the database itself (generate_series): fast at a million rows. */
async function fill(database: DatabaseHandle, count: number): Promise<void> {
  const certificatesNeeded = Math.ceil(count / BUSINESSES.length);
  await database.db.execute(sql`
    insert into certificates (number, number_index, holder_id_number, holder_id_number_index, holder_name, sex, birth_date, address, issuing_authority_code, province_code)
    select ${sealField('certificates.number', '110101198001010011')}, 'BENCH' || g, ${sealField('certificates.holder_id_number', '110101198001010011')}, 'BENCH' || g, ${sealField('certificates.holder_name', '测试')}, 'M',
           ${sealField('certificates.birth_date', '1980-01-01')}, ${sealField('certificates.address', '')}, p || '0000', p
    from generate_series(1, ${certificatesNeeded}::int) g,
         lateral (select (${sql.raw(`array[${PROVINCES.map((p) => `'${p}'`).join(',')}]`)})[1 + g % ${PROVINCES.length}] as p) province(p)`);
  // One certificate per business slot, so the one-open-application rule holds; states and deadlines spread out.
  await database.db.execute(sql`
    insert into applications (reference, user_id, certificate_id, business, province_code, issuing_authority_code, state,
                              submitted_at, accept_deadline, decide_deadline, created_at, updated_at, personal_info)
    select ${benchReferenceSql}, u.id, c.id,
           (${sql.raw(`array[${BUSINESSES.map((b) => `'${b}'`).join(',')}]`)})[1 + (g - 1) / ${certificatesNeeded}::int],
           c.province_code, c.issuing_authority_code,
           ${stateSql}[1 + ((g / ${PROVINCES.length}) * 7) % ${STATES.length}],
           now() - (g % 900) * interval '1 hour',
           current_date + ((g % 23) - 12), current_date + ((g % 29) - 10), now(), now(),
           ${sealField('applications.personal_info', JSON.stringify({ name: '测试', phone: '13800000001' }))}
    from generate_series(1, ${count}::int) g
    join certificates c on c.number_index = 'BENCH' || (1 + (g - 1) % ${certificatesNeeded}::int)
    cross join (select id from users where phone_index = ${blindIndex('phone', '13800000001')}) u`);
  await database.db.execute(sql`analyze`);
}

/** A demo holder's ID number: the registry lookup finds their certificate among the filled ones. */
const REGISTRY_LOOKUP_ID = '110105198503120012';

async function time(name: string, rounds: number, run: () => Promise<number>) {
  const durations: number[] = [];
  let rows = 0;
  for (let i = 0; i < rounds; i += 1) {
    const started = performance.now();
    rows = await run();
    durations.push(performance.now() - started);
  }
  const sorted = [...durations].sort((a, b) => a - b);
  // The median too: on a shared machine it moves less than the mean with other work.
  const round1 = (ms: number) => Math.round(ms * 10) / 10;
  const medianMs = round1(sorted[Math.floor(rounds / 2)]!);
  const p95Ms = round1(sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)]!);
  return { name, meanMs: round1(durations.reduce((a, b) => a + b, 0) / rounds), medianMs, p95Ms, maxMs: round1(Math.max(...durations)), rows };
}

export async function runQueueBench(opts: { count?: number; quiet?: boolean } = {}): Promise<QueueBenchResult> {
  const count = opts.count ?? 1_000_000;
  const log = opts.quiet ? () => undefined : console.log;
  const database = await openDatabase(process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : {});
  try {
    await database.migrate();
    // A throwaway key: the bench seals its personal data under it, as a running system does.
    const secrets = secretBox(dataKeyFrom(generateDataKeyBytes()));
    useFieldKeys(secrets.ring());
    await seedDemoData(database.db, secrets);
    log(`Filling ${count.toLocaleString('en')} applications (${database.kind})…`);
    const fillStarted = performance.now();
    await fill(database, count);
    const fillMs = Math.round(performance.now() - fillStarted);

    const ctx = { db: database.db, now: () => new Date(), logger: pino({ level: 'silent' }) } as unknown as AppContext;
    const handler: StaffPrincipal = {
      id: '00000000-0000-0000-0000-000000000000',
      username: 'bench-handler',
      displayName: 'bench',
      role: 'handler',
      provinceCode: '11',
      sessionId: 'bench',
      idleExpiresAt: new Date(),
      absoluteExpiresAt: new Date(),
    };
    const queue = (query: Partial<StaffQueueQuery>) => staffQueue(ctx, handler, { limit: 20, ...query } as StaffQueueQuery);
    const timings = [
      await time('first page (open work, by deadline)', 30, async () => (await queue({})).items.length),
      await time('state = accepted', 20, async () => (await queue({ state: 'accepted' })).items.length),
      await time('due = overdue', 20, async () => (await queue({ due: 'overdue' })).items.length),
      await time('search by reference', 20, async () => (await queue({ q: benchReference(openBeijingRow) })).items.length),
      // The registry found by the holder's ID number (a demo driver's, among the filled certificates).
      await time('registry lookup by ID number', 30, async () => (await certificatesOfHolder(database.db, REGISTRY_LOOKUP_ID)).length),
      await time('50 pages deep with the cursor (per page)', 1, async () => {
        let cursor: string | undefined;
        let rows = 0;
        for (let page = 0; page < 50; page += 1) {
          const result = await queue(cursor ? { cursor } : {});
          rows += result.items.length;
          if (!result.nextCursor) break;
          cursor = result.nextCursor;
        }
        return rows;
      }),
    ];
    const deep = timings.at(-1)!;
    deep.meanMs = Math.round((deep.meanMs / 50) * 10) / 10;
    deep.medianMs = deep.p95Ms = deep.meanMs;
    log(`filled in ${(fillMs / 1000).toFixed(1)} s`);
    if (!opts.quiet) console.table(timings);
    return { count, fillMs, timings };
  } finally {
    await database.close();
  }
}
