import type { FastifyBaseLogger } from 'fastify';
import type { Config } from './config.ts';
import type { Database } from './db/client.ts';

/** Everything a capability needs from the outside world, injected so tests can replace any part. */
export interface AppContext {
  config: Config;
  db: Database;
  logger: FastifyBaseLogger;
  /** The current instant; tests move it to check expiries and deadlines. */
  now: () => Date;
}
