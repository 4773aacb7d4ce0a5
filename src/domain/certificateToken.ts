/**
 * The signed token in the QR of a driver's electronic qualification certificate (电子从业资格证), and
 * the one entry point that verifies any token this system signs (voucher or certificate), so every
 * verifier — server, app, `rto verify` — tells them apart the same way. Pure: no I/O.
 *
 Payload (the first byte tells the kinds apart: 0x01 voucher, 0x02 legacy certificate, 0x03 certificate QR)
 * ------------------------------------------------------------------------------------------------
 *   token = "RT2-" base64url( payload || signature ), the envelope of voucher tokens (tokenEncoding.ts)
 *   payload:
 *     u8     kind = 0x03 (0x02 in legacy, unprefixed tokens, which end after issuerCode)
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
 *     u32    QR issue time, seconds since 1970-01-01T00:00:00Z
 *     u16    QR lifetime in seconds (CERTIFICATE_QR_LIFETIME_SECONDS when shown in the app)
 *     u32    statusIndex, the certificate's entry in the status list
 *   signature = SM2/SM3 r || s (64 bytes) with the default user ID, same keys and key set as vouchers.
 *
 * The QR is short-lived: a verifier answers `invalid` / `qr_expired` ("二维码已过期，请持证人刷新") once its
 * lifetime has passed, so a screenshot stops working within minutes; the app shows a fresh one with a
 * countdown. Legacy certificate tokens (kind 0x02, no QR time) are answered `qr_expired` too: they
 * were only ever shown on screen, and a fresh one is one tap away. Online, the issuer's records decide
 * the status (a cancelled certificate answers `revoked`); offline, the status list does.
 */
import { categoryLabel } from './categories.ts';
import { DomainError } from './errors.ts';
import { sealSigned } from './sealing.ts';
import { readStatusList, type OpenedStatusList } from './statusList.ts';
import { base64UrlDecode, dateToDays, daysToDate, openToken, PayloadWriter, splitSignature, tokenMalformed, tokenVersion, TOKEN_PREFIX_V2 } from './tokenEncoding.ts';
import {
  applyVoucherStatus,
  invalidReasonMessages,
  statusFromReading,
  verdictMessages,
  verifyToken,
  verifyVoucherToken,
  VOUCHER_TOKEN_VERSION,
  type SignatureCheck,
  type TokenVerification,
  type VoucherInvalidReason,
  type VoucherKeySet,
  type VoucherStatusRecord,
  type VoucherVerdictResult,
} from './voucherToken.ts';

/** Kind byte of legacy (version-1) certificate tokens. */
export const CERTIFICATE_TOKEN_VERSION = 2;
/** Kind byte of the short-lived certificate QR (version-2 tokens). */
export const CERTIFICATE_QR_KIND = 3;
/** How long an e-certificate QR is accepted after it was made. */
export const CERTIFICATE_QR_LIFETIME_SECONDS = 180;
/** Clock difference tolerated between the phone that made the QR's time and the verifier. */
export const CERTIFICATE_QR_CLOCK_SKEW_SECONDS = 120;
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
  /** Last day of the certificate's validity (its last category). */
  expiresAt: string;
  kid: string;
  /** When the QR was made and until when it is accepted (ISO instants; absent in legacy tokens). */
  qrIssuedAt?: string;
  qrExpiresAt?: string;
  /** Entry in the status list (absent in legacy tokens). */
  statusIndex?: number;
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
  const legacy = claims.qrIssuedAt === undefined;
  w.u8(legacy ? CERTIFICATE_TOKEN_VERSION : CERTIFICATE_QR_KIND);
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
  if (!legacy) {
    const issuedSeconds = Math.floor(Date.parse(claims.qrIssuedAt!) / 1000);
    const lifetime = Math.round((Date.parse(claims.qrExpiresAt ?? '') - issuedSeconds * 1000) / 1000);
    if (!Number.isFinite(issuedSeconds) || !(lifetime > 0 && lifetime <= 0xffff)) {
      throw new DomainError('CERTIFICATE_CLAIMS_INVALID', { zh: '二维码有效时间无效', en: 'Invalid QR validity' });
    }
    w.u32(issuedSeconds);
    w.u16(lifetime);
    w.u32(claims.statusIndex ?? 0);
  }
  return w.bytes();
}

export function decodeCertificateToken(token: string): { claims: CertificateClaims; signature: Uint8Array; signedBytes: Uint8Array } {
  const opened = openToken(token, [CERTIFICATE_TOKEN_VERSION, CERTIFICATE_QR_KIND]);
  // Legacy kind only in legacy tokens, the QR kind only in version 2.
  if ((opened.kind === CERTIFICATE_QR_KIND) !== (opened.version === 2)) throw tokenMalformed('kind and version disagree');
  const r = opened.reader;
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
  const qr: Pick<CertificateClaims, 'qrIssuedAt' | 'qrExpiresAt' | 'statusIndex'> = {};
  if (opened.kind === CERTIFICATE_QR_KIND) {
    const issuedSeconds = r.u32();
    const lifetime = r.u16();
    qr.qrIssuedAt = new Date(issuedSeconds * 1000).toISOString();
    qr.qrExpiresAt = new Date((issuedSeconds + lifetime) * 1000).toISOString();
    qr.statusIndex = r.u32();
  }
  return {
    claims: { certificateId: bytesToUuid(idBytes), certificateNumberMasked, holder, idMasked, categories, issuer, issuerCode, issuedAt, expiresAt, kid, ...qr },
    ...splitSignature(opened),
  };
}

