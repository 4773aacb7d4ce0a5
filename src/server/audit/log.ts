import { and, desc, eq, gte, isNotNull, lt, sql, type SQL } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import type { AuditEntry, AuditQuery, AuditResponse } from '../../contract/staff.ts';
import { chainHash, GENESIS_HASH, type AuditChainRow } from '../../domain/auditChain.ts';
import { addDays, chinaDayStart } from '../../domain/dates.ts';
import type { Executor } from '../db/client.ts';
import { auditLog } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { staffOf, type StaffPrincipal } from '../staff/principal.ts';
import { queryRows } from '../db/rows.ts';

/**
 * The audit trail (MLPS level 3): who, in which role, from where, did or read what, and when.
 * The table refuses updates and deletes (trigger) and, on PostgreSQL, the app's role holds only INSERT
 * and SELECT on it; each row extends an SM3 hash chain (domain/auditChain.ts) so a change made by
 * whoever can still write the table is found by `rto audit verify`. Rows are kept at least 184 days:
 * nothing in the app deletes them.
 */

export type AuditEvent = AuditEntry['event'];

export interface AuditRecord {
  event: string;
  targetKind: string;
  targetId?: string | null;
  details?: Record<string, unknown>;
}

/** Any constant shared by every instance; names the advisory lock that serializes the chain's head. */
export const AUDIT_CHAIN_LOCK = 0x72746f61; // 'rtoa'

export interface AuditActor {
  /** The staff member, or null for a driver acting on their own account. */
  id: string | null;
  username: string;
  role: string;
  provinceCode: string | null;
}

/**
 * Appends one row to the chain, in the caller's transaction when it is given one (the audited change
 * and its record commit or fail together). The head is taken under a transaction-scoped advisory lock
 * held until that transaction ends, so concurrent writers chain one after another and ids follow the
 * chain's order.
 */
export async function writeAudit(db: Executor, who: AuditActor, ip: string | null, record: AuditRecord, at: Date): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`);
    const [head] = await tx.select({ hash: auditLog.hash }).from(auditLog).where(isNotNull(auditLog.hash)).orderBy(desc(auditLog.id)).limit(1);
    const previousHash = head?.hash ?? GENESIS_HASH;
    const [next] = await queryRows<{ id: string | number }>(tx, sql`select nextval(pg_get_serial_sequence('audit_log', 'id')) as id`);
    const id = Number(next!.id);
    // Details as they read back from jsonb: what is hashed now is what verify hashes later.
    const details = JSON.parse(JSON.stringify(record.details ?? {})) as Record<string, unknown>;
    const row: AuditChainRow = {
      id,
      at,
      staffId: who.id,
      username: who.username,
      role: who.role,
      provinceCode: who.provinceCode,
      event: record.event,
      targetKind: record.targetKind,
      targetId: record.targetId ?? null,
      ip,
      details,
    };
    await tx.insert(auditLog).values({ ...row, previousHash, hash: chainHash(previousHash, row) });
  });
}

/**
 * An audit row for a change to `provinceCode`'s settings. The row carries the province acted on (not the
 * actor's, which is null for system admins), so the province's admins see every change to their settings.
 */
export async function auditChange(db: Executor, request: FastifyRequest, provinceCode: string | null, record: AuditRecord, at: Date): Promise<void> {
  const who = staffOf(request);
  await writeAudit(db, { id: who.id, username: who.username, role: who.role, provinceCode }, request.ip ?? null, record, at);
}

/** A driver's act on their own account (export, closing): the province's admins see it. */
export async function writeDriverAudit(db: Executor, driver: { id: string; provinceCode: string | null }, ip: string | null, record: Omit<AuditRecord, 'targetKind' | 'targetId'>, at: Date): Promise<void> {
  await writeAudit(db, { id: null, username: `driver:${driver.id}`, role: 'driver', provinceCode: driver.provinceCode }, ip, { ...record, targetKind: 'user', targetId: driver.id }, at);
}

function encodeCursor(id: number): string {
  return Buffer.from(JSON.stringify({ id }), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { id?: unknown };
    if (typeof parsed.id === 'number' && Number.isSafeInteger(parsed.id)) return parsed.id;
  } catch {
    // fall through
  }
  throw new AppError(400, 'CURSOR_INVALID', { zh: '分页参数无效，请从第一页重新查询', en: 'The page cursor is not valid; start again from the first page' });
}

/** Newest first; province admins see their province only, system admins every province (or `province`). */
export async function listAudit(db: Executor, viewer: StaffPrincipal, query: AuditQuery): Promise<AuditResponse> {
  if (viewer.role !== 'province_admin' && viewer.role !== 'system_admin') {
    throw new AppError(403, 'STAFF_ROLE_FORBIDDEN', { zh: '只有管理员可以查看审计日志', en: 'Only administrators can view the audit log' });
  }
  const conditions: SQL[] = [];
  const province = viewer.role === 'system_admin' ? query.province : viewer.provinceCode;
  if (province) conditions.push(eq(auditLog.provinceCode, province));
  if (query.from) conditions.push(gte(auditLog.at, chinaDayStart(query.from)));
  if (query.to) conditions.push(lt(auditLog.at, chinaDayStart(addDays(query.to, 1))));
  if (query.username) conditions.push(eq(auditLog.username, query.username));
  if (query.event) conditions.push(eq(auditLog.event, query.event));
  if (query.targetId) conditions.push(eq(auditLog.targetId, query.targetId));
  if (query.cursor) conditions.push(lt(auditLog.id, decodeCursor(query.cursor)));
  const rows = await db
    .select()
    .from(auditLog)
    .where(and(...conditions))
    .orderBy(desc(auditLog.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  return {
    items: page.map((row) => ({
      id: row.id,
      at: row.at.toISOString(),
      username: row.username,
      role: row.role,
      provinceCode: row.provinceCode,
      event: row.event,
      targetKind: row.targetKind,
      targetId: row.targetId,
      ip: row.ip,
      details: row.details,
    })),
    nextCursor: rows.length > query.limit ? encodeCursor(page[page.length - 1]!.id) : null,
  };
}
