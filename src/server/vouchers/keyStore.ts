/**
 * SM2 signing keys for vouchers and electronic certificates, kept in the `signing_keys` table.
 * Exactly one key is active (retired_at null) and signs everything new; rotating retires it, and a
 * retired key stays in the published key set so what it signed keeps verifying.
 *
 * Creating the first key and rotating both hold a transaction-scoped advisory lock, so two instances
 * racing at first use (or two rotations at once) cannot leave two active keys behind.
 *
 * Private keys are stored sealed with the data key (secrets/sealedBox.ts), bound to their kid.
 */
import { asc, desc, eq, isNull, sql } from 'drizzle-orm';
import { chinaDate } from '../../domain/dates.ts';
import { DOCUMENT_KINDS, type DocumentKind } from '../../domain/trustList.ts';
import { generateSigningKey, type VoucherKeySet, type VoucherPublicKey, type VoucherSigningKey } from '../../domain/voucherToken.ts';
import type { Executor } from '../db/client.ts';
import { signingKeys } from '../db/schema.ts';
import { SEALED, type SecretBox } from '../secrets/secretBox.ts';

export const SIGNING_ALGORITHM = 'SM2-SM3';

/** Any constant shared by every instance; names the advisory lock that guards the active key. */
const SIGNING_KEY_LOCK = 0x72746f6b; // 'rtok'

export type SigningKeyRow = typeof signingKeys.$inferSelect;

/** One entry of /.well-known/rto-keys.json. */
export interface PublishedKey extends VoucherPublicKey {
  alg: typeof SIGNING_ALGORITHM;
  documents: DocumentKind[];
  createdAt: string;
  retiredAt?: string;
}

async function lockSigningKeys(tx: Executor): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${SIGNING_KEY_LOCK})`);
}

async function currentKey(db: Executor): Promise<SigningKeyRow | undefined> {
  const [row] = await db.select().from(signingKeys).where(isNull(signingKeys.retiredAt)).orderBy(desc(signingKeys.createdAt)).limit(1);
  return row;
}

const toSigningKey = (row: SigningKeyRow, secrets: SecretBox): VoucherSigningKey => ({
  kid: row.kid,
  publicKeyHex: row.publicKeyHex,
  privateKeyHex: secrets.open(SEALED.signingPrivateKey(row.kid), row.privateKeyHex),
});

async function insertKey(tx: Executor, secrets: SecretBox, now: Date): Promise<VoucherSigningKey> {
  const key = generateSigningKey();
  const privateKeyHex = secrets.seal(SEALED.signingPrivateKey(key.kid), key.privateKeyHex);
  await tx.insert(signingKeys).values({ ...key, privateKeyHex, algorithm: SIGNING_ALGORITHM, createdAt: now });
  return key;
}

/**
 * The key that signs new documents; creates the first one when there is none. Pass the caller's
 * transaction when signing inside one (the lock is held until it ends).
 */
export async function activeSigningKey(db: Executor, secrets: SecretBox, now: Date = new Date()): Promise<VoucherSigningKey> {
  const existing = await currentKey(db);
  if (existing) return toSigningKey(existing, secrets);
  return db.transaction(async (tx) => {
    await lockSigningKeys(tx);
    const again = await currentKey(tx);
    if (again) return toSigningKey(again, secrets);
    return insertKey(tx, secrets, now);
  });
}

/** Makes a new key active and retires the previous one (it stays published for verification). */
export async function rotateSigningKey(db: Executor, secrets: SecretBox, now: Date = new Date()): Promise<{ kid: string; retired: string[] }> {
  return db.transaction(async (tx) => {
    await lockSigningKeys(tx);
    const retired = await tx
      .update(signingKeys)
      .set({ retiredAt: now })
      .where(isNull(signingKeys.retiredAt))
      .returning({ kid: signingKeys.kid });
    const key = await insertKey(tx, secrets, now);
    return { kid: key.kid, retired: retired.map((r) => r.kid) };
  });
}

export async function listSigningKeys(db: Executor): Promise<Omit<SigningKeyRow, 'privateKeyHex'>[]> {
  return db
    .select({
      kid: signingKeys.kid,
      algorithm: signingKeys.algorithm,
      publicKeyHex: signingKeys.publicKeyHex,
      createdAt: signingKeys.createdAt,
      retiredAt: signingKeys.retiredAt,
    })
    .from(signingKeys)
    .orderBy(asc(signingKeys.createdAt));
}

/**
 * Every key, active and retired, as published. `notBefore`/`notAfter` are the China-time days a key
 * may have signed on (creation day to retirement day), so a leaked retired key cannot sign new vouchers
 * that verify.
 */
export async function publishedKeys(db: Executor): Promise<PublishedKey[]> {
  const rows = await listSigningKeys(db);
  return rows.map((row) => ({
    kid: row.kid,
    alg: SIGNING_ALGORITHM,
    publicKeyHex: row.publicKeyHex,
    // One key signs every kind of document this office issues while it is active.
    documents: [...DOCUMENT_KINDS],
    createdAt: row.createdAt.toISOString(),
    notBefore: chinaDate(row.createdAt),
    ...(row.retiredAt ? { retiredAt: row.retiredAt.toISOString(), notAfter: chinaDate(row.retiredAt) } : {}),
  }));
}

/** The key set the verifier checks tokens against. */
export async function publicKeySet(db: Executor): Promise<VoucherKeySet> {
  return { keys: await publishedKeys(db) };
}

export async function signingKeyExists(db: Executor, kid: string): Promise<boolean> {
  const [row] = await db.select({ kid: signingKeys.kid }).from(signingKeys).where(eq(signingKeys.kid, kid));
  return !!row;
}
