import { sm2, sm3 } from 'sm-crypto-v2';
import { describe, expect, it } from 'vitest';
import { DomainError } from './errors.ts';
import {
  applyVoucherStatus,
  base64UrlDecode,
  base64UrlEncode,
  decodeVoucherToken,
  generateSigningKey,
  keyIdFor,
  signVoucher,
  verifyVoucherToken,
  voucherVerifyUrl,
  type VoucherClaims,
} from './voucherToken.ts';

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
const key = generateSigningKey();
const keySet = { keys: [{ kid: key.kid, publicKeyHex: key.publicKeyHex }] };
const today = '2025-06-01';

describe('voucher token', () => {
  it('round-trips the claims and names the signing key', () => {
    const token = signVoucher(claims, key);
    expect(decodeVoucherToken(token).claims).toEqual({ ...claims, kid: key.kid });
    expect(verifyVoucherToken(token, keySet, { today })).toEqual({ status: 'authentic', claims: { ...claims, kid: key.kid } });
  });

  it('keeps the optional certificate number optional', () => {
    const { certificateNumberMasked: _omit, ...rest } = claims;
    const token = signVoucher(rest, key);
    expect(decodeVoucherToken(token).claims).not.toHaveProperty('certificateNumberMasked');
    expect(verifyVoucherToken(token, keySet, { today }).status).toBe('authentic');
  });

  it('fits a verify URL of about 300 characters for a realistic voucher', () => {
    const url = voucherVerifyUrl('https://rto.example.gov.cn/', signVoucher(claims, key));
    expect(url.startsWith('https://rto.example.gov.cn/v/')).toBe(true);
    expect(url.length).toBeLessThanOrEqual(300);
  });

  it('detects any single changed byte of payload or signature', () => {
    const bytes = base64UrlDecode(signVoucher(claims, key))!;
    const { signedBytes } = decodeVoucherToken(base64UrlEncode(bytes));
    // Every byte of the rating, dates and signature: a flip either breaks parsing or the signature.
    for (let i = 0; i < bytes.length; i++) {
      const altered = bytes.slice();
      altered[i] = (altered[i]! ^ 0x01) & 0xff;
      const result = verifyVoucherToken(base64UrlEncode(altered), keySet, { today });
      expect(result.status, `byte ${i} of ${bytes.length} (payload ${signedBytes.length})`).toBe('invalid');
    }
  });

  it('rejects a claim that cannot be encoded', () => {
    expect(() => signVoucher({ ...claims, issuedAt: '2025-02-30' }, key)).toThrow(DomainError);
    expect(() => signVoucher({ ...claims, expiresAt: '2025-01-01' }, key)).toThrow(/expiresAt/);
    expect(() => signVoucher({ ...claims, holder: '' }, key)).toThrow(/holder/);
  });

  it('reports malformed tokens with a stable code', () => {
    expect(() => decodeVoucherToken('not a token!')).toThrow(expect.objectContaining({ code: 'TOKEN_MALFORMED' }));
    const token = signVoucher(claims, key);
    expect(verifyVoucherToken(token.slice(0, -4), keySet, { today })).toMatchObject({ status: 'invalid', reason: 'malformed' });
    expect(verifyVoucherToken(`${token}AA`, keySet, { today })).toMatchObject({ status: 'invalid', reason: 'malformed' });
    // Non-canonical base64url (unused low bits set) is not a second spelling of the same token.
    const last = token.at(-1)!;
    const sibling = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.indexOf(last) ^ 1;
    const variant = token.slice(0, -1) + 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'[sibling];
    expect(verifyVoucherToken(variant, keySet, { today }).status).toBe('invalid');
  });

  it('checks dates against today and the key window against the issue day', () => {
    const token = signVoucher(claims, key);
    expect(verifyVoucherToken(token, keySet, { today: '2025-03-09' })).toMatchObject({ reason: 'not_yet_valid' });
    expect(verifyVoucherToken(token, keySet, { today: '2025-03-10' }).status).toBe('authentic');
    expect(verifyVoucherToken(token, keySet, { today: '2026-03-09' }).status).toBe('authentic');
    expect(verifyVoucherToken(token, keySet, { today: '2026-03-10' })).toMatchObject({ reason: 'expired' });
    const retired = { keys: [{ ...keySet.keys[0]!, notAfter: '2025-01-01T00:00:00Z' }] };
    expect(verifyVoucherToken(token, retired, { today })).toMatchObject({ reason: 'unknown_key', detail: 'key_not_valid_at_issue' });
  });

  it('finds the right key among rotated keys and tells an unknown key from tampering', () => {
    const other = generateSigningKey();
    const token = signVoucher(claims, key);
    const both = { keys: [other, key].map(({ kid, publicKeyHex }) => ({ kid, publicKeyHex })) };
    expect(verifyVoucherToken(token, both, { today }).status).toBe('authentic');
    expect(verifyVoucherToken(token, { keys: [other] }, { today })).toMatchObject({ reason: 'unknown_key', kid: key.kid });
    // Same id, different key: the signature is what fails.
    expect(verifyVoucherToken(token, { keys: [{ kid: key.kid, publicKeyHex: other.publicKeyHex }] }, { today })).toMatchObject({
      reason: 'tampered',
    });
  });

  it('derives a short stable key id from the public key', () => {
    expect(key.kid).toMatch(/^[0-9a-f]{10}$/);
    expect(keyIdFor(key.publicKeyHex)).toBe(key.kid);
    expect(keyIdFor(key.publicKeyHex.slice(2))).toBe(key.kid);
  });

  it('signs reproducibly only when asked to', () => {
    expect(signVoucher(claims, key, { deterministicNonce: true })).toBe(signVoucher(claims, key, { deterministicNonce: true }));
    expect(signVoucher(claims, key)).not.toBe(signVoucher(claims, key));
  });
});

