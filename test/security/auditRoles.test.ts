import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRoleProblems } from '../../src/server/audit/privileges.ts';
import { verifyAuditChain, writeCheckpoint } from '../../src/server/audit/chain.ts';
import { writeAudit } from '../../src/server/audit/log.ts';
import { loadConfig, unsafeProductionSettings } from '../../src/server/config.ts';
import { openConfiguredDatabase } from '../../src/server/database.ts';
import { openDatabase, type DatabaseHandle } from '../../src/server/db/client.ts';
import { testSecrets, TEST_DATA_KEY_HEX } from '../helpers/dataKey.ts';

/**
 * On a real PostgreSQL: the owner role migrates, the server's role gets INSERT and SELECT on the audit
 * tables and owns nothing (the README's three lines), and cannot alter, drop, update, delete or
 * truncate the audit trail; a superuser's edit is found by `rto audit verify`.
 */
const suffix = randomBytes(3).toString('hex');
const owner = `rto_11b_owner_${suffix}`;
const appRole = `rto_11b_app_${suffix}`;
const dbName = `rto_11b_audit_${suffix}`;
const urlFor = (user: string, database = dbName) => `postgres://${user}@127.0.0.1:5432/${database}`;

async function asSuperuser(database: string, statements: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: urlFor('postgres', database) });
  await client.connect();
  try {
    for (const statement of statements) await client.query(statement);
  } finally {
    await client.end();
  }
}

