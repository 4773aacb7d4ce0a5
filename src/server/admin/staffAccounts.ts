import { randomInt } from 'node:crypto';
import { and, asc, eq } from 'drizzle-orm';
import type { StaffAccount } from '../../contract/admin.ts';
import type { Executor } from '../db/client.ts';
import { staff } from '../db/schema.ts';
import { AppError } from '../errors.ts';

export type StaffRow = typeof staff.$inferSelect;

export const staffAccountNotFound = () => new AppError(404, 'STAFF_NOT_FOUND', { zh: '未找到该工作人员', en: 'Staff member not found' });

export const usernameTaken = () => new AppError(409, 'USERNAME_TAKEN', { zh: '该用户名已被使用', en: 'This username is already taken' });

export const cannotChangeSelf = () =>
  new AppError(422, 'CANNOT_DISABLE_SELF', { zh: '不能停用自己的账号', en: 'You cannot disable your own account' });

export const staffAccountView = (row: StaffRow): StaffAccount => ({
  id: row.id,
  username: row.username,
  displayName: row.displayName,
  role: row.role,
  provinceCode: row.provinceCode,
  disabledAt: row.disabledAt?.toISOString() ?? null,
  lockedUntil: row.lockedUntil?.toISOString() ?? null,
  createdAt: row.createdAt.toISOString(),
});

export async function provinceStaff(db: Executor, provinceCode: string): Promise<StaffRow[]> {
  return db.select().from(staff).where(eq(staff.provinceCode, provinceCode)).orderBy(asc(staff.role), asc(staff.username));
}

/**
 * A staff account the administrator may manage: of their province (system admins: any province's), never
 * a system admin's. Anything else answers 404.
 */
export async function manageableStaff(db: Executor, id: string, scope: string | null): Promise<StaffRow> {
  const [row] = await db
    .select()
    .from(staff)
    .where(scope ? and(eq(staff.id, id), eq(staff.provinceCode, scope)) : eq(staff.id, id));
  if (!row || row.role === 'system_admin') throw staffAccountNotFound();
  return row;
}

// No look-alike characters (0/O, 1/l/I), so a password read out or copied from the screen is typed right.
const LOWER = 'abcdefghijkmnpqrstuvwxyz';
const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const DIGITS = '23456789';
const SYMBOLS = '!@#%*-_+=';

/** An initial password of 16 characters (~95 bits) with every character class, shown to the admin once. */
export function generateInitialPassword(): string {
  const all = LOWER + UPPER + DIGITS + SYMBOLS;
  const pick = (set: string) => set[randomInt(set.length)]!;
  const chars = [pick(LOWER), pick(UPPER), pick(DIGITS), pick(SYMBOLS)];
  while (chars.length < 16) chars.push(pick(all));
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join('');
}
