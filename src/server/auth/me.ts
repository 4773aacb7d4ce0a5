import { eq } from 'drizzle-orm';
import type { Me } from '../../contract/auth.ts';
import { maskIdNumber } from '../../domain/idNumber.ts';
import { maskName } from '../../domain/personName.ts';
import { maskPhone } from '../../domain/phone.ts';
import type { Executor } from '../db/client.ts';
import { users } from '../db/schema.ts';
import { unauthenticated } from './session.ts';

type UserRow = typeof users.$inferSelect;

/** What a driver sees of their own account: the ID number only masked. */
export function toMe(user: UserRow): Me {
  const verified = user.verifiedAt !== null && user.idNumber !== null;
  return {
    id: user.id,
    phoneMasked: maskPhone(user.phone),
    verified,
    identity: verified
      ? {
          nameMasked: maskName(user.name ?? ''),
          name: user.name ?? '',
          idNumberMasked: maskIdNumber(user.idNumber!),
          sex: user.sex === 'F' ? 'F' : 'M',
          ethnicity: user.ethnicity ?? '',
          birthDate: user.birthDate ?? '',
          address: user.address ?? '',
          verifiedAt: user.verifiedAt!.toISOString(),
        }
      : null,
    provinceCode: verified ? user.provinceCode : null,
  };
}

export async function loadMe(db: Executor, userId: string): Promise<Me> {
  const [user] = await db.select().from(users).where(eq(users.id, userId));
  if (!user) throw unauthenticated();
  return toMe(user);
}
