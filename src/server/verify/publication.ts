/**
 * What offline verifiers download: the signed trust list (/.well-known/rto-keys.json) and the signed,
 * padded status list (/.well-known/rto-status.json). Both are built from the verifier's in-memory
 * state and kept until that state's version stamp moves, so serving them costs a cache lookup.
 *
 * - The trust list names every key with the kinds of document it signs and its days; it is issued at
 *   the last key change and signed (deterministically) by the active key and the key it replaced, so
 *   every instance publishes the same bytes and a verifier holding the previous list can follow a
 *   rotation.
 * - The status list has an entry for every voucher and certificate (their status_index), at least
 *   131 072 entries, and is re-signed when a status changes or STATUS_LIST_REFRESH_MS after its issue;
 *   `nextUpdate` is STATUS_LIST_VALIDITY_MS after issue (after that, offline verifiers call it stale).
 */
import { createHash } from 'node:crypto';
import { and, desc, inArray, isNull, sql } from 'drizzle-orm';
import { signStatusList, statusListEntries, type StatusList, type StatusMark } from '../../domain/statusList.ts';
import { signTrustList, type TrustList } from '../../domain/trustList.ts';
import type { Executor } from '../db/client.ts';
import { certificateCategories, certificates, signingKeys, vouchers } from '../db/schema.ts';
import type { SecretBox } from '../secrets/secretBox.ts';
import { SEALED } from '../secrets/secretBox.ts';
import { activeSigningKey, publishedKeys, type PublishedKey } from '../vouchers/keyStore.ts';
import type { VerifierState } from './verifierState.ts';
import { queryRows } from '../db/rows.ts';

export const STATUS_LIST_VALIDITY_MS = 24 * 3_600_000;
export const STATUS_LIST_REFRESH_MS = 3_600_000;

export interface Published<T> {
  body: T;
  etag: string;
}

const etagOf = (value: unknown): string => `"${createHash('sha256').update(JSON.stringify(value)).digest('base64url').slice(0, 27)}"`;

export class Publication {
  private trust: { version: number; published: Published<TrustList<PublishedKey>> } | undefined;
  private status: { version: number; issuedAt: number; published: Published<StatusList> } | undefined;
  private building: Promise<Published<StatusList>> | undefined;

  constructor(
    private readonly db: Executor,
    private readonly secrets: SecretBox,
    private readonly state: VerifierState,
  ) {}

  async trustList(): Promise<Published<TrustList<PublishedKey>>> {
    await this.state.current();
    if (this.trust && this.trust.version === this.state.keysVersion) return this.trust.published;
    const version = this.state.keysVersion;
    const keys = await publishedKeys(this.db);
    if (keys.length === 0) await activeSigningKey(this.db, this.secrets);
    const rows = await this.db.select().from(signingKeys).orderBy(desc(signingKeys.createdAt)).limit(2);
    const signers = rows.map((row) => ({ kid: row.kid, publicKeyHex: row.publicKeyHex, privateKeyHex: this.secrets.open(SEALED.signingPrivateKey(row.kid), row.privateKeyHex) }));
    const all = keys.length ? keys : await publishedKeys(this.db);
    const lastChange = all.flatMap((k) => [k.createdAt, k.retiredAt ?? '']).sort().at(-1)!;
    const body = signTrustList(all, lastChange, signers, { deterministicNonce: true });
    const published = { body, etag: etagOf(body) };
    this.trust = { version, published };
    return published;
  }

  async statusList(now: Date): Promise<Published<StatusList>> {
    await this.state.current();
    const cached = this.status;
    if (cached && cached.version === this.state.statusVersion && now.getTime() - cached.issuedAt < STATUS_LIST_REFRESH_MS) return cached.published;
    this.building ??= this.build(now).finally(() => {
      this.building = undefined;
    });
    return this.building;
  }

  private async build(now: Date): Promise<Published<StatusList>> {
    const version = this.state.statusVersion;
    const marks: StatusMark[] = (
      await this.db
        .select({ index: vouchers.statusIndex, revokedAt: vouchers.revokedAt, supersededBy: vouchers.supersededBy })
        .from(vouchers)
        .where(sql`${vouchers.statusVersion} > 0 and (${vouchers.revokedAt} is not null or ${vouchers.supersededBy} is not null)`)
    ).map((v) => ({ index: v.index, revoked: !!v.revokedAt, superseded: !!v.supersededBy }));
    // Certificates with every category cancelled (the candidates are the few with any cancelled).
    const candidates = [...this.state.cancelledCategories.keys()];
    if (candidates.length > 0) {
      const standing = new Set(
        (
          await this.db
            .select({ id: certificateCategories.certificateId })
            .from(certificateCategories)
            .where(and(inArray(certificateCategories.certificateId, candidates), isNull(certificateCategories.cancelledAt)))
        ).map((r) => r.id),
      );
      const cancelled = candidates.filter((id) => !standing.has(id));
      if (cancelled.length > 0) {
        const rows = await this.db.select({ index: certificates.statusIndex }).from(certificates).where(inArray(certificates.id, cancelled));
        for (const r of rows) marks.push({ index: r.index, revoked: true });
      }
    }
    const [sequence] = await queryRows<{ last_value: string | number }>(this.db, sql`select last_value from status_list_index_seq`);
    const highest = Math.max(Number(sequence?.last_value ?? 0), ...marks.map((m) => m.index));
    const key = await activeSigningKey(this.db, this.secrets, now);
    const body = signStatusList(
      { issued: now.toISOString(), nextUpdate: new Date(now.getTime() + STATUS_LIST_VALIDITY_MS).toISOString(), entries: statusListEntries(highest), marks },
      key,
    );
    const published = { body, etag: etagOf(body.signature) };
    this.status = { version, issuedAt: now.getTime(), published };
    return published;
  }
}

