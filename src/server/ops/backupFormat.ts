import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import * as schema from '../db/schema.ts';

/**
 * The backup directory:
 *   manifest.json           what is in it: format, when, the data key's fingerprint, row counts, and the
 *                           SHA-256 and size of every other file
 *   database/<table>.jsonl  one JSON object per row (PostgreSQL's own row_to_json), all tables read in
 *                           one REPEATABLE READ snapshot, so the dump is one instant of the database
 *   files/<key>             every stored file a row of the dump points at, read through FileStorage
 * The format is the same for PGlite and PostgreSQL: a backup of one restores into the other.
 */
export const BACKUP_FORMAT = 'rto-backup/1';

export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  createdAt: string;
  source: 'pglite' | 'postgres';
  /** The last migration applied where the backup was taken; a restore refuses an older code base. */
  schemaMigrations: number;
  /** secrets/keyFingerprint.ts: the restore refuses a data key that does not match. */
  dataKeyFingerprint: string;
  tables: Record<string, number>;
  /** Stored files the dump points at that were deleted before they could be copied (a change after the snapshot). */
  missingFiles: string[];
  /** Every file of the backup but this manifest, by relative path (forward slashes). */
  checksums: Record<string, { sha256: string; bytes: number }>;
}

/**
 * Tables in the order a restore inserts them: each after every table its foreign keys reference.
 * `application_state_counts` is left out: the trigger rebuilds it as applications come in.
 */
export function backedUpTables(): string[] {
  const references = new Map<string, Set<string>>();
  for (const value of Object.values(schema)) {
    if (typeof value !== 'object' || value === null) continue;
    let config: ReturnType<typeof getTableConfig>;
    try {
      config = getTableConfig(value as PgTable);
    } catch {
      continue;
    }
    if (!config.name || config.name === 'application_state_counts') continue;
    const targets = new Set(config.foreignKeys.map((fk) => getTableConfig(fk.reference().foreignTable).name).filter((name) => name !== config.name));
    references.set(config.name, targets);
  }
  const ordered: string[] = [];
  const visit = (name: string, path: string[]) => {
    if (ordered.includes(name)) return;
    if (path.includes(name)) throw new Error(`foreign keys form a cycle: ${[...path, name].join(' -> ')}`);
    for (const target of [...(references.get(name) ?? [])].sort()) visit(target, [...path, name]);
    ordered.push(name);
  };
  for (const name of [...references.keys()].sort()) visit(name, []);
  return ordered;
}

/** Columns holding FileStorage keys: the files a backup must carry. */
export const FILE_KEY_COLUMNS: readonly { table: string; column: string }[] = [
  { table: 'users', column: 'id_photo_key' },
  { table: 'verification_requests', column: 'photo_key' },
  { table: 'materials', column: 'file_key' },
  { table: 'materials', column: 'thumbnail_key' },
  { table: 'id_card_photos', column: 'storage_key' },
];

/** What a long step reports as it goes (the CLI draws progress bars from it). */
export type Progress = (phase: string, done: number, total: number) => void;

export const contentTypeOf = (key: string): string =>
  /\.jpe?g$/i.test(key) ? 'image/jpeg' : /\.png$/i.test(key) ? 'image/png' : /\.pdf$/i.test(key) ? 'application/pdf' : /\.webp$/i.test(key) ? 'image/webp' : 'application/octet-stream';
