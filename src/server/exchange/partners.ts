/**
 * Partners of the exchange (the ministerial system, a province's own data centre): each holds an API
 * key, shown once when created and stored only as its SHA-256 (the key is 256 random bits, so a fast
 * hash is enough), scoped to provinces, revocable. Every call is recorded in `exchange_calls`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { and, desc, eq, isNull, or, sql } from 'drizzle-orm';
import { provinceOf } from '../../domain/regions.ts';
import type { Executor } from '../db/client.ts';
import { exchangeCalls, exchangePartners } from '../db/schema.ts';

export const PARTNER_KEY_PREFIX = 'rtox_';

export type PartnerRow = typeof exchangePartners.$inferSelect;

export const hashPartnerKey = (key: string) => createHash('sha256').update(key).digest('hex');

export class PartnerError extends Error {}

export function parseProvinceList(text: string): string[] {
  const codes = [...new Set(text.split(/[,\s，]+/).filter(Boolean))];
  const unknown = codes.filter((code) => !/^\d{2}$/.test(code) || !provinceOf(code));
  if (codes.length === 0 || unknown.length) throw new PartnerError(`Not province codes: ${unknown.join(', ') || '(none given)'} — use two-digit codes such as 11,31`);
  return codes.sort();
}

export async function addPartner(db: Executor, name: string, provinces: readonly string[], now: Date): Promise<{ partner: PartnerRow; key: string }> {
  const trimmed = name.trim();
  if (!trimmed) throw new PartnerError('A partner needs a name');
  const key = `${PARTNER_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  const [partner] = await db
    .insert(exchangePartners)
    .values({ name: trimmed, keyPrefix: key.slice(0, 12), keyHash: hashPartnerKey(key), provinces: [...provinces], createdAt: now })
    .onConflictDoNothing()
    .returning();
  if (!partner) throw new PartnerError(`A partner named "${trimmed}" exists already (revoke it first)`);
  return { partner, key };
}

export async function listPartners(db: Executor, provinceCode: string | null = null): Promise<PartnerRow[]> {
  const rows = await db.select().from(exchangePartners).orderBy(desc(exchangePartners.createdAt));
  return provinceCode === null ? rows : rows.filter((row) => row.provinces.includes(provinceCode));
}

/** Revokes by id or by the name of a partner still active; answers the revoked partner, or undefined. */
export async function revokePartner(db: Executor, nameOrId: string, now: Date): Promise<PartnerRow | undefined> {
  const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(nameOrId);
  const [row] = await db
    .update(exchangePartners)
    .set({ revokedAt: now })
    .where(and(isNull(exchangePartners.revokedAt), isUuid ? or(eq(exchangePartners.id, nameOrId), eq(exchangePartners.name, nameOrId)) : eq(exchangePartners.name, nameOrId)))
    .returning();
  return row;
}

export type KeyCheck = { ok: true; partner: PartnerRow } | { ok: false; reason: 'missing' | 'unknown' | 'revoked'; partner?: PartnerRow };

export async function partnerForKey(db: Executor, key: string | undefined): Promise<KeyCheck> {
  if (!key || !key.startsWith(PARTNER_KEY_PREFIX)) return { ok: false, reason: key ? 'unknown' : 'missing' };
  const [partner] = await db.select().from(exchangePartners).where(eq(exchangePartners.keyHash, hashPartnerKey(key)));
  if (!partner) return { ok: false, reason: 'unknown' };
  if (partner.revokedAt) return { ok: false, reason: 'revoked', partner };
  return { ok: true, partner };
}

export async function recordPull(db: Executor, partnerId: string, cursor: string, now: Date): Promise<void> {
  await db.update(exchangePartners).set({ lastPullAt: now, lastCursor: cursor }).where(eq(exchangePartners.id, partnerId));
}

export async function recordCall(
  db: Executor,
  call: { partnerId: string | null; method: string; route: string; status: number; ip: string; details: Record<string, unknown> },
  now: Date,
): Promise<void> {
  await db.insert(exchangeCalls).values({ ...call, at: now });
}

export async function callCount(db: Executor, partnerId: string): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(exchangeCalls).where(eq(exchangeCalls.partnerId, partnerId));
  return row?.n ?? 0;
}

