/**
 * The signed token in the QR of a driver's electronic qualification certificate (电子从业资格证), and
 * the one entry point that verifies any token this system signs (voucher or certificate), so every
 * verifier — server, app, `rto verify` — tells them apart the same way. Pure: no I/O.
 *
 * Token format, version 2 (the first byte tells the kinds apart: 0x01 voucher, 0x02 certificate)
 * ------------------------------------------------------------------------------------------------
 *   token = base64url( payload || signature ), exactly as voucher tokens (see voucherToken.ts)
 *   payload:
 *     u8     format version = 0x02
 *     u8     flags = 0 (reserved)
 *     str    kid
 *     16 B   certificate id (the registry record's UUID; lets the issuer look up its status)
 *     str    certificate number, masked
 *     str    holder, masked (王*国)
 *     str    ID number, masked
 *     u8     n, the number of categories (1–16)
 *     n ×    str category code (qualifiers appended as code+q1+q2), u16 valid-to day
 *     u16    issuedAt, expiresAt   days since 1970-01-01 (China-time calendar days)
 *     str    issuer, issuerCode
 *   signature = SM2/SM3 r || s (64 bytes) with the default user ID, same keys and key set as vouchers.
 *
 * Online, the issuer's records decide the status: a cancelled certificate answers `revoked`.
 */
import { categoryLabel } from './categories.ts';
import { DomainError } from './errors.ts';
import {
  applyVoucherStatus,
  base64UrlDecode,
  dateToDays,
  daysToDate,
  invalidReasonMessages,
  openToken,
  PayloadWriter,
  sealToken,
  splitSignature,
  tokenMalformed,
  verdictMessages,
  verifyToken,
  verifyVoucherToken,
  VOUCHER_TOKEN_VERSION,
  type TokenVerification,
  type VoucherInvalidReason,
  type VoucherKeySet,
  type VoucherStatusRecord,
  type VoucherVerdictResult,
} from './voucherToken.ts';

export const CERTIFICATE_TOKEN_VERSION = 2;
const MAX_CATEGORIES = 16;

export interface CertificateTokenCategory {
  code: string;
  qualifiers?: string[];
  /** Last valid day of the category. */
  validTo: string;
}

export interface CertificateClaims {
  /** UUID of the certificate in the issuer's registry. */
  certificateId: string;
  certificateNumberMasked: string;
  holder: string;
  idMasked: string;
  categories: CertificateTokenCategory[];
  issuer: string;
  issuerCode: string;
  /** Day the token was signed. */
  issuedAt: string;
  /** Last day the token itself is accepted (a fresh one is shown each time the app opens it). */
  expiresAt: string;
  kid: string;
}

export type CertificateVerification = TokenVerification<CertificateClaims>;

function uuidToBytes(uuid: string): number[] {
  const hex = uuid.replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new DomainError('CERTIFICATE_ID_INVALID', { zh: '证件编号无效', en: 'Invalid certificate id' });
  const out: number[] = [];
  for (let i = 0; i < 32; i += 2) out.push(parseInt(hex.slice(i, i + 2), 16));
  return out;
}

