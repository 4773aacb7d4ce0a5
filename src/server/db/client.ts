import { mkdir } from 'node:fs/promises';
import { createConnection, type Socket } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { DatabaseAvailability, PoolUse, isUnreachable, nodeUrls, trackedPglite, trackedPostgresClient } from './availability.ts';
import * as schema from './schema.ts';

export type Schema = typeof schema;
/** The one database type the code sees, whichever driver is underneath. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
export type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];
export type Executor = Database | Transaction;

/**
 * The pool's use (metrics), counted where queries pass (db/availability.ts): the most connections it
 * opens, how many are busy with a statement or a transaction, and how many operations wait for one.
 */
export interface PoolStats {
  max: number;
  inUse: number;
  waiting: number;
}

const poolStatsOf = (use: PoolUse) => (): PoolStats => ({ max: use.max, inUse: Math.min(use.inFlight, use.max), waiting: Math.max(0, use.inFlight - use.max) });

export interface DatabaseHandle {
  db: Database;
  kind: 'pglite' | 'postgres';
  /** The pool's use (PGlite is one connection). */
  poolStats: () => PoolStats;
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

interface NodeAddress {
  host: string;
  port: number;
}

const nodeAddress = (url: string): NodeAddress => {
  const parsed = new URL(url);
  return { host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(parsed.port || 5432) };
};

/** A TCP connection to the node, or the error that prevented it within `timeoutMs`. */
function tcpConnection(address: NodeAddress, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: address.host, port: address.port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(Object.assign(new Error(`connect ETIMEDOUT ${address.host}:${address.port}`), { code: 'ETIMEDOUT' }));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/**
 * The socket of a new pool connection: the first node that takes a TCP connection, starting at
 * `first`. When none does, a connection to the first, so that the driver meets its failure as it would
 * without this (and tries again after its backoff).
 */
async function socketToFirstAnswering(addresses: NodeAddress[], first: number, skipped: () => void): Promise<Socket> {
  const order = [...addresses.slice(first), ...addresses.slice(0, first)];
  for (const [index, address] of order.entries()) {
    try {
      const socket = await tcpConnection(address, 1000);
      // The driver names the TLS server after it.
      return Object.assign(socket, { host: address.host, port: address.port });
    } catch {
      // The node last found writable does not answer: find out which one does (the next may be a
      // standby, which the driver turns away again and again until a primary is there).
      if (index === 0) skipped();
    }
  }
  return Object.assign(createConnection({ host: order[0]!.host, port: order[0]!.port }), { host: order[0]!.host, port: order[0]!.port });
}

/** Whether the node at `url` answers and takes writes (not a standby), on a connection of its own. */
async function writableNode(postgres: typeof import('postgres'), url: string, signal: AbortSignal, timeoutMs: number): Promise<boolean> {
  const node = postgres(url, { max: 1, connect_timeout: Math.max(1, Math.ceil(timeoutMs / 1000)), idle_timeout: 1, fetch_types: false, onnotice: () => {}, connection: { application_name: 'rto-probe' } });
  const close = () => void node.end({ timeout: 0 });
  signal.addEventListener('abort', close, { once: true });
  try {
    // A primary fenced read-only (default_transaction_read_only) refuses writes as a standby does.
    const [row] = await node<{ standby: boolean; readOnly: boolean }[]>`select pg_is_in_recovery() as standby, current_setting('transaction_read_only') = 'on' as "readOnly"`;
    return row?.standby === false && row.readOnly === false;
  } finally {
    signal.removeEventListener('abort', close);
    close();
  }
}

/**
 * libpq's `target_session_attrs=read-write` takes a node that is not a hot standby and writes by
 * default; postgres.js checks only `default_transaction_read_only`, which a hot standby leaves off, and
 * would keep connections to a standby listed first (every write refused). Its `primary` checks
 * `in_hot_standby`: the node that takes writes.
 */
export const forTheDriver = (databaseUrl: string): string => databaseUrl.replace(/([?&]target_session_attrs=)read-write(?=&|$)/, '$1primary');

export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  if (options.databaseUrl) {
    // postgres.js (drizzle-orm/postgres-js): it reads libpq's multi-host URLs and target_session_attrs
    // itself, so with `postgres://u@h1,h2/db?target_session_attrs=read-write` every new connection goes
    // to a writable node; after a failover the dead connections fail, and the next ones find the new
    // primary. node-postgres takes one host only.
    const { default: postgres } = await import('postgres');
    const { drizzle } = await import('drizzle-orm/postgres-js');
    const { migrate } = await import('drizzle-orm/postgres-js/migrator');
    const max = 10;
    const nodes = nodeUrls(options.databaseUrl);
    const addresses = nodes.length > 1 ? nodes.map(nodeAddress) : [];
    // With several nodes, a new connection starts at the node last found writable: the driver would
    // take them in the URL's order, and an old primary whose host hangs costs each connection tried
    // there its whole connect timeout (and its request).
    let writableIndex = 0;
    // Many new connections in a second mean the node they go to turns them away (a standby, after a
    // switchover, under target_session_attrs): the probe then finds the node that takes writes now.
    let recentConnects: number[] = [];
    const connectTo = () => {
      const now = Date.now();
      recentConnects = [...recentConnects.filter((at) => now - at < 1000), now];
      if (recentConnects.length > 2 * max) availability.suspect();
      return socketToFirstAnswering(addresses, writableIndex, () => availability.suspect());
    };
    const client = postgres(forTheDriver(options.databaseUrl), {
      max,
      // A database that does not answer fails a request within seconds rather than holding it.
      connect_timeout: 5,
      idle_timeout: 60,
      // Connections are renewed now and then.
      max_lifetime: 30 * 60,
      // Seconds before trying again after a failed connection: at most 1 s, so a promoted standby is
      // found within a second of its promotion (the driver's default grows to 20 s).
      backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 1),
      onnotice: () => {},
      connection: { application_name: 'rto' },
      ...(addresses.length > 1 ? { socket: connectTo } : {}),
    });
    // While no writable node answers, new operations are refused at once (503) rather than waiting in
    // the driver: a probe of each node, on a connection of its own, tells when one takes writes again.
    const availability = new DatabaseAvailability({
      probe: (signal, timeoutMs) =>
        new Promise<boolean>((resolve) => {
          // Writable as soon as one node says so; otherwise, once all have answered, reachable only if
          // one was there but refused (full, a wrong password): requests then meet that themselves.
          let pending = nodes.length;
          let reachable = false;
          for (const [index, url] of nodes.entries()) {
            writableNode(postgres, url, signal, timeoutMs)
              .then(
                (writable) => {
                  if (!writable) return;
                  writableIndex = index;
                  resolve(true);
                },
                (error: unknown) => {
                  if (!isUnreachable(error)) reachable = true;
                },
              )
              .finally(() => --pending === 0 && resolve(reachable));
          }
        }),
    });
    const use = new PoolUse(max);
    const db = drizzle(trackedPostgresClient(client, use, availability), { schema }) as unknown as Database;
    return {
      db,
      kind: 'postgres',
      poolStats: poolStatsOf(use),
      migrate: () => migrate(db as never, { migrationsFolder }),
      close: async () => {
        availability.close();
        await client.end({ timeout: 5 });
      },
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
  const use = new PoolUse(1);
  const db = drizzle(trackedPglite(client, use), { schema }) as unknown as Database;
  let closed = false;
  return {
    db,
    kind: 'pglite',
    poolStats: poolStatsOf(use),
    migrate: () => migrate(db as never, { migrationsFolder }),
    // PGlite keeps the process alive until closed.
    close: async () => {
      if (closed) return;
      closed = true;
      await client.close();
    },
  };
}
