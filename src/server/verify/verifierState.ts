/**
 * What the online verifier keeps in memory, per instance, and how it stays current across instances:
 * - the key set (trust list), reloaded when verify_state.keys_version moves (a rotation anywhere);
 * - the revoked / superseded vouchers and cancelled certificate categories — a small set — loaded once
 *   and then only the rows whose status_version is newer than what this instance holds.
 * Both version stamps are bumped by triggers in the transaction that changes them (migration 0011), so
 * one cheap query of the single verify_state row tells whether anything changed. The row is read at
 * most once per `maxAgeMs` (VERIFY_STATUS_MAX_AGE_MS, default 250 ms; shared by concurrent checks), so
 * a revocation committed on any instance is answered `revoked` everywhere within that time; a
 * revocation made through this instance is seen at once (`invalidate()`).
 */
import { gt } from 'drizzle-orm';
import type { VoucherKeySet, VoucherStatusRecord } from '../../domain/voucherToken.ts';
import type { Executor } from '../db/client.ts';
import { certificateCategories, verifyState, vouchers } from '../db/schema.ts';
import { publicKeySet } from '../vouchers/keyStore.ts';

interface CancelledCategory {
  cancelledAt: string;
  reason: string | null;
}

export class VerifierState {
  keySet: VoucherKeySet = { keys: [] };
  keysVersion = -1;
  statusVersion = -1;
  /** serial → what the register says, for vouchers revoked or superseded only. */
  readonly voucherStatus = new Map<string, VoucherStatusRecord>();
  /** certificate id → cancelled categories by code. */
  readonly cancelledCategories = new Map<string, Map<string, CancelledCategory>>();
  private checkedAt = Number.NEGATIVE_INFINITY;
  /** Moves with every invalidate(). */
  private generation = 0;
  private refreshing: Promise<number> | undefined;
  /** A look started ahead of time (refreshAhead), while what is in memory is still current; -1 if it failed. */
  private ahead: Promise<number> | undefined;
  /** No look ahead of time before this (performance.now()): the last one failed. */
  private aheadPausedUntil = 0;
  private readonly keyListeners: (() => void)[] = [];

  constructor(
    private readonly db: Executor,
    private readonly maxAgeMs: number,
  ) {}

  /** Called when the key set changed (cached signature checks depend on it). */
  onKeysChanged(listener: () => void): void {
    this.keyListeners.push(listener);
  }

  /** Makes the next check look at the version stamps again (after a change made by this instance). */
  invalidate(): void {
    this.checkedAt = Number.NEGATIVE_INFINITY;
    // A look already under way may have read the database before the change: it vouches for nothing.
    this.generation += 1;
  }

  /** Whether what is in memory was looked at less than maxAgeMs ago. */
  isCurrent(): boolean {
    return performance.now() - this.checkedAt < this.maxAgeMs && this.keysVersion >= 0;
  }

  /**
   * Once half of maxAgeMs has passed, looks at the database in the background: under steady checks
   * what is in memory is renewed before it goes stale, so no check waits for the look (and none is
   * handed from the lane to the route for it). A failure here is left to the next `current()`, and
   * the next look ahead waits half the window.
   */
  refreshAhead(): void {
    const now = performance.now();
    if (this.refreshing || this.ahead || now - this.checkedAt < this.maxAgeMs / 2 || now < this.aheadPausedUntil) return;
    this.ahead = this.refresh()
      .catch(() => {
        // Left to the route once the state is stale, which meets and reports the failure; until then not again at once.
        this.aheadPausedUntil = performance.now() + this.maxAgeMs / 2;
        return -1;
      })
      .finally(() => {
        this.ahead = undefined;
      });
  }

  /** Current to within maxAgeMs. Concurrent callers share one look at the database (never two at once). */
  async current(): Promise<void> {
    if (this.isCurrent()) return;
    // A look that started after this call did: one already under way is shared unless the register
    // was changed through this instance after it started (invalidate). At most two looks.
    const wanted = this.generation;
    for (;;) {
      const look = this.ahead ?? (this.refreshing ??= this.refresh().finally(() => (this.refreshing = undefined)));
      if ((await look) >= wanted) return;
    }
  }

  /**
   * Reads the stamps (and what moved); answers the generation it started in. It makes the state
   * current only when nothing invalidated it meanwhile: it may have read before the change.
   */
  private async refresh(): Promise<number> {
    const started = performance.now();
    const generation = this.generation;
    const [stamp] = await this.db.select().from(verifyState);
    const keysVersion = stamp?.keysVersion ?? 0;
    const statusVersion = stamp?.statusVersion ?? 0;
    if (keysVersion !== this.keysVersion) {
      this.keySet = await publicKeySet(this.db);
      this.keysVersion = keysVersion;
      for (const listener of this.keyListeners) listener();
    }
    if (statusVersion !== this.statusVersion) await this.loadStatus(statusVersion);
    if (generation === this.generation) this.checkedAt = started;
    return generation;
  }

  private async loadStatus(statusVersion: number): Promise<void> {
    const since = Math.max(0, this.statusVersion);
    const changedVouchers = await this.db
      .select({
        serial: vouchers.serial,
        revokedAt: vouchers.revokedAt,
        revocationReason: vouchers.revocationReason,
        supersededBy: vouchers.supersededBy,
        supersededAt: vouchers.supersededAt,
      })
      .from(vouchers)
      .where(gt(vouchers.statusVersion, since));
    for (const v of changedVouchers) {
      if (!v.revokedAt && !v.supersededBy) {
        this.voucherStatus.delete(v.serial);
        continue;
      }
      this.voucherStatus.set(v.serial, {
        revokedAt: v.revokedAt?.toISOString() ?? null,
        revocationReason: v.revocationReason,
        supersededBy: v.supersededBy,
        supersededAt: v.supersededAt?.toISOString() ?? null,
      });
    }
    const changedCategories = await this.db
      .select({
        certificateId: certificateCategories.certificateId,
        code: certificateCategories.code,
        cancelledAt: certificateCategories.cancelledAt,
        cancelReason: certificateCategories.cancelReason,
      })
      .from(certificateCategories)
      .where(gt(certificateCategories.statusVersion, since));
    for (const c of changedCategories) {
      const byCode = this.cancelledCategories.get(c.certificateId) ?? new Map<string, CancelledCategory>();
      if (c.cancelledAt) byCode.set(c.code, { cancelledAt: c.cancelledAt, reason: c.cancelReason });
      else byCode.delete(c.code);
      if (byCode.size > 0) this.cancelledCategories.set(c.certificateId, byCode);
      else this.cancelledCategories.delete(c.certificateId);
    }
    this.statusVersion = statusVersion;
  }

  /** The register's word on a voucher: revoked / superseded, else standing ({}). */
  voucher(serial: string): VoucherStatusRecord {
    return this.voucherStatus.get(serial) ?? {};
  }

  /** A certificate is cancelled when every category its token lists is cancelled in the register. */
  certificate(certificateId: string, listedCodes: readonly string[]): VoucherStatusRecord {
    const cancelled = this.cancelledCategories.get(certificateId);
    if (!cancelled || listedCodes.length === 0) return {};
    const entries = listedCodes.map((code) => cancelled.get(code));
    if (entries.some((e) => !e)) return {};
    const last = entries.map((e) => e!.cancelledAt).sort().at(-1)!;
    return { revokedAt: last, revocationReason: entries[0]?.reason ?? null };
  }
}
