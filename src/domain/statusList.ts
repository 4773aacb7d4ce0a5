/**
 * The signed status list (modelled on the W3C Bitstring Status List): one entry for every voucher and
 * e-certificate issued, so an offline verifier learns whether a document was revoked or superseded
 * without telling the server which document it checks. Published at /.well-known/rto-status.json.
 *
 *   {
 *     "type": "RtoStatusList", "version": 1, "kid": "…",
 *     "issued": "2026-06-01T08:00:00.000Z", "nextUpdate": "2026-06-01T09:00:00.000Z",
 *     "entries": 131072, "bitsPerEntry": 2,
 *     "encodedList": base64url( gzip( bitstring ) ),
 *     "signature": base64url( SM2 r || s )
 *   }
 *
 * Bitstring: entry i occupies bits 2i (revoked) and 2i + 1 (superseded), bit 0 being the most
 * significant bit of the first byte (as in the W3C list). `entries` is a multiple of 131 072 and never
 * less, so the list a verifier downloads is the same size whichever document it wants to check.
 * A document's entry index is carried in its signed token (`statusIndex`); legacy tokens have none.
 *
 * Signed bytes: UTF-8 of "RtoStatusList/1\n{kid}\n{issued}\n{nextUpdate}\n{entries}\n{bitsPerEntry}\n{encodedList}".
 * After `nextUpdate` the list is stale: a bit that is set still counts (revocation and supersession are
 * final), a clear bit no longer vouches for anything. Pure: no I/O (fflate is plain JavaScript).
 */
import { gunzipSync, gzipSync } from 'fflate';
import { sm2Sign } from './sm2Signature.ts';
import { base64UrlDecode, base64UrlEncode } from './tokenEncoding.ts';
import { checkSignature, type KeySet } from './trustList.ts';

/** Smallest list published (W3C's recommended minimum for group privacy): 16 KB of bits per bit of status. */
export const STATUS_LIST_MIN_ENTRIES = 131_072;
export const STATUS_BITS_PER_ENTRY = 2;
/** Far more than any deployment issues; bounds what a verifier will inflate. */
const MAX_ENTRIES = 64 * STATUS_LIST_MIN_ENTRIES * 16;

export interface StatusList {
  type: 'RtoStatusList';
  version: 1;
  kid: string;
  issued: string;
  nextUpdate: string;
  entries: number;
  bitsPerEntry: 2;
  encodedList: string;
  signature: string;
}

export interface StatusMark {
  index: number;
  revoked?: boolean;
  superseded?: boolean;
}

/** Entries of a list that covers `highestIndex`: a multiple of the minimum, at least the minimum. */
export function statusListEntries(highestIndex: number): number {
  const needed = Math.max(0, highestIndex) + 1;
  return Math.max(1, Math.ceil(needed / STATUS_LIST_MIN_ENTRIES)) * STATUS_LIST_MIN_ENTRIES;
}

export function statusBits(entries: number, marks: Iterable<StatusMark>): Uint8Array {
  const bits = new Uint8Array((entries * STATUS_BITS_PER_ENTRY) / 8);
  const set = (position: number) => {
    bits[position >> 3]! |= 0x80 >> (position & 7);
  };
  for (const mark of marks) {
    if (!Number.isInteger(mark.index) || mark.index < 0 || mark.index >= entries) throw new Error(`status index ${mark.index} outside the list`);
    if (mark.revoked) set(mark.index * 2);
    if (mark.superseded) set(mark.index * 2 + 1);
  }
  return bits;
}

export function encodeStatusBits(bits: Uint8Array): string {
  // mtime 0: the same bits always give the same text (and ETag).
  return base64UrlEncode(gzipSync(bits, { level: 9, mtime: 0 }));
}

export function decodeStatusBits(encodedList: string, entries: number): Uint8Array | null {
  const compressed = base64UrlDecode(encodedList);
  if (!compressed) return null;
  try {
    const bits = gunzipSync(compressed);
    return bits.length === (entries * STATUS_BITS_PER_ENTRY) / 8 ? bits : null;
  } catch {
    return null;
  }
}

