/**
 * The signed token inside a credit-assessment voucher's QR code (诚信考核凭证), and the one rule that turns
 * a token plus what is known about its status into a verdict. Shared by the server, the public verify
 * page and the app's offline verifier, so it is pure (no I/O, no Node-only APIs: Uint8Array, not Buffer).
 * The envelope (version prefix, base64url) is in tokenEncoding.ts, signatures in sm2Signature.ts, keys
 * in trustList.ts, revocation lists in statusList.ts.
 *
 * Voucher payload (token versions 1 and 2, see tokenEncoding.ts)
 * ------------------------------------------------------------
 *     u8     kind = 0x01 (voucher)
 *     u8     flags: bit 0 = certificateNumberMasked present; bit 1 = statusIndex present (version 2
 *            only; every version-2 voucher has one); other bits must be 0
 *     str    kid                        key id of the signing key
 *     str    serial
 *     str    holder                     masked name, e.g. 张*三
 *     str    idMasked
 *     [str   certificateNumberMasked]   only when flag bit 0 is set
 *     u8     rating                     1 = AAA, 2 = AA, 3 = A, 4 = B
 *     u16    cycleStart, cycleEnd, issuedAt, expiresAt   days since 1970-01-01, big-endian (to 2149)
 *     str    issuer                     issuing authority's name
 *     str    issuerCode
 *     [u32   statusIndex]               the voucher's entry in the status list, when flag bit 1 is set
 *   str = u8 byte length + UTF-8 bytes (≤ 255 bytes, strict UTF-8)
 *   signature = r || s, 32 bytes each, big-endian (64 bytes), over the signed bytes (prefix || payload)
 *
 * Dates are calendar days (YYYY-MM-DD) in China time; `expiresAt` is the last valid day.
 *
 * Verifying offline (no network, no database)
 * -------------------------------------------
 *   const keySet = await (await fetch('https://host/.well-known/rto-keys.json')).json(); // or a saved copy
 *   const list = openStatusList(await (await fetch('https://host/.well-known/rto-status.json')).json(), keySet);
 *   const result = verifySignedToken(token, keySet, { today: '2026-06-01', now: Date.now(), statusList: list });
 *   // valid / revoked / superseded per the list ("状态截至" result.statusAsOf), or authentic_unchecked
 *   // without a usable list; invalid with result.reason otherwise.
 * The cases every verifier must agree on are in test/vectors/ (one JSON file per case).
 */
import { DomainError, type Localized } from './errors.ts';
import { sealSigned } from './sealing.ts';
import type { SigningKey } from './sm2Signature.ts';
import type { StatusListProblem, StatusListReading } from './statusList.ts';
import { dateToDays, daysToDate, invalidClaims, malformedMessage, openToken, PayloadWriter, splitSignature, tokenMalformed } from './tokenEncoding.ts';
import { checkSignature, type DocumentKind, type KeySet, type SignatureFailure, type TrustedKey } from './trustList.ts';

export { base64UrlDecode, base64UrlEncode, dateToDays, daysToDate, openToken, PayloadReader, PayloadWriter, splitSignature, tokenMalformed } from './tokenEncoding.ts';
export { generateSigningKey, keyIdFor, sm2Sign, sm2Verify, SM2_DEFAULT_USER_ID } from './sm2Signature.ts';
export { checkSignature, type SignatureFailure } from './trustList.ts';
export { sealSigned as sealToken } from './sealing.ts';

export type VoucherRating = 'AAA' | 'AA' | 'A' | 'B';

export interface VoucherClaims {
  serial: string;
  /** Masked holder name, e.g. 张*三. */
  holder: string;
  idMasked: string;
  certificateNumberMasked?: string;
  rating: VoucherRating;
  cycleStart: string;
  cycleEnd: string;
  /** Issuing authority's name. */
  issuer: string;
  issuerCode: string;
  issuedAt: string;
  /** Last day on which the voucher is valid. */
  expiresAt: string;
  /** Id of the signing key. */
  kid: string;
  /** Entry in the status list (version-2 tokens). */
  statusIndex?: number;
}

export type VoucherSigningKey = SigningKey;
/** A public key as published at /.well-known/rto-keys.json. Dates bound the days it may sign on. */
export type VoucherPublicKey = TrustedKey;
export type VoucherKeySet = KeySet;

export interface DecodedVoucherToken {
  claims: VoucherClaims;
  /** r || s, 64 bytes. */
  signature: Uint8Array;
  /** The bytes the signature covers (prefix and payload). */
  signedBytes: Uint8Array;
  version: 1 | 2;
}

