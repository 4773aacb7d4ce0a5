import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { asc } from 'drizzle-orm';
import type { DatabaseHandle } from '../db/client.ts';
import { voucherChecks } from '../db/schema.ts';
import type { Executor } from '../db/client.ts';
import { freshDatabase } from '../../../test/helpers/db.ts';
import { CheckLog, type CheckRecord } from './checkLog.ts';

const at = (iso: string): Date => new Date(iso);
const check = (checkedAt: Date, over: Partial<CheckRecord> = {}): CheckRecord => ({
  serial: 'CX2026001',
  verdict: 'valid',
  reason: null,
  channel: 'api',
  checkedAt,
  ...over,
});

let database: DatabaseHandle;
const logs: CheckLog[] = [];
const newLog = (db: Executor, options: ConstructorParameters<typeof CheckLog>[2] = {}) => {
  // Timers far away: the test says when a write happens.
  const log = new CheckLog(db, undefined, { flushIntervalMs: 3_600_000, ...options });
  logs.push(log);
  return log;
};
const rows = () =>
  database.db
    .select({ serial: voucherChecks.serial, verdict: voucherChecks.verdict, reason: voucherChecks.reason, channel: voucherChecks.channel, checkedAt: voucherChecks.checkedAt, checks: voucherChecks.checks })
    .from(voucherChecks)
    .orderBy(asc(voucherChecks.checkedAt), asc(voucherChecks.channel), asc(voucherChecks.serial));

/** The database's executor, failing its writes while `down` is set, or the `failAt`-th write from now. */
function flaky(db: Executor) {
  const state = { down: false, failAt: 0 };
  const executor = new Proxy(db, {
    get(target, name, receiver) {
      if (name === 'execute' && (state.down || (state.failAt > 0 && --state.failAt === 0))) return async () => Promise.reject(new Error('connection refused'));
      return Reflect.get(target, name, receiver);
    },
  });
  return { executor, state };
}

beforeAll(async () => {
  database = await freshDatabase({ demo: false });
});
afterAll(async () => {
  for (const log of logs) await log.close();
  await database.close();
});
beforeEach(async () => {
  await database.db.delete(voucherChecks);
});

