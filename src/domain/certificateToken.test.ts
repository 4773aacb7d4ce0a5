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
};

describe('e-certificate tokens', () => {
  it('round-trips the claims and is the same QR each time for the same data', () => {
    const token = signCertificateToken(claims, key);
    expect(signCertificateToken(claims, key)).toBe(token);
    expect(decodeCertificateToken(token).claims).toEqual({ ...claims, kid: key.kid });
    expect(signedTokenKind(token)).toBe('certificate');
  });

  it('verifies offline through the shared verifier, status unchecked', () => {
    const token = signCertificateToken(claims, key);
    expect(verifySignedToken(token, keySet, { today: '2026-12-01' })).toMatchObject({ kind: 'certificate', verdict: 'authentic_unchecked' });
    expect(verifySignedToken(token, keySet, { today: '2026-12-01', status: {} })).toMatchObject({ verdict: 'valid' });
    expect(verifySignedToken(token, keySet, { today: '2030-05-02', status: {} })).toMatchObject({ verdict: 'invalid', reason: 'expired' });
    expect(verifySignedToken(token, keySet, { today: '2026-12-01', status: { revokedAt: '2026-11-30' } })).toMatchObject({ verdict: 'revoked' });
  });

  it('refuses a tampered payload, an unknown key and a truncated token', () => {
    const token = signCertificateToken(claims, key);
    const bytes = Buffer.from(token, 'base64url');
    bytes[40] = bytes[40]! ^ 0x01;
    expect(verifySignedToken(bytes.toString('base64url'), keySet, { today: '2026-12-01' })).toMatchObject({ verdict: 'invalid' });
    const other = generateSigningKey();
    expect(verifySignedToken(token, { keys: [{ kid: other.kid, publicKeyHex: other.publicKeyHex }] }, { today: '2026-12-01' })).toMatchObject({
      verdict: 'invalid',
      reason: 'unknown_key',
    });
    expect(verifySignedToken(token.slice(0, 60), keySet, { today: '2026-12-01' })).toMatchObject({ verdict: 'invalid', reason: 'malformed' });
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
