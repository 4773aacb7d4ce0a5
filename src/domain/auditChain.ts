import { sm3 } from 'sm-crypto-v2';

/**
 * The audit trail's hash chain (GB/T 22239-2019 level 3: audit records protected against change).
 *
 * Each row's hash is SM3 over the previous row's hash and the row's canonical bytes, so changing,
 * removing or reordering a row breaks every hash after it. Rows are chained in id order; the first
 * chained row follows GENESIS_HASH. A signed checkpoint of the head (SM2) pins the chain up to that
 * row, so whoever can write the table cannot rebuild the chain after a change without the signing key.
 */

export const GENESIS_HASH = '0'.repeat(64);

/** What of an audit row is hashed: everything the row says. */
export interface AuditChainRow {
  id: number;
  at: Date;
  staffId: string | null;
  username: string;
  role: string;
  provinceCode: string | null;
  event: string;
  targetKind: string;
  targetId: string | null;
  ip: string | null;
  details: Record<string, unknown>;
}

/**
 * JSON with object keys sorted at every level and no whitespace: the same value gives the same text
 * whichever order its keys were written or read back from jsonb in. Undefined members are left out,
 * as JSON and jsonb leave them out.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) return 'null';
    return JSON.stringify(value) ?? 'null';
  }
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, member]) => member !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`).join(',')}}`;
}

/** The row's canonical bytes (version 1): a fixed list of fields, times to the millisecond in UTC. */
export function auditRowText(row: AuditChainRow): string {
  return canonicalJson({
    v: 1,
    id: row.id,
    at: row.at.toISOString(),
    staffId: row.staffId,
    username: row.username,
    role: row.role,
    provinceCode: row.provinceCode,
    event: row.event,
    targetKind: row.targetKind,
    targetId: row.targetId,
    ip: row.ip,
    details: row.details,
  });
}

/** hash(row) = SM3(previous hash as hex || "\n" || canonical row), as lowercase hex. */
export function chainHash(previousHash: string, row: AuditChainRow): string {
  return sm3(`${previousHash}\n${auditRowText(row)}`);
}

export interface AuditCheckpointClaim {
  /** The last row the checkpoint covers. */
  auditId: number;
  /** That row's hash. */
  hash: string;
  /** When the checkpoint was made. */
  at: Date;
}

/** The bytes an SM2 checkpoint signature covers. */
export function checkpointMessage(claim: AuditCheckpointClaim): Uint8Array {
  return new TextEncoder().encode(canonicalJson({ type: 'rto-audit-checkpoint', v: 1, auditId: claim.auditId, hash: claim.hash, at: claim.at.toISOString() }));
}

export type ChainBreak =
  | { kind: 'previous_hash'; id: number }
  | { kind: 'hash'; id: number }
  | { kind: 'unchained'; id: number };

export interface ChainLink {
  row: AuditChainRow;
  previousHash: string | null;
  hash: string | null;
}

/**
 * Checks one row against the hash of the row before it (`expectedPrevious`, null before the first
 * chained row). Rows written before the chain began carry no hash; once the chain has begun, every
 * row must.
 */
export function checkLink(link: ChainLink, expectedPrevious: string | null): ChainBreak | null {
  if (link.hash === null || link.previousHash === null) {
    return expectedPrevious === null ? null : { kind: 'unchained', id: link.row.id };
  }
  if (link.previousHash !== (expectedPrevious ?? GENESIS_HASH)) return { kind: 'previous_hash', id: link.row.id };
  if (chainHash(link.previousHash, link.row) !== link.hash) return { kind: 'hash', id: link.row.id };
  return null;
}
