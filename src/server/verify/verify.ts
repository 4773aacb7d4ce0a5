/**
 * Online verification of a voucher or certificate token: the offline rule (signature, key window and
 * kind, dates; src/domain/certificateToken.ts verifySignedToken) plus the issuer's records.
 *
 * Records rule: the database is the issuer's register. A token whose signature holds but which the
 * register does not know (no voucher with that serial and exactly that token, or no such certificate)
 * was never issued by this office — a leaked key or a restored backup — and is answered `invalid`
 * with reason `not_on_record`. Revocation and supersession are reported with their dates.
 *
 * At roadside scale each fragment is cached on its own, so a check costs no signature verification and
 * no database round trip once its token was seen: the signature check of each distinct token (bounded
 * LRU, emptied when the key set changes), the key set and the revoked/superseded state in memory kept
 * current across instances (verifierState.ts), the "on record" answer per token (positive answers
 * kept, negative ones for a minute), and the check log written in batches (checkLog.ts).
 *
 * Every check is logged in voucher_checks with the outcome and channel only: nothing about who checked.
 */
import { LRUCache } from 'lru-cache';
import { eq } from 'drizzle-orm';
import type { CertificateClaims } from '../../domain/certificateToken.ts';
import { signedTokenKind, tokenCategoryLabel, verifySignedToken, type SignedTokenResult } from '../../domain/certificateToken.ts';
import { chinaDate, chinaDayStart } from '../../domain/dates.ts';
import type { Localized } from '../../domain/errors.ts';
import { checkSignature, type SignatureFailure } from '../../domain/trustList.ts';
import {
  applyVoucherStatus,
  invalidReasonMessages,
  verifyVoucherToken,
  type SignatureCheck,
  type VoucherClaims,
  type VoucherStatusRecord,
  type VoucherVerdict,
  type VoucherVerification,
} from '../../domain/voucherToken.ts';
import type { Executor } from '../db/client.ts';
import { certificateCategories, vouchers } from '../db/schema.ts';
import { serializedAnswer } from './answer.ts';
import { CheckLog, type CheckRow } from './checkLog.ts';
import { RecentMap } from './recentMap.ts';
import { VerifierState } from './verifierState.ts';

export type VerifyChannel = 'web' | 'app' | 'api';
export type VerifyReason = 'malformed' | 'unsupported_version' | 'tampered' | 'unknown_key' | 'not_yet_valid' | 'expired' | 'qr_expired' | 'not_on_record';

export interface VerifyOutcome {
  kind?: 'voucher' | 'certificate';
  verdict: VoucherVerdict;
  reason?: VerifyReason;
  messages: Localized;
  claims?: VoucherClaims;
  certificate?: Omit<CertificateClaims, 'certificateId' | 'categories'> & { categories: { code: string; label: string; validTo: string }[] };
  revokedAt?: string;
  supersededAt?: string;
  supersededBy?: string;
  checkedOn: string;
}

export const notOnRecordMessages: Localized = {
  zh: '签名真实，但发证机关没有签发此凭证的记录，请勿采信',
  en: 'The signature is genuine, but the issuing authority has no record of issuing it: do not rely on it',
};

/** Longest token accepted; real ones are ~250–400 characters. */
export const MAX_TOKEN_LENGTH = 1024;

