import { and, eq, ne } from 'drizzle-orm';
import { applicationNotFound } from '../applications/service.ts';
import type { ApplicationRow } from '../applications/transitions.ts';
import type { Executor } from '../db/client.ts';
import { applications } from '../db/schema.ts';
import type { StaffPrincipal } from './principal.ts';

/**
 * The province a staff member works in: their own; system admins every province (null) unless they
 * narrow it down.
 */
export function provinceScope(who: Pick<StaffPrincipal, 'role' | 'provinceCode'>, requested?: string): string | null {
  if (who.role === 'system_admin') return requested ?? null;
  return who.provinceCode;
}

/**
 * An application the staff member may see: of their province and past the driver's draft. Anything else
 * is 404 — another province's applications do not exist for them.
 */
export async function visibleApplication(db: Executor, who: Pick<StaffPrincipal, 'role' | 'provinceCode'>, id: string, options: { forUpdate?: boolean } = {}): Promise<ApplicationRow> {
  const scope = provinceScope(who);
  const where = and(eq(applications.id, id), ne(applications.state, 'draft'), scope ? eq(applications.provinceCode, scope) : undefined);
  const query = db.select().from(applications).where(where);
  const [row] = options.forUpdate ? await query.for('update') : await query;
  if (!row) throw applicationNotFound();
  return row;
}