export function statusListSignedBytes(list: Omit<StatusList, 'signature' | 'type' | 'version' | 'bitsPerEntry'> & { bitsPerEntry?: number }): Uint8Array {
  const { kid, issued, nextUpdate, entries, encodedList } = list;
  return new TextEncoder().encode(`RtoStatusList/1\n${kid}\n${issued}\n${nextUpdate}\n${entries}\n${list.bitsPerEntry ?? STATUS_BITS_PER_ENTRY}\n${encodedList}`);
}

/** Builds and signs the list of `marks` (only revoked or superseded entries need a mark). */
export function signStatusList(
  fields: { issued: string; nextUpdate: string; entries: number; marks: Iterable<StatusMark> },
  key: { kid: string; privateKeyHex: string; publicKeyHex: string },
  options: { deterministicNonce?: boolean } = {},
): StatusList {
  const encodedList = encodeStatusBits(statusBits(fields.entries, fields.marks));
  const unsigned = { kid: key.kid, issued: fields.issued, nextUpdate: fields.nextUpdate, entries: fields.entries, encodedList };
  const signature = base64UrlEncode(sm2Sign(statusListSignedBytes(unsigned), key.privateKeyHex, {
      publicKeyHex: key.publicKeyHex,
      ...(options.deterministicNonce ? { deterministicNonce: true } : {}),
    }));
  return { type: 'RtoStatusList', version: 1, ...unsigned, bitsPerEntry: 2, signature };
}

export type StatusListProblem = 'malformed' | 'tampered' | 'unknown_key';

export type OpenedStatusList = { ok: true; list: StatusList; bits: Uint8Array } | { ok: false; problem: StatusListProblem };

/** Checks a downloaded list's shape and signature against the trust list; inflates its bits. */
export function openStatusList(value: unknown, keySet: KeySet): OpenedStatusList {
  if (typeof value !== 'object' || value === null) return { ok: false, problem: 'malformed' };
  const v = value as Partial<StatusList>;
  if (
    v.type !== 'RtoStatusList' ||
    v.version !== 1 ||
    v.bitsPerEntry !== STATUS_BITS_PER_ENTRY ||
    typeof v.kid !== 'string' ||
    typeof v.issued !== 'string' ||
    typeof v.nextUpdate !== 'string' ||
    typeof v.encodedList !== 'string' ||
    typeof v.signature !== 'string' ||
    !Number.isInteger(v.entries) ||
    (v.entries ?? 0) < STATUS_LIST_MIN_ENTRIES ||
    (v.entries ?? 0) > MAX_ENTRIES ||
    (v.entries ?? 0) % STATUS_LIST_MIN_ENTRIES !== 0 ||
    Number.isNaN(Date.parse(v.issued)) ||
    Number.isNaN(Date.parse(v.nextUpdate))
  ) {
    return { ok: false, problem: 'malformed' };
  }
  const list = v as StatusList;
  const signature = base64UrlDecode(list.signature);
  if (!signature) return { ok: false, problem: 'malformed' };
  const failure = checkSignature(statusListSignedBytes(list), signature, list.kid, chinaDay(list.issued), keySet, 'status_list');
  if (failure) return { ok: false, problem: failure.reason === 'tampered' ? 'tampered' : 'unknown_key' };
  const bits = decodeStatusBits(list.encodedList, list.entries);
  if (!bits) return { ok: false, problem: 'malformed' };
  return { ok: true, list, bits };
}

/** What a list says about one entry, as of when. `problem` when it says nothing usable. */
export type StatusListReading =
  | { asOf: string; nextUpdate: string; stale: boolean; revoked: boolean; superseded: boolean }
  | { problem: StatusListProblem | 'not_listed' };

export function readStatusList(opened: OpenedStatusList, index: number | undefined, nowMs: number): StatusListReading {
  if (!opened.ok) return { problem: opened.problem };
  if (index === undefined || index < 0 || index >= opened.list.entries) return { problem: 'not_listed' };
  const bit = (position: number) => ((opened.bits[position >> 3]! << (position & 7)) & 0x80) !== 0;
  return {
    asOf: opened.list.issued,
    nextUpdate: opened.list.nextUpdate,
    stale: nowMs > Date.parse(opened.list.nextUpdate),
    revoked: bit(index * 2),
    superseded: bit(index * 2 + 1),
  };
}

/** YYYY-MM-DD in China time (UTC+8, no daylight saving) of an ISO instant. */
function chinaDay(iso: string): string {
  return new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 10);
}
