/**
 * The log of verification checks (voucher_checks), written in batches off the request path: a check
 * is recorded in memory and written with the others at most FLUSH_INTERVAL_MS later (or as soon as
 * BATCH_SIZE are waiting). A failed write keeps the rows for the next attempt; `close()` writes
 * everything still waiting, so a clean shutdown loses nothing. Only when the database stays
 * unreachable long enough for MAX_PENDING checks to pile up are the oldest dropped (and counted), so
 * an outage cannot exhaust the memory.
 *
 * Rows say what was checked (serial when the signature held), the verdict and the channel — nothing
 * about who checked. `verdictCounts()` and `onCheck()` are for metrics.
 */
import type { FastifyBaseLogger } from 'fastify';
import { sql } from 'drizzle-orm';
import type { Executor } from '../db/client.ts';

/** One statement with one JSON parameter, whatever the batch size (cheap to bind, also in PGlite). */
async function insertChecks(db: Executor, rows: CheckRecord[]): Promise<void> {
  const json = JSON.stringify(rows.map((r) => ({ s: r.serial, v: r.verdict, r: r.reason, c: r.channel, t: r.checkedAt.toISOString() })));
  await db.execute(sql`
    insert into voucher_checks (serial, verdict, reason, channel, checked_at)
    select e->>'s', e->>'v', e->>'r', e->>'c', (e->>'t')::timestamptz from jsonb_array_elements(${json}::jsonb) as e`);
}

export interface CheckRecord {
  serial: string | null;
  verdict: string;
  reason: string | null;
  channel: string;
  checkedAt: Date;
}

export const FLUSH_INTERVAL_MS = 1000;
export const BATCH_SIZE = 500;
export const MAX_PENDING = 100_000;

export class CheckLog {
  private pending: CheckRecord[] = [];
  private flushing: Promise<void> | undefined;
  private readonly timer: NodeJS.Timeout;
  private readonly counts = new Map<string, number>();
  private readonly listeners: ((check: CheckRecord) => void)[] = [];
  private closed = false;
  /** Checks dropped because the database stayed unreachable (see MAX_PENDING). */
  dropped = 0;

  constructor(
    private readonly db: Executor,
    private readonly logger?: Pick<FastifyBaseLogger, 'warn' | 'error'>,
    private readonly options: { flushIntervalMs?: number; batchSize?: number; maxPending?: number } = {},
  ) {
    this.timer = setInterval(() => this.flushQuietly(), options.flushIntervalMs ?? FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  record(check: CheckRecord): void {
    this.pending.push(check);
    this.counts.set(check.verdict, (this.counts.get(check.verdict) ?? 0) + 1);
    for (const listener of this.listeners) listener(check);
    const max = this.options.maxPending ?? MAX_PENDING;
    if (this.pending.length > max) {
      const excess = this.pending.length - max;
      this.pending.splice(0, excess);
      this.dropped += excess;
      this.logger?.error({ dropped: this.dropped }, 'verification check log: database unreachable, oldest checks dropped');
    }
    if (this.pending.length >= (this.options.batchSize ?? BATCH_SIZE) || this.closed) this.flushQuietly();
  }

  /** Checks recorded since the start, by verdict. */
  verdictCounts(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  onCheck(listener: (check: CheckRecord) => void): void {
    this.listeners.push(listener);
  }

  get waiting(): number {
    return this.pending.length;
  }

  /** A failed write is logged by flush() and retried on the next tick. */
  private flushQuietly(): void {
    this.flush().catch(() => undefined);
  }

  /** Writes what is waiting (one write at a time; a call during a write waits for it and writes the rest). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.flushing = (async () => {
      try {
        for (let i = 0; i < batch.length; i += 5000) await insertChecks(this.db, batch.slice(i, i + 5000));
      } catch (error) {
        // Keep them, oldest first, for the next attempt.
        this.pending = batch.concat(this.pending);
        this.logger?.warn({ err: error, waiting: this.pending.length }, 'verification check log: write failed, will retry');
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
        if (this.pending.length === 0) return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    if (this.pending.length > 0) this.logger?.error({ lost: this.pending.length }, 'verification check log: checks not written at shutdown');
  }
}
