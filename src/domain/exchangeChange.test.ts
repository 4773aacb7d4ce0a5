import { describe, expect, it } from 'vitest';
import { canonicalJson, signChange, verifyChange, type ExchangeChange } from './exchangeChange.ts';
import { generateSigningKey } from './voucherToken.ts';

const change: ExchangeChange = {
  v: 1,
  id: '4b2d63a4-552a-4ae6-a440-1c33db45f010',
  type: 'certificate.cancelled',
  occurredAt: '2026-03-02T02:01:00.000Z',
  provinceCode: '11',
  authority: { code: '110000', name: '北京市交通委员会' },
  certificate: { number: 'N1', holderIdNumber: '110105198503120012', holderName: '王建国', quasiDrivingType: 'A2', serviceUnit: '', fileNumber: '', categories: [] },
  application: null,
  details: { cancelled: ['freight_driver'], cancelReason: 'holder_request', note: undefined },
};

describe('exchange changes', () => {
  it('canonical JSON sorts members, drops undefined, keeps null, and carries integers only', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'], c: undefined, é: '"' })).toBe('{"a":[true,null,"x"],"b":1,"é":"\\""}');
    expect(canonicalJson({ z: { y: 1, x: 2 } })).toBe('{"z":{"x":2,"y":1}}');
    expect(() => canonicalJson({ a: 1.5 })).toThrow(/integers/);
    expect(() => canonicalJson({ a: () => 1 })).toThrow();
  });

  it('a signed change verifies with its key only, and not once changed', () => {
    const key = generateSigningKey();
    const signed = signChange(change, key);
    expect(signed.signature).toMatchObject({ alg: 'SM2-SM3', kid: key.kid });
    expect(verifyChange(signed, key.publicKeyHex)).toBe(true);
    // Reordered members are the same change.
    expect(verifyChange(JSON.parse(JSON.stringify(signed)), key.publicKeyHex)).toBe(true);
    expect(verifyChange({ ...signed, change: { ...change, type: 'certificate.renewed' } }, key.publicKeyHex)).toBe(false);
    expect(verifyChange(signed, generateSigningKey().publicKeyHex)).toBe(false);
    expect(verifyChange({ ...signed, signature: { ...signed.signature, value: 'AAAA' } }, key.publicKeyHex)).toBe(false);
  });
});
