/**
 * The envelope and byte-level encoding shared by every signed token kind (vouchers, e-certificate QR
 * codes): base64url, the field reader/writer, day numbers, and the version prefix.
 *
 * Token versions
 * --------------
 *   version 1 (legacy, no prefix): token = base64url( payload || signature ); signed bytes = payload.
 *     Every version-1 token starts with "A" (its first payload byte is 0x01 or 0x02).
 *   version 2: token = "RT2-" base64url( payload || signature ); signed bytes = "RT2-" || payload, so the
 *     prefix cannot be moved onto or off a token without breaking the signature.
 *   A token starting "RT{n}-" with any other n is a later format: verifiers refuse it with the verdict
 *   invalid / unsupported_version instead of guessing ("RT" never starts a version-1 token).
 * Printed vouchers of version 1 stay valid for their whole printed life; only new documents get version 2.
 */
import { DomainError } from './errors.ts';

export const TOKEN_PREFIX_V2 = 'RT2-';
export const SIGNATURE_LENGTH = 64;
const VERSION_PREFIX = /^RT(\d{1,3})-/;
const MAX_DAYS = 0xffff;
const DAY_MS = 86_400_000;

export const malformedMessage = { zh: '二维码内容不是有效的凭证', en: 'The QR code does not contain a voucher' };

/** The error every token decoder throws for bytes that are not a token of its kind. */
export function tokenMalformed(detail: string): DomainError {
  return new DomainError('TOKEN_MALFORMED', malformedMessage, { status: 400, details: { detail } });
}

/** A token of a format version this verifier does not know. */
export function tokenVersionUnsupported(version: number): DomainError {
  return new DomainError(
    'TOKEN_VERSION_UNSUPPORTED',
    { zh: `二维码格式版本 RT${version} 不受支持`, en: `QR format version RT${version} is not supported` },
    { status: 400, details: { detail: 'unsupported_version', version } },
  );
}

export function invalidClaims(field: string, why: string): DomainError {
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

export function bytesToHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

export function hexToBytes(hex: string): Uint8Array {
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
  u32(v: number): void {
    this.parts.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
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
  u32(): number {
    return ((this.u8() << 24) >>> 0) + (this.u8() << 16) + (this.u8() << 8) + this.u8();
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

/** The format version of a token from its prefix: 1 for unprefixed (legacy), else the RT{n} number. */
export function tokenVersion(token: string): number {
  const m = VERSION_PREFIX.exec(token.trim());
  return m ? Number(m[1]) : 1;
}

export interface OpenedToken {
  /** The decoded bytes after the prefix: payload || signature. */
  bytes: Uint8Array;
  reader: PayloadReader;
  /** 1 (legacy, unprefixed) or 2. */
  version: 1 | 2;
  /** The first payload byte: which kind of document (0x01 voucher, 0x02/0x03 certificate). */
  kind: number;
  /** What the signature covers before the payload: the prefix's bytes (empty for version 1). */
  signedPrefix: Uint8Array;
}

/**
 * Opens the envelope of any token kind: version prefix, base64url, first payload byte. Throws
 * TOKEN_VERSION_UNSUPPORTED for a later version and TOKEN_MALFORMED when the text is not a token or its
 * kind byte is not in `kinds`.
 */
export function openToken(token: string, kinds: readonly number[]): OpenedToken {
  const text = token.trim();
  const version = tokenVersion(text);
  if (version !== 1 && version !== 2) throw tokenVersionUnsupported(version);
  const body = version === 2 ? text.slice(TOKEN_PREFIX_V2.length) : text;
  const bytes = base64UrlDecode(body);
  if (!bytes) throw tokenMalformed('not base64url');
  const reader = new PayloadReader(bytes);
  const kind = reader.u8();
  if (!kinds.includes(kind)) throw tokenMalformed(`unsupported kind ${kind}`);
  return { bytes, reader, version, kind, signedPrefix: version === 2 ? utf8Encoder.encode(TOKEN_PREFIX_V2) : new Uint8Array(0) };
}

/** Splits off the signature that must follow the payload `reader` has read, and nothing after it. */
export function splitSignature(opened: Pick<OpenedToken, 'bytes' | 'reader' | 'signedPrefix'>): { signature: Uint8Array; signedBytes: Uint8Array } {
  const { bytes, reader, signedPrefix } = opened;
  const payloadLength = reader.offset;
  if (bytes.length !== payloadLength + SIGNATURE_LENGTH) {
    throw tokenMalformed(bytes.length < payloadLength + SIGNATURE_LENGTH ? 'truncated' : 'trailing bytes');
  }
  const signedBytes = new Uint8Array(signedPrefix.length + payloadLength);
  signedBytes.set(signedPrefix);
  signedBytes.set(bytes.subarray(0, payloadLength), signedPrefix.length);
  return { signature: bytes.slice(payloadLength), signedBytes };
}

/** The text of a token: the version prefix (for version 2) and base64url of payload || signature. */
export function tokenText(version: 1 | 2, payloadAndSignature: Uint8Array): string {
  return `${version === 2 ? TOKEN_PREFIX_V2 : ''}${base64UrlEncode(payloadAndSignature)}`;
}

/** The bytes a version's signature covers for `payload`. */
export function signedBytesFor(version: 1 | 2, payload: Uint8Array): Uint8Array {
  if (version === 1) return payload;
  const prefix = utf8Encoder.encode(TOKEN_PREFIX_V2);
  const out = new Uint8Array(prefix.length + payload.length);
  out.set(prefix);
  out.set(payload, prefix.length);
  return out;
}
