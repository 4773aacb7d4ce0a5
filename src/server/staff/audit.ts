import { and, desc, eq, gte, lt, type SQL } from 'drizzle-orm';
import type { AuditEntry, AuditQuery, AuditResponse } from '../../contract/staff.ts';
import { addDays } from '../../domain/dates.ts';
import type { Executor } from '../db/client.ts';
import { auditLog } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import type { StaffPrincipal } from './principal.ts';

/**
 * The staff audit trail (MLPS level 3): who, in which role, from where, did or read what, and when.
 * The table refuses updates and deletes (trigger), so rows written here are final.
 */

export type AuditEvent = AuditEntry['event'];

export interface AuditRecord {
  event: string;
  targetKind: string;
  targetId?: string | null;
  details?: Record<string, unknown>;
}

export async function writeAudit(db: Executor, who: Pick<StaffPrincipal, 'id' | 'username' | 'role' | 'provinceCode'>, ip: string | null, record: AuditRecord, at: Date): Promise<void> {
  await db.insert(auditLog).values({
    staffId: who.id,
    username: who.username,
    role: who.role,
    provinceCode: who.provinceCode,
    event: record.event,
    targetKind: record.targetKind,
    targetId: record.targetId ?? null,
    ip,
    details: record.details ?? {},
    at,
  });
}

/** China is UTC+8 all year: a China-time day starts at 16:00 UTC the day before. */
const chinaDayStart = (date: string): Date => new Date(`${date}T00:00:00+08:00`);

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
