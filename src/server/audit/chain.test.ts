import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../../../test/helpers/db.ts';
import { testSecrets } from '../../../test/helpers/dataKey.ts';
import type { DatabaseHandle } from '../db/client.ts';
import { queryRows } from '../db/rows.ts';
import { describeChainReport, verifyAuditChain, writeCheckpoint } from './chain.ts';
import { writeAudit, writeDriverAudit } from './log.ts';

const clerk = { id: null, username: 'bj-handler', role: 'handler', provinceCode: '11' };

describe('audit hash chain (PGlite: one role, the chain still holds)', () => {
  let database: DatabaseHandle;
  const secrets = testSecrets;
  beforeAll(async () => {
    database = await freshDatabase({ demo: false });
  });
  afterAll(async () => {
    await database.close();
  });

  it('chains rows written concurrently, signs the head and verifies', async () => {
    const at = new Date('2026-03-02T01:02:03.456Z');
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        i % 3 === 0
          ? writeDriverAudit(database.db, { id: '00000000-0000-4000-8000-000000000001', provinceCode: '11' }, '10.0.0.1', { event: 'account.export', details: { n: i } }, at)
          : database.db.transaction((tx) => writeAudit(tx, clerk, '10.0.0.2', { event: 'read_application', targetKind: 'application', targetId: `a-${i}`, details: { z: 1, a: [i, { y: 'é', b: null }] } }, at)),
      ),
    );
    const checkpoint = await writeCheckpoint(database.db, secrets, 'manual', new Date());
    expect(checkpoint).not.toBeNull();
    // Head unchanged and less than a day old: the shutdown checkpoint adds nothing.
    expect(await writeCheckpoint(database.db, secrets, 'shutdown', new Date())).toBeNull();
    const report = await verifyAuditChain(database.db);
    expect(report).toMatchObject({ ok: true, rows: 30, checkpoints: 1, unchainedBefore: 0 });
    expect(report.head?.id).toBe(checkpoint!.auditId);
    expect(describeChainReport(report)[0]).toMatch(/intact: 30 rows, 1 signed checkpoints/);
  });

  it('names the first row edited behind the trigger, and a chain rebuilt after it is caught by the checkpoint', async () => {
    const rows = await queryRows<{ id: number }>(database.db, sql`select id from audit_log order by id`);
    const victim = Number(rows[10]!.id);
    await database.db.execute(sql.raw(`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`));
    await database.db.execute(sql.raw(`UPDATE audit_log SET ip = '192.0.2.1' WHERE id = ${victim}`));
    await database.db.execute(sql.raw(`ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only`));
    const edited = await verifyAuditChain(database.db);
    expect(edited.ok).toBe(false);
    expect(edited.problems[0]).toMatchObject({ auditId: victim, kind: 'hash' });
    expect(describeChainReport(edited)[0]).toBe(`Audit chain BROKEN. First broken row: ${victim}.`);

    // Whoever rewrites a row and recomputes every hash after it still cannot re-sign the checkpoint.
    const { chainHash } = await import('../../domain/auditChain.ts');
    const all = await database.db.query.auditLog.findMany({ orderBy: (t, { asc }) => [asc(t.id)] });
    let previous = all[0]!.previousHash!;
    await database.db.execute(sql.raw(`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`));
    for (const row of all) {
      const hash = chainHash(previous, { ...row });
      await database.db.execute(sql`UPDATE audit_log SET previous_hash = ${previous}, hash = ${hash} WHERE id = ${row.id}`);
      previous = hash;
    }
    await database.db.execute(sql.raw(`ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only`));
    const rebuilt = await verifyAuditChain(database.db);
    expect(rebuilt.ok).toBe(false);
    expect(rebuilt.problems.map((p) => p.kind)).toEqual(['checkpoint_hash']);
    expect(describeChainReport(rebuilt).join('\n')).toMatch(/signed a different hash/);
  });

  it('checks checkpoints against a published key set and its days when given one, and calls a day of unsigned rows broken', async () => {
    const fresh = await freshDatabase({ demo: false });
    try {
      const day = new Date('2026-03-02T02:00:00Z');
      await fresh.db.transaction((tx) => writeAudit(tx, clerk, '10.0.0.2', { event: 'read_application', targetKind: 'application', targetId: 'a-1', details: {} }, day));
      const checkpoint = (await writeCheckpoint(fresh.db, secrets, 'manual', day))!;
      expect((await verifyAuditChain(fresh.db)).ok).toBe(true);
      // A key the database holds but the operator's published set does not: not trusted.
      const elsewhere = await verifyAuditChain(fresh.db, { trustedKeys: [{ kid: 'other', publicKeyHex: '04'.padEnd(130, '1') }] });
      expect(elsewhere.problems.map((p) => p.kind)).toEqual(['checkpoint_key_unknown']);
      const [key] = await fresh.db.query.signingKeys.findMany();
      expect((await verifyAuditChain(fresh.db, { trustedKeys: [{ kid: key!.kid, publicKeyHex: key!.publicKeyHex }] })).ok).toBe(true);
      const retired = await verifyAuditChain(fresh.db, { trustedKeys: [{ kid: key!.kid, publicKeyHex: key!.publicKeyHex, notAfter: '2026-03-01' }] });
      expect(retired.problems.map((p) => p.kind)).toEqual(['checkpoint_key_period']);
      // Two days of rows no checkpoint covers: the daily checkpoints were removed (or never written).
      for (const hours of [1, 30, 50]) {
        await fresh.db.transaction((tx) => writeAudit(tx, clerk, '10.0.0.2', { event: 'read_application', targetKind: 'application', targetId: `a-${hours}`, details: {} }, new Date(day.getTime() + hours * 3600_000)));
      }
      const stale = await verifyAuditChain(fresh.db);
      expect(stale.ok).toBe(false);
      expect(stale.problems.map((p) => p.kind)).toEqual(['checkpoint_stale']);
      expect(describeChainReport(stale).join('\n')).toMatch(/span more than a day/);
      expect(checkpoint.auditId).toBeLessThan(stale.head!.id);
    } finally {
      await fresh.close();
    }
  });
});
