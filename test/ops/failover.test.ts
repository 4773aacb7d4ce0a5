import { execFileSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync, appendFileSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRto } from '../helpers/cliProcess.ts';
import { blindIndex } from '../../src/server/secrets/blindIndex.ts';
import { TEST_DATA_KEY_HEX } from '../helpers/dataKey.ts';
import { loginDemoDriver, loginDemoStaff, submitThroughApi, uploadFiles } from '../helpers/httpSession.ts';

/**
 * Failover on PostgreSQL streaming replication: a primary (55161) and a synchronous standby (55162) made
 * here with initdb / pg_basebackup, two `rto serve` instances on the libpq multi-host URL, a bounded load
 * of acknowledged writes, the primary's host hanging (`kill -9` of its backends, its postmaster
 * stopped), promotion of the standby 3 s later. Skipped where the PostgreSQL 15 binaries are missing.
 */
const BIN = '/usr/lib/postgresql/15/bin';
const PRIMARY_PORT = 55161;
const STANDBY_PORT = 55162;
const available = existsSync(path.join(BIN, 'initdb'));
/** Between the primary's death and the standby's promotion. */
const OUTAGE_MS = 4_000;
/**
 * From the hang until both instances have found that no node takes writes: a new connection hangs for
 * 1.5 s before the database is suspect, then the first probe waits up to a second (requests wait for
 * it); and some margin.
 */
const SETTLED_MS = 2_700;
const asRoot = process.getuid?.() === 0;

/** Runs a PostgreSQL tool as the postgres user (initdb refuses root). */
function pgTool(tool: string, args: string[]): string {
  const command = path.join(BIN, tool);
  return asRoot ? execFileSync('runuser', ['-u', 'postgres', '--', command, ...args], { encoding: 'utf8' }) : execFileSync(command, args, { encoding: 'utf8' });
}

interface Instance {
  child: ChildProcess;
  url: string;
  output: () => string;
}

async function startInstance(databaseUrl: string, seedDemo = false): Promise<Instance> {
  const { child, output, ready } = await startRto(['serve'], /API\s+(http:\/\/\S+)\/api\/v1/, {
    env: {
      ...process.env,
      NODE_ENV: 'development',
      PORT: '0',
      DATABASE_URL: databaseUrl,
      // The tests' data key: phones are sealed, and found below by the blind index made with it.
      RTO_DATA_KEY: TEST_DATA_KEY_HEX,
      SEED_DEMO: seedDemo ? '1' : '0',
      TRUST_PROXY: '1',
      LOG_LEVEL: 'warn',
      SHUTDOWN_GRACE_SECONDS: '2',
    },
    timeoutMs: 60_000,
  });
  return { child, url: ready[1]!, output };
}

