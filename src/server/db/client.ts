import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import * as schema from './schema.ts';

export type Schema = typeof schema;
/** The one database type the code sees, whichever driver is underneath. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
export type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];
export type Executor = Database | Transaction;

/** Connections of a pool (metrics): the most it opens, and where the driver tells, how many are open, idle, and queries waiting for one. */
export interface PoolStats {
  max: number;
  /** What the driver tells of its connections (postgres.js keeps them to itself). */
  total?: number;
  idle?: number;
  waiting?: number;
}

export interface DatabaseHandle {
  db: Database;
  kind: 'pglite' | 'postgres';
  /** PostgreSQL's pool; PGlite is one connection. */
  poolStats?: () => PoolStats;
  migrate(): Promise<void>;
  close(): Promise<void>;
}

export const migrationsFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface OpenDatabaseOptions {
  /** PostgreSQL URL; without it the embedded PGlite is used. */
  databaseUrl?: string | undefined;
  /** PGlite data directory; undefined = in memory. */
  dataDir?: string | undefined;
  /** A PGlite data-dir dump to start from (tests clone a migrated template). */
  loadDataDir?: Blob | File | undefined;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  if (options.databaseUrl) {
    // postgres.js (drizzle-orm/postgres-js): it reads libpq's multi-host URLs and target_session_attrs
    // itself, so with `postgres://u@h1,h2/db?target_session_attrs=read-write` every new connection goes
    // to the writable node; after a failover the dead connections fail, and the next ones find the new
    // primary. node-postgres takes one host only.
    const { default: postgres } = await import('postgres');
    const { drizzle } = await import('drizzle-orm/postgres-js');
    const { migrate } = await import('drizzle-orm/postgres-js/migrator');
    const max = 10;
    const client = postgres(options.databaseUrl, {
      max,
      // A database that does not answer fails a request within seconds rather than holding it.
      connect_timeout: 5,
      idle_timeout: 60,
      // Connections are renewed now and then, so they come back to the first host after a switchover.
      max_lifetime: 30 * 60,
      // Seconds before trying again after a failed connection: at most 1 s, so a promoted standby is
      // found within a second of its promotion (the driver's default grows to 20 s).
      backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 1),
      onnotice: () => {},
      connection: { application_name: 'rto' },
    });
    const db = drizzle(client, { schema }) as unknown as Database;
    return {
      db,
      kind: 'postgres',
      poolStats: () => ({ max }),
      migrate: () => migrate(db as never, { migrationsFolder }),
      close: () => client.end({ timeout: 5 }),
    };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const { migrate } = await import('drizzle-orm/pglite/migrator');
  if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
  const client = await PGlite.create({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
  });
  const db = drizzle(client, { schema }) as unknown as Database;
  let closed = false;
  return {
    db,
    kind: 'pglite',
    migrate: () => migrate(db as never, { migrationsFolder }),
    // PGlite keeps the process alive until closed.
    close: async () => {
      if (closed) return;
      closed = true;
      await client.close();
    },
  };
}
