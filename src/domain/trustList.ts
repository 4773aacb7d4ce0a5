/**
 * The trust list: which SM2 keys this office signs with, for which kinds of document and which days.
 * Published at /.well-known/rto-keys.json, signed by the office's own keys, so a verifier that cached a
 * list accepts a newer one only when a key it already trusts for `trust_list` signed it, and rejects a
 * token, status list or trust list signed by a key outside that key's period or for another kind.
 *
 *   {
 *     "type": "RtoTrustList", "version": 1, "issued": "2026-06-01T08:00:00.000Z",
 *     "keys": [{ "kid", "publicKeyHex", "notBefore": "YYYY-MM-DD", "notAfter"?: "YYYY-MM-DD",
 *                "documents": ["voucher", "certificate", "status_list", "trust_list"], … }],
 *     "signatures": [{ "kid", "signature": base64url(r || s) }]
 *   }
 *
 * Signed bytes: UTF-8 of "RtoTrustList/1\n" + canonical JSON of { type, version, issued, keys } (object
 * members sorted by name, no whitespace). After a rotation the list is signed by the new key and by the
 * key it replaced, so a verifier holding the old list follows the rotation on its own.
 * A key without `documents` (lists published before trust lists) may sign any kind. Pure: no I/O.
 */
import { chinaDate } from './dates.ts';
import { sm2Sign, sm2Verify } from './sm2Signature.ts';
import { base64UrlDecode, base64UrlEncode } from './tokenEncoding.ts';

export const DOCUMENT_KINDS = ['voucher', 'certificate', 'status_list', 'trust_list'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

/** A public key as published. Dates bound the China-time days it may sign on. */
export interface TrustedKey {
  kid: string;
  publicKeyHex: string;
  notBefore?: string;
  notAfter?: string;
  /** What the key may sign; absent: anything (older key sets). */
  documents?: readonly DocumentKind[];
}

export interface KeySet {
  keys: readonly TrustedKey[];
}

export interface TrustListSignature {
  kid: string;
  signature: string;
}

export interface TrustList<K extends TrustedKey = TrustedKey> extends KeySet {
  type: 'RtoTrustList';
  version: 1;
  issued: string;
  keys: K[];
  signatures: TrustListSignature[];
}

/** Why a signature does not count, as verifiers report it; null when it holds. */
export type SignatureFailure =
  | { status: 'invalid'; reason: 'tampered' }
  | {
      status: 'invalid';
      reason: 'unknown_key';
      kid: string;
      detail: 'no_such_key' | 'key_not_valid_at_issue' | 'bad_public_key' | 'key_not_for_document';
    };

/**
 * The China-time day of `value`: a day (YYYY-MM-DD, already China time, as vouchers carry it) or an
 * instant (an ISO timestamp, as the lists and QR codes carry it; its UTC date is a day early from
 * 16:00 UTC, and the keys' windows are China-time days).
 */
function dayOf(value: string): string {
  if (value.length <= 10) return value;
  const instant = Date.parse(value);
  return Number.isFinite(instant) ? chinaDate(instant) : value.slice(0, 10);
}

/**
 * Checks `signature` over `signedBytes` against the key set entry named `kid`, that the key was allowed
 * to sign on `issuedAt` (its notBefore/notAfter window) and, when `kind` is given, that it may sign
 * that kind of document. Shared by tokens, the status list and the trust list.
 */
export function checkSignature(
  signedBytes: Uint8Array,
  signature: Uint8Array,
  kid: string,
  issuedAt: string,
  keySet: KeySet,
  kind?: DocumentKind,
): SignatureFailure | null {
  const candidates = keySet.keys.filter((k) => k.kid === kid);
  if (candidates.length === 0) return { status: 'invalid', reason: 'unknown_key', kid, detail: 'no_such_key' };

  let verifiedWith: TrustedKey | undefined;
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
    return usableKey ? { status: 'invalid', reason: 'tampered' } : { status: 'invalid', reason: 'unknown_key', kid, detail: 'bad_public_key' };
  }
  // A key signs only within its published window; a document claiming another issue day is not its work.
  const day = dayOf(issuedAt);
  if ((verifiedWith.notBefore && day < dayOf(verifiedWith.notBefore)) || (verifiedWith.notAfter && day > dayOf(verifiedWith.notAfter))) {
    return { status: 'invalid', reason: 'unknown_key', kid, detail: 'key_not_valid_at_issue' };
  }
  if (kind && verifiedWith.documents && !verifiedWith.documents.includes(kind)) {
    return { status: 'invalid', reason: 'unknown_key', kid, detail: 'key_not_for_document' };
  }
  return null;
}

/** JSON with object members sorted by name and no whitespace: the same bytes for the same value. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function trustListSignedBytes(list: Pick<TrustList, 'type' | 'version' | 'issued' | 'keys'>): Uint8Array {
  const { type, version, issued, keys } = list;
  return new TextEncoder().encode(`RtoTrustList/1\n${canonicalJson({ type, version, issued, keys })}`);
}

/** Signs the key list with each of `signers` (the active key, and the one it replaced after a rotation). */
export function signTrustList<K extends TrustedKey>(
  keys: K[],
  issued: string,
  signers: readonly { kid: string; privateKeyHex: string; publicKeyHex: string }[],
  options: { deterministicNonce?: boolean } = {},
): TrustList<K> {
  const unsigned = { type: 'RtoTrustList' as const, version: 1 as const, issued, keys };
  const bytes = trustListSignedBytes(unsigned);
  return {
    ...unsigned,
    signatures: signers.map((s) => ({ kid: s.kid, signature: base64UrlEncode(sm2Sign(bytes, s.privateKeyHex, { publicKeyHex: s.publicKeyHex, ...(options.deterministicNonce ? { deterministicNonce: true } : {}) })) })),
  };
}

export type TrustListCheck = { ok: true } | { ok: false; problem: 'malformed' | 'unsigned' | 'untrusted' };

function isTrustList(value: unknown): value is TrustList {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<TrustList>;
  return (
    v.type === 'RtoTrustList' &&
    v.version === 1 &&
    typeof v.issued === 'string' &&
    Array.isArray(v.keys) &&
    v.keys.every((k) => typeof k?.kid === 'string' && typeof k.publicKeyHex === 'string') &&
    Array.isArray(v.signatures)
  );
}

/**
 * Whether `list` is signed by a key that `trusted` (the list a verifier already holds; the list itself
 * on first use) allows to sign trust lists on the list's issue day.
 */
export function verifyTrustList(list: unknown, trusted?: KeySet): TrustListCheck {
  if (!isTrustList(list)) return { ok: false, problem: 'malformed' };
  if (list.signatures.length === 0) return { ok: false, problem: 'unsigned' };
  const bytes = trustListSignedBytes(list);
  for (const s of list.signatures) {
    const signature = typeof s?.signature === 'string' ? base64UrlDecode(s.signature) : null;
    if (!signature || typeof s.kid !== 'string') continue;
    if (checkSignature(bytes, signature, s.kid, list.issued, trusted ?? list, 'trust_list') === null) return { ok: true };
  }
  return { ok: false, problem: 'untrusted' };
}
