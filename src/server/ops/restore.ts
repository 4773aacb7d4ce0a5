import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import type { FileStorage } from '../storage/index.ts';
import type { SecretBox } from '../secrets/secretBox.ts';
import { fingerprintOf } from '../secrets/keyFingerprint.ts';
import { BACKUP_FORMAT, backedUpTables, contentTypeOf, type BackupManifest, type Progress } from './backupFormat.ts';
import { queryRows } from '../db/rows.ts';

/** A restore refused before anything was written; `problems` says each reason in plain words. */
export class RestoreRefused extends Error {
  constructor(readonly problems: string[]) {
    super(`Restore refused:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'RestoreRefused';
  }
}

const rowsOf = queryRows;

/** Tables an empty, migrated database already has a row in (markers and version stamps). */
const MIGRATION_SEEDED = ['data_sealing', 'verify_state'];

/**
 * Reads and checks a backup without touching any database: the format, every file's SHA-256 and size
 * against the manifest, and the data key's fingerprint against the one configured now.
 */
export async function checkBackup(dir: string, secrets: Pick<SecretBox, 'mac'>, progress: Progress = () => undefined): Promise<BackupManifest> {
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as BackupManifest;
  } catch {
    throw new RestoreRefused([`${dir} holds no readable manifest.json: is it a backup written by \`rto backup\`?`]);
  }
  if (manifest.format !== BACKUP_FORMAT) throw new RestoreRefused([`unknown backup format ${String(manifest.format)} (this version reads ${BACKUP_FORMAT})`]);
  const problems: string[] = [];
  if (manifest.dataKeyFingerprint !== fingerprintOf(secrets)) {
    problems.push('RTO_DATA_KEY: the configured data key is not the one this backup was sealed with; set RTO_DATA_KEY to the key of the system that was backed up (backups never carry the key)');
  }
  const entries = Object.entries(manifest.checksums);
  for (const [index, [relative, expected]] of entries.entries()) {
    if (relative.split('/').some((segment) => segment === '..' || segment === '') || path.isAbsolute(relative)) {
      problems.push(`${relative}: not a path inside the backup`);
      continue;
    }
    try {
      const data = await readFile(path.join(dir, ...relative.split('/')));
      const actual = createHash('sha256').update(data).digest('hex');
      if (actual !== expected.sha256 || data.length !== expected.bytes) problems.push(`${relative}: checksum does not match the manifest (changed or damaged)`);
    } catch {
      problems.push(`${relative}: missing from the backup`);
    }
    progress('check', index + 1, entries.length);
  }
  for (const name of Object.keys(manifest.tables)) {
    if (!manifest.checksums[`database/${name}.jsonl`]) problems.push(`database/${name}.jsonl: not covered by the manifest`);
  }
  if (problems.length) throw new RestoreRefused(problems);
  return manifest;
}

export interface RestoreOptions {
  dir: string;
  /** A migrated database with no data in it. */
  db: Database;
  storage: FileStorage;
  secrets: Pick<SecretBox, 'mac'>;
  progress?: Progress;
}

const ROWS_PER_INSERT = 500;

/**
 * Restores a backup into an empty, migrated database and its file storage: checks everything first
 * (checkBackup), refuses a database that already holds data, then writes the files and inserts every
 * table in one transaction (all or nothing), and moves the id sequences past the restored rows.
 */
