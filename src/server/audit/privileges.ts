/**
 * What the server's database role may do to the audit tables. On PostgreSQL the tables belong to the
 * role that runs migrations (DATABASE_MIGRATION_URL); the server's role (DATABASE_URL) holds INSERT and
 * SELECT on them and owns nothing, so it can neither ALTER (disable the append-only trigger), DROP,
 * UPDATE, DELETE nor TRUNCATE them. PGlite has a single role: there the trigger and the hash chain are
 * the protection.
 */
import { sql } from 'drizzle-orm';
import type { Executor } from '../db/client.ts';
import { resultRows } from '../db/rows.ts';

export const AUDIT_TABLES = ['audit_log', 'audit_checkpoints'] as const;

const rowsOf = resultRows;

/**
 * Run as the owner after migrating: takes every right to change the audit tables from every role but
 * their owner, whatever default privileges or a broad `GRANT … ON ALL TABLES` gave them.
 */
export async function sealAuditTables(db: Executor): Promise<void> {
  await db.execute(sql.raw(`DO $$
DECLARE r record;
BEGIN
  REVOKE UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES ON ${AUDIT_TABLES.join(', ')} FROM PUBLIC;
  FOR r IN
    SELECT DISTINCT quote_ident(g.rolname) AS grantee
    FROM pg_class c
    CROSS JOIN LATERAL aclexplode(c.relacl) a
    JOIN pg_roles g ON g.oid = a.grantee
    WHERE c.oid IN (${AUDIT_TABLES.map((t) => `'${t}'::regclass`).join(', ')})
      AND a.privilege_type IN ('UPDATE', 'DELETE', 'TRUNCATE', 'TRIGGER', 'REFERENCES')
      AND a.grantee <> c.relowner
  LOOP
    EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES ON ${AUDIT_TABLES.join(', ')} FROM %s', r.grantee);
  END LOOP;
END $$`));
}

/**
 * Why the connected role could rewrite the audit trail (empty when it cannot): a superuser, a role that
 * owns (or may act as the owner of) a table, or one holding more than INSERT and SELECT on an audit table.
 */
export async function appRoleProblems(db: Executor): Promise<string[]> {
  const problems: string[] = [];
  const [role] = rowsOf<{ name: string; superuser: boolean }>(await db.execute(sql`select current_user as name, rolsuper as superuser from pg_roles where rolname = current_user`));
  if (role?.superuser) problems.push(`DATABASE_URL: connects as the superuser ${role.name}; the server must use a role that owns no table (see README, "Database roles")`);
  const owned = rowsOf<{ relname: string }>(
    await db.execute(sql`select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = current_schema() and c.relkind in ('r', 'p') and pg_has_role(current_user, c.relowner, 'MEMBER')
      order by c.relname limit 5`),
  );
  if (owned.length > 0 && !role?.superuser) {
    problems.push(`DATABASE_URL: the role ${role?.name ?? '?'} owns (or may act as the owner of) tables such as ${owned.map((r) => r.relname).join(', ')}; it could alter or drop the audit trail. Run migrations as the owner (DATABASE_MIGRATION_URL) and connect as a role that owns nothing`);
  }
  for (const table of AUDIT_TABLES) {
    const [rights] = rowsOf<Record<string, boolean>>(
      await db.execute(sql`select has_table_privilege(${table}, 'UPDATE') as "UPDATE", has_table_privilege(${table}, 'DELETE') as "DELETE",
        has_table_privilege(${table}, 'TRUNCATE') as "TRUNCATE", has_table_privilege(${table}, 'TRIGGER') as "TRIGGER",
        has_table_privilege(${table}, 'INSERT') as "INSERT", has_table_privilege(${table}, 'SELECT') as "SELECT"`),
    );
    const excess = ['UPDATE', 'DELETE', 'TRUNCATE', 'TRIGGER'].filter((right) => rights?.[right]);
    if (excess.length > 0 && !role?.superuser) problems.push(`DATABASE_URL: the role ${role?.name ?? '?'} holds ${excess.join(', ')} on ${table}; it may hold only INSERT and SELECT (run \`rto migrate\` as the owner to take them back)`);
    const missing = ['INSERT', 'SELECT'].filter((right) => !rights?.[right]);
    if (missing.length > 0) problems.push(`DATABASE_URL: the role ${role?.name ?? '?'} lacks ${missing.join(', ')} on ${table}; grant them (see README, "Database roles")`);
  }
  return problems;
}
