/**
 * Writes test/vectors/*.json: voucher tokens with the verdict every verifier (server, public page, the
 * app offline, third parties) must reach — with the issuer's status record (online), or with a signed
 * status list (offline; `statusList` and the instant `now` of the check). Deterministic: fixed test keys and deterministic SM2 nonces, so
 * running it again gives byte-identical files. test/unit/vectors.test.ts checks the files are current.
 *
 *   npx tsx scripts/make-vectors.ts
 *
 * The keys below are TEST KEYS, published on purpose. Never let a deployment trust them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { sm2, sm3 } from 'sm-crypto-v2';
import { signStatusList, type StatusList } from '../src/domain/statusList.ts';
import {
  base64UrlDecode,
  base64UrlEncode,
  decodeVoucherToken,
  keyIdFor,
  signVoucher,
  type VoucherClaims,
  type VoucherKeySet,
  type VoucherSigningKey,
  type VoucherStatusRecord,
  type VoucherVerdict,
  type VoucherInvalidReason,
  type StatusListNote,
} from '../src/domain/voucherToken.ts';

export interface VoucherVector {
  name: string;
  description: string;
  token: string;
  keySet: VoucherKeySet;
  today: string;
  /** null: the status could not be looked up (offline verifier). Absent when `statusList` decides. */
  statusRecord?: VoucherStatusRecord | null;
  /** The status list an offline verifier holds (src/domain/statusList.ts), checked against `keySet`. */
  statusList?: StatusList;
  /** The instant of the check (ISO), for the status list's freshness. */
  now?: string;
  expected: {
    status: VoucherVerdict;
    reason?: VoucherInvalidReason;
    claims?: VoucherClaims;
    /** The status list's issue time the verdict rests on ("状态截至 …"). */
    statusAsOf?: string;
    /** Why the status list did not count, or that it was stale. */
    statusList?: StatusListNote;
  };
  /** The keys that signed these vectors: test keys, published on purpose. */
  testKeys: { notice: string; keys: VoucherSigningKey[] };
}

const TEST_KEY_NOTICE = 'TEST KEY, published with the test vectors. Never trust it in a deployment.';

/** A key whose private half is SM3 of a label: reproducible, and obviously not a secret. */
export function testKey(label: string): VoucherSigningKey {
  const privateKeyHex = sm3(new TextEncoder().encode(label));
  const publicKeyHex = sm2.getPublicKeyFromPrivateKey(privateKeyHex);
  return { kid: keyIdFor(publicKeyHex), publicKeyHex, privateKeyHex };
}

const claims: Omit<VoucherClaims, 'kid'> = {
  serial: 'RTO-110000-2025-000123',
  holder: '张*三',
  idMasked: '110101********1234',
  certificateNumberMasked: '110101********1234',
  rating: 'AA',
  cycleStart: '2024-03-01',
  cycleEnd: '2025-02-28',
  issuer: '北京市交通运输委员会',
  issuerCode: '110000',
  issuedAt: '2025-03-10',
  expiresAt: '2026-03-09',
};

function alterByte(token: string, index: (bytes: Uint8Array) => number, change: (b: number) => number): string {
  const bytes = base64UrlDecode(token);
  if (!bytes) throw new Error('not a token');
  const i = index(bytes);
  bytes[i] = change(bytes[i]!) & 0xff;
  return base64UrlEncode(bytes);
}