describe('verdict', () => {
  const token = signVoucher(claims, key);
  const authentic = verifyVoucherToken(token, keySet, { today });
  const expired = verifyVoucherToken(token, keySet, { today: '2027-01-01' });

  it('is valid only when the status was looked up and nothing is on record', () => {
    expect(applyVoucherStatus(authentic, {}).verdict).toBe('valid');
    expect(applyVoucherStatus(authentic, null).verdict).toBe('authentic_unchecked');
  });

  it('reports revocation and supersession, even for a lapsed voucher', () => {
    expect(applyVoucherStatus(authentic, { revokedAt: '2025-05-01' })).toMatchObject({ verdict: 'revoked', revokedAt: '2025-05-01' });
    expect(applyVoucherStatus(expired, { supersededBy: 'RTO-2', supersededAt: '2026-01-01' })).toMatchObject({
      verdict: 'superseded',
      supersededBy: 'RTO-2',
    });
    expect(applyVoucherStatus(expired, {})).toMatchObject({ verdict: 'invalid', reason: 'expired' });
  });

  it('never lets a status record rescue a bad signature', () => {
    const result = applyVoucherStatus(verifyVoucherToken(token, { keys: [] }, { today }), { revokedAt: '2025-05-01' });
    expect(result).toMatchObject({ verdict: 'invalid', reason: 'unknown_key' });
    expect(result.claims).toBeUndefined();
    expect(result.message.zh).toMatch(/密钥/);
  });
});

describe('SM2 known answers', () => {
  it('SM3 of "abc" matches GM/T 0004-2012 Annex A', () => {
    expect(sm3(new TextEncoder().encode('abc'))).toBe('66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
  });

  // OpenSSL's own test data (test/recipes/30-test_evp_data/evppkey_sm2.txt, key SM2_key1 on the
  // recommended curve): Input is the digest e, Output a DER signature. The GB/T 32918 worked example
  // (ALICE123@YAHOO.COM) uses the standard's 256-bit test curve, not sm2p256v1, so it cannot run here.
  const opensslKey1Pkcs8 =
    'MIGHAgEAMBMGByqGSM49AgEGCCqBHM9VAYItBG0wawIBAQQg0JFWczAXva2An9m72MaT9gIwWTFptvlKrxyO4TjMmbWhRANCAAQ5OirZ4n5DrKqrhaGdO4VZHhRAYVcXWt3Te/d/8Mr57Tf886i09VwDhSMmH8pmNq/mp6+ioUgqYG9cs6GLLioe';
  const der = Buffer.from(opensslKey1Pkcs8, 'base64');
  const publicKeyHex = der.subarray(der.length - 65).toString('hex');
  const privateKeyHex = der.subarray(36, 68).toString('hex');
  const cases = [
    {
      e: 'D7AD397F6FFA5D4F7F11E7217F241607DC30618C236D2C09C1B9EA8FDADEE2E8',
      sig: '3046022100AB1DB64DE7C40EDBDE6651C9B8EBDB804673DB836E5D5C7FE15DCF9ED2725037022100EBA714451FF69B0BB930B379E192E7CD5FA6E3C41C7FBD8303B799AB54A54621',
    },
    {
      e: 'B1139602C6ECC9E15E2F3F9C635A1AFE737058BC15387479C1EA0D0B3D90E9E5',
      sig: '3045022100E6E0414EBD3A656C35602AF14AB20287DBF30D57AF75C49A188ED4B42391F22402202F54F277C606F4605E1CE9514947FFDDF94C67A539804A4ED17F852288BDBE2E',
    },
  ];

  it('the key pair from OpenSSL’s test data matches', () => {
    expect(sm2.getPublicKeyFromPrivateKey(privateKeyHex)).toBe(publicKeyHex);
  });

  it.each(cases)('verifies OpenSSL’s signature over e=$e', ({ e, sig }) => {
    const raw = derToRaw(Buffer.from(sig, 'hex'));
    expect(sm2.doVerifySignature(Buffer.from(e, 'hex'), raw.toString('hex'), publicKeyHex, { hash: false })).toBe(true);
    const flipped = Buffer.from(e, 'hex');
    flipped[0] = flipped[0]! ^ 1;
    expect(sm2.doVerifySignature(flipped, raw.toString('hex'), publicKeyHex, { hash: false })).toBe(false);
  });
});

/** SEQUENCE { INTEGER r, INTEGER s } → r || s (32 bytes each). Lengths here are always < 128. */
function derToRaw(der: Buffer): Buffer {
  expect(der[0]).toBe(0x30);
  let offset = 2;
  const ints: Buffer[] = [];
  for (let i = 0; i < 2; i++) {
    expect(der[offset]).toBe(0x02);
    const len = der[offset + 1]!;
    const value = der.subarray(offset + 2, offset + 2 + len);
    const trimmed = value.subarray(value.length - Math.min(value.length, 32));
    ints.push(Buffer.concat([Buffer.alloc(32 - trimmed.length), trimmed]));
    offset += 2 + len;
  }
  return Buffer.concat(ints);
}
