import { and, ne, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/client.ts';
import { users } from '../db/schema.ts';
import { blindIndex, idTailIndex, matchesBlindIndex } from '../secrets/blindIndex.ts';

/**
 * Drivers' accounts by their phone and ID number. Both are sealed in `users` (db/sealedColumns.ts) and
 * found through keyed blind indexes: every lookup and every write of these two columns goes through here.
 */

/** `users.phone = phone`, through the blind index. */
export const userPhoneIs = (phone: string): SQL => matchesBlindIndex(users.phoneIndex, 'phone', phone);

/** `users.id_number = idNumber`, through the blind index. */
export const userIdNumberIs = (idNumber: string): SQL => matchesBlindIndex(users.idNumberIndex, 'id_number', idNumber);

/** The columns to write with a phone: the sealed value and its index. */
export const userPhoneColumns = (phone: string) => ({ phone, phoneIndex: blindIndex('phone', phone) });

/** The columns to write with an ID number (null clears the identity's indexes too). */
export const userIdNumberColumns = (idNumber: string | null) =>
  idNumber === null
    ? { idNumber: null, idNumberIndex: null, idTailIndex: null }
    : { idNumber, idNumberIndex: blindIndex('id_number', idNumber), idTailIndex: idTailIndex(idNumber) };

export async function findUserByPhone(db: Executor, phone: string) {
  const [user] = await db.select().from(users).where(userPhoneIs(phone));
  return user;
}

/** The account an ID number is bound to, other than `exceptUserId` when given. */
export async function findUserByIdNumber(db: Executor, idNumber: string, exceptUserId?: string) {
  const [user] = await db
    .select()
    .from(users)
    .where(and(userIdNumberIs(idNumber), exceptUserId ? ne(users.id, exceptUserId) : undefined));
  return user;
}