export type VoucherInvalidReason = 'malformed' | 'unsupported_version' | 'tampered' | 'unknown_key' | 'not_yet_valid' | 'expired' | 'qr_expired';

/** What the token alone says: whether it is authentic and in date. Status (revoked…) needs the database. */
export type VoucherVerification = TokenVerification<VoucherClaims>;

export type VoucherVerdict = 'valid' | 'invalid' | 'revoked' | 'superseded' | 'authentic_unchecked';

/**
 * What the issuer's records (online) or a status list (offline) say about a document. `null` instead
 * of a record means the status could not be looked up. An empty record means the document stands.
 */
export interface VoucherStatusRecord {
  revokedAt?: string | null;
  revocationReason?: string | null;
  supersededBy?: string | null;
  supersededAt?: string | null;
  /** Set by a status list, which knows the fact but not the date. */
  revoked?: boolean;
  superseded?: boolean;
}

/** Why an offline check could not use the status list it had, or that it had gone stale. */
export type StatusListNote = StatusListProblem | 'not_listed' | 'stale';

export interface VoucherVerdictResult {
  verdict: VoucherVerdict;
  reason?: VoucherInvalidReason;
  /** Present whenever the signature verified, so a page can show the masked data it vouches for. */
  claims?: VoucherClaims;
  revokedAt?: string;
  revocationReason?: string;
  supersededBy?: string;
  supersededAt?: string;
  /** Issue time of the status list the verdict rests on (offline: "状态截至 …"). */
  statusAsOf?: string;
  statusList?: StatusListNote;
  message: Localized;
}

export const verdictMessages: Record<VoucherVerdict, Localized> = {
  valid: { zh: '凭证有效', en: 'The voucher is valid' },
  invalid: { zh: '凭证无效', en: 'The voucher is not valid' },
  revoked: { zh: '凭证已被发证机关撤销', en: 'The voucher has been revoked by the issuing authority' },
  superseded: { zh: '凭证已被新凭证取代', en: 'The voucher has been replaced by a later voucher' },
  authentic_unchecked: {
    zh: '签名真实，但当前离线，未能核对凭证是否已撤销或被取代',
    en: 'The signature is genuine, but offline it could not be checked whether the voucher was revoked or replaced',
  },
};

export const invalidReasonMessages: Record<VoucherInvalidReason, Localized> = {
  malformed: malformedMessage,
  unsupported_version: {
    zh: '二维码格式版本较新，本核验程序无法识别，请更新应用后再核验',
    en: 'The QR code uses a newer format this verifier does not know; update the app and check again',
  },
  tampered: { zh: '凭证内容或签名被篡改，签名校验失败', en: 'The voucher was altered: its signature does not match' },
  unknown_key: {
    zh: '凭证由未知或未授权的密钥签发',
    en: 'The voucher was signed by an unknown or unauthorised key',
  },
  not_yet_valid: { zh: '凭证尚未生效', en: 'The voucher is not valid yet' },
  expired: { zh: '凭证已过有效期', en: 'The voucher has expired' },
  qr_expired: { zh: '二维码已过期，请持证人刷新', en: 'The QR code has expired: ask the holder to refresh it' },
};

/** First payload byte of a voucher; other token kinds take other values (see certificateToken.ts). */
export const VOUCHER_TOKEN_VERSION = 1;
const VOUCHER_KIND = VOUCHER_TOKEN_VERSION;
const FLAG_CERTIFICATE_NUMBER = 0x01;
const FLAG_STATUS_INDEX = 0x02;
const RATINGS: readonly VoucherRating[] = ['AAA', 'AA', 'A', 'B'];

