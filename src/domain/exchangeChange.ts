/**
 * A change in the exchange feed to the ministerial road transport management information system
 * (部级道路运输管理信息系统): what a province decided, in a form that can be checked without trusting
 * the channel. The signature is SM2 (SM3, default user ID 1234567812345678) over the UTF-8 bytes of
 * the change's canonical JSON: object keys sorted by code point, no whitespace, strings as JSON writes
 * them, integers only, `undefined` members left out. Verify it with the key named by `kid` from
 * /.well-known/rto-keys.json.
 */

import { base64UrlDecode, base64UrlEncode, sm2Sign, sm2Verify } from './voucherToken.ts';

export const CHANGE_TYPES = [
  'certificate.issued',
  'certificate.renewed',
  'certificate.changed',
  'certificate.cancelled',
  'credit_assessment.rated',
  'verification.answered',
] as const;
export type ChangeType = (typeof CHANGE_TYPES)[number];

export const CHANGE_FORMAT_VERSION = 1;

export interface ChangeCategory {
  code: string;
  qualifiers: string[];
  firstIssueDate: string;
  validFrom: string;
  validTo: string;
  cancelledAt: string | null;
  cancelReason: string | null;
}

/** The certificate as the change leaves it. */
export interface ChangeCertificate {
  number: string;
  holderIdNumber: string;
  holderName: string;
  quasiDrivingType: string;
  serviceUnit: string;
  fileNumber: string;
  categories: ChangeCategory[];
}

export interface ExchangeChange {
  v: typeof CHANGE_FORMAT_VERSION;
  /** Stable id: the same change always has it, however often it is fetched. */
  id: string;
  type: ChangeType;
  /** ISO 8601 instant (UTC) of the decision. */
  occurredAt: string;
  provinceCode: string;
  authority: { code: string; name: string };
  certificate: ChangeCertificate;
  /** The application the decision closed, when there was one. */
  application: { reference: string; business: string } | null;
  /** What the decision was (per type: renewed categories, changed field, rating and voucher serial, the answer …). */
  details: Record<string, unknown>;
}

export interface SignedChange {
  change: ExchangeChange;
  signature: { alg: 'SM2-SM3'; kid: string; value: string };
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Canonical JSON (see above). Throws on values JSON cannot carry exactly (non-integers, NaN, functions). */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isSafeInteger(value)) throw new TypeError('canonical JSON carries integers only');
      return String(value);
    case 'string':
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item === undefined ? null : item)).join(',')}]`;
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v as Json)}`).join(',')}}`;
    }
    default:
      throw new TypeError(`canonical JSON cannot carry ${typeof value}`);
  }
}

const encoder = new TextEncoder();

export function changeSigningBytes(change: ExchangeChange): Uint8Array {
  return encoder.encode(canonicalJson(change));
}

export function signChange(change: ExchangeChange, key: { kid: string; privateKeyHex: string; publicKeyHex: string }): SignedChange {
  const signature = sm2Sign(changeSigningBytes(change), key.privateKeyHex, { publicKeyHex: key.publicKeyHex });
  return { change, signature: { alg: 'SM2-SM3', kid: key.kid, value: base64UrlEncode(signature) } };
}

/** True when the signature is the named key's over this change. */
export function verifyChange(signed: SignedChange, publicKeyHex: string): boolean {
  const signature = base64UrlDecode(signed.signature.value);
  if (!signature || signed.signature.alg !== 'SM2-SM3') return false;
  try {
    return sm2Verify(changeSigningBytes(signed.change), signature, publicKeyHex);
  } catch {
    return false;
  }
}
