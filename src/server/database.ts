import path from 'node:path';
import type { Config } from './config.ts';
import { openDatabase, type DatabaseHandle } from './db/client.ts';
import { sealAuditTables } from './audit/privileges.ts';

/**
 * Opens the configured database (PostgreSQL when DATABASE_URL is set, else PGlite under DATA_DIR/db)
 * and migrates it. On PostgreSQL migrations run as the owner role (DATABASE_MIGRATION_URL, else
 * DATABASE_URL), which then takes every right to change the audit tables from the other roles; the
 * handle returned connects with DATABASE_URL.
 */
export async function openConfiguredDatabase(config: Config): Promise<DatabaseHandle> {
  if (config.databaseUrl && config.databaseMigrationUrl && config.databaseMigrationUrl !== config.databaseUrl) {
    const owner = await openDatabase({ databaseUrl: config.databaseMigrationUrl });
    try {
      await owner.migrate();
      await sealAuditTables(owner.db);
    } finally {
      await owner.close();
    }
    return openDatabase({ databaseUrl: config.databaseUrl });
  }
  const handle = await openDatabase(
    config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: path.join(config.dataDir, 'db') },
  );
  try {
    await handle.migrate();
    if (handle.kind === 'postgres') await sealAuditTables(handle.db);
  } catch (error) {
    await handle.close();
    throw error;
  }
  return handle;
}