describe.skipIf(!available)('failover to a synchronous standby', () => {
  let dir: string;
  const instances: Instance[] = [];
  const primaryDir = () => path.join(dir, 'primary');
  const standbyDir = () => path.join(dir, 'standby');
  let frozenPrimary: number | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'rto-failover-'));
    if (asRoot) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })), Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })));
    pgTool('initdb', ['-D', primaryDir(), '-U', 'postgres', '-A', 'trust', '--no-sync']);
    appendFileSync(
      path.join(primaryDir(), 'postgresql.conf'),
      [
        `port = ${PRIMARY_PORT}`,
        "listen_addresses = '127.0.0.1'",
        `unix_socket_directories = '${dir}'`,
        'wal_level = replica',
        'max_wal_senders = 4',
        // Zero loss: a commit is acknowledged only once the standby has it.
        "synchronous_standby_names = 'FIRST 1 (standby1)'",
        'synchronous_commit = on',
        'fsync = off',
        'shared_buffers = 32MB',
        '',
      ].join('\n'),
    );
    pgTool('pg_ctl', ['-D', primaryDir(), '-w', '-l', path.join(dir, 'primary.log'), 'start']);
    pgTool('pg_basebackup', ['-D', standbyDir(), '-R', '-X', 'stream', '-d', `host=127.0.0.1 port=${PRIMARY_PORT} user=postgres application_name=standby1`]);
    appendFileSync(path.join(standbyDir(), 'postgresql.conf'), `port = ${STANDBY_PORT}\n`);
    pgTool('pg_ctl', ['-D', standbyDir(), '-w', '-l', path.join(dir, 'standby.log'), 'start']);
    const admin = postgres(`postgres://postgres@127.0.0.1:${PRIMARY_PORT}/postgres`, { max: 1, onnotice: () => {} });
    try {
      for (let i = 0; i < 100; i++) {
        const [row] = await admin`select sync_state from pg_stat_replication where application_name = 'standby1'`;
        if (row?.sync_state === 'sync') break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await admin`create database rto`;
    } finally {
      await admin.end();
    }
  }, 120_000);

  afterAll(async () => {
    for (const instance of instances) instance.child.kill('SIGKILL');
    try {
      if (frozenPrimary) process.kill(frozenPrimary, 'SIGKILL');
    } catch {
      // gone already
    }
    for (const data of [primaryDir(), standbyDir()]) {
      try {
        pgTool('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']);
      } catch {
        // already down (the killed primary)
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every acknowledged write, answers a retried submit with its original answer and no duplicate, never a 500, and serves again within 15 s', { timeout: 180_000 }, async () => {
    const databaseUrl = `postgres://postgres@127.0.0.1:${PRIMARY_PORT},127.0.0.1:${STANDBY_PORT}/rto?target_session_attrs=read-write`;
    // The first migrates the schema and seeds the demo data, the second finds both done.
    instances.push(await startInstance(databaseUrl, true));
    instances.push(await startInstance(databaseUrl));
    const [first, second] = instances as [Instance, Instance];
    // A driver's complete draft, to be submitted with an Idempotency-Key as the primary dies.
    const driver = await loginDemoDriver(first.url, '13800000001');
    const draft = await submitThroughApi(driver, await uploadFiles(), { business: 'credit_assessment' }, { serviceCompany: '个体' }, { submit: false });
    const handler = await loginDemoStaff(first.url, 'bj-handler', new Date());
    const submit = async (instance: Instance) => {
      const response = await fetch(`${instance.url}/api/v1/applications/${draft.id}/submit`, {
        method: 'POST',
        headers: { authorization: `Bearer ${driver.token}`, 'idempotency-key': 'failover-drill-submit-0001' },
        signal: AbortSignal.timeout(20_000),
      }).catch(() => undefined);
      return response ? { status: response.status, body: await response.text() } : { status: 0, body: '' };
    };

    // Bounded load: 4 writers, each asking for a login code for a new phone (a row in sms_codes when 202).
    const acknowledged: string[] = [];
    const statuses = new Map<number, number>();
    const answers: { startedAt: number; ms: number; status: number; retryAfter: string | null }[] = [];
    let serial = 0;
    let running = true;
    const lastOk = new Map<string, number>();
    const write = async (instance: Instance) => {
      const n = serial++;
      const phone = `139${String(n).padStart(8, '0')}`;
      const startedAt = Date.now();
      try {
        const response = await fetch(`${instance.url}/api/v1/auth/sms-codes`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}` },
          body: JSON.stringify({ phone }),
          signal: AbortSignal.timeout(10_000),
        });
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        answers.push({ startedAt, ms: Date.now() - startedAt, status: response.status, retryAfter: response.headers.get('retry-after') });
        if (response.status === 202) {
          acknowledged.push(phone);
          lastOk.set(instance.url, Date.now());
        }
      } catch {
        statuses.set(0, (statuses.get(0) ?? 0) + 1);
      }
    };
    const writers = [0, 1, 2, 3].map(async (w) => {
      while (running) {
        await write(instances[w % 2]!);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const beforeKill = acknowledged.length;
    expect(beforeKill).toBeGreaterThan(5);

    // The primary's machine hangs; the standby is promoted (what Patroni or pg_auto_failover would do).
    // Every backend dies with kill -9 (the sessions are cut) and the postmaster stops where it is: the
    // port still takes connections and never answers them, as a frozen host does, so a new connection
    // waits out its connect timeout rather than being refused.
    const pid = Number(readFileSync(path.join(primaryDir(), 'postmaster.pid'), 'utf8').split('\n')[0]);
    const backends = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).split('\n').map(Number).filter((n) => n > 0);
    process.kill(pid, 'SIGSTOP');
    frozenPrimary = pid;
    for (const target of backends) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    const killedAt = Date.now();
    // The driver submits during the outage, on the second instance.
    const duringOutage = submit(second);
    // Callers that come during the outage, each on its own: one every 50 ms on alternate instances
    // (the writers above may each be held by a request that was under way when the primary hung).
    const arrivals: Promise<void>[] = [];
    const arriving = setInterval(() => {
      if (Date.now() >= killedAt + SETTLED_MS) arrivals.push(write(instances[arrivals.length % 2]!));
    }, 50);
    // A failover manager takes a few seconds to decide; meanwhile no node takes writes.
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
    clearInterval(arriving);
    const promotingAt = Date.now();
    pgTool('pg_ctl', ['-D', standbyDir(), '-w', 'promote']);
    // Alone now, the new primary would wait for a synchronous standby forever: as Patroni does in
    // synchronous_mode (not strict) when no standby is left, it commits without one until a new one joins.
    const promotedAdmin = postgres(`postgres://postgres@127.0.0.1:${STANDBY_PORT}/postgres`, { max: 1, onnotice: () => {} });
    await promotedAdmin`alter system set synchronous_standby_names = ''`;
    await promotedAdmin`select pg_reload_conf()`;
    await promotedAdmin.end();

    // Both instances write again within 15 s.
    await expect
      .poll(() => instances.every((i) => (lastOk.get(i.url) ?? 0) > killedAt), { timeout: 15_000, interval: 200 })
      .toBe(true)
      .catch((error: unknown) => {
        throw new Error(`${String(error)}\nstatuses ${JSON.stringify([...statuses])}\n${instances.map((i) => i.output().slice(-3000)).join('\n----\n')}`);
      });
    const recoveredMs = Date.now() - killedAt;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    running = false;
    await Promise.all([...writers, ...arrivals]);

    // The submit sent in the outage got an answer or none; the retry with the same key, on the other
    // instance, gets the submission, and the original answer when there was one.
    const original = await duringOutage;
    expect([0, 200, 503]).toContain(original.status);
    // A client told 503 comes back (Retry-After); just after the failover one instance may still say so.
    const untilServed = async <T extends { status: number } | number>(attempt: () => Promise<T>): Promise<T> => {
      const deadline = Date.now() + 5_000;
      for (;;) {
        const result = await attempt();
        const status = typeof result === 'number' ? result : result.status;
        if (status !== 503 || Date.now() > deadline) return result;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    };
    const retry = await untilServed(() => submit(first));
    expect(retry.status).toBe(200);
    if (original.status === 200) expect(JSON.parse(retry.body)).toEqual(JSON.parse(original.body));
    // Staff work on it on the new primary.
    expect(await untilServed(() => handler.act(draft.id, { action: 'accept' }))).toBe(200);

    // Meanwhile: 503 with Retry-After, never a 500.
    expect(statuses.get(500) ?? 0).toBe(0);
    expect([...statuses.keys()].filter((s) => s !== 202 && s !== 503 && s !== 0)).toEqual([]);
    // Once the instances have found no writable node (SETTLED_MS), a request is refused at once, not
    // held for a node that is not there.
    const whileNoPrimary = answers.filter((a) => a.startedAt >= killedAt + SETTLED_MS && a.startedAt + a.ms <= promotingAt);
    expect(whileNoPrimary.length, JSON.stringify([...statuses])).toBeGreaterThan(10);
    expect(whileNoPrimary.filter((a) => a.status !== 503 || a.ms > 1_000 || !a.retryAfter)).toEqual([]);
    // Every acknowledged write is on the new primary, once.
    const promoted = postgres(`postgres://postgres@127.0.0.1:${STANDBY_PORT}/rto`, { max: 1, onnotice: () => {} });
    try {
      const phoneOf = new Map(acknowledged.map((phone) => [blindIndex('phone', phone), phone]));
      const counted = await promoted<{ phone_index: string; n: number }[]>`select phone_index, count(*)::int as n from sms_codes where phone_index = any(${[...phoneOf.keys()]}) group by phone_index`;
      const rows = counted.map((r) => ({ phone: phoneOf.get(r.phone_index)!, n: r.n }));
      const found = new Map(rows.map((r) => [r.phone, r.n]));
      expect(acknowledged.filter((phone) => !found.has(phone))).toEqual([]);
      expect(rows.filter((r) => r.n !== 1)).toEqual([]);
      // One submission, one acceptance: no duplicate from the retry.
      const actions = await promoted<{ action: string }[]>`select action from application_actions where application_id = ${draft.id} order by id`;
      expect(actions.map((a) => a.action)).toEqual(['submit', 'accept']);
    } finally {
      await promoted.end();
    }
    expect(recoveredMs).toBeLessThan(15_000);
    for (const instance of instances) expect(instance.output()).not.toMatch(/unhandled error/);
  });
});
