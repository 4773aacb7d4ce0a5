/**
 * Moves everything sealed at rest to the current data key: personal data in the sealed columns (and
 * their blind indexes), the secrets sealed by secretBox (signing keys, staff authenticators), and the
 * file keys of stored files. Values still under a previous key are opened with it (the key ring holds
 * both) and sealed again; plaintext from before sealing existed is sealed for the first time.
 *
 * It runs beside a live system: each row is rewritten only if it still holds what was read (compare and
 * set), so a concurrent change by the application (always written under the current key) is never
 * overwritten; readers keep working throughout, as both keys open. Idempotent and resumable: a second
 * run, or a run after an interruption, finds only what is still left.
 */
import { eq, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/client.ts';
import { dataSealing } from '../db/schema.ts';
import { SEALED_TABLES, type SealedTable } from '../db/sealedColumns.ts';
import type { EncryptedFileStorage } from '../storage/encryptedFileStorage.ts';
import { blindIndexWith } from './blindIndex.ts';
import { openFieldWith, sealedFieldKeyId, sealFieldWith } from './fieldCipher.ts';
import type { KeyRing } from './keyRing.ts';
import { recordDataKeyFingerprint } from './keyFingerprint.ts';
import { SEALED, type SecretBox } from './secretBox.ts';
import { queryRows } from '../db/rows.ts';

export interface ResealCounts {
  /** Rows whose sealed columns were rewritten. */
  rows: number;
  /** Column values sealed again (or for the first time). */
  values: number;
  /** Sealed secrets (signing keys, staff authenticators) moved to the current key. */
  secrets: number;
  files: { resealed: number; encrypted: number; current: number };
}

export interface ResealProgress {
  phase: 'rows' | 'files';
  done: number;
  total: number;
}

type Row = Record<string, string | null>;

const BATCH = 200;

async function rowsOf(db: Executor, query: SQL): Promise<Row[]> {
  return queryRows<Row>(db, query);
}

const ident = (name: string) => sql.raw(`"${name.replace(/"/g, '')}"`);

/** The rows of a table with a sealed value not under the current key (or not sealed at all). */
function staleCondition(table: SealedTable, keyId: string): SQL {
  const prefix = `s1:${keyId}:`;
  return sql.join(
    table.columns.map((column) => sql`(${ident(column)} is not null and substr(${ident(column)}, 1, ${prefix.length}) <> ${prefix})`),
    sql` or `,
  );
}

/** The column a sealed table's rows are walked and rewritten by. */
const keyOf = (table: SealedTable) => ident(table.key ?? 'id');

/** How many rows still hold a value that is not sealed under the current key. */
export async function countStaleRows(db: Executor, ring: KeyRing): Promise<number> {
  let total = 0;
  for (const table of SEALED_TABLES) {
    const [row] = await rowsOf(db, sql`select count(*)::int as n from ${ident(table.table)} where ${staleCondition(table, ring.current.id)}`);
    total += Number(row?.n ?? 0);
  }
  return total;
}

/** The plaintext of a stored value: opened with whichever key sealed it, or as it is when never sealed. */
function plaintextOf(ring: KeyRing, purpose: string, stored: string): string {
  return sealedFieldKeyId(stored) === undefined ? stored : openFieldWith(ring, purpose, stored);
}

/** Rewrites one row under the current key if it still holds `row`; false when it changed meanwhile. */
async function resealRow(db: Executor, ring: KeyRing, table: SealedTable, row: Row): Promise<number | false> {
  const current = ring.current;
  const sets: SQL[] = [];
  const plain = new Map<string, string>();
  for (const column of table.columns) {
    const stored = row[column];
    if (stored === null || stored === undefined) continue;
    const purpose = `${table.table}.${column}`;
    const text = plaintextOf(ring, purpose, stored);
    plain.set(column, text);
    if (sealedFieldKeyId(stored) !== current.id) sets.push(sql`${ident(column)} = ${sealFieldWith(current, purpose, text)}`);
  }
  if (sets.length === 0) return 0;
  for (const index of table.indexes) {
    const source = plain.get(index.from);
    if (source === undefined) continue;
    const value = index.kind === 'id_tail' ? source.trim().slice(-4) : source;
    sets.push(sql`${ident(index.column)} = ${blindIndexWith(current, index.kind, value)}`);
  }
  const unchanged = sql.join(
    table.columns.map((column) => (row[column] === null ? sql`${ident(column)} is null` : sql`${ident(column)} = ${row[column]}`)),
    sql` and `,
  );
  const updated = await rowsOf(db, sql`update ${ident(table.table)} set ${sql.join(sets, sql`, `)} where ${keyOf(table)} = ${row.id} and ${unchanged} returning 1 as done`);
  return updated.length === 0 ? false : sets.length - table.indexes.filter((index) => plain.has(index.from)).length;
}

async function resealTable(db: Executor, ring: KeyRing, table: SealedTable, counts: ResealCounts, step: () => void): Promise<void> {
  const columns = sql.join([sql`${keyOf(table)}::text as id`, ...table.columns.map((column) => ident(column))], sql`, `);
  let after: string | undefined;
  for (;;) {
    const batch = await rowsOf(
      db,
      sql`select ${columns} from ${ident(table.table)} where ${after === undefined ? sql`true` : sql`${keyOf(table)} > ${after}`} and (${staleCondition(table, ring.current.id)}) order by ${keyOf(table)} limit ${BATCH}`,
    );
    if (batch.length === 0) return;
    for (let row of batch) {
      // Changed by the application between the read and the write: read it again (it may be done).
      for (let attempt = 0; ; attempt += 1) {
        const resealed = await resealRow(db, ring, table, row);
        if (resealed !== false) {
          if (resealed > 0) {
            counts.rows += 1;
            counts.values += resealed;
          }
          break;
        }
        if (attempt >= 20) throw new Error(`${table.table} ${row.id} keeps changing; run the reseal again`);
        const [fresh] = await rowsOf(db, sql`select ${columns} from ${ident(table.table)} where ${keyOf(table)} = ${row.id}`);
        if (!fresh) break;
        row = fresh;
      }
      step();
    }
    after = batch[batch.length - 1]!.id!;
  }
}

/** Signing keys and staff TOTP secrets (secretBox, AES-GCM) under a previous key, sealed again. */
async function resealSecrets(db: Executor, secrets: SecretBox): Promise<number> {
  const currentId = secrets.ring().current.id;
  const stale = (value: string | null): value is string => value !== null && value.split(':')[1] !== currentId;
  let moved = 0;
  for (const key of await rowsOf(db, sql`select kid, private_key_hex from signing_keys`)) {
    if (!stale(key.private_key_hex!)) continue;
    const purpose = SEALED.signingPrivateKey(key.kid!);
    const resealed = secrets.seal(purpose, secrets.open(purpose, key.private_key_hex!));
    moved += (await rowsOf(db, sql`update signing_keys set private_key_hex = ${resealed} where kid = ${key.kid} and private_key_hex = ${key.private_key_hex} returning kid`)).length;
  }
  for (const member of await rowsOf(db, sql`select id::text as id, totp_secret, totp_pending_secret from staff`)) {
    for (const [column, purpose] of [
      ['totp_secret', SEALED.totpSecret],
      ['totp_pending_secret', SEALED.totpPendingSecret],
    ] as const) {
      const value = member[column] ?? null;
      if (!stale(value)) continue;
      const resealed = secrets.seal(purpose, secrets.open(purpose, value));
      moved += (await rowsOf(db, sql`update staff set ${ident(column)} = ${resealed} where id = ${member.id} and ${ident(column)} = ${value} returning id`)).length;
    }
  }
  return moved;
}

/**
 * Everything to the current key. With `files`, stored files too. When nothing is left under another
 * key, the database's data-key fingerprint becomes the current key's: from then on an instance needs
 * the current key only.
 */
export async function resealAll(
  db: Executor,
  secrets: SecretBox,
  options: { files?: EncryptedFileStorage | undefined; onProgress?: (progress: ResealProgress) => void } = {},
): Promise<ResealCounts> {
  const ring = secrets.ring();
  const counts: ResealCounts = { rows: 0, values: 0, secrets: 0, files: { resealed: 0, encrypted: 0, current: 0 } };
  const total = await countStaleRows(db, ring);
  let done = 0;
  options.onProgress?.({ phase: 'rows', done, total });
  for (const table of SEALED_TABLES) {
    await resealTable(db, ring, table, counts, () => options.onProgress?.({ phase: 'rows', done: ++done, total: Math.max(total, done) }));
  }
  counts.secrets = await resealSecrets(db, secrets);
  if (options.files) {
    const keys: string[] = [];
    for await (const key of options.files.keys()) keys.push(key);
    options.onProgress?.({ phase: 'files', done: 0, total: keys.length });
    for (const [index, key] of keys.entries()) {
      const outcome = await options.files.reseal(key);
      if (outcome !== 'missing') counts.files[outcome] += 1;
      options.onProgress?.({ phase: 'files', done: index + 1, total: keys.length });
    }
  }
  // Rows written meanwhile are under the current key already; anything left means a failed write above.
  if ((await countStaleRows(db, ring)) === 0) await recordDataKeyFingerprint(db, secrets);
  return counts;
}

/**
 * At start: a database migrated from before personal data was sealed still holds plaintext rows and
 * files. They are sealed once, before the server serves; later starts find the step done.
 */
export async function sealPlaintextFromBefore(db: Executor, secrets: SecretBox, files: EncryptedFileStorage | undefined): Promise<ResealCounts | undefined> {
  const [step] = await db.select().from(dataSealing).where(eq(dataSealing.name, 'plaintext_from_before'));
  if (!step || step.completedAt) return undefined;
  const counts = await resealAll(db, secrets, { files });
  await db.update(dataSealing).set({ completedAt: new Date() }).where(eq(dataSealing.name, 'plaintext_from_before'));
  return counts;
}