function encodePayload(claims: VoucherClaims, version: 1 | 2): Uint8Array {
  const w = new PayloadWriter();
  w.u8(VOUCHER_KIND);
  const hasCert = claims.certificateNumberMasked !== undefined;
  const hasIndex = claims.statusIndex !== undefined;
  if (hasIndex && version === 1) throw invalidClaims('statusIndex', 'needs a version-2 token');
  if (!hasIndex && version === 2) throw invalidClaims('statusIndex', 'missing');
  w.u8((hasCert ? FLAG_CERTIFICATE_NUMBER : 0) | (hasIndex ? FLAG_STATUS_INDEX : 0));
  w.str(claims.kid, 'kid');
  w.str(claims.serial, 'serial');
  w.str(claims.holder, 'holder');
  w.str(claims.idMasked, 'idMasked');
  if (hasCert) w.str(claims.certificateNumberMasked ?? '', 'certificateNumberMasked');
  const rating = RATINGS.indexOf(claims.rating);
  if (rating < 0) throw invalidClaims('rating', 'expected AAA, AA, A or B');
  w.u8(rating + 1);
  const cycleStart = dateToDays(claims.cycleStart, 'cycleStart');
  const cycleEnd = dateToDays(claims.cycleEnd, 'cycleEnd');
  const issuedAt = dateToDays(claims.issuedAt, 'issuedAt');
  const expiresAt = dateToDays(claims.expiresAt, 'expiresAt');
  if (cycleEnd < cycleStart) throw invalidClaims('cycleEnd', 'before cycleStart');
  if (expiresAt < issuedAt) throw invalidClaims('expiresAt', 'before issuedAt');
  w.u16(cycleStart);
  w.u16(cycleEnd);
  w.u16(issuedAt);
  w.u16(expiresAt);
  w.str(claims.issuer, 'issuer');
  w.str(claims.issuerCode, 'issuerCode');
  if (hasIndex) {
    const index = claims.statusIndex!;
    if (!Number.isInteger(index) || index < 0 || index > 0xffffffff) throw invalidClaims('statusIndex', 'not a u32');
    w.u32(index);
  }
  return w.bytes();
}

/** Splits a token into claims, signature and signed bytes. Throws DomainError TOKEN_MALFORMED. */
export function decodeVoucherToken(token: string): DecodedVoucherToken {
  const opened = openToken(token, [VOUCHER_KIND]);
  const r = opened.reader;
  const flags = r.u8();
  const allowed = opened.version === 2 ? FLAG_CERTIFICATE_NUMBER | FLAG_STATUS_INDEX : FLAG_CERTIFICATE_NUMBER;
  if ((flags & ~allowed) !== 0) throw tokenMalformed('unknown flags');
  if (opened.version === 2 && !(flags & FLAG_STATUS_INDEX)) throw tokenMalformed('no status index');
  const kid = r.str();
  const serial = r.str();
  const holder = r.str();
  const idMasked = r.str();
  const certificateNumberMasked = flags & FLAG_CERTIFICATE_NUMBER ? r.str() : undefined;
  const rating = RATINGS[r.u8() - 1];
  if (!rating) throw tokenMalformed('unknown rating');
  const cycleStart = daysToDate(r.u16());
  const cycleEnd = daysToDate(r.u16());
  const issuedAt = daysToDate(r.u16());
  const expiresAt = daysToDate(r.u16());
  const issuer = r.str();
  const issuerCode = r.str();
  const statusIndex = flags & FLAG_STATUS_INDEX ? r.u32() : undefined;
  const claims: VoucherClaims = {
    serial,
    holder,
    idMasked,
    ...(certificateNumberMasked !== undefined ? { certificateNumberMasked } : {}),
    rating,
    cycleStart,
    cycleEnd,
    issuer,
    issuerCode,
    issuedAt,
    expiresAt,
    kid,
    ...(statusIndex !== undefined ? { statusIndex } : {}),
  };
  return { claims, ...splitSignature(opened), version: opened.version };
}

/**
 * Signs the claims into a token. The key's id replaces `claims.kid`, so a token always names the key
 * that signed it. New vouchers are version 2 (prefixed, with a status index); `version: 1` makes the
 * legacy form (test vectors). `deterministicNonce` gives reproducible tokens.
 */
export function signVoucher(
  claims: Omit<VoucherClaims, 'kid'> & { kid?: string },
  key: { kid: string; privateKeyHex: string; publicKeyHex?: string },
  options: { deterministicNonce?: boolean; version?: 1 | 2 } = {},
): string {
  const version = options.version ?? (claims.statusIndex === undefined ? 1 : 2);
  return sealSigned(encodePayload({ ...claims, kid: key.kid }, version), key, { ...options, version });
}

function dayOf(value: string): string {
  return value.slice(0, 10);
}

/**
 * Checks a token against published keys, offline: signature, key, and dates against `today`
 * (YYYY-MM-DD, China time). Revocation and supersession need the issuer's records or a status list.
 */
export function verifyVoucherToken(token: string, keySet: VoucherKeySet, options: { today: string; checkSignature?: SignatureCheck }): VoucherVerification {
  return verifyToken(token, decodeVoucherToken, keySet, { ...options, kind: 'voucher' });
}

/** checkSignature or a stand-in with the same answers (the server's cache of checked signatures). */
export type SignatureCheck = typeof checkSignature;

