import { customType } from 'drizzle-orm/pg-core';
import type { BlindIndexKind } from '../secrets/blindIndex.ts';
import { openField, sealField } from '../secrets/fieldCipher.ts';

/**
 * A text column holding personal data sealed with SM4 + HMAC-SM3 (secrets/fieldCipher.ts): written
 * sealed, read back as plaintext. The purpose, bound into the seal, is the column's `table.column`.
 * Never compare it in SQL (the seal is random): look it up by its blind-index column.
 */
export const sealedText = (purpose: string) =>
  customType<{ data: string; driverData: string }>({
    dataType: () => 'text',
    toDriver: (value) => sealField(purpose, value),
    fromDriver: (value) => openField(purpose, value),
  });

/** A JSON value sealed as a whole (forms and readings with names, ID numbers, addresses). */
export const sealedJson = <T>(purpose: string) =>
  customType<{ data: T; driverData: string }>({
    dataType: () => 'text',
    toDriver: (value) => sealField(purpose, JSON.stringify(value)),
    fromDriver: (value) => JSON.parse(openField(purpose, value)) as T,
  });

/** Every sealed column, as the reseal and the dump check walk them: table, key column, sealed columns. */
export interface SealedTable {
  table: string;
  /** The row's key (default `id`). */
  key?: string;
  columns: readonly string[];
  /** Blind-index columns and the sealed column each is computed from. */
  indexes: readonly { column: string; from: string; kind: BlindIndexKind }[];
}

export const SEALED_TABLES: readonly SealedTable[] = [
  {
    table: 'users',
    columns: ['phone', 'id_number', 'name', 'birth_date', 'address'],
    indexes: [
      { column: 'phone_index', from: 'phone', kind: 'phone' },
      { column: 'id_number_index', from: 'id_number', kind: 'id_number' },
      { column: 'id_tail_index', from: 'id_number', kind: 'id_tail' },
    ],
  },
  { table: 'sms_codes', columns: ['phone'], indexes: [{ column: 'phone_index', from: 'phone', kind: 'phone' }] },
  {
    table: 'certificates',
    columns: ['number', 'holder_id_number', 'holder_name', 'birth_date', 'address'],
    indexes: [
      { column: 'number_index', from: 'number', kind: 'certificate_number' },
      { column: 'holder_id_number_index', from: 'holder_id_number', kind: 'id_number' },
    ],
  },
  { table: 'applications', columns: ['personal_info'], indexes: [] },
  { table: 'verification_requests', columns: ['expected_value'], indexes: [] },
  { table: 'id_card_photos', columns: ['reading'], indexes: [] },
  { table: 'exchange_changes', columns: ['body'], indexes: [] },
  { table: 'wechat_bindings', key: 'user_id', columns: ['nickname', 'avatar_url'], indexes: [] },
  { table: 'exchange_inbound', columns: ['body'], indexes: [] },
  { table: 'real_name_submissions', columns: ['id_number', 'claimed', 'reading', 'differences', 'registry_names'], indexes: [] },
];
