/**
 * The log of verification checks (voucher_checks), written in batches off the request path: a check
 * is counted in memory and written with the others at most FLUSH_INTERVAL_MS later (or as soon as
 * BATCH_SIZE rows are waiting). Identical checks (serial, verdict, reason, channel) within one second
 * are one row with their count: at a roadside rush the same QR is checked again and again, and a row
 * per check made these writes the verifier's largest cost. A failed write keeps the counts for the
 * next attempt; `close()` writes everything still waiting, so a clean shutdown loses nothing. Only
 * when the database stays unreachable long enough for MAX_PENDING rows to pile up are the oldest
 * dropped (and their checks counted), so an outage cannot exhaust the memory.
 *
 * Rows say what was checked (serial when the signature held), the verdict and the channel — nothing
 * about who checked. `verdictCounts()` is for metrics.
 */
import type { FastifyBaseLogger } from 'fastify';
import { sql } from 'drizzle-orm';
import type { Executor } from '../db/client.ts';

/** One statement with one JSON parameter, whatever the batch size (cheap to bind, also in PGlite). */
async function insertChecks(db: Executor, rows: PendingRow[]): Promise<void> {
  const json = JSON.stringify(rows.map((r) => ({ s: r.serial, v: r.verdict, r: r.reason, c: r.channel, t: new Date(r.second).toISOString(), n: r.checks })));
  await db.execute(sql`
    insert into voucher_checks (serial, verdict, reason, channel, checked_at, checks)
    select e->>'s', e->>'v', e->>'r', e->>'c', (e->>'t')::timestamptz, (e->>'n')::int from jsonb_array_elements(${json}::jsonb) as e`);
}

export interface CheckRecord {
  serial: string | null;
  verdict: string;
  reason: string | null;
  channel: string;
  checkedAt: Date;
}

/** Identical checks within one second (`second`: its first millisecond), waiting to be written. */
interface PendingRow {
  serial: string | null;
  verdict: string;
  reason: string | null;
  channel: string;
  second: number;
  checks: number;
  /** True while the row is in `pending`: counting into it then counts the check. */
  waiting: boolean;
}

/**
 * The row a check was counted in: a handle for `record`'s caller to hand back with the next check of
 * the same thing, read by the log only (a row no longer waiting is never counted into again).
 */
export type CheckRow = Readonly<Pick<PendingRow, 'serial' | 'verdict' | 'reason' | 'channel' | 'second'>>;

export const FLUSH_INTERVAL_MS = 1000;
/** Rows (not checks) that start a write at once; above the vouchers a rush checks again and again within a second, or each would be a row of its own. */
export const BATCH_SIZE = 5000;
/** Rows per statement: small enough that the embedded database's write of them is a short pause. */
const STATEMENT_ROWS = 200;
/** Rows kept while the database cannot be written to. */
export const MAX_PENDING = 100_000;

const rowKey = (second: number, check: CheckRecord) =>
  `${second}\u0001${check.channel}\u0001${check.verdict}\u0001${check.reason ?? '\u0002'}\u0001${check.serial ?? '\u0002'}`;

export class CheckLog {
  private pending = new Map<string, PendingRow>();
  /** Checks in `pending`. */
  private pendingChecks = 0;
  private flushing: Promise<void> | undefined;
  private readonly timer: NodeJS.Timeout;
  private readonly counts = new Map<string, number>();
  private closed = false;
  private flushAsked = false;
  /** Checks dropped because the database stayed unreachable (see MAX_PENDING). */
  dropped = 0;
  /** `dropped` when the current run of drops began (one log line then, one once a write succeeds); undefined outside one. */
  private droppedBefore: number | undefined;

