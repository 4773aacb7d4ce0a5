import { eq } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import type { Executor } from '../db/client.ts';
import { provinces } from '../db/schema.ts';
import { AppError } from '../errors.ts';
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