/** The token inside what a QR or a person gives: a bare token or any URL ending in /v/{token}. */
export function extractToken(input: string): string {
  const text = input.trim();
  // Most inputs are the bare token (the API's path, a scanner's text): no URL to look into.
  if (!text.includes('/v/')) return text;
  const match = /\/v\/([A-Za-z0-9_-]+)\/?(?:[?#].*)?$/.exec(text);
  return match?.[1] ?? text;
}

/** Distinct tokens whose signature check is remembered (~1 KB each). */
export const SIGNATURE_CACHE_SIZE = 50_000;
/** Whole answers kept for certain: the vouchers checked most lately (RecentMap holds up to twice as many, ~4 KB each with their serialized forms). */
export const ANSWER_CACHE_SIZE = 5_000;
/** Tokens whose "on record" answer is remembered. */
export const RECORD_CACHE_SIZE = 100_000;
const NOT_ON_RECORD_TTL_MS = 60_000;

type RecordAnswer = 'on_record' | 'not_on_record';

/**
 * A whole answer, with the day, key set and register state it was worked out for, and all that a
 * check answered with it needs — its body in each language, what its log row says, the row it was
 * last counted in — in one object: at a rush, each further object a check reads is memory far away.
 */
export interface KnownAnswer {
  readonly checkedOn: string;
  readonly keysVersion: number;
  readonly statusVersion: number;
  readonly outcome: VerifyOutcome;
  /** The answer as the API serializes it (answer.ts), in Chinese and in English, with their lengths in bytes. */
  readonly zh: string;
  readonly zhBytes: number;
  readonly en: string;
  readonly enBytes: number;
  /** The serial the check log records (checkedSerial). */
  readonly serial: string | null;
  lastRow?: CheckRow;
}

export class Verifier {
  readonly state: VerifierState;
  readonly checkLog: CheckLog;
  private readonly signatures = new LRUCache<string, { failure: SignatureFailure | null }>({ max: SIGNATURE_CACHE_SIZE });
  private readonly records = new LRUCache<string, RecordAnswer>({ max: RECORD_CACHE_SIZE });
  private readonly verifications = new LRUCache<string, VoucherVerification>({ max: SIGNATURE_CACHE_SIZE });
  /** Whole answers for vouchers on record, valid for one day, key set and register state (see stillHolds). */
  private readonly answers = new RecentMap<string, KnownAnswer>(ANSWER_CACHE_SIZE);
  /** China's day of the last check, with the instants it spans (worked out again when one falls outside). */
  private day = { from: 0, until: 0, date: '' };
  private readonly cachedCheck: SignatureCheck;

  constructor(
    private readonly db: Executor,
    options: { maxStatusAgeMs: number; checkLog?: CheckLog; logger?: ConstructorParameters<typeof CheckLog>[1] },
  ) {
    this.state = new VerifierState(db, options.maxStatusAgeMs);
    this.checkLog = options.checkLog ?? new CheckLog(db, options.logger);
    this.state.onKeysChanged(() => {
      this.signatures.clear();
      this.verifications.clear();
    });
    this.cachedCheck = (signedBytes, signature, kid, issuedAt, keySet, kind) => {
      // The signed bytes and signature are the whole token: the key identifies one check exactly.
      const key = `${kind ?? ''}:${binary(signedBytes)}${binary(signature)}`;
      const hit = this.signatures.get(key);
      if (hit) return hit.failure;
      const failure = checkSignature(signedBytes, signature, kid, issuedAt, keySet, kind);
      this.signatures.set(key, { failure });
      return failure;
    };
  }

  /** Verifies `input` (token or verify URL) against the register as of `now`, and logs the check. */
  async verify(input: string, now: Date, channel: VerifyChannel): Promise<VerifyOutcome> {
    const outcome = await this.outcome(input, now);
    this.record(outcome, now, channel);
    return outcome;
  }

  /**
   * The answer for `input` when it is known without waiting for anything — the register's state in
   * memory is current (within maxAgeMs) and the answer was worked out since it last moved — else
   * undefined (then `verify()` finds it). Not logged: the caller logs what it answers (`record`).
   */
  knownAnswer(input: string, now: Date): KnownAnswer | undefined {
    if (!this.state.isCurrent()) return undefined;
    this.state.refreshAhead();
    const known = this.answers.get(extractToken(input));
    return known && this.stillHolds(known, this.checkedOn(now)) ? known : undefined;
  }

  /** Logs one check that was answered with `outcome`. */
  record(outcome: VerifyOutcome, now: Date, channel: VerifyChannel): void {
    this.logCheck(checkedSerial(outcome), outcome, now, channel);
  }

  /** Logs one check answered with a known answer, in the row its last check went into when that still fits. */
  recordKnown(known: KnownAnswer, now: Date, channel: VerifyChannel): void {
    known.lastRow = this.logCheck(known.serial, known.outcome, now, channel, known.lastRow);
  }

  private logCheck(serial: string | null, outcome: VerifyOutcome, now: Date, channel: VerifyChannel, sameAs?: CheckRow): CheckRow {
    return this.checkLog.record({ serial, verdict: outcome.verdict, reason: outcome.reason ?? null, channel, checkedAt: now }, sameAs);
  }

  /** An answer holds on the day it was worked out for, while neither the key set nor the register has moved. */
  private stillHolds(known: KnownAnswer, checkedOn: string): boolean {
    return known.checkedOn === checkedOn && known.keysVersion === this.state.keysVersion && known.statusVersion === this.state.statusVersion;
  }

  /** chinaDate(now), worked out once a day (every check asks). */
  private checkedOn(now: Date): string {
    const ms = now.getTime();
    if (ms >= this.day.from && ms < this.day.until) return this.day.date;
    const date = chinaDate(now);
    const from = chinaDayStart(date).getTime();
    this.day = { from, until: from + 86_400_000, date };
    return date;
  }

  /** Writes the waiting check log; call when the app closes, before the database does. */
  close(): Promise<void> {
    return this.checkLog.close();
  }

  private async outcome(input: string, now: Date): Promise<VerifyOutcome> {
    const token = extractToken(input);
    const checkedOn = this.checkedOn(now);
    if (token.length > MAX_TOKEN_LENGTH) return { verdict: 'invalid', reason: 'malformed', messages: invalidReasonMessages.malformed, checkedOn };
    await this.state.current();
    // A voucher's answer is a function of its token, the day, the key set and the register's state,
    // and both versions move with every change (verifierState.ts): the same answer object is handed
    // out again until one of them moves, so its serialized form can be kept with it (answer.ts).
    // Kept by the token itself, not by what carried it: many inputs name one token.
    // The versions as they were before the answer is worked out: a change meanwhile makes it stale.
    const { keysVersion, statusVersion } = this.state;
    const known = this.answers.get(token);
    if (known && this.stillHolds(known, checkedOn)) return known.outcome;
    const outcome = await this.freshOutcome(token, checkedOn, now);
    if (outcome.kind === 'voucher' && outcome.reason !== 'not_on_record' && outcome.claims) {
      // Serialized before it is kept: an answer the contract cannot carry is never handed out again.
      const zh = serializedAnswer(outcome, 'zh');
      const en = serializedAnswer(outcome, 'en');
      this.answers.set(token, {
        checkedOn,
        keysVersion,
        statusVersion,
        outcome,
        zh,
        zhBytes: Buffer.byteLength(zh),
        en,
        enBytes: Buffer.byteLength(en),
        serial: checkedSerial(outcome),
      });
    }
    return outcome;
  }

  private async freshOutcome(token: string, checkedOn: string, now: Date): Promise<VerifyOutcome> {
    const keySet = this.state.keySet;
    const base = { today: checkedOn, now: now.getTime(), checkSignature: this.cachedCheck };
    const kind = signedTokenKind(token);
    // A voucher's verification depends only on the token, the key set and the day: kept per day.
    let voucherVerification: VoucherVerification | undefined;
    let offline: SignedTokenResult;
    if (kind === 'certificate') {
      offline = verifySignedToken(token, keySet, { ...base, status: null });
    } else {
      const key = `${checkedOn}|${token}`;
      voucherVerification = this.verifications.get(key);
      if (!voucherVerification) {
        voucherVerification = verifyVoucherToken(token, keySet, { today: checkedOn, checkSignature: this.cachedCheck });
        // Only what a genuine signature vouches for: junk cannot push real tokens out.
        if ('claims' in voucherVerification) this.verifications.set(key, voucherVerification);
      }
      offline = { ...(kind ? { kind } : {}), ...applyVoucherStatus(voucherVerification, null) } as SignedTokenResult;
    }
    const claims = offline.kind === 'certificate' ? offline.certificate : 'claims' in offline ? offline.claims : undefined;
    let status: VoucherStatusRecord | 'not_on_record' | null = null;
    if (claims) {
      if (offline.kind === 'certificate') {
        const certificate = claims as CertificateClaims;
        status = (await this.onRecord(`c:${certificate.certificateId}`, () => certificateOnRecord(this.db, certificate.certificateId)))
          ? this.state.certificate(certificate.certificateId, certificate.categories.map((c) => c.code))
          : 'not_on_record';
      } else {
        const voucher = claims as VoucherClaims;
        status = (await this.onRecord(`v:${token}`, () => voucherOnRecord(this.db, voucher.serial, token))) ? this.state.voucher(voucher.serial) : 'not_on_record';
      }
    }
    if (status === 'not_on_record') {
      const outcome: VerifyOutcome = { ...(offline.kind ? { kind: offline.kind } : {}), verdict: 'invalid', reason: 'not_on_record', messages: notOnRecordMessages, checkedOn };
      // Say which document it claims to be, so a checker can report it; still masked data only.
      if (offline.kind === 'certificate') outcome.certificate = publicCertificateClaims(claims as CertificateClaims);
      else outcome.claims = claims as VoucherClaims;
      return outcome;
    }
    const result: SignedTokenResult = !status
      ? offline
      : voucherVerification
        ? ({ ...(kind ? { kind } : {}), ...applyVoucherStatus(voucherVerification, status) } as SignedTokenResult)
        : verifySignedToken(token, keySet, { ...base, status });
    return {
      ...(result.kind ? { kind: result.kind } : {}),
      verdict: result.verdict,
      ...(result.reason ? { reason: result.reason } : {}),
      messages: result.message,
      ...(result.kind !== 'certificate' && result.claims ? { claims: result.claims } : {}),
      ...(result.kind === 'certificate' && result.certificate ? { certificate: publicCertificateClaims(result.certificate) } : {}),
      ...(result.revokedAt ? { revokedAt: result.revokedAt } : {}),
      ...(result.kind !== 'certificate' && result.supersededAt ? { supersededAt: result.supersededAt } : {}),
      ...(result.kind !== 'certificate' && result.supersededBy ? { supersededBy: result.supersededBy } : {}),
      checkedOn,
    };
  }

  private async onRecord(key: string, look: () => Promise<boolean>): Promise<boolean> {
    const cached = this.records.get(key);
    if (cached) return cached === 'on_record';
    const found = await look();
    // A document is on record from the commit that issued it; "not on record" is kept only briefly.
    if (found) this.records.set(key, 'on_record');
    else this.records.set(key, 'not_on_record', { ttl: NOT_ON_RECORD_TTL_MS });
    return found;
  }
}

function binary(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 4096) s += String.fromCharCode(...bytes.subarray(i, i + 4096));
  return s;
}

async function voucherOnRecord(db: Executor, serial: string, token: string): Promise<boolean> {
  const [row] = await db.select({ token: vouchers.token }).from(vouchers).where(eq(vouchers.serial, serial));
  return !!row && row.token === token;
}

async function certificateOnRecord(db: Executor, certificateId: string): Promise<boolean> {
  const [row] = await db.select({ id: certificateCategories.id }).from(certificateCategories).where(eq(certificateCategories.certificateId, certificateId)).limit(1);
  return !!row;
}

/** Only a serial whose signature held is logged: an invalid token's serial is whatever a forger typed. */
function checkedSerial(outcome: VerifyOutcome): string | null {
  if (outcome.reason === 'malformed' || outcome.reason === 'tampered' || outcome.reason === 'unknown_key') return null;
  if (outcome.claims) return outcome.claims.serial;
  return null;
}

function publicCertificateClaims(claims: CertificateClaims): NonNullable<VerifyOutcome['certificate']> {
  const { certificateId: _id, categories, ...rest } = claims;
  return { ...rest, categories: categories.map((c) => ({ code: c.code, label: tokenCategoryLabel(c), validTo: c.validTo })) };
}