export async function restoreBackup(options: RestoreOptions): Promise<BackupManifest> {
  const { dir, db, storage } = options;
  const progress = options.progress ?? (() => undefined);
  const manifest = await checkBackup(dir, options.secrets, progress);
  const [migrations] = await rowsOf<{ n: string }>(db, sql`select count(*)::text as n from drizzle.__drizzle_migrations`);
  if (Number(migrations?.n ?? 0) < manifest.schemaMigrations) {
    throw new RestoreRefused([`the backup comes from a newer version (${manifest.schemaMigrations} migrations, this one has ${migrations?.n ?? 0}): restore it with that version or a later one`]);
  }
  const known = backedUpTables();
  const unknown = Object.keys(manifest.tables).filter((name) => !known.includes(name));
  if (unknown.length) throw new RestoreRefused([`the backup has tables this version does not know: ${unknown.join(', ')}`]);
  const occupied: string[] = [];
  for (const name of known) {
    if (MIGRATION_SEEDED.includes(name)) continue;
    const [row] = await rowsOf<{ any: boolean }>(db, sql`select exists (select 1 from ${sql.identifier(name)}) as any`);
    if (row?.any) occupied.push(name);
  }
  if (occupied.length) throw new RestoreRefused([`the target database is not empty (${occupied.join(', ')}): restore into a new database or an empty data directory`]);
  // Nor over another system's files: a restore pointed at the live bucket or data directory would replace them.
  for await (const key of storage.keys()) {
    throw new RestoreRefused([`the target file storage is not empty (it holds ${key} and maybe more): restore into an empty directory or bucket`]);
  }

  // Files first: a row restored without its file would be a broken application.
  const files = Object.keys(manifest.checksums).filter((relative) => relative.startsWith('files/'));
  for (const [index, relative] of files.entries()) {
    const key = relative.slice('files/'.length);
    await storage.put(key, await readFile(path.join(dir, ...relative.split('/'))), contentTypeOf(key));
    progress('files', index + 1, files.length);
  }

  const total = Object.values(manifest.tables).reduce((a, b) => a + b, 0);
  let done = 0;
  await db.transaction(async (tx) => {
    for (const name of known) {
      if (!(name in manifest.tables)) continue;
      const text = await readFile(path.join(dir, 'database', `${name}.jsonl`), 'utf8');
      const lines = text.split('\n').filter((line) => line !== '');
      // The rows the migrations put in an empty database give way to the backed-up ones.
      if (MIGRATION_SEEDED.includes(name)) await tx.execute(sql`delete from ${sql.identifier(name)}`);
      for (let start = 0; start < lines.length; start += ROWS_PER_INSERT) {
        const batch = `[${lines.slice(start, start + ROWS_PER_INSERT).join(',')}]`;
        // PostgreSQL turns each JSON object back into a row of the table's own type, column by column.
        await tx.execute(sql`insert into ${sql.identifier(name)} select * from json_populate_recordset(null::${sql.identifier(name)}, ${batch}::json)`);
        done += Math.min(ROWS_PER_INSERT, lines.length - start);
        progress('database', done, total);
      }
    }
    // Serial ids continue after the restored rows; a sequence several columns draw from (the status-list
    // index of vouchers and certificates) continues after the highest of them all.
    const drawing = await rowsOf<{ table_name: string; column_name: string; column_default: string }>(
      tx,
      sql`select table_name, column_name, column_default from information_schema.columns where table_schema = 'public' and column_default like 'nextval(%'`,
    );
    const bySequence = new Map<string, { table: string; column: string }[]>();
    for (const { table_name: table, column_name: column, column_default: expression } of drawing) {
      const sequence = /nextval\('([^']+)'/.exec(expression)?.[1];
      if (!sequence) continue;
      bySequence.set(sequence, [...(bySequence.get(sequence) ?? []), { table, column }]);
    }
    for (const [sequence, columns] of bySequence) {
      const highest = sql.join(
        columns.map(({ table, column }) => sql`coalesce((select max(${sql.identifier(column)}) from ${sql.identifier(table)}), -1)`),
        sql`, `,
      );
      const [{ next }] = await rowsOf<{ next: string }>(tx, sql`select greatest(${highest}) + 1 as next`) as [{ next: string }];
      const [{ min }] = await rowsOf<{ min: string }>(tx, sql`select min_value::text as min from pg_sequences where schemaname || '.' || sequencename = ${sequence.includes('.') ? sequence.replaceAll('"', '') : `public.${sequence.replaceAll('"', '')}`}`) as [{ min: string }];
      await tx.execute(sql`select setval(${sequence}::regclass, greatest(${Number(next)}::bigint, ${Number(min)}::bigint), false)`);
    }
  });
  progress('database', total, total);
  return manifest;
}
