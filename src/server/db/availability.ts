/**
 * What the metrics and the error handling know of the database connection, counted where every query
 * passes (the driver client drizzle is given), since postgres.js keeps its pool to itself:
 *
 * - `PoolUse`: operations in flight — a statement outside a transaction, or a whole transaction, each
 *   holding one connection or waiting for one. Beyond the pool's size they wait.
 * - `DatabaseAvailability` (PostgreSQL): when a query fails because the database is unreachable (or one
 *   hangs), a probe on a connection of its own asks whether a writable node answers within a second.
 *   Until one does, new operations fail at once with `DatabaseUnreachableError` (the API answers 503)
 *   instead of waiting in the driver for a node that is not there; the first probe or operation that
 *   gets an answer opens the way again. Operations already handed to the driver are left to it: only
 *   what has not reached it is refused.
 */

/** Error codes meaning the database is unreachable or going away (Node sockets, pg, PostgreSQL SQLSTATE). */
// postgres.js names its own connection failures (CONNECTION_*, CONNECT_TIMEOUT); 25006 is a write
// sent to a node that became read-only (a standby during a switchover); 40001/40P01 are not here.
const unavailableCodes = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EPIPE', 'EAI_AGAIN',
  '57P01', '57P02', '57P03', '53300', '25006',
  'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT', 'DATABASE_UNREACHABLE',
]);

const unavailableMessages = [/connection terminated/i, /timeout exceeded when trying to connect/i, /connection (is )?closed/i, /Client has encountered a connection error/i, /pglite is closed/i, /Cannot use a pool after calling end/i, /write CONNECTION_CLOSED|CONNECTION_ENDED/i];

function* causes(error: unknown): Generator<{ code: string; message: string }> {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const candidate = e as { code?: unknown; message?: unknown };
    yield { code: typeof candidate.code === 'string' ? candidate.code : '', message: typeof candidate.message === 'string' ? candidate.message : '' };
  }
}

/** Whether `error` (or one of its causes, as Drizzle wraps driver errors) says the database is down. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (const { code, message } of causes(error)) {
    if (unavailableCodes.has(code) || code.startsWith('08')) return true;
    if (unavailableMessages.some((pattern) => pattern.test(message))) return true;
  }
  return false;
}

/** Codes that say no node could be reached at all (not "reached, but it refused": full, wrong password). */
const unreachableCodes = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EPIPE', 'EAI_AGAIN',
  '57P01', '57P02', '57P03', '25006', 'CONNECTION_CLOSED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT',
]);
export const isUnreachable = (error: unknown): boolean => [...causes(error)].some(({ code }) => unreachableCodes.has(code) || code.startsWith('08'));

/** Refused before reaching the driver: no writable database answered the last probe. */
export class DatabaseUnreachableError extends Error {
  readonly code = 'DATABASE_UNREACHABLE';
  constructor() {
    super('No writable database is reachable');
  }
}

export class PoolUse {
  #inFlight = 0;
  constructor(readonly max: number) {}
  get inFlight(): number {
    return this.#inFlight;
  }
  started(): void {
    this.#inFlight += 1;
  }
  settled(): void {
    this.#inFlight -= 1;
  }
}

export interface AvailabilityOptions {
  /**
   * Whether a writable node answers (true), none does (false, or a rejection); a timeout counts as none.
   * The signal is aborted when the probe is given up: close what it opened.
   */
  probe: (signal: AbortSignal, timeoutMs: number) => Promise<boolean>;
  /** How long the first probe may take before no answer counts as unreachable (requests wait for it). */
  probeTimeoutMs?: number;
  /**
   * How long every fifth later probe may take, while refusing: as long as a new connection may take in
   * the driver, so a database that is there but slow to connect to is found again, not refused for good.
   */
  retryProbeTimeoutMs?: number;
  /** Between probes while unreachable. */
  retryMs?: number;
}

const RETRIES_PER_LONG_PROBE = 5;

export class DatabaseAvailability {
  /** up: operations go to the driver; checking: they wait for the probe (a second at most); down: refused. */
  #state: 'up' | 'checking' | 'down' = 'up';
  #verdict: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  readonly #probeTimeoutMs: number;
  readonly #retryProbeTimeoutMs: number;
  readonly #retryMs: number;

  constructor(private readonly options: AvailabilityOptions) {
    this.#probeTimeoutMs = options.probeTimeoutMs ?? 1000;
    this.#retryProbeTimeoutMs = options.retryProbeTimeoutMs ?? 5000;
    this.#retryMs = options.retryMs ?? 250;
  }

  get state(): 'up' | 'checking' | 'down' {
    return this.#state;
  }

