/**
 * The signed token inside a credit-assessment voucher's QR code (诚信考核凭证), and the one rule that turns
 * a token plus what is known about its status into a verdict. Shared by the server, the public verify
 * page and the app's offline verifier, so it is pure (no I/O, no Node-only APIs: Uint8Array, not Buffer).
 *
 * Token format, version 1
 * -----------------------
 *   token  = base64url( payload || signature )        RFC 4648 §5 alphabet, no padding, canonical
 *   payload (the signed bytes):
 *     u8     format version = 0x01
 *     u8     flags: bit 0 = certificateNumberMasked present; other bits must be 0
 *     str    kid                        key id of the signing key
 *     str    serial
 *     str    holder                     masked name, e.g. 张*三
 *     str    idMasked
 *     [str   certificateNumberMasked]   only when flag bit 0 is set
 *     u8     rating                     1 = AAA, 2 = AA, 3 = A, 4 = B
 *     u16    cycleStart, cycleEnd, issuedAt, expiresAt   days since 1970-01-01, big-endian (to 2149)
 *     str    issuer                     issuing authority's name
 *     str    issuerCode
 *   str = u8 byte length + UTF-8 bytes (≤ 255 bytes, strict UTF-8)
 *   signature = r || s, 32 bytes each, big-endian (64 bytes; smaller than DER's 70–72)
 *
 * Signature: SM2 over the payload with SM3 digest and the standard default user ID "1234567812345678"
 * (GB/T 32918.2 / GM/T 0003.2: e = SM3(Z_A || M)), so OpenSSL (`pkeyutl -digest sm3 -pkeyopt
 * distid:1234567812345678`), sm-crypto and other SM2 implementations verify it unchanged. A typical voucher
 * is ~190 bytes → ~250 base64url characters, so `https://host/v/{token}` fits a version-12 QR at level M.
 *
 * Dates are calendar days (YYYY-MM-DD) in China time; `expiresAt` is the last valid day.
 *
 * Verifying offline (no network, no database)
 * -------------------------------------------
 *   const keySet = await (await fetch('https://host/.well-known/rto-keys.json')).json(); // or a saved copy
 *   const result = applyVoucherStatus(verifyVoucherToken(token, keySet, { today: '2026-06-01' }), null);
 *   // result.verdict: 'authentic_unchecked' when signature, key window and dates hold, else 'invalid'
 *   // with result.reason; result.claims (masked) whenever the signature held.
 * `verifySignedToken` in certificateToken.ts does the same for any token kind (voucher or e-certificate).
 * Online, pass the issuer's status record instead of null to get valid / revoked / superseded.
 * The cases every verifier must agree on are in test/vectors/ (one JSON file per case).
 */
import { sm2, sm3 } from 'sm-crypto-v2';
import { DomainError, type Localized } from './errors.ts';

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
}

export interface VoucherSigningKey {
  kid: string;
  publicKeyHex: string;
  privateKeyHex: string;
}

/** A public key as published at /.well-known/rto-keys.json. Dates bound the days it may sign on. */
export interface VoucherPublicKey {
  kid: string;
  publicKeyHex: string;
  notBefore?: string;
  notAfter?: string;
}

export interface VoucherKeySet {
  keys: VoucherPublicKey[];
}

export interface DecodedVoucherToken {
  claims: VoucherClaims;
  /** r || s, 64 bytes. */
  signature: Uint8Array;
  /** The payload the signature covers. */
  signedBytes: Uint8Array;
}

export type VoucherInvalidReason = 'malformed' | 'tampered' | 'unknown_key' | 'not_yet_valid' | 'expired';

/** What the token alone says: whether it is authentic and in date. Status (revoked…) needs the database. */
export type VoucherVerification =
  | { status: 'authentic'; claims: VoucherClaims }
  | { status: 'invalid'; reason: 'malformed' | 'tampered'; detail?: string }
  | { status: 'invalid'; reason: 'unknown_key'; kid: string; detail?: 'no_such_key' | 'key_not_valid_at_issue' | 'bad_public_key' }
  | { status: 'invalid'; reason: 'not_yet_valid' | 'expired'; claims: VoucherClaims };

export type VoucherVerdict = 'valid' | 'invalid' | 'revoked' | 'superseded' | 'authentic_unchecked';

/**
 * What the issuer's records say about a serial. `null` instead of a record means the status could not
 * be looked up (offline). An empty record means the voucher stands.
 */
export interface VoucherStatusRecord {
  revokedAt?: string | null;
  revocationReason?: string | null;
  supersededBy?: string | null;
  supersededAt?: string | null;
}