  constructor(
    private readonly db: Executor,
    private readonly logger?: Pick<FastifyBaseLogger, 'warn' | 'error'>,
    private readonly options: { flushIntervalMs?: number; batchSize?: number; maxPending?: number } = {},
  ) {
    this.timer = setInterval(() => this.flushQuietly(), options.flushIntervalMs ?? FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  /**
   * Counts one check and answers the row it went into. `sameAs`, the row a check of the same thing
   * went into before, spares looking the row up while it is still waiting and says the same as this
   * check (second, channel, serial, verdict, reason) — at a rush, the same QR checked again and
   * again; otherwise the row is looked up as usual.
   */
  record(check: CheckRecord, sameAs?: CheckRow): CheckRow {
    const second = Math.floor(check.checkedAt.getTime() / 1000) * 1000;
    let row = sameAs as PendingRow | undefined;
    let added = false;
    if (!row?.waiting || row.second !== second || row.channel !== check.channel || row.serial !== check.serial || row.verdict !== check.verdict || row.reason !== check.reason) {
      const key = rowKey(second, check);
      row = this.pending.get(key);
      if (!row) {
        row = { serial: check.serial, verdict: check.verdict, reason: check.reason, channel: check.channel, second, checks: 0, waiting: true };
        this.pending.set(key, row);
        added = true;
      }
    }
    row.checks += 1;
    this.pendingChecks += 1;
    this.counts.set(check.verdict, (this.counts.get(check.verdict) ?? 0) + 1);
    if (added) this.dropOldest();
    if (this.pending.size >= (this.options.batchSize ?? BATCH_SIZE) || this.closed) this.flushQuietly();
    return row;
  }

  /** Keeps at most MAX_PENDING rows: the oldest go first (a Map keeps its insertion order). */
  private dropOldest(): void {
    const max = this.options.maxPending ?? MAX_PENDING;
    if (this.pending.size <= max) return;
    let lost = 0;
    // Checks recorded in the same second by another key may sit later: the oldest *rows* go.
    for (const [key, row] of this.pending) {
      if (this.pending.size <= max) break;
      this.pending.delete(key);
      row.waiting = false;
      lost += row.checks;
    }
    this.pendingChecks -= lost;
    // One line when the drops begin, not one per check at a rush: the total is told once writes succeed again.
    if (this.droppedBefore === undefined) {
      this.droppedBefore = this.dropped;
      this.logger?.error({ maxPending: max }, 'verification check log: database unreachable, dropping the oldest checks');
    }
    this.dropped += lost;
  }

  /** Checks recorded since the start, by verdict. */
  verdictCounts(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  /** Checks not written yet. */
  get waiting(): number {
    return this.pendingChecks;
  }

  /**
   * A failed write is logged by flush() and retried on the next tick. One such flush at a time is
   * asked for: the checks that come meanwhile go with it or with the next.
   */
  private flushQuietly(): void {
    if (this.flushAsked) return;
    this.flushAsked = true;
    this.flush()
      .catch(() => undefined)
      .finally(() => {
        this.flushAsked = false;
      });
  }

  /** Writes what is waiting (one write at a time; a call during a write waits for it and writes the rest). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.pending.size === 0) return;
    const batch = this.pending;
    const rows = [...batch.values()];
    for (const row of rows) row.waiting = false;
    this.pending = new Map();
    this.pendingChecks = 0;
    this.flushing = (async () => {
      let written = 0;
      try {
        for (; written < rows.length; written += STATEMENT_ROWS) {
          // The embedded database writes in this very process: a turn of the event loop between
          // statements lets the checks waiting meanwhile be answered.
          if (written > 0) await new Promise((resolve) => setImmediate(resolve));
          await insertChecks(this.db, rows.slice(written, written + STATEMENT_ROWS));
        }
        if (this.droppedBefore !== undefined) {
          this.logger?.warn({ dropped: this.dropped - this.droppedBefore }, 'verification check log: writing again after dropping checks');
          this.droppedBefore = undefined;
        }
      } catch (error) {
        // Keep what was not written, oldest first, for the next attempt (counted into rows that came since).
        const kept = new Map<string, PendingRow>();
        for (const [key, row] of [...batch].slice(written)) {
          row.waiting = true;
          kept.set(key, row);
        }
        for (const [key, row] of this.pending) {
          const earlier = kept.get(key);
          if (earlier) {
            earlier.checks += row.checks;
            row.waiting = false;
          } else kept.set(key, row);
        }
        this.pending = kept;
        this.pendingChecks = 0;
        for (const row of kept.values()) this.pendingChecks += row.checks;
        this.dropOldest();
        this.logger?.warn({ err: error, waiting: this.pendingChecks }, 'verification check log: write failed, will retry');
        throw error;
      }
    })().finally(() => {
      this.flushing = undefined;
    });
    await this.flushing;
  }

  /** Stops the timer and writes everything waiting (tries three times). Call before the database closes. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.flush();
        if (this.pending.size === 0) return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    if (this.pending.size > 0) this.logger?.error({ lost: this.pendingChecks }, 'verification check log: checks not written at shutdown');
  }
}