/** What a token of any kind says on its own, with its kind's claims. */
export type TokenVerification<Claims> =
  | { status: 'authentic'; claims: Claims }
  | { status: 'invalid'; reason: 'malformed'; detail?: string }
  | { status: 'invalid'; reason: 'unsupported_version'; version: number }
  | SignatureFailure
  | { status: 'invalid'; reason: 'not_yet_valid' | 'expired' | 'qr_expired'; claims: Claims };

/** Decodes with the kind's decoder, then checks signature, key window and dates. Shared by every token kind. */
export function verifyToken<Claims extends { kid: string; issuedAt: string; expiresAt: string }>(
  token: string,
  decode: (token: string) => { claims: Claims; signature: Uint8Array; signedBytes: Uint8Array },
  keySet: VoucherKeySet,
  options: { today: string; kind?: DocumentKind; checkSignature?: SignatureCheck },
): TokenVerification<Claims> {
  let decoded: ReturnType<typeof decode>;
  try {
    decoded = decode(token);
  } catch (err) {
    if (err instanceof DomainError) {
      if (err.code === 'TOKEN_VERSION_UNSUPPORTED') return { status: 'invalid', reason: 'unsupported_version', version: Number(err.details?.['version']) };
      const detail = err.details?.['detail'];
      return { status: 'invalid', reason: 'malformed', ...(typeof detail === 'string' ? { detail } : {}) };
    }
    throw err;
  }
  const { claims, signature, signedBytes } = decoded;
  const signatureCheck = (options.checkSignature ?? checkSignature)(signedBytes, signature, claims.kid, claims.issuedAt, keySet, options.kind);
  if (signatureCheck) return signatureCheck;
  const today = dayOf(options.today);
  if (today < claims.issuedAt) return { status: 'invalid', reason: 'not_yet_valid', claims };
  if (today > claims.expiresAt) return { status: 'invalid', reason: 'expired', claims };
  return { status: 'authentic', claims };
}

/**
 * The status record a status-list reading gives, and what the verdict should say about the list.
 * A stale list still proves a revocation or supersession (both final) but no longer vouches for a clear entry.
 */
export function statusFromReading(reading: StatusListReading | undefined): { record: VoucherStatusRecord | null; asOf?: string; note?: StatusListNote } {
  if (!reading) return { record: null };
  if ('problem' in reading) return { record: null, note: reading.problem };
  const marked = reading.revoked || reading.superseded;
  if (reading.stale && !marked) return { record: null, asOf: reading.asOf, note: 'stale' };
  return {
    record: { ...(reading.revoked ? { revoked: true } : {}), ...(reading.superseded ? { superseded: true } : {}) },
    asOf: reading.asOf,
    ...(reading.stale ? { note: 'stale' as const } : {}),
  };
}

/**
 * The final verdict, shared by server and offline verifier. Precedence: a bad token is invalid; a
 * revocation or supersession on record is reported even when the voucher has also lapsed (it is the
 * more useful fact); then dates; then `null` status (not looked up) gives authentic_unchecked.
 */
export function applyVoucherStatus(verification: VoucherVerification, statusRecord: VoucherStatusRecord | null): VoucherVerdictResult {
  if (verification.status === 'invalid' && !('claims' in verification)) {
    return { verdict: 'invalid', reason: verification.reason, message: invalidReasonMessages[verification.reason] };
  }
  const claims = verification.claims;
  if (statusRecord?.revokedAt || statusRecord?.revoked) {
    return {
      verdict: 'revoked',
      claims,
      ...(statusRecord.revokedAt ? { revokedAt: statusRecord.revokedAt } : {}),
      ...(statusRecord.revocationReason ? { revocationReason: statusRecord.revocationReason } : {}),
      message: verdictMessages.revoked,
    };
  }
  if (statusRecord?.supersededBy || statusRecord?.superseded) {
    return {
      verdict: 'superseded',
      claims,
      ...(statusRecord.supersededBy ? { supersededBy: statusRecord.supersededBy } : {}),
      ...(statusRecord.supersededAt ? { supersededAt: statusRecord.supersededAt } : {}),
      message: verdictMessages.superseded,
    };
  }
  if (verification.status === 'invalid') {
    return { verdict: 'invalid', reason: verification.reason, claims, message: invalidReasonMessages[verification.reason] };
  }
  if (statusRecord === null) return { verdict: 'authentic_unchecked', claims, message: verdictMessages.authentic_unchecked };
  return { verdict: 'valid', claims, message: verdictMessages.valid };
}

/** The path a voucher's QR code points at. */
export function voucherVerifyUrl(baseUrl: string, token: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/v/${token}`;
}