function bytesToUuid(bytes: number[]): string {
  const hex = bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function encodeCategory(c: CertificateTokenCategory): string {
  return [c.code, ...(c.qualifiers ?? [])].join('+');
}

function encodeCertificatePayload(claims: CertificateClaims): Uint8Array {
  const w = new PayloadWriter();
  w.u8(CERTIFICATE_TOKEN_VERSION);
  w.u8(0);
  w.str(claims.kid, 'kid');
  for (const b of uuidToBytes(claims.certificateId)) w.u8(b);
  w.str(claims.certificateNumberMasked, 'certificateNumberMasked');
  w.str(claims.holder, 'holder');
  w.str(claims.idMasked, 'idMasked');
  if (claims.categories.length < 1 || claims.categories.length > MAX_CATEGORIES) {
    throw new DomainError('CERTIFICATE_CLAIMS_INVALID', { zh: '证件类别数量无效', en: 'A certificate token needs 1 to 16 categories' });
  }
  w.u8(claims.categories.length);
  for (const c of claims.categories) {
    w.str(encodeCategory(c), 'category');
    w.u16(dateToDays(c.validTo, 'validTo'));
  }
  w.u16(dateToDays(claims.issuedAt, 'issuedAt'));
  w.u16(dateToDays(claims.expiresAt, 'expiresAt'));
  w.str(claims.issuer, 'issuer');
  w.str(claims.issuerCode, 'issuerCode');
  return w.bytes();
}

export function decodeCertificateToken(token: string): { claims: CertificateClaims; signature: Uint8Array; signedBytes: Uint8Array } {
  const { bytes, reader: r } = openToken(token, CERTIFICATE_TOKEN_VERSION);
  if (r.u8() !== 0) throw tokenMalformed('unknown flags');
  const kid = r.str();
  const idBytes: number[] = [];
  for (let i = 0; i < 16; i++) idBytes.push(r.u8());
  const certificateNumberMasked = r.str();
  const holder = r.str();
  const idMasked = r.str();
  const count = r.u8();
  if (count < 1 || count > MAX_CATEGORIES) throw tokenMalformed('bad category count');
  const categories: CertificateTokenCategory[] = [];
  for (let i = 0; i < count; i++) {
    const [code = '', ...qualifiers] = r.str().split('+');
    categories.push({ code, ...(qualifiers.length ? { qualifiers } : {}), validTo: daysToDate(r.u16()) });
  }
  const issuedAt = daysToDate(r.u16());
  const expiresAt = daysToDate(r.u16());
  const issuer = r.str();
  const issuerCode = r.str();
  return {
    claims: { certificateId: bytesToUuid(idBytes), certificateNumberMasked, holder, idMasked, categories, issuer, issuerCode, issuedAt, expiresAt, kid },
    ...splitSignature(bytes, r),
  };
}

/**
 * Signs certificate claims. The nonce is derived from key and payload, so the same certificate data on
 * the same day gives the same QR each time the app shows it.
 */
export function signCertificateToken(
  claims: Omit<CertificateClaims, 'kid'> & { kid?: string },
  key: { kid: string; privateKeyHex: string; publicKeyHex?: string },
): string {
  return sealToken(encodeCertificatePayload({ ...claims, kid: key.kid }), key, { deterministicNonce: true });
}

export function verifyCertificateToken(token: string, keySet: VoucherKeySet, options: { today: string }): CertificateVerification {
  return verifyToken(token, decodeCertificateToken, keySet, options);
}

/** The kind of a signed token from its first byte, or null when it is not one of ours. */
export function signedTokenKind(token: string): 'voucher' | 'certificate' | null {
  const bytes = base64UrlDecode(token.trim().slice(0, 4));
  const first = bytes?.[0];
  if (first === VOUCHER_TOKEN_VERSION) return 'voucher';
  if (first === CERTIFICATE_TOKEN_VERSION) return 'certificate';
  return null;
}

/** Verdict on a certificate token, with the same precedence as applyVoucherStatus. */
export interface CertificateVerdictResult extends Omit<VoucherVerdictResult, 'claims' | 'supersededBy' | 'supersededAt'> {
  certificate?: CertificateClaims;
}

export function applyCertificateStatus(
  verification: CertificateVerification,
  status: { revokedAt?: string | null; revocationReason?: string | null } | null,
): CertificateVerdictResult {
  if (verification.status === 'invalid' && !('claims' in verification)) {
    return { verdict: 'invalid', reason: verification.reason, message: invalidReasonMessages[verification.reason] };
  }
  const certificate = verification.claims;
  if (status?.revokedAt) {
    return {
      verdict: 'revoked',
      certificate,
      revokedAt: status.revokedAt,
      ...(status.revocationReason ? { revocationReason: status.revocationReason } : {}),
      message: { zh: '该从业资格证已注销', en: 'The qualification certificate has been cancelled' },
    };
  }
  if (verification.status === 'invalid') {
    return { verdict: 'invalid', reason: verification.reason as VoucherInvalidReason, certificate, message: invalidReasonMessages[verification.reason] };
  }
  if (status === null) return { verdict: 'authentic_unchecked', certificate, message: verdictMessages.authentic_unchecked };
  return { verdict: 'valid', certificate, message: { zh: '从业资格证有效', en: 'The qualification certificate is valid' } };
}

export type SignedTokenResult =
  | ({ kind: 'voucher' } & VoucherVerdictResult)
  | ({ kind: 'certificate' } & CertificateVerdictResult)
  | ({ kind?: undefined } & VoucherVerdictResult);

/**
 * Offline verification of any token this system signs, against a key set, with no network: the
 * signature, the key's signing window and the token's dates. `status` is what the issuer's records
 * say (null offline, which gives `authentic_unchecked` for a good token).
 */
export function verifySignedToken(
  token: string,
  keySet: VoucherKeySet,
  options: { today: string; status?: VoucherStatusRecord | null },
): SignedTokenResult {
  const status = options.status ?? null;
  const kind = signedTokenKind(token);
  if (kind === 'certificate') {
    return { kind, ...applyCertificateStatus(verifyCertificateToken(token, keySet, options), status) };
  }
  const result = applyVoucherStatus(verifyVoucherToken(token, keySet, options), status);
  return kind ? { kind, ...result } : result;
}

/** Human label of a category in a token, e.g. 道路危险货物运输驾驶员（爆炸品）. */
export function tokenCategoryLabel(c: CertificateTokenCategory, lang: 'zh' | 'en' = 'zh'): string {
  return categoryLabel(c.code, c.qualifiers ?? [], lang);
}
