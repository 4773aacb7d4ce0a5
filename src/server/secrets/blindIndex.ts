/**
 * Keyed blind indexes (HMAC-SM3) for the sealed columns that are looked up by equality: phone → account
 * and SMS codes, ID number → account, certificates and real-name submissions, the last four characters
 * of an ID number → the staff queue's search. Indexed like the plaintext was, so lookups stay fast;
 * without the data key a copy of the table cannot be searched or matched against a list of numbers.
 *
 * A key of its own per kind of value (derived from the data key), so the same phone gives unrelated
 * indexes in unrelated uses only when the kind differs: the account and its SMS codes share 'phone'.
 */
import { createHmac } from 'node:crypto';
import { inArray, eq, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { DataKey } from './sealedBox.ts';
import { deriveKey, fieldKeys } from './fieldCipher.ts';

export type BlindIndexKind = 'phone' | 'id_number' | 'id_tail' | 'certificate_number';

const keys = new WeakMap<DataKey, Map<BlindIndexKind, Buffer>>();

function indexKey(key: DataKey, kind: BlindIndexKind): Buffer {
  let perKind = keys.get(key);
  if (!perKind) keys.set(key, (perKind = new Map()));
  let bytes = perKind.get(kind);
  if (!bytes) perKind.set(kind, (bytes = deriveKey(key, `rto-blind-index/${kind}`, 32)));
  return bytes;
}

/** The value as it is compared: ID numbers' check character in upper case, surrounding spaces dropped. */
const normalized = (kind: BlindIndexKind, value: string) => (kind === 'phone' ? value.trim() : value.trim().toUpperCase());

export function blindIndexWith(key: DataKey, kind: BlindIndexKind, value: string): string {
  return createHmac('sm3', indexKey(key, kind)).update(normalized(kind, value), 'utf8').digest('base64url');
}

/** The index under the current data key: what is written with a new or changed value. */
export const blindIndex = (kind: BlindIndexKind, value: string): string => blindIndexWith(fieldKeys().current, kind, value);

/** The last four characters of an ID number, as the staff queue's search index holds them. */
export const idTailIndex = (idNumber: string): string => blindIndex('id_tail', idNumber.trim().slice(-4));

/**
 * `column = index(value)` under every data key this instance holds: during a key rotation rows not yet
 * resealed carry the previous key's index. One key (the usual case) is a plain equality.
 */
export function matchesBlindIndex(column: PgColumn, kind: BlindIndexKind, value: string): SQL {
  const all = fieldKeys().all.map((key) => blindIndexWith(key, kind, value));
  return all.length === 1 ? eq(column, all[0]!) : inArray(column, all);
}