export function buildVectors(): VoucherVector[] {
  const keyA = testKey('rto voucher test key A');
  const keyB = testKey('rto voucher test key B');
  const publicA = { kid: keyA.kid, publicKeyHex: keyA.publicKeyHex, notBefore: '2025-01-01' };
  const publicB = { kid: keyB.kid, publicKeyHex: keyB.publicKeyHex, notBefore: '2025-01-01' };
  const keySet = { keys: [publicA] };
  const token = signVoucher(claims, keyA, { deterministicNonce: true });
  const signedLength = decodeVoucherToken(token).signedBytes.length;
  const fullClaims = { ...claims, kid: keyA.kid };
  const today = '2025-06-01';
  const withKey = { testKeys: { notice: TEST_KEY_NOTICE, keys: [keyA, keyB] } };

  // The rating byte follows the masked ID and certificate number (see the format in voucherToken.ts).
  const ratingOffset = (bytes: Uint8Array): number => {
    const decoded = decodeVoucherToken(base64UrlEncode(bytes));
    const enc = new TextEncoder();
    let offset = 2;
    for (const s of [decoded.claims.kid, decoded.claims.serial, decoded.claims.holder, decoded.claims.idMasked, decoded.claims.certificateNumberMasked ?? '']) {
      offset += 1 + enc.encode(s).length;
    }
    return offset;
  };
  const kidOffset = 3; // version, flags, kid length

  const vectors: Omit<VoucherVector, 'testKeys'>[] = [
    {
      name: 'valid',
      description: 'Genuine voucher within its dates; the issuer has nothing on record against it.',
      token,
      keySet,
      today,
      statusRecord: {},
      expected: { status: 'valid', claims: fullClaims },
    },
    {
      name: 'authentic-unchecked',
      description: 'Genuine voucher checked offline: the signature holds but revocation could not be looked up.',
      token,
      keySet,
      today,
      statusRecord: null,
      expected: { status: 'authentic_unchecked', claims: fullClaims },
    },
    {
      name: 'tampered-payload',
      description: 'Rating byte changed from AA to AAA after signing.',
      token: alterByte(token, ratingOffset, () => 1),
      keySet,
      today,
      statusRecord: {},
      expected: { status: 'invalid', reason: 'tampered' },
    },
    {
      name: 'tampered-signature',
      description: 'One bit of the signature (last byte of s) flipped.',
      token: alterByte(token, (b) => b.length - 1, (b) => b ^ 0x01),
      keySet,
      today,
      statusRecord: {},
      expected: { status: 'invalid', reason: 'tampered' },
    },
    {
      name: 'wrong-key-id',
      description: 'Payload key id replaced by another published key\'s id: that key did not sign it.',
      token: (() => {
        const bytes = base64UrlDecode(token)!;
        bytes.set(new TextEncoder().encode(keyB.kid), kidOffset);
        return base64UrlEncode(bytes);
      })(),
      keySet: { keys: [publicA, publicB] },
      today,
      statusRecord: {},
      expected: { status: 'invalid', reason: 'tampered' },
    },
    {
      name: 'unknown-key',
      description: 'Correctly signed with a key that is not in the published key set.',
      token: signVoucher(claims, keyB, { deterministicNonce: true }),
      keySet,
      today,
      statusRecord: {},
      expected: { status: 'invalid', reason: 'unknown_key' },
    },
    {
      name: 'key-not-valid-at-issue',
      description: 'The signing key is published, but only for vouchers issued from 2025-04-01.',
      token,
      keySet: { keys: [{ ...publicA, notBefore: '2025-04-01' }] },
      today,
      statusRecord: {},
      expected: { status: 'invalid', reason: 'unknown_key' },
    },
    {
      name: 'before-issue',
      description: 'Checked the day before its issue date.',
      token,
      keySet,
      today: '2025-03-09',
      statusRecord: {},
      expected: { status: 'invalid', reason: 'not_yet_valid' },
    },
    {
      name: 'expired',
      description: 'Checked the day after its last valid day (expiresAt is inclusive).',
      token,
      keySet,
      today: '2026-03-10',
      statusRecord: {},
      expected: { status: 'invalid', reason: 'expired' },
    },
    {
      name: 'revoked',
      description: 'Genuine and in date, but revoked by the issuing authority.',
      token,
      keySet,
      today,
      statusRecord: { revokedAt: '2025-05-01', revocationReason: '考核结果更正' },
      expected: { status: 'revoked', claims: fullClaims },
    },
    {
      name: 'superseded',
      description: 'Genuine and in date, but replaced by a later voucher.',
      token,
      keySet,
      today,
      statusRecord: { supersededBy: 'RTO-110000-2025-000456', supersededAt: '2025-05-20' },
      expected: { status: 'superseded', claims: fullClaims },
    },
    {
      name: 'malformed-base64',
      description: 'Standard base64 characters (+ /) and padding are not base64url.',
      token: `${token.slice(0, 20)}+/${token.slice(22)}==`,
      keySet,
      today,
      statusRecord: {},
      expected: { status: 'invalid', reason: 'malformed' },
    },
    {
      name: 'truncated',
      description: `Cut inside the signature (payload is ${signedLength} bytes, signature 64).`,
      token: token.slice(0, -12),
      keySet,
      today,
      statusRecord: {},
      expected: { status: 'invalid', reason: 'malformed' },
    },
  ];
  vectors.push(...statusListVectors(keyA, keyB, publicA));
  return vectors.map((v) => ({ ...v, ...withKey }));
}

