import { createHash } from 'node:crypto';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import type { FileStorage } from '../storage/index.ts';
import { AppError } from '../errors.ts';
import { BACKUP_FORMAT, backedUpTables, FILE_KEY_COLUMNS, type BackupManifest, type Progress } from './backupFormat.ts';
import { queryRows } from '../db/rows.ts';

export interface BackupOptions {
  db: Database;
  kind: 'pglite' | 'postgres';
  storage: FileStorage;
  outDir: string;
  progress?: Progress;
  now?: () => Date;
}

export interface BackupResult {
  manifest: BackupManifest;
  files: number;
  bytes: number;
}

const rowsOf = queryRows;

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
const ROWS_PER_READ = 2000;

/**
 * Writes a backup of a running system into an empty `outDir`: every table read in one REPEATABLE READ,
 * READ ONLY transaction (one instant; writers go on meanwhile), then every stored file a row of that
 * instant points at, each with its SHA-256 in the manifest. The data key itself is never in a backup.
 */
export async function writeBackup(options: BackupOptions): Promise<BackupResult> {
  const { db, storage, outDir } = options;
  const progress = options.progress ?? (() => undefined);
  await mkdir(outDir, { recursive: true });
  if ((await readdir(outDir)).length > 0) {
    throw new AppError(409, 'BACKUP_DIR_NOT_EMPTY', { zh: '备份目录不是空的', en: `The backup directory ${outDir} is not empty` });
  }
  await mkdir(path.join(outDir, 'database'));
  const checksums: BackupManifest['checksums'] = {};
  const tables: Record<string, number> = {};
  const fileKeys = new Set<string>();
  const names = backedUpTables();
  const keyColumns = new Map<string, string[]>();
  for (const { table, column } of FILE_KEY_COLUMNS) keyColumns.set(table, [...(keyColumns.get(table) ?? []), column]);

  const snapshot = await db.transaction(
    async (tx) => {
      const [fingerprint] = await rowsOf<{ fingerprint: string }>(tx, sql`select fingerprint from data_key_fingerprint where id = 1`);
      const [migrations] = await rowsOf<{ n: string }>(tx, sql`select count(*)::text as n from drizzle.__drizzle_migrations`);
      // One connection, one query at a time.
      const totals: number[] = [];
      for (const name of names) totals.push(Number((await rowsOf<{ n: string }>(tx, sql`select count(*)::text as n from ${sql.identifier(name)}`))[0]?.n ?? 0));
      const allRows = totals.reduce((a, b) => a + b, 0);
      let done = 0;
      for (const name of names) {
        const file = path.join(outDir, 'database', `${name}.jsonl`);
        const hash = createHash('sha256');
        const chunks: string[] = [];
        let count = 0;
        // Paged by physical position (a TID range scan): stable inside the snapshot, no offset to walk.
        let after = '(0,0)';
        for (;;) {
          const rows = await rowsOf<{ row: string; at: string }>(tx, sql`select row_to_json(t)::text as row, t.ctid::text as at from ${sql.identifier(name)} t where t.ctid > ${after}::tid order by t.ctid limit ${ROWS_PER_READ}`);
          if (rows.length === 0) break;
          for (const { row } of rows) {
            const line = `${row}\n`;
            chunks.push(line);
            hash.update(line);
            count++;
            const columns = keyColumns.get(name);
            if (columns) {
              const parsed = JSON.parse(row) as Record<string, unknown>;
              for (const column of columns) if (typeof parsed[column] === 'string' && parsed[column]) fileKeys.add(parsed[column] as string);
            }
          }
          after = rows[rows.length - 1]!.at;
          done += rows.length;
          progress('database', done, allRows);
        }
        const text = chunks.join('');
        await writeFile(file, text);
        checksums[`database/${name}.jsonl`] = { sha256: hash.digest('hex'), bytes: Buffer.byteLength(text) };
        tables[name] = count;
      }
      progress('database', allRows, allRows);
      return { fingerprint: fingerprint?.fingerprint, migrations: Number(migrations?.n ?? 0) };
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
  if (!snapshot.fingerprint) {
    throw new AppError(409, 'BACKUP_NO_DATA_KEY', { zh: '数据库尚未启动过，没有可备份的内容', en: 'The database has never been started with a data key; there is nothing to back up' });
  }

  // Files after the snapshot: a file is stored before the row pointing at it commits, and removed only
  // after the row stops pointing at it, so every key of the snapshot is still there unless a later
  // change removed it (then the manifest says so).
  const keys = [...fileKeys].sort();
  const missingFiles: string[] = [];
  let bytes = 0;
  for (const [index, key] of keys.entries()) {
    let data: Buffer;
    try {
      data = await storage.get(key);
    } catch (error) {
      if ((error as AppError).code === 'FILE_NOT_FOUND') {
        missingFiles.push(key);
        continue;
      }
      throw error;
    }
    const target = path.join(outDir, 'files', ...key.split('/'));
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, data);
    checksums[`files/${key}`] = { sha256: sha256(data), bytes: data.length };
    bytes += data.length;
    progress('files', index + 1, keys.length);
  }
  progress('files', keys.length, keys.length);

  const manifest: BackupManifest = {
    format: BACKUP_FORMAT,
    createdAt: (options.now ?? (() => new Date()))().toISOString(),
    source: options.kind,
    schemaMigrations: snapshot.migrations,
    dataKeyFingerprint: snapshot.fingerprint,
    tables,
    missingFiles,
    checksums,
  };
  await writeFile(path.join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return { manifest, files: keys.length - missingFiles.length, bytes };
}
