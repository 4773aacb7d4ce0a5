import { and, asc, eq, sql } from 'drizzle-orm';
import type { ContactView } from '../../contract/admin.ts';
import type { Executor } from '../db/client.ts';
import { contacts } from '../db/schema.ts';
import { AppError } from '../errors.ts';

export type ContactRow = typeof contacts.$inferSelect;

export const contactNotFound = () => new AppError(404, 'CONTACT_NOT_FOUND', { zh: '未找到该联系人', en: 'Contact not found' });

export const contactView = ({ id, name, title, phone, hours, nameEn, titleEn, hoursEn, sortOrder }: ContactRow): ContactView => ({ id, name, title, phone, hours, nameEn, titleEn, hoursEn, sortOrder });

export async function provinceContacts(db: Executor, provinceCode: string): Promise<ContactRow[]> {
  return db.select().from(contacts).where(eq(contacts.provinceCode, provinceCode)).orderBy(asc(contacts.sortOrder), asc(contacts.name));
}

export async function nextSortOrder(db: Executor, provinceCode: string): Promise<number> {
  const [row] = await db
    .select({ max: sql<number | null>`max(${contacts.sortOrder})` })
    .from(contacts)
    .where(eq(contacts.provinceCode, provinceCode));
  return Number(row?.max ?? 0) + 1;
}

/** A contact of the province; another province's contact answers 404 as if it did not exist. */
export async function contactOfProvince(db: Executor, id: string, provinceCode: string | null): Promise<ContactRow> {
  const [row] = await db
    .select()
    .from(contacts)
    .where(provinceCode ? and(eq(contacts.id, id), eq(contacts.provinceCode, provinceCode)) : eq(contacts.id, id));
  if (!row) throw contactNotFound();
  return row;
}

export const contactOrderMismatch = () =>
  new AppError(400, 'CONTACT_ORDER_MISMATCH', {
    zh: '排序须包含本省全部联系人且每人一次，请刷新后重试',
    en: 'The order must list every contact of the province exactly once; refresh and try again',
  });