  /** Resolves when an operation may go to the driver; rejects at once while no writable node answers. */
  admit(): Promise<void> | undefined {
    if (this.#state === 'up') return undefined;
    if (this.#state === 'checking') return this.#verdict!.then(() => this.admit());
    return Promise.reject(new DatabaseUnreachableError());
  }

  /** The database answered an operation (a result or an SQL error): it is reachable. */
  answered(): void {
    if (this.#state !== 'up') this.#up();
  }

  /** An operation failed: if for want of a database, find out whether one is there. */
  failed(error: unknown): void {
    if (error instanceof DatabaseUnreachableError) return;
    if (isDatabaseUnavailable(error)) this.suspect();
  }

  /** Something suggests the database is gone (a failure, an operation hanging): probe, unless already. */
  suspect(): void {
    if (this.#state !== 'up' || this.#closed) return;
    this.#state = 'checking';
    // New operations wait for this first verdict, but never longer than the probe may take.
    this.#verdict = this.#probe(this.#probeTimeoutMs).then((reachable) => {
      if (this.#state !== 'checking') return;
      if (reachable) this.#state = 'up';
      else this.#down();
    });
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  async #probe(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const abandon = new AbortController();
    try {
      return await Promise.race([
        this.options.probe(abandon.signal, timeoutMs).catch((error: unknown) => !isUnreachable(error)),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
      ]);
    } finally {
      clearTimeout(timer);
      abandon.abort();
    }
  }

  #down(): void {
    this.#state = 'down';
    let attempt = 0;
    const again = () => {
      if (this.#closed || this.#state !== 'down') return;
      // Mostly quick probes, so a node promoted meanwhile is found within a retry or so; every fifth
      // may take as long as a new connection may take, so a database that is there but slow to
      // connect to is found again rather than refused for good.
      const timeoutMs = ++attempt % RETRIES_PER_LONG_PROBE === 0 ? this.#retryProbeTimeoutMs : this.#probeTimeoutMs;
      void this.#probe(timeoutMs).then((reachable) => {
        if (reachable) this.#up();
        else this.#timer = setTimeout(again, this.#retryMs).unref();
      });
    };
    this.#timer = setTimeout(again, this.#retryMs).unref();
  }

  #up(): void {
    this.#state = 'up';
    clearTimeout(this.#timer);
  }
}

/** An operation hanging this long without an answer makes the database suspect (a probe is cheap). */
const HANGING_MS = 1500;

/**
 * Counts `run` in `use` and reports its outcome to `availability`; refused at once while the database
 * is unreachable.
 */
function tracked<T>(use: PoolUse, availability: DatabaseAvailability | undefined, run: () => PromiseLike<T>): Promise<T> {
  const go = async (): Promise<T> => {
    use.started();
    const hanging = availability ? setTimeout(() => availability.suspect(), HANGING_MS).unref() : undefined;
    try {
      const result = await run();
      availability?.answered();
      return result;
    } catch (error) {
      if (availability) {
        if (isDatabaseUnavailable(error)) availability.failed(error);
        else availability.answered();
      }
      throw error;
    } finally {
      clearTimeout(hanging);
      use.settled();
    }
  };
  const wait = availability?.admit();
  return wait ? wait.then(go) : go();
}

type Thenable = PromiseLike<unknown> & { values(): unknown };
interface PostgresJsLike {
  unsafe(query: string, params?: unknown[], options?: unknown): Thenable;
  begin(...args: unknown[]): Promise<unknown>;
}

/**
 * The postgres.js client as drizzle uses it (`unsafe` for statements, `begin` for transactions), each
 * counted and gated. A statement runs when awaited, as postgres.js runs it.
 */
export function trackedPostgresClient<C extends object>(client: C, use: PoolUse, availability: DatabaseAvailability): C {
  const target = client as unknown as PostgresJsLike;
  return new Proxy(client, {
    get(object, property, receiver) {
      if (property === 'unsafe') {
        return (query: string, params?: unknown[], options?: unknown) => {
          let asValues = false;
          let running: Promise<unknown> | undefined;
          const statement = {
            values() {
              asValues = true;
              return statement;
            },
            then<A, B>(onFulfilled?: ((value: unknown) => A | PromiseLike<A>) | null, onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null) {
              running ??= tracked(use, availability, () => {
                const pending = target.unsafe(query, params, options);
                return (asValues ? pending.values() : pending) as PromiseLike<unknown>;
              });
              return running.then(onFulfilled, onRejected);
            },
          };
          return statement;
        };
      }
      if (property === 'begin') return (...args: unknown[]) => tracked(use, availability, () => target.begin(...args));
      return Reflect.get(object, property, receiver) as unknown;
    },
  });
}

interface PgliteLike {
  query(...args: unknown[]): Promise<unknown>;
  transaction(...args: unknown[]): Promise<unknown>;
}

/** PGlite as drizzle uses it (`query`, `transaction`), counted; its other methods reach it unchanged. */
export function trackedPglite<C extends object>(client: C, use: PoolUse): C {
  const target = client as unknown as PgliteLike;
  const bound = new Map<PropertyKey, unknown>();
  return new Proxy(client, {
    get(object, property) {
      if (property === 'query') return (...args: unknown[]) => tracked(use, undefined, () => target.query(...args));
      if (property === 'transaction') return (...args: unknown[]) => tracked(use, undefined, () => target.transaction(...args));
      const value = Reflect.get(object, property, object) as unknown;
      if (typeof value !== 'function') return value;
      // PGlite keeps its state in private fields: its methods run on the instance itself.
      if (!bound.has(property)) bound.set(property, (value as (...args: unknown[]) => unknown).bind(object));
      return bound.get(property);
    },
  });
}

/**
 * The nodes of a libpq URL, one URL each (`postgres://u@h1:5432,h2:5432/db?…` → two), without
 * `target_session_attrs`: a probe asks each node itself whether it takes writes.
 */
export function nodeUrls(databaseUrl: string): string[] {
  const afterScheme = databaseUrl.indexOf('://') + 3;
  const authority = databaseUrl.slice(afterScheme).split(/[?/]/)[0]!;
  const hosts = authority.slice(authority.lastIndexOf('@') + 1);
  const single = (host: string) => {
    const url = new URL(databaseUrl.slice(0, afterScheme) + authority.slice(0, authority.lastIndexOf('@') + 1) + host + databaseUrl.slice(afterScheme + authority.length));
    url.searchParams.delete('target_session_attrs');
    return url.toString();
  };
  return hosts.includes(',') ? hosts.split(',').map(single) : [single(hosts)];
}
