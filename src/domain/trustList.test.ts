import { describe, expect, it } from 'vitest';
import { generateSigningKey } from './sm2Signature.ts';
import { signTrustList, verifyTrustList, type TrustedKey } from './trustList.ts';

const all = ['voucher', 'certificate', 'status_list', 'trust_list'] as const;
const entry = (k: { kid: string; publicKeyHex: string }, notBefore: string, notAfter?: string): TrustedKey => ({
  kid: k.kid,
  publicKeyHex: k.publicKeyHex,
  notBefore,
  ...(notAfter ? { notAfter } : {}),
  documents: [...all],
});

describe('trust list', () => {
  const first = generateSigningKey();
  const second = generateSigningKey();
  const stranger = generateSigningKey();
  const before = signTrustList([entry(first, '2026-01-01')], '2026-01-01T00:00:00.000Z', [first]);
  const rotated = signTrustList([entry(first, '2026-01-01', '2026-06-01'), entry(second, '2026-06-01')], '2026-06-01T00:00:00.000Z', [second, first]);

  it('verifies itself on first use and follows a rotation signed by the key it already trusts', () => {
    expect(verifyTrustList(before)).toEqual({ ok: true });
    expect(verifyTrustList(rotated, before)).toEqual({ ok: true });
  });

  it('refuses a list changed after signing, one signed only by an unknown key, and an unsigned one', () => {
    expect(verifyTrustList({ ...rotated, keys: [...rotated.keys, entry(stranger, '2026-06-01')] }, before)).toEqual({ ok: false, problem: 'untrusted' });
    const foreign = signTrustList([entry(stranger, '2026-06-01')], '2026-06-01T00:00:00.000Z', [stranger]);
    expect(verifyTrustList(foreign, before)).toEqual({ ok: false, problem: 'untrusted' });
    expect(verifyTrustList({ ...before, signatures: [] })).toEqual({ ok: false, problem: 'unsigned' });
    expect(verifyTrustList({ keys: [] })).toEqual({ ok: false, problem: 'malformed' });
  });

  it('refuses a list signed by a trusted key outside its period', () => {
    const retired = signTrustList([entry(first, '2026-01-01', '2026-06-01')], '2026-09-01T00:00:00.000Z', [first]);
    expect(verifyTrustList(retired, rotated)).toEqual({ ok: false, problem: 'untrusted' });
  });

  it('judges an instant by its China-time day: a key made after 16:00 UTC is valid from the next China day', () => {
    // 2026-12-01T16:30Z is 00:30 on 2 December in China, the day the key's window starts.
    const lateKey = signTrustList([entry(first, '2026-12-02')], '2026-12-01T16:30:00.000Z', [first]);
    expect(verifyTrustList(lateKey)).toEqual({ ok: true });
    // And the last China day of a retired key ends at 16:00 UTC.
    const afterRetirement = signTrustList([entry(first, '2026-01-01', '2026-12-01')], '2026-12-01T16:30:00.000Z', [first]);
    expect(verifyTrustList(afterRetirement)).toEqual({ ok: false, problem: 'untrusted' });
  });
});
