import { eq } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import type { Executor } from '../db/client.ts';
import { provinces } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { writeAudit, type AuditRecord } from '../staff/audit.ts';
import { staffOf, type StaffPrincipal } from '../staff/principal.ts';

export const provinceRequired = () =>
  new AppError(400, 'PROVINCE_REQUIRED', { zh: '请选择省份', en: 'Choose a province' });

export const provinceForbidden = () =>
  new AppError(403, 'PROVINCE_FORBIDDEN', { zh: '只能管理本省的设置', en: 'You can only manage your own province' });

export const provinceNotFound = () => new AppError(404, 'PROVINCE_NOT_FOUND', { zh: '没有这个省份', en: 'No such province' });

export interface ProvinceRef {
  code: string;
  name: { zh: string; en: string };
}

/**
 * The province an administrator works on: a province admin's own (naming another is 403), or the one a
 * system admin names (required).
 */
export function adminProvinceCode(who: Pick<StaffPrincipal, 'role' | 'provinceCode'>, requested: string | undefined): string {
  if (who.role === 'system_admin') {
    if (!requested) throw provinceRequired();
    return requested;
  }
  if (!who.provinceCode) throw provinceForbidden();
  if (requested && requested !== who.provinceCode) throw provinceForbidden();
  return who.provinceCode;
}

export async function provinceRef(db: Executor, code: string): Promise<ProvinceRef> {
  const [row] = await db.select().from(provinces).where(eq(provinces.code, code));
  if (!row) throw provinceNotFound();
  return { code: row.code, name: { zh: row.nameZh, en: row.nameEn } };
}

/** The administrator's province, checked to exist. */
export async function adminProvince(db: Executor, request: FastifyRequest, requested: string | undefined): Promise<ProvinceRef> {
  return provinceRef(db, adminProvinceCode(staffOf(request), requested));
}

/**
 * An audit row for a change to `provinceCode`'s settings. The row carries the province acted on (not the
 * actor's, which is null for system admins), so the province's admins see every change to their settings.
 */
export async function auditChange(db: Executor, request: FastifyRequest, provinceCode: string | null, record: AuditRecord, at: Date): Promise<void> {
  const who = staffOf(request);
  await writeAudit(db, { id: who.id, username: who.username, role: who.role, provinceCode }, request.ip ?? null, record, at);
}
