import { and, eq } from 'drizzle-orm';
import type { Executor } from '../db/client.ts';
import { consents, users } from '../db/schema.ts';
import { findUserByPhone, userPhoneColumns } from './accounts.ts';
import { currentAgreementVersions, type AgreementKey } from './agreements.ts';
import { createSession, driverSessionPolicy, type IssuedSession, type LoginMethod } from './session.ts';

/**
 * Driver accounts as every login method finds them: by the phone proved by an SMS code or by WeChat.
 * The only place a login looks an account up by phone or creates one (the phone is sealed and found
 * through its blind index, `accounts.ts`).
 */

export type UserRow = typeof users.$inferSelect;

/** The account of `phone`, created on first login. */
export async function findOrCreateDriverByPhone(tx: Executor, phone: string, now: Date): Promise<{ user: UserRow; newAccount: boolean }> {
  const user = await findUserByPhone(tx, phone);
  if (user) return { user, newAccount: false };
  const [created] = await tx.insert(users).values({ ...userPhoneColumns(phone), createdAt: now }).returning();
  return { user: created!, newAccount: true };
}

/** The driver accepted the current User Agreement and Privacy Policy: one row per text and version, the first time. */
export async function recordLoginConsents(tx: Executor, userId: string, now: Date): Promise<void> {
  const accepted: [AgreementKey, string][] = [
    ['user_agreement', currentAgreementVersions.userAgreement],
    ['privacy_policy', currentAgreementVersions.privacyPolicy],
  ];
  for (const [agreement, version] of accepted) {
    const [known] = await tx
      .select({ id: consents.id })
      .from(consents)
      .where(and(eq(consents.userId, userId), eq(consents.agreement, agreement), eq(consents.version, version)));
    if (!known) await tx.insert(consents).values({ userId, agreement, version, acceptedAt: now });
  }
}

/** Whether the driver accepted the current versions of both texts (a login without the SMS form must not skip a new version). */
export async function acceptedCurrentAgreements(tx: Executor, userId: string): Promise<boolean> {
  const rows = await tx.select({ agreement: consents.agreement, version: consents.version }).from(consents).where(eq(consents.userId, userId));
  const has = (agreement: AgreementKey, version: string) => rows.some((row) => row.agreement === agreement && row.version === version);
  return has('user_agreement', currentAgreementVersions.userAgreement) && has('privacy_policy', currentAgreementVersions.privacyPolicy);
}

/** A driver session (30 minutes idle, 12 hours at most), recording how the driver logged in. */
export function startDriverSession(tx: Executor, userId: string, now: Date, method: LoginMethod): Promise<IssuedSession> {
  return createSession(tx, driverSessionPolicy, userId, now, method);
}

export async function loadDriver(tx: Executor, userId: string): Promise<UserRow | undefined> {
  const [user] = await tx.select().from(users).where(eq(users.id, userId));
  return user;
}