/**
 * Signs certificate claims: a short-lived QR (version 2) when `qrIssuedAt` is given, else the legacy
 * form (tests of old tokens only). The nonce is derived from key and payload.
 */
export function signCertificateToken(
  claims: Omit<CertificateClaims, 'kid'> & { kid?: string },
  key: { kid: string; privateKeyHex: string; publicKeyHex?: string },
): string {
  const version = claims.qrIssuedAt === undefined ? 1 : 2;
  return sealSigned(encodeCertificatePayload({ ...claims, kid: key.kid }), key, { deterministicNonce: true, version });
}

/**
 * Checks a certificate token offline: signature, key, days, and the QR's own lifetime against `now`
 * (milliseconds; without it the QR cannot be shown to be fresh, so it is answered expired).
 */
export function verifyCertificateToken(
  token: string,
  keySet: VoucherKeySet,
  options: { today: string; now?: number; checkSignature?: SignatureCheck },
): CertificateVerification {
  const verification = verifyToken(token, decodeCertificateToken, keySet, {
    today: options.today,
    kind: 'certificate',
    ...(options.checkSignature ? { checkSignature: options.checkSignature } : {}),
  });
  if (verification.status === 'invalid' && (verification.reason !== 'expired' && verification.reason !== 'not_yet_valid')) return verification;
  const claims = verification.claims;
  if (!claims.qrIssuedAt || !claims.qrExpiresAt || options.now === undefined) return { status: 'invalid', reason: 'qr_expired', claims };
  if (options.now > Date.parse(claims.qrExpiresAt)) return { status: 'invalid', reason: 'qr_expired', claims };
  if (Date.parse(claims.qrIssuedAt) > options.now + CERTIFICATE_QR_CLOCK_SKEW_SECONDS * 1000) return { status: 'invalid', reason: 'not_yet_valid', claims };
  return verification;
}

/** The kind of a signed token from its first payload byte, or null when it is not one of ours. */
export function signedTokenKind(token: string): 'voucher' | 'certificate' | null {
  const text = token.trim();
  const version = tokenVersion(text);
  if (version !== 1 && version !== 2) return null;
  const body = version === 2 ? text.slice(TOKEN_PREFIX_V2.length) : text;
  const first = base64UrlDecode(body.slice(0, 4))?.[0];
  if (first === VOUCHER_TOKEN_VERSION) return 'voucher';
  if (first === CERTIFICATE_TOKEN_VERSION || first === CERTIFICATE_QR_KIND) return 'certificate';
  return null;
}

/** Verdict on a certificate token, with the same precedence as applyVoucherStatus. */
export interface CertificateVerdictResult extends Omit<VoucherVerdictResult, 'claims' | 'supersededBy' | 'supersededAt'> {
  certificate?: CertificateClaims;
}

export function applyCertificateStatus(
  verification: CertificateVerification,
  status: { revokedAt?: string | null; revocationReason?: string | null; revoked?: boolean } | null,
): CertificateVerdictResult {
  if (verification.status === 'invalid' && !('claims' in verification)) {
    return { verdict: 'invalid', reason: verification.reason, message: invalidReasonMessages[verification.reason] };
  }
  const certificate = verification.claims;
  if (status?.revokedAt || status?.revoked) {
    return {
      verdict: 'revoked',
      certificate,
      ...(status.revokedAt ? { revokedAt: status.revokedAt } : {}),
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
 * Verification of any token this system signs, against a key set, with no network: the signature, the
 * key's signing window and kind, the token's dates (and a certificate QR's minutes). `status` is what
 * the issuer's records say (online); without it, an opened `statusList` decides (offline), else the
 * answer for a good token is `authentic_unchecked`.
 */
export function verifySignedToken(
  token: string,
  keySet: VoucherKeySet,
  options: { today: string; now?: number; status?: VoucherStatusRecord | null; statusList?: OpenedStatusList; checkSignature?: SignatureCheck },
): SignedTokenResult {
  const kind = signedTokenKind(token);
  const fromList = (statusIndex: number | undefined) =>
    options.status !== undefined || !options.statusList
      ? { record: options.status ?? null }
      : statusFromReading(readStatusList(options.statusList, statusIndex, options.now ?? Date.parse(`${options.today}T23:59:59+08:00`)));
  const listNotes = (s: ReturnType<typeof fromList>) => ({ ...(s.asOf ? { statusAsOf: s.asOf } : {}), ...('note' in s && s.note ? { statusList: s.note } : {}) });
  if (kind === 'certificate') {
    const verification = verifyCertificateToken(token, keySet, options);
    const s = 'claims' in verification ? fromList(verification.claims.statusIndex) : { record: null };
    return { kind, ...applyCertificateStatus(verification, s.record), ...listNotes(s) };
  }
  const verification = verifyVoucherToken(token, keySet, options);
  const s = 'claims' in verification ? fromList(verification.claims.statusIndex) : { record: null };
  const result = { ...applyVoucherStatus(verification, s.record), ...listNotes(s) };
  return kind ? { kind, ...result } : result;
}

/** Human label of a category in a token, e.g. 道路危险货物运输驾驶员（爆炸品）. */
export function tokenCategoryLabel(c: CertificateTokenCategory, lang: 'zh' | 'en' = 'zh'): string {
  return categoryLabel(c.code, c.qualifiers ?? [], lang);
}