describe('the verification check log', () => {
  it('writes identical checks within a second as one row with their count, and every check is counted', async () => {
    const log = newLog(database.db);
    for (let i = 0; i < 7; i++) log.record(check(at(`2026-12-01T08:00:00.${String(i * 100).padStart(3, '0')}Z`)));
    log.record(check(at('2026-12-01T08:00:00.950Z'), { channel: 'web' }));
    log.record(check(at('2026-12-01T08:00:01.000Z')));
    log.record(check(at('2026-12-01T08:00:00.500Z'), { serial: null, verdict: 'invalid', reason: 'malformed' }));
    log.record(check(at('2026-12-01T08:00:00.600Z'), { verdict: 'invalid', reason: 'revoked' }));
    expect(log.waiting).toBe(11);
    expect(log.verdictCounts()).toEqual({ valid: 9, invalid: 2 });
    await log.flush();
    expect(log.waiting).toBe(0);
    const written = await rows();
    const expected = [
      ['2026-12-01T08:00:00.000Z', 'api', 'CX2026001', 'valid', null, 7],
      ['2026-12-01T08:00:00.000Z', 'api', 'CX2026001', 'invalid', 'revoked', 1],
      ['2026-12-01T08:00:00.000Z', 'api', null, 'invalid', 'malformed', 1],
      ['2026-12-01T08:00:00.000Z', 'web', 'CX2026001', 'valid', null, 1],
      ['2026-12-01T08:00:01.000Z', 'api', 'CX2026001', 'valid', null, 1],
    ];
    expect(written).toHaveLength(expected.length);
    expect(written.map((r) => [r.checkedAt.toISOString(), r.channel, r.serial, r.verdict, r.reason, r.checks])).toEqual(expect.arrayContaining(expected));
    expect(written.reduce((sum, r) => sum + r.checks, 0)).toBe(11);
  });

  it('counts a check handed the row of an earlier one where that row is still the right one, and only there', async () => {
    const { executor, state } = flaky(database.db);
    const log = newLog(executor);
    let row = log.record(check(at('2026-12-01T08:30:00.100Z')));
    row = log.record(check(at('2026-12-01T08:30:00.200Z')), row);
    // Another channel, serial, verdict, reason or second: not that row, whatever the caller hands.
    log.record(check(at('2026-12-01T08:30:00.300Z'), { channel: 'web' }), row);
    log.record(check(at('2026-12-01T08:30:00.350Z'), { serial: 'CX2026002' }), row);
    const revoked = log.record(check(at('2026-12-01T08:30:00.400Z'), { verdict: 'invalid', reason: 'revoked' }), row);
    log.record(check(at('2026-12-01T08:30:00.450Z'), { verdict: 'invalid', reason: 'superseded' }), revoked);
    row = log.record(check(at('2026-12-01T08:30:01.000Z')), row);
    // A row already taken by a write (here one that fails and is kept) is not counted into behind its back.
    state.failAt = 1;
    const failing = log.flush();
    row = log.record(check(at('2026-12-01T08:30:01.500Z')), row);
    await expect(failing).rejects.toThrow('connection refused');
    row = log.record(check(at('2026-12-01T08:30:01.600Z')), row);
    await log.flush();
    // And one written since is not either.
    log.record(check(at('2026-12-01T08:30:01.700Z')), row);
    await log.flush();
    const written = (await rows()).map((r) => [r.checkedAt.toISOString(), r.channel, r.serial, r.verdict, r.reason, r.checks]);
    expect(written).toHaveLength(7);
    expect(written).toEqual(
      expect.arrayContaining([
        ['2026-12-01T08:30:00.000Z', 'api', 'CX2026001', 'valid', null, 2],
        ['2026-12-01T08:30:00.000Z', 'web', 'CX2026001', 'valid', null, 1],
        ['2026-12-01T08:30:00.000Z', 'api', 'CX2026002', 'valid', null, 1],
        ['2026-12-01T08:30:00.000Z', 'api', 'CX2026001', 'invalid', 'revoked', 1],
        ['2026-12-01T08:30:00.000Z', 'api', 'CX2026001', 'invalid', 'superseded', 1],
        ['2026-12-01T08:30:01.000Z', 'api', 'CX2026001', 'valid', null, 3],
        ['2026-12-01T08:30:01.000Z', 'api', 'CX2026001', 'valid', null, 1],
      ]),
    );
    expect(written.reduce((sum, r) => sum + (r[5] as number), 0)).toBe(10);
    expect(log.waiting).toBe(0);
  });

  it('does not count into a row handed back after an outage dropped it', async () => {
    const { executor, state } = flaky(database.db);
    const log = newLog(executor, { maxPending: 1, batchSize: 1000 });
    state.down = true;
    const first = log.record(check(at('2026-12-01T08:40:00Z')));
    log.record(check(at('2026-12-01T08:40:00Z'), { serial: 'CX2026002' }));
    expect(log.dropped).toBe(1);
    // The dropped row comes back with the next check of its voucher: counted anew, not into the lost row.
    log.record(check(at('2026-12-01T08:40:00.5Z')), first);
    expect(log.dropped).toBe(2);
    expect(log.waiting).toBe(1);
    state.down = false;
    await log.flush();
    expect((await rows()).map((r) => [r.serial, r.checks])).toEqual([['CX2026001', 1]]);
  });

  it('does not count into a row of a write in several statements that is under way', async () => {
    const log = newLog(database.db);
    const handed = [];
    for (let i = 0; i < 450; i++) handed.push(log.record(check(at('2026-12-01T08:50:00Z'), { serial: `CX${String(i).padStart(6, '0')}` })));
    const writing = log.flush();
    // Rows in the second and third statements, handed back while the first is being written.
    log.record(check(at('2026-12-01T08:50:00.5Z'), { serial: 'CX000300' }), handed[300]);
    log.record(check(at('2026-12-01T08:50:00.6Z'), { serial: 'CX000449' }), handed[449]);
    await writing;
    await log.flush();
    const written = await rows();
    expect(written.reduce((sum, r) => sum + r.checks, 0)).toBe(452);
    expect(written.filter((r) => r.serial === 'CX000300').map((r) => r.checks)).toEqual([1, 1]);
  });

  it('keeps the counts through a failed write and writes them, with the checks since, once the database is back', async () => {
    const { executor, state } = flaky(database.db);
    const log = newLog(executor);
    for (let i = 0; i < 3; i++) log.record(check(at('2026-12-01T09:00:00.100Z')));
    state.down = true;
    await expect(log.flush()).rejects.toThrow('connection refused');
    expect(log.waiting).toBe(3);
    log.record(check(at('2026-12-01T09:00:00.900Z')));
    log.record(check(at('2026-12-01T09:00:02.000Z')));
    expect(log.waiting).toBe(5);
    state.down = false;
    await log.flush();
    expect((await rows()).map((r) => [r.checkedAt.toISOString(), r.checks])).toEqual([
      ['2026-12-01T09:00:00.000Z', 4],
      ['2026-12-01T09:00:02.000Z', 1],
    ]);
    expect(log.dropped).toBe(0);
  });

  it('writes a long batch in several statements; one failing keeps only what it and the later ones held', async () => {
    const { executor, state } = flaky(database.db);
    const log = newLog(executor);
    for (let i = 0; i < 450; i++) log.record(check(at('2026-12-01T09:30:00Z'), { serial: `CX${String(i).padStart(6, '0')}` }));
    state.failAt = 2;
    await expect(log.flush()).rejects.toThrow('connection refused');
    expect((await rows()).length).toBe(200);
    expect(log.waiting).toBe(250);
    await log.flush();
    const written = await rows();
    expect(written).toHaveLength(450);
    expect(new Set(written.map((r) => r.serial)).size).toBe(450);
  });

  it('drops the oldest rows, counting their checks, only when an outage outlasts its bound', async () => {
    const { executor, state } = flaky(database.db);
    const log = newLog(executor, { maxPending: 3, batchSize: 1000 });
    state.down = true;
    log.record(check(at('2026-12-01T10:00:00Z')));
    log.record(check(at('2026-12-01T10:00:00.5Z')));
    for (let s = 1; s <= 3; s++) log.record(check(at(`2026-12-01T10:00:0${s}Z`)));
    expect(log.dropped).toBe(2);
    expect(log.waiting).toBe(3);
    state.down = false;
    await log.flush();
    expect((await rows()).map((r) => r.checkedAt.toISOString())).toEqual(['2026-12-01T10:00:01.000Z', '2026-12-01T10:00:02.000Z', '2026-12-01T10:00:03.000Z']);
  });

  it('says once that it is dropping checks, not once per check, and how many once it writes again', async () => {
    const { executor, state } = flaky(database.db);
    const lines: { level: string; fields: Record<string, unknown>; message: string }[] = [];
    const logger = {
      warn: (fields: Record<string, unknown>, message: string) => lines.push({ level: 'warn', fields, message }),
      error: (fields: Record<string, unknown>, message: string) => lines.push({ level: 'error', fields, message }),
    };
    const log = new CheckLog(executor, logger as never, { flushIntervalMs: 3_600_000, maxPending: 3, batchSize: 1000 });
    logs.push(log);
    state.down = true;
    for (let s = 10; s < 50; s++) log.record(check(at(`2026-12-01T10:00:${s}Z`)));
    await expect(log.flush()).rejects.toThrow('connection refused');
    for (let s = 50; s < 60; s++) log.record(check(at(`2026-12-01T10:00:${s}Z`)));
    expect(log.dropped).toBe(47);
    const dropping = lines.filter((l) => l.message.includes('dropping the oldest'));
    expect(dropping).toHaveLength(1);
    expect(dropping[0]!.level).toBe('error');
    state.down = false;
    await log.flush();
    const writingAgain = lines.filter((l) => l.message.includes('writing again'));
    expect(writingAgain).toEqual([{ level: 'warn', fields: { dropped: 47 }, message: 'verification check log: writing again after dropping checks' }]);
    expect(await rows()).toHaveLength(3);
    // A later outage is told again.
    state.down = true;
    for (let s = 0; s < 5; s++) log.record(check(at(`2026-12-01T10:01:0${s}Z`)));
    expect(lines.filter((l) => l.message.includes('dropping the oldest'))).toHaveLength(2);
  });

  it('starts a write once a batch of rows waits, and close() writes the rest', async () => {
    const log = newLog(database.db, { batchSize: 4 });
    for (let s = 0; s < 4; s++) log.record(check(at(`2026-12-01T11:00:0${s}Z`)));
    await expect.poll(async () => (await rows()).length).toBe(4);
    log.record(check(at('2026-12-01T11:00:09Z')));
    log.record(check(at('2026-12-01T11:00:09.2Z')));
    await log.close();
    expect((await rows()).at(-1)).toMatchObject({ checks: 2 });
  });
});
