/**
 * The change feed to the ministerial system. A decision records its change in the decision's own
 * transaction (so a change exists exactly when the decision committed), signed at once with the
 * active SM2 key. Writers take a transaction-scoped advisory lock before taking their sequence
 * number, so numbers are handed out in commit order: a reader that has seen change N never later
 * finds a change below N appear (the cursor is safe to keep).
 */
import { randomUUID } from 'node:crypto';
import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm';
import { signChange, type ChangeType, type ExchangeChange, type SignedChange, CHANGE_FORMAT_VERSION } from '../../domain/exchangeChange.ts';
import type { Executor } from '../db/client.ts';
import { exchangeChanges } from '../db/schema.ts';
import { findCertificate } from '../registry/certificates.ts';
import type { SecretBox } from '../secrets/secretBox.ts';
import { activeSigningKey } from '../vouchers/keyStore.ts';

const FEED_LOCK = 0x7274_6f66; // 'rtof'

export interface ChangeInput {
  type: ChangeType;
  certificateId: string;
  application?: { reference: string; business: string } | null;
  details: Record<string, unknown>;
}

/** Records a change in the caller's transaction (call it after the registry was written). */
export async function recordChange(tx: Executor, secrets: SecretBox, input: ChangeInput, now: Date): Promise<SignedChange> {
  const certificate = await findCertificate(tx, input.certificateId);
  if (!certificate) throw new Error(`change for an unknown certificate ${input.certificateId}`);
  const change: ExchangeChange = {
    v: CHANGE_FORMAT_VERSION,
    id: randomUUID(),
    type: input.type,
    occurredAt: now.toISOString(),
    provinceCode: certificate.provinceCode,
    authority: { code: certificate.issuingAuthorityCode, name: certificate.issuingAuthorityName.zh },
    certificate: {
      number: certificate.number,
      holderIdNumber: certificate.holderIdNumber,
      holderName: certificate.holderName,
      quasiDrivingType: certificate.quasiDrivingType,
      serviceUnit: certificate.serviceUnit,
      fileNumber: certificate.fileNumber,
      categories: certificate.categories.map((c) => ({
        code: c.code,
        qualifiers: c.qualifiers ?? [],
        firstIssueDate: c.firstIssueDate,
        validFrom: c.validFrom,
        validTo: c.validTo,
        cancelledAt: c.cancelledAt ?? null,
        cancelReason: c.cancelReason ?? null,
      })),
    },
    application: input.application ?? null,
    details: JSON.parse(JSON.stringify(input.details)) as Record<string, unknown>,
  };
  const key = await activeSigningKey(tx, secrets, now);
  const signed = signChange(change, key);
  await tx.execute(sql`select pg_advisory_xact_lock(${FEED_LOCK})`);
  await tx.insert(exchangeChanges).values({
    id: change.id,
    type: change.type,
    provinceCode: change.provinceCode,
    authorityCode: change.authority.code,
    occurredAt: now,
    body: change as unknown as Record<string, unknown>,
    kid: signed.signature.kid,
    signature: signed.signature.value,
  });
  return signed;
}

export interface FeedPage {
  changes: (SignedChange & { cursor: string })[];
  /** Pass as `after` for the next page; the same cursor when nothing new came. */
  nextCursor: string;
  hasMore: boolean;
}

export function parseCursor(cursor: string | undefined): number | null {
  if (cursor === undefined || cursor === '') return 0;
  return /^\d{1,15}$/.test(cursor) ? Number(cursor) : null;
}

/** Changes after the cursor in the given provinces, oldest first. */
export async function changesAfter(db: Executor, provinces: readonly string[], after: number, limit: number): Promise<FeedPage> {
  if (provinces.length === 0) return { changes: [], nextCursor: String(after), hasMore: false };
  const rows = await db
    .select()
    .from(exchangeChanges)
    .where(and(inArray(exchangeChanges.provinceCode, [...provinces]), gt(exchangeChanges.seq, after)))
    .orderBy(asc(exchangeChanges.seq))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  return {
    changes: page.map((row) => ({
      cursor: String(row.seq),
      change: row.body as unknown as ExchangeChange,
      signature: { alg: 'SM2-SM3', kid: row.kid, value: row.signature },
    })),
    nextCursor: page.length ? String(page.at(-1)!.seq) : String(after),
    hasMore: rows.length > limit,
  };
}

export async function changeById(db: Executor, id: string) {
  const [row] = await db.select().from(exchangeChanges).where(eq(exchangeChanges.id, id));
  return row;
}