export interface VoucherVerdictResult {
  verdict: VoucherVerdict;
  reason?: VoucherInvalidReason;
  /** Present whenever the signature verified, so a page can show the masked data it vouches for. */
  claims?: VoucherClaims;
  revokedAt?: string;
  revocationReason?: string;
  supersededBy?: string;
  supersededAt?: string;
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
  malformed: { zh: '二维码内容不是有效的凭证', en: 'The QR code does not contain a voucher' },
  tampered: { zh: '凭证内容或签名被篡改，签名校验失败', en: 'The voucher was altered: its signature does not match' },
  unknown_key: {
    zh: '凭证由未知或未授权的密钥签发',
    en: 'The voucher was signed by an unknown or unauthorised key',
  },
  not_yet_valid: { zh: '凭证尚未生效', en: 'The voucher is not valid yet' },
  expired: { zh: '凭证已过有效期', en: 'The voucher has expired' },
};

/** The standard default user ID (GB/T 32918.2, ENTL = 128 bits). */
export const SM2_DEFAULT_USER_ID = '1234567812345678';

/** First byte of a voucher token; other token kinds take other values (see certificateToken.ts). */
export const VOUCHER_TOKEN_VERSION = 1;
const FORMAT_VERSION = VOUCHER_TOKEN_VERSION;
const SIGNATURE_LENGTH = 64;
const FLAG_CERTIFICATE_NUMBER = 0x01;
const RATINGS: readonly VoucherRating[] = ['AAA', 'AA', 'A', 'B'];
/** Order of the SM2 recommended curve's base point (GB/T 32918.5). */
const SM2_N = BigInt('0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123');
const MAX_DAYS = 0xffff;
const DAY_MS = 86_400_000;

// ---------------------------------------------------------------------------------------------------
// Errors

/** The error every token decoder throws for bytes that are not a token of its kind. */
export function tokenMalformed(detail: string): DomainError {
  return new DomainError('TOKEN_MALFORMED', invalidReasonMessages.malformed, { status: 400, details: { detail } });
}

function invalidClaims(field: string, why: string): DomainError {
  return new DomainError(
    'VOUCHER_CLAIMS_INVALID',
    { zh: `凭证字段 ${field} 无效：${why}`, en: `Voucher field ${field} is invalid: ${why}` },
    { details: { field } },
  );
}

// ---------------------------------------------------------------------------------------------------
// base64url (RFC 4648 §5), strict: no padding, no stray characters, unused trailing bits zero

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const B64URL_INDEX = new Map<string, number>([...B64URL].map((c, i) => [c, i]));

export function base64UrlEncode(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const b0 = bytes[i] ?? 0;
    const b1 = bytes[i + 1] ?? 0;
    const b2 = bytes[i + 2] ?? 0;
    const n = (b0 << 16) | (b1 << 8) | b2;
    const chars = i + 2 < bytes.length ? 4 : i + 1 < bytes.length ? 3 : 2;
    for (let c = 0; c < chars; c++) out += B64URL[(n >> (18 - 6 * c)) & 63];
  }
  return out;
}

