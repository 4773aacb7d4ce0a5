import type { FastifyBaseLogger } from 'fastify';
import { AppError } from '../errors.ts';

// What counts as the database being down is the database layer's to say (db/availability.ts): the
// same test decides there when to probe for a writable node.
export { isDatabaseUnavailable } from '../db/availability.ts';

export const serviceUnavailable = () =>
  new AppError(503, 'SERVICE_UNAVAILABLE', { zh: '服务暂时不可用，请稍后再试', en: 'The service is temporarily unavailable; try again in a moment' }, { retryAfterSeconds: 10 });

/** Errors further apart than this belong to separate outages. */
const OUTAGE_QUIET_MS = 30_000;

/**
 * One log line when the database becomes unreachable, not one per failed request; a line when it is
 * reachable again (readiness saw it answer) says how many requests were refused meanwhile.
 */
export class OutageLog {
  #since: number | undefined;
  #last = 0;
  #refused = 0;

  constructor(
    private readonly logger: FastifyBaseLogger,
    private readonly now: () => number = Date.now,
  ) {}

  get active(): boolean {
    return this.#since !== undefined && this.now() - this.#last <= OUTAGE_QUIET_MS;
  }

  /** A request failed because the database is down. */
  failed(kind: string | undefined): void {
    const now = this.now();
    if (!this.active) {
      this.#since = now;
      this.#refused = 0;
      this.logger.error({ dependency: 'database', code: kind }, 'database unavailable: answering 503 until it is back');
    }
    this.#last = now;
    this.#refused++;
  }

  /** The database answered again. */
  recovered(): void {
    if (this.#since === undefined) return;
    this.logger.warn({ dependency: 'database', refusedRequests: this.#refused, outageMs: this.now() - this.#since }, 'database available again');
    this.#since = undefined;
    this.#refused = 0;
  }
}
