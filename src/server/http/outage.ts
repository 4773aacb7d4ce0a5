import type { FastifyBaseLogger } from 'fastify';
import { AppError } from '../errors.ts';

/** Error codes meaning the database is unreachable or going away (Node sockets, pg, PostgreSQL SQLSTATE). */
// postgres.js names its own connection failures (CONNECTION_*, CONNECT_TIMEOUT); 25006 is a write
// sent to a node that became read-only (a standby during a switchover); 40001/40P01 are not here.
const unavailableCodes = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EPIPE', 'EAI_AGAIN',
  '57P01', '57P02', '57P03', '53300', '25006',
  'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT',
]);

const unavailableMessages = [/connection terminated/i, /timeout exceeded when trying to connect/i, /connection (is )?closed/i, /Client has encountered a connection error/i, /pglite is closed/i, /Cannot use a pool after calling end/i, /write CONNECTION_CLOSED|CONNECTION_ENDED/i];

/** Whether `error` (or one of its causes, as Drizzle wraps driver errors) says the database is down. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const candidate = e as { code?: unknown; message?: unknown };
    const code = typeof candidate.code === 'string' ? candidate.code : '';
    if (unavailableCodes.has(code) || code.startsWith('08')) return true;
    const message = typeof candidate.message === 'string' ? candidate.message : '';
    if (unavailableMessages.some((pattern) => pattern.test(message))) return true;
  }
  return false;
}

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
