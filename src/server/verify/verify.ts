/**
 * Online verification of a voucher or certificate token: the offline rule (signature, key window,
 * dates; src/domain/certificateToken.ts verifySignedToken) plus the issuer's records.
 *
 * Records rule: the database is the issuer's register. A token whose signature holds but which the
 * register does not know (no voucher with that serial and exactly that token, or no such certificate)
 * was never issued by this office — a leaked key or a restored backup — and is answered `invalid`
 * with reason `not_on_record`. Revocation and supersession are reported with their dates.
 *
 * Every check is logged in voucher_checks with the outcome and channel only: nothing about who checked.
 */
import { countVerificationCheck } from '../ops/verificationTally.ts';
import { eq } from 'drizzle-orm';
import type { CertificateClaims } from '../../domain/certificateToken.ts';
import { tokenCategoryLabel, verifySignedToken } from '../../domain/certificateToken.ts';
import { chinaDate } from '../../domain/dates.ts';
import type { Localized } from '../../domain/errors.ts';
import { invalidReasonMessages, type VoucherClaims, type VoucherStatusRecord, type VoucherVerdict } from '../../domain/voucherToken.ts';
import type { Executor } from '../db/client.ts';
import { certificateCategories, voucherChecks, vouchers } from '../db/schema.ts';
import { publicKeySet } from '../vouchers/keyStore.ts';

export type VerifyChannel = 'web' | 'app' | 'api';
export type VerifyReason = 'malformed' | 'tampered' | 'unknown_key' | 'not_yet_valid' | 'expired' | 'not_on_record';

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
  const match = /\/v\/([A-Za-z0-9_-]+)\/?(?:[?#].*)?$/.exec(text);
  return match?.[1] ?? text;
}

async function voucherStatus(db: Executor, claims: VoucherClaims, token: string): Promise<VoucherStatusRecord | 'not_on_record'> {
  const [row] = await db.select().from(vouchers).where(eq(vouchers.serial, claims.serial));
  if (!row || row.token !== token) return 'not_on_record';
  return {
    revokedAt: row.revokedAt?.toISOString() ?? null,
    revocationReason: row.revocationReason,
    supersededBy: row.supersededBy,
    supersededAt: row.supersededAt?.toISOString() ?? null,
  };
}

async function certificateStatus(db: Executor, claims: CertificateClaims): Promise<VoucherStatusRecord | 'not_on_record'> {
  const categories = await db.select().from(certificateCategories).where(eq(certificateCategories.certificateId, claims.certificateId));
  if (categories.length === 0) return 'not_on_record';
  // Cancelled when every category the token lists is cancelled in the register.
  const listed = categories.filter((c) => claims.categories.some((t) => t.code === c.code));
  if (listed.length > 0 && listed.every((c) => c.cancelledAt)) {
    const last = listed.map((c) => c.cancelledAt!).sort().at(-1)!;
    return { revokedAt: last, revocationReason: listed[0]?.cancelReason ?? null };
  }
  return {};
}

/** Verifies `input` (token or verify URL) against the register as of `now`, and logs the check. */
export async function verifyOnline(db: Executor, input: string, now: Date, channel: VerifyChannel): Promise<VerifyOutcome> {
  const token = extractToken(input);
  const checkedOn = chinaDate(now);
  let outcome: VerifyOutcome;
  if (token.length > MAX_TOKEN_LENGTH) {
    outcome = { verdict: 'invalid', reason: 'malformed', messages: invalidReasonMessages.malformed, checkedOn };
  } else {
    const keySet = await publicKeySet(db);
    const offline = verifySignedToken(token, keySet, { today: checkedOn, status: null });
    const claims = offline.kind === 'certificate' ? offline.certificate : 'claims' in offline ? offline.claims : undefined;
    let status: VoucherStatusRecord | 'not_on_record' | null = null;
    if (claims) {
      status = offline.kind === 'certificate' ? await certificateStatus(db, claims as CertificateClaims) : await voucherStatus(db, claims as VoucherClaims, token);
    }
    if (status === 'not_on_record') {
      outcome = { ...(offline.kind ? { kind: offline.kind } : {}), verdict: 'invalid', reason: 'not_on_record', messages: notOnRecordMessages, checkedOn };
    } else {
      const result = verifySignedToken(token, keySet, { today: checkedOn, status: status ?? null });
      outcome = {
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
    if (status === 'not_on_record' && claims) {
      // Say which document it claims to be, so a checker can report it; still masked data only.
      if (offline.kind === 'certificate') outcome.certificate = publicCertificateClaims(claims as CertificateClaims);
      else outcome.claims = claims as VoucherClaims;
    }
  }
  await db.insert(voucherChecks).values({
    serial: checkedSerial(outcome),
    verdict: outcome.verdict,
    reason: outcome.reason ?? null,
    channel,
    checkedAt: now,
  });
  countVerificationCheck(outcome.verdict);
  return outcome;
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