/** Version-2 tokens (prefix RT2-, with a status index) checked offline against a status list. */
function statusListVectors(keyA: VoucherSigningKey, keyB: VoucherSigningKey, publicA: VoucherKeySet['keys'][number]): Omit<VoucherVector, 'testKeys'>[] {
  const keySet = { keys: [publicA] };
  const index = 70_001;
  const token = signVoucher({ ...claims, statusIndex: index }, keyA, { deterministicNonce: true });
  const fullClaims = { ...claims, kid: keyA.kid, statusIndex: index };
  const issued = '2025-06-01T00:00:00.000Z';
  const list = (marks: { index: number; revoked?: boolean; superseded?: boolean }[], key = keyA) =>
    signStatusList({ issued, nextUpdate: '2025-06-02T00:00:00.000Z', entries: 131_072, marks }, key, { deterministicNonce: true });
  // Other documents' entries are set too: a verifier must read exactly its own.
  const others = [{ index: 70_000, revoked: true }, { index: 70_002, superseded: true }, { index: 3, revoked: true, superseded: true }];
  const fresh = { today: '2025-06-01', now: '2025-06-01T08:00:00.000Z' };
  const tamperedList = (() => {
    const l = list(others);
    return { ...l, nextUpdate: '2025-12-31T00:00:00.000Z' };
  })();
  return [
    {
      name: 'valid-per-list',
      description: 'Version-2 voucher checked offline; the fresh, signed status list has its entry clear.',
      token,
      keySet,
      ...fresh,
      statusList: list(others),
      expected: { status: 'valid', claims: fullClaims, statusAsOf: issued },
    },
    {
      name: 'revoked-per-list',
      description: 'Version-2 voucher whose entry in the status list has the revoked bit set.',
      token,
      keySet,
      ...fresh,
      statusList: list([...others, { index, revoked: true }]),
      expected: { status: 'revoked', claims: fullClaims, statusAsOf: issued },
    },
    {
      name: 'superseded-per-list',
      description: 'Version-2 voucher whose entry in the status list has the superseded bit set.',
      token,
      keySet,
      ...fresh,
      statusList: list([...others, { index, superseded: true }]),
      expected: { status: 'superseded', claims: fullClaims, statusAsOf: issued },
    },
    {
      name: 'stale-list',
      description: 'The status list is past its nextUpdate and the entry is clear: the status is not vouched for any more.',
      token,
      keySet,
      today: '2025-06-03',
      now: '2025-06-03T08:00:00.000Z',
      statusList: list(others),
      expected: { status: 'authentic_unchecked', claims: fullClaims, statusAsOf: issued, statusList: 'stale' },
    },
    {
      name: 'list-signature-tampered',
      description: 'The status list\'s nextUpdate was moved after signing: the list is ignored.',
      token,
      keySet,
      ...fresh,
      statusList: tamperedList,
      expected: { status: 'authentic_unchecked', claims: fullClaims, statusList: 'tampered' },
    },
    {
      name: 'list-unknown-key',
      description: 'The status list is signed by a key that is not in the trust list: it is ignored, even where it says revoked.',
      token,
      keySet,
      ...fresh,
      statusList: list([...others, { index, revoked: true }], keyB),
      expected: { status: 'authentic_unchecked', claims: fullClaims, statusList: 'unknown_key' },
    },
    {
      name: 'unsupported-version',
      description: 'A token of a later format version (prefix RT9-): refused as such, not guessed at.',
      token: token.replace(/^RT2-/, 'RT9-'),
      keySet,
      ...fresh,
      statusList: list(others),
      expected: { status: 'invalid', reason: 'unsupported_version' },
    },
  ];
}

export const vectorsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'vectors');

export function vectorFileContents(vector: VoucherVector): string {
  return `${JSON.stringify(vector, null, 2)}\n`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  mkdirSync(vectorsDir, { recursive: true });
  for (const vector of buildVectors()) {
    writeFileSync(join(vectorsDir, `${vector.name}.json`), vectorFileContents(vector));
  }
  console.log(`wrote ${buildVectors().length} vectors to ${vectorsDir}`);
}