/** Returns null for anything that is not the canonical encoding of some bytes. */
export function base64UrlDecode(text: string): Uint8Array | null {
  if (text.length % 4 === 1) return null;
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let bits = 0;
  let acc = 0;
  let o = 0;
  for (const ch of text) {
    const v = B64URL_INDEX.get(ch);
    if (v === undefined) return null;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
    acc &= (1 << bits) - 1;
  }
  if (acc !== 0) return null;
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Dates

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 of a YYYY-MM-DD day, range-checked for the u16 fields. */
export function dateToDays(date: string, field: string): number {
  const m = DATE_RE.exec(date);
  if (!m) throw invalidClaims(field, 'expected YYYY-MM-DD');
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const days = ms / DAY_MS;
  if (daysToDate(days) !== date) throw invalidClaims(field, 'not a calendar date');
  if (days < 0 || days > MAX_DAYS) throw invalidClaims(field, 'outside 1970–2149');
  return days;
}

export function daysToDate(days: number): string {
  return new Date(days * DAY_MS).toISOString().slice(0, 10);
}

// ---------------------------------------------------------------------------------------------------
// Hex

function bytesToHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Payload encoding

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/** Field writer of the token payloads (shared by every signed token kind). */
export class PayloadWriter {
  private readonly parts: number[] = [];
  u8(v: number): void {
    this.parts.push(v & 0xff);
  }
  u16(v: number): void {
    this.parts.push((v >> 8) & 0xff, v & 0xff);
  }
  str(v: string, field: string): void {
    if (v.length === 0) throw invalidClaims(field, 'empty');
    const bytes = utf8Encoder.encode(v);
    if (bytes.length > 255) throw invalidClaims(field, 'longer than 255 bytes');
    this.parts.push(bytes.length, ...bytes);
  }
  bytes(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

export class PayloadReader {
  offset = 0;
  constructor(private readonly data: Uint8Array) {}
  u8(): number {
    const v = this.data[this.offset];
    if (v === undefined) throw tokenMalformed('truncated');
    this.offset += 1;
    return v;
  }
  u16(): number {
    return (this.u8() << 8) | this.u8();
  }
  str(): string {
    const len = this.u8();
    if (len === 0) throw tokenMalformed('empty field');
    if (this.offset + len > this.data.length) throw tokenMalformed('truncated');
    const slice = this.data.subarray(this.offset, this.offset + len);
    this.offset += len;
    try {
      return utf8Decoder.decode(slice);
    } catch {
      throw tokenMalformed('invalid UTF-8');
    }
  }
}

/**
 * The bytes of a token and a reader past its version byte. Throws TOKEN_MALFORMED when the text is not
 * base64url or the token is of another version. Shared by every signed token kind.
 */
export function openToken(token: string, version: number): { bytes: Uint8Array; reader: PayloadReader } {
  const bytes = base64UrlDecode(token.trim());
  if (!bytes) throw tokenMalformed('not base64url');
  const reader = new PayloadReader(bytes);
  const found = reader.u8();
  if (found !== version) throw tokenMalformed(`unsupported version ${found}`);
  return { bytes, reader };
}

/** Splits off the signature that must follow the payload `reader` has read, and nothing after it. */
export function splitSignature(bytes: Uint8Array, reader: PayloadReader): { signature: Uint8Array; signedBytes: Uint8Array } {
  const payloadLength = reader.offset;
  if (bytes.length !== payloadLength + SIGNATURE_LENGTH) {
    throw tokenMalformed(bytes.length < payloadLength + SIGNATURE_LENGTH ? 'truncated' : 'trailing bytes');
  }
  return { signature: bytes.slice(payloadLength), signedBytes: bytes.slice(0, payloadLength) };
}

function encodePayload(claims: VoucherClaims): Uint8Array {
  const w = new PayloadWriter();
  w.u8(FORMAT_VERSION);
  const hasCert = claims.certificateNumberMasked !== undefined;
  w.u8(hasCert ? FLAG_CERTIFICATE_NUMBER : 0);
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
  return w.bytes();
}

/** Splits a token into claims, signature and signed bytes. Throws DomainError TOKEN_MALFORMED. */
export function decodeVoucherToken(token: string): DecodedVoucherToken {
  const { bytes, reader: r } = openToken(token, FORMAT_VERSION);
  const flags = r.u8();
  if ((flags & ~FLAG_CERTIFICATE_NUMBER) !== 0) throw tokenMalformed('unknown flags');
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
  };
  return { claims, ...splitSignature(bytes, r) };
}

// ---------------------------------------------------------------------------------------------------
// SM2

function normalizePublicKeyHex(publicKeyHex: string): string {
  const hex = publicKeyHex.toLowerCase();
  if (!/^[0-9a-f]+$/.test(hex)) throw new Error('public key is not hex');
  // Accept raw x||y as well as SEC1 04||x||y and compressed 02/03||x.
  const full = hex.length === 128 ? `04${hex}` : hex;
  if (!sm2.verifyPublicKey(full)) throw new Error('public key is not on the SM2 curve');
  return full.length === 130 ? full : sm2.precomputePublicKey(full).toHex(false);
}

/** e = SM3(Z_A || M), the value SM2 actually signs (GB/T 32918.2 §6.1). */
function messageDigest(message: Uint8Array, publicKeyHex: string): string {
  return sm2.getHash(message, publicKeyHex, SM2_DEFAULT_USER_ID);
}

/**
 * Nonce derived from the private key and digest (in the spirit of RFC 6979, with HMAC-SM3), so that the
 * same claims and key always give the same token. Only used where reproducible output is wanted.
 */
function deterministicPoint(privateKeyHex: string, digestHex: string): { k: bigint; x1: bigint } {
  for (let counter = 0; ; counter++) {
    const mac = sm3(hexToBytes(`${digestHex}${counter.toString(16).padStart(8, '0')}`), {
      key: hexToBytes(privateKeyHex),
    });
    const k = (BigInt(`0x${mac}`) % (SM2_N - 1n)) + 1n;
    const kG = sm2.getPublicKeyFromPrivateKey(k.toString(16).padStart(64, '0'));
    const x1 = BigInt(`0x${kG.slice(2, 66)}`);
    if (x1 !== 0n) return { k, x1 };
  }
}

/** Signs `message` with SM2/SM3 and the default user ID; returns r || s (64 bytes). */
export function sm2Sign(
  message: Uint8Array,
  privateKeyHex: string,
  options: { publicKeyHex?: string; deterministicNonce?: boolean } = {},
): Uint8Array {
  const publicKeyHex = options.publicKeyHex ?? sm2.getPublicKeyFromPrivateKey(privateKeyHex);
  const e = messageDigest(message, normalizePublicKeyHex(publicKeyHex));
  const signatureHex = sm2.doSignature(hexToBytes(e), privateKeyHex, {
    hash: false,
    der: false,
    ...(options.deterministicNonce ? { pointPool: [deterministicPoint(privateKeyHex, e)] } : {}),
  });
  return hexToBytes(signatureHex);
}

const precomputed = new Map<string, ReturnType<typeof sm2.precomputePublicKey>>();

/** Verifies an r || s SM2/SM3 signature with the default user ID. Throws if the public key is unusable. */
export function sm2Verify(message: Uint8Array, signature: Uint8Array, publicKeyHex: string): boolean {
  if (signature.length !== SIGNATURE_LENGTH) return false;
  const r = BigInt(`0x${bytesToHex(signature.subarray(0, 32))}`);
  const s = BigInt(`0x${bytesToHex(signature.subarray(32))}`);
  // The library does not range-check; the standard requires r, s ∈ [1, n-1].
  if (r === 0n || s === 0n || r >= SM2_N || s >= SM2_N) return false;
  const key = normalizePublicKeyHex(publicKeyHex);
  let point = precomputed.get(key);
  if (!point) {
    point = sm2.precomputePublicKey(key);
    if (precomputed.size > 64) precomputed.clear();
    precomputed.set(key, point);
  }
  const e = messageDigest(message, key);
  return sm2.doVerifySignature(hexToBytes(e), bytesToHex(signature), point, { hash: false, der: false });
}

/** Short stable key id: the first 10 hex digits of SM3 over the uncompressed public key. */
export function keyIdFor(publicKeyHex: string): string {
  return sm3(hexToBytes(normalizePublicKeyHex(publicKeyHex))).slice(0, 10);
}

export function generateSigningKey(): VoucherSigningKey {
  const { publicKey, privateKey } = sm2.generateKeyPairHex();
  return { kid: keyIdFor(publicKey), publicKeyHex: publicKey, privateKeyHex: privateKey };
}

// ---------------------------------------------------------------------------------------------------
// Voucher tokens

/**
 * Signs the claims into a token. The key's id replaces `claims.kid`, so a token always names the key
 * that signed it. `deterministicNonce` gives reproducible tokens (test vectors); otherwise the nonce is random.
 */
export function signVoucher(
  claims: Omit<VoucherClaims, 'kid'> & { kid?: string },
  key: { kid: string; privateKeyHex: string; publicKeyHex?: string },
  options: { deterministicNonce?: boolean } = {},
): string {
  return sealToken(encodePayload({ ...claims, kid: key.kid }), key, options);
}

/** base64url(payload || SM2 signature of the payload): the token of any signed kind. */
export function sealToken(
  payload: Uint8Array,
  key: { privateKeyHex: string; publicKeyHex?: string },
  options: { deterministicNonce?: boolean } = {},
): string {
  const signature = sm2Sign(payload, key.privateKeyHex, {
    ...(key.publicKeyHex ? { publicKeyHex: key.publicKeyHex } : {}),
    ...(options.deterministicNonce ? { deterministicNonce: true } : {}),
  });
  const token = new Uint8Array(payload.length + signature.length);
  token.set(payload);
  token.set(signature, payload.length);
  return base64UrlEncode(token);
}

function dayOf(value: string): string {
  return value.slice(0, 10);
}

/**
 * Checks a token against published keys, offline: signature, key, and dates against `today`
 * (YYYY-MM-DD, China time). Revocation and supersession need the issuer's records: see applyVoucherStatus.
 */
export function verifyVoucherToken(token: string, keySet: VoucherKeySet, options: { today: string }): VoucherVerification {
  return verifyToken(token, decodeVoucherToken, keySet, options);
}

/** What a token of any kind says on its own, with its kind's claims. */
export type TokenVerification<Claims> =
  | { status: 'authentic'; claims: Claims }
  | { status: 'invalid'; reason: 'malformed'; detail?: string }
  | SignatureFailure
  | { status: 'invalid'; reason: 'not_yet_valid' | 'expired'; claims: Claims };

/** Decodes with the kind's decoder, then checks signature, key window and dates. Shared by every token kind. */
export function verifyToken<Claims extends { kid: string; issuedAt: string; expiresAt: string }>(
  token: string,
  decode: (token: string) => { claims: Claims; signature: Uint8Array; signedBytes: Uint8Array },
  keySet: VoucherKeySet,
  options: { today: string },
): TokenVerification<Claims> {
  let decoded: ReturnType<typeof decode>;
  try {
    decoded = decode(token);
  } catch (err) {
    if (err instanceof DomainError) {
      const detail = err.details?.['detail'];
      return { status: 'invalid', reason: 'malformed', ...(typeof detail === 'string' ? { detail } : {}) };
    }
    throw err;
  }
  const { claims, signature, signedBytes } = decoded;
  const signatureCheck = checkSignature(signedBytes, signature, claims.kid, claims.issuedAt, keySet);
  if (signatureCheck) return signatureCheck;
  const today = dayOf(options.today);
  if (today < claims.issuedAt) return { status: 'invalid', reason: 'not_yet_valid', claims };
  if (today > claims.expiresAt) return { status: 'invalid', reason: 'expired', claims };
  return { status: 'authentic', claims };
}

/** Why a signature failed, as the verifications report it; null when the signature holds. */
export type SignatureFailure =
  | { status: 'invalid'; reason: 'tampered' }
  | { status: 'invalid'; reason: 'unknown_key'; kid: string; detail: 'no_such_key' | 'key_not_valid_at_issue' | 'bad_public_key' };

/**
 * Checks `signature` over `signedBytes` against the key set entry named `kid`, and that the key was
 * allowed to sign on `issuedAt` (its notBefore/notAfter window). Shared by every signed token kind.
 */
export function checkSignature(
  signedBytes: Uint8Array,
  signature: Uint8Array,
  kid: string,
  issuedAt: string,
  keySet: VoucherKeySet,
): SignatureFailure | null {
  const claims = { kid, issuedAt };
  const candidates = keySet.keys.filter((k) => k.kid === claims.kid);
  if (candidates.length === 0) return { status: 'invalid', reason: 'unknown_key', kid: claims.kid, detail: 'no_such_key' };

  let verifiedWith: VoucherPublicKey | undefined;
  let usableKey = false;
  for (const key of candidates) {
    try {
      if (sm2Verify(signedBytes, signature, key.publicKeyHex)) {
        verifiedWith = key;
        break;
      }
      usableKey = true;
    } catch {
      // A broken entry in the key set; another entry with the same id may still work.
    }
  }
  if (!verifiedWith) {
    return usableKey
      ? { status: 'invalid', reason: 'tampered' }
      : { status: 'invalid', reason: 'unknown_key', kid: claims.kid, detail: 'bad_public_key' };
  }
  // A key signs only within its published window; a voucher claiming another issue day is not its work.
  if (
    (verifiedWith.notBefore && claims.issuedAt < dayOf(verifiedWith.notBefore)) ||
    (verifiedWith.notAfter && claims.issuedAt > dayOf(verifiedWith.notAfter))
  ) {
    return { status: 'invalid', reason: 'unknown_key', kid: claims.kid, detail: 'key_not_valid_at_issue' };
  }
  return null;
}

/**
 * The final verdict, shared by server and offline verifier. Precedence: a bad token is invalid; a
 * revocation or supersession on record is reported even when the voucher has also lapsed (it is the
 * more useful fact); then dates; then `null` status (not looked up) gives authentic_unchecked.
 */
export function applyVoucherStatus(
  verification: VoucherVerification,
  statusRecord: VoucherStatusRecord | null,
): VoucherVerdictResult {
  if (verification.status === 'invalid' && !('claims' in verification)) {
    return { verdict: 'invalid', reason: verification.reason, message: invalidReasonMessages[verification.reason] };
  }
  const claims = verification.claims;
  if (statusRecord?.revokedAt) {
    return {
      verdict: 'revoked',
      claims,
      revokedAt: statusRecord.revokedAt,
      ...(statusRecord.revocationReason ? { revocationReason: statusRecord.revocationReason } : {}),
      message: verdictMessages.revoked,
    };
  }
  if (statusRecord?.supersededBy) {
    return {
      verdict: 'superseded',
      claims,
      supersededBy: statusRecord.supersededBy,
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
