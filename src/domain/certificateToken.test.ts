import { describe, expect, it } from 'vitest';
import { decodeCertificateToken, signCertificateToken, signedTokenKind, verifySignedToken } from './certificateToken.ts';
import { generateSigningKey, signVoucher } from './voucherToken.ts';

const key = generateSigningKey();
const keySet = { keys: [{ kid: key.kid, publicKeyHex: key.publicKeyHex, notBefore: '2026-01-01' }] };
const claims = {
  certificateId: '3f2a9c1e-8b7d-4e6f-a1b2-c3d4e5f60718',
  certificateNumberMasked: '1101**********0012',
  holder: '王*国',
  idMasked: '1101**********0012',
  categories: [
    { code: 'freight_driver', validTo: '2030-05-01' },
    { code: 'dg_driver', qualifiers: ['explosives'], validTo: '2029-01-31' },
  ],
  issuer: '北京市交通委员会',
  issuerCode: '110000',
  issuedAt: '2026-11-20',
  expiresAt: '2030-05-01',
  qrIssuedAt: '2026-11-20T02:00:00.000Z',
  qrExpiresAt: '2026-11-20T02:03:00.000Z',
  statusIndex: 4711,
};
const madeAt = Date.parse(claims.qrIssuedAt);
const at = (offsetMs: number) => ({ today: '2026-11-20', now: madeAt + offsetMs });

describe('e-certificate tokens', () => {
  it('round-trips the claims and is the same QR each time for the same data', () => {
    const token = signCertificateToken(claims, key);
    expect(signCertificateToken(claims, key)).toBe(token);
    expect(decodeCertificateToken(token).claims).toEqual({ ...claims, kid: key.kid });
    expect(signedTokenKind(token)).toBe('certificate');
  });

  it('carries the version prefix and verifies offline through the shared verifier, status unchecked', () => {
    const token = signCertificateToken(claims, key);
    expect(token.startsWith('RT2-')).toBe(true);
    expect(verifySignedToken(token, keySet, at(60_000))).toMatchObject({ kind: 'certificate', verdict: 'authentic_unchecked' });
    expect(verifySignedToken(token, keySet, { ...at(60_000), status: {} })).toMatchObject({ verdict: 'valid' });
    expect(verifySignedToken(token, keySet, { ...at(10_000), status: { revokedAt: '2026-11-19' } })).toMatchObject({ verdict: 'revoked' });
  });

  it('expires the QR after its lifetime: 二维码已过期，请持证人刷新', () => {
    const token = signCertificateToken(claims, key);
    expect(verifySignedToken(token, keySet, { ...at(180_000), status: {} })).toMatchObject({ verdict: 'valid' });
    const late = verifySignedToken(token, keySet, { ...at(181_000), status: {} });
    expect(late).toMatchObject({ verdict: 'invalid', reason: 'qr_expired' });
    expect(late.message.zh).toBe('二维码已过期，请持证人刷新');
    // Without the time of the check, freshness cannot be shown.
    expect(verifySignedToken(token, keySet, { today: '2026-11-20', status: {} })).toMatchObject({ reason: 'qr_expired' });
    // Made more than the tolerated clock difference in the future.
    expect(verifySignedToken(token, keySet, { ...at(-300_000), status: {} })).toMatchObject({ reason: 'not_yet_valid' });
  });

  it('answers a legacy certificate token (no QR time, no prefix) as an expired QR', () => {
    const { qrIssuedAt: _a, qrExpiresAt: _b, statusIndex: _c, ...legacy } = claims;
    const token = signCertificateToken(legacy, key);
    expect(token.startsWith('A')).toBe(true);
    expect(verifySignedToken(token, keySet, { ...at(0), status: {} })).toMatchObject({ kind: 'certificate', verdict: 'invalid', reason: 'qr_expired' });
  });

  it('refuses an unknown token version clearly', () => {
    const token = signCertificateToken(claims, key).replace(/^RT2-/, 'RT3-');
    expect(verifySignedToken(token, keySet, at(0))).toMatchObject({ verdict: 'invalid', reason: 'unsupported_version' });
  });

  it('refuses a tampered payload, an unknown key and a truncated token', () => {
    const token = signCertificateToken(claims, key);
    const bytes = Buffer.from(token.slice(4), 'base64url');
    bytes[40] = bytes[40]! ^ 0x01;
    expect(verifySignedToken(`RT2-${bytes.toString('base64url')}`, keySet, at(0))).toMatchObject({ verdict: 'invalid', reason: 'tampered' });
    // The prefix is signed: the same bytes without it are not a token.
    expect(verifySignedToken(token.slice(4), keySet, at(0))).toMatchObject({ verdict: 'invalid', reason: 'malformed' });
    const other = generateSigningKey();
    expect(verifySignedToken(token, { keys: [{ kid: other.kid, publicKeyHex: other.publicKeyHex }] }, at(0))).toMatchObject({
      verdict: 'invalid',
      reason: 'unknown_key',
    });
    // A key the trust list allows only for vouchers cannot sign an e-certificate.
    expect(verifySignedToken(token, { keys: [{ ...keySet.keys[0]!, documents: ['voucher'] }] }, at(0))).toMatchObject({ reason: 'unknown_key' });
    expect(verifySignedToken(token.slice(0, 60), keySet, at(0))).toMatchObject({ verdict: 'invalid', reason: 'malformed' });
  });

  it('tells voucher tokens apart and verifies them with the voucher rule', () => {
    const voucher = signVoucher(
      {
        serial: 'CX2026K7MXP3AD',
        holder: '王*国',
        idMasked: '1101**********0012',
        rating: 'AA',
        cycleStart: '2025-03-12',
        cycleEnd: '2026-03-11',
        issuer: '北京市交通委员会',
        issuerCode: '110000',
        issuedAt: '2026-03-20',
        expiresAt: '2027-03-11',
      },
      key,
    );
    expect(signedTokenKind(voucher)).toBe('voucher');
    expect(verifySignedToken(voucher, keySet, { today: '2026-06-01', status: { supersededBy: 'CX2026XXXXXXXX' } })).toMatchObject({
      kind: 'voucher',
      verdict: 'superseded',
    });
    expect(signedTokenKind('hello')).toBeNull();
  });
});