describe('audit trail out of the server role\'s reach (PostgreSQL)', () => {
  let app: DatabaseHandle;
  let appClient: pg.Client;

  beforeAll(async () => {
    await asSuperuser('test', [`CREATE ROLE ${owner} LOGIN`, `CREATE DATABASE ${dbName} OWNER ${owner}`]);
    // The README's three lines, run once by the database administrator before the first migration.
    await asSuperuser(dbName, [
      `CREATE ROLE ${appRole} LOGIN`,
      `ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${appRole}`,
      `ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ${appRole}`,
    ]);
    const config = loadConfig({ DATABASE_URL: urlFor(appRole), DATABASE_MIGRATION_URL: urlFor(owner), RTO_DATA_KEY: TEST_DATA_KEY_HEX });
    app = await openConfiguredDatabase(config);
    appClient = new pg.Client({ connectionString: urlFor(appRole) });
    await appClient.connect();
  });

  afterAll(async () => {
    await appClient?.end();
    await app?.close();
    await asSuperuser('test', [`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`, `DROP ROLE IF EXISTS ${appRole}`, `DROP ROLE IF EXISTS ${owner}`]);
  });

  it('the server role writes and reads the audit trail but cannot alter, drop, update, delete or truncate it', async () => {
    await writeAudit(app.db, { id: null, username: 'bj-handler', role: 'handler', provinceCode: '11' }, '10.0.0.1', { event: 'login', targetKind: 'staff' }, new Date());
    const refused = async (statement: string) => {
      const error = await appClient.query(statement).then(() => null, (e: Error & { code?: string }) => e);
      expect(error, statement).not.toBeNull();
      return error!.code;
    };
    // 42501 insufficient_privilege; ALTER/DROP need ownership.
    expect(await refused('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only')).toBe('42501');
    expect(await refused('ALTER TABLE audit_log DROP COLUMN hash')).toBe('42501');
    expect(await refused('DROP TABLE audit_log')).toBe('42501');
    expect(await refused('DROP TABLE audit_checkpoints')).toBe('42501');
    expect(await refused("UPDATE audit_log SET ip = '192.0.2.1'")).toBe('42501');
    expect(await refused('DELETE FROM audit_log')).toBe('42501');
    expect(await refused('TRUNCATE audit_log')).toBe('42501');
    expect(await refused('DELETE FROM audit_checkpoints')).toBe('42501');
    expect(await refused('CREATE TRIGGER sneak BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION rto_refuse_change()')).toBe('42501');
    // Everything else the server does still works: an ordinary table is writable.
    await appClient.query("UPDATE provinces SET requires_id_card_back = requires_id_card_back WHERE code = '11'");

    expect(await appRoleProblems(app.db)).toEqual([]);
    const asOwner = await openDatabase({ databaseUrl: urlFor(owner) });
    try {
      expect((await appRoleProblems(asOwner.db)).join('\n')).toMatch(/owns \(or may act as the owner of\) tables/);
    } finally {
      await asOwner.close();
    }
    // A broad grant added later is taken back by the next migration run as the owner.
    await asSuperuser(dbName, [`GRANT ALL ON ALL TABLES IN SCHEMA public TO ${appRole}`]);
    expect((await appRoleProblems(app.db)).join('\n')).toMatch(/holds UPDATE, DELETE, TRUNCATE, TRIGGER on audit_log/);
    const again = await openConfiguredDatabase(loadConfig({ DATABASE_URL: urlFor(appRole), DATABASE_MIGRATION_URL: urlFor(owner), RTO_DATA_KEY: TEST_DATA_KEY_HEX }));
    await again.close();
    expect(await appRoleProblems(app.db)).toEqual([]);
  });

  it('production refuses a PostgreSQL server without a separate owner role for migrations', () => {
    const production = { NODE_ENV: 'production', RTO_DATA_KEY: TEST_DATA_KEY_HEX, IDENTITY_PROVIDER: 'manual', PUBLIC_BASE_URL: 'https://rto.example.gov.cn' };
    expect(unsafeProductionSettings(loadConfig({ ...production, DATABASE_URL: urlFor(appRole) })).join('\n')).toMatch(/DATABASE_MIGRATION_URL: required/);
    expect(unsafeProductionSettings(loadConfig({ ...production, DATABASE_URL: urlFor(owner), DATABASE_MIGRATION_URL: urlFor(owner, 'other') })).join('\n')).toMatch(/same role/);
    expect(unsafeProductionSettings(loadConfig({ ...production, DATABASE_URL: urlFor(appRole), DATABASE_MIGRATION_URL: urlFor(owner) })).join('\n')).not.toMatch(/DATABASE/);
  });

  it('keeps the chain valid under concurrent writers on a pool, and `rto audit verify` names a row a superuser edited', async () => {
    const at = new Date();
    await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        app.db.transaction(async (tx) => {
          await tx.execute(sql`select pg_sleep(${(i % 5) / 1000})`);
          await writeAudit(tx, { id: null, username: `clerk-${i % 4}`, role: 'handler', provinceCode: '11' }, null, { event: 'read_application', targetKind: 'application', targetId: String(i), details: { i } }, at);
        }),
      ),
    );
    expect(await writeCheckpoint(app.db, testSecrets, 'manual', new Date())).not.toBeNull();
    const report = await verifyAuditChain(app.db);
    expect(report).toMatchObject({ ok: true, rows: 61, checkpoints: 1 });

    const rto = () =>
      spawnSync(process.execPath, [path.resolve('bin/rto.mjs'), 'audit', 'verify'], {
        env: { ...process.env, DATABASE_URL: urlFor(appRole), DATABASE_MIGRATION_URL: urlFor(owner), RTO_DATA_KEY: TEST_DATA_KEY_HEX, NODE_ENV: 'development' },
        encoding: 'utf8',
        timeout: 120_000,
      });
    const clean = rto();
    expect(clean.status, clean.stderr).toBe(0);
    expect(clean.stdout).toMatch(/Audit chain intact: 61 rows, 1 signed checkpoints/);

    const { rows } = await appClient.query<{ id: string }>('select id from audit_log order by id offset 20 limit 1');
    const victim = rows[0]!.id;
    await asSuperuser(dbName, [
      'ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only',
      `UPDATE audit_log SET username = 'someone-else' WHERE id = ${victim}`,
      'ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only',
    ]);
    const tampered = rto();
    expect(tampered.status).toBe(1);
    expect(tampered.stderr).toContain(`First broken row: ${victim}.`);
    expect(tampered.stderr).toMatch(new RegExp(`audit row ${victim} \\(read_application, .*\\): its content does not match its hash`));
  });
});
