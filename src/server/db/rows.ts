import type { SQL } from 'drizzle-orm';
import type { Executor } from './client.ts';

/**
 * The rows of a raw `execute`, whichever driver answered: PGlite and node-postgres give `{ rows }`,
 * postgres.js (the PostgreSQL driver) the array itself.
 */
export function resultRows<T>(result: unknown): T[] {
  return Array.isArray(result) ? (result as T[]) : (result as { rows: T[] }).rows;
}

/** Runs a raw statement and answers its rows. */
export async function queryRows<T>(db: Pick<Executor, 'execute'>, statement: SQL): Promise<T[]> {
  return resultRows<T>(await db.execute(statement));
}
