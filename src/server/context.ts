import type { FastifyBaseLogger } from 'fastify';
import type { Adapters } from './adapters.ts';
import type { Config } from './config.ts';
import type { Database } from './db/client.ts';
import type { SecretBox } from './secrets/secretBox.ts';
import type { WorkQueue } from './http/workQueue.ts';
import type { Verifier } from './verify/verify.ts';
import type { Publication } from './verify/publication.ts';

/** Everything a capability needs from the outside world, injected so tests can replace any part. */
export interface AppContext extends Adapters {
  config: Config;
  db: Database;
  logger: FastifyBaseLogger;
  /** Seals and opens the secrets kept in the database, with the configured data key. */
  secrets: SecretBox;
  /** The current instant; tests move it to check expiries and deadlines. */
  now: () => Date;
  /** Bounded queues for costly work in this process (http/workQueue.ts). */
  work: { images: WorkQueue; ocr: WorkQueue };
  /** The public verifier's cached state and batched check log (verifier.checkLog counts verdicts). */
  verifier: Verifier;
  /** The signed trust list and status list offline verifiers download. */
  publication: Publication;
}
