import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/server/db/client.ts';
import { auditLog } from '../../src/server/db/schema.ts';
import { freshDatabase } from '../helpers/db.ts';

describe('append-only trails', () => {
  let database: DatabaseHandle;
  beforeAll(async () => {
    database = await freshDatabase({ demo: false });
  });
  /** The database's own message for a refused statement ('' if it was not refused). */
  const refusal = async (statement: ReturnType<typeof sql>) => {
    try {
      await database.db.execute(statement);
      return '';
    } catch (error) {
      const cause = (error as { cause?: { message?: string } }).cause;
      return cause?.message ?? (error as Error).message;
    }
  };
  afterAll(async () => {
    await database.close();
  });

  it('refuses to change or delete an audit record once written', async () => {
    await database.db.insert(auditLog).values({ username: 'bj-handler', role: 'handler', provinceCode: '11', event: 'read_materials', targetKind: 'application', targetId: 'x' });
    await expect(refusal(sql`update audit_log set event = 'nothing'`)).resolves.toMatch(/append-only/);
    await expect(refusal(sql`delete from audit_log`)).resolves.toMatch(/append-only/);
    const rows = await database.db.select().from(auditLog);
    expect(rows.map((row) => row.event)).toEqual(['read_materials']);
  });

  it('refuses to rewrite the application action log', async () => {
    await expect(refusal(sql`delete from application_actions`)).resolves.toMatch(/append-only/);
    await expect(refusal(sql`truncate application_actions`)).resolves.toMatch(/append-only/);
  });
});
