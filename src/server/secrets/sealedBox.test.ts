import { describe, expect, it } from 'vitest';
import { dataKeyFrom, generateDataKeyBytes, open, parseDataKey, seal, SealedValueError } from './sealedBox.ts';

const key = dataKeyFrom(Buffer.alloc(32, 7));
const purpose = 'staff.totp_secret';

describe('sealed box', () => {
  it('opens what it sealed, and seals the same text differently each time', () => {
    const sealed = seal('JBSWY3DPEHPK3PXP', key, purpose);
    expect(sealed).toMatch(new RegExp(`^v1:${key.id}:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]+$`));
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    expect(open(sealed, key, purpose)).toBe('JBSWY3DPEHPK3PXP');
    expect(seal('JBSWY3DPEHPK3PXP', key, purpose)).not.toBe(sealed);
    expect(open(seal('', key, purpose), key, purpose)).toBe('');
    expect(open(seal('密钥 ✓', key, purpose), key, purpose)).toBe('密钥 ✓');
  });

  it('refuses an altered ciphertext, nonce or key id', () => {
    const sealed = seal('a'.repeat(64), key, purpose);
    const [version, keyId, nonce, body] = sealed.split(':') as [string, string, string, string];
    const flip = (text: string) => {
      const bytes = Buffer.from(text, 'base64url');
      bytes[0]! ^= 1;
      return bytes.toString('base64url');
    };
    expect(() => open([version, keyId, nonce, flip(body)].join(':'), key, purpose)).toThrow(SealedValueError);
    expect(() => open([version, keyId, flip(nonce), body].join(':'), key, purpose)).toThrow(SealedValueError);
    expect(() => open([version, 'AAAAAAAA', nonce, body].join(':'), key, purpose)).toThrow(/sealed with data key AAAAAAAA/);
    expect(() => open(sealed.slice(0, -4), key, purpose)).toThrow(SealedValueError);
    expect(() => open('a'.repeat(64), key, purpose)).toThrow(/Not a sealed value/);
  });

  it('refuses a value moved to another column (associated data)', () => {
    const sealed = seal('JBSWY3DPEHPK3PXP', key, 'staff.totp_pending_secret');
    expect(() => open(sealed, key, 'staff.totp_secret')).toThrow(SealedValueError);
  });

  it('refuses another key, even one given the same id', () => {
    const sealed = seal('secret', key, purpose);
    const other = dataKeyFrom(generateDataKeyBytes());
    expect(other.id).not.toBe(key.id);
    expect(() => open(sealed, other, purpose)).toThrow(/configured data key is/);
    expect(() => open(sealed, { ...other, id: key.id }, purpose)).toThrow(SealedValueError);
  });

  it('reads a data key as 64 hex characters or base64 of 32 bytes, nothing else', () => {
    const bytes = generateDataKeyBytes();
    expect(parseDataKey(bytes.toString('hex'))).toEqual(bytes);
    expect(parseDataKey(bytes.toString('hex').toUpperCase())).toEqual(bytes);
    expect(parseDataKey(bytes.toString('base64'))).toEqual(bytes);
    expect(parseDataKey(` ${bytes.toString('base64url')}\n`)).toEqual(bytes);
    expect(parseDataKey(bytes.subarray(0, 16).toString('base64'))).toBeUndefined();
    expect(parseDataKey(bytes.toString('hex').slice(2))).toBeUndefined();
    expect(parseDataKey('not a key at all')).toBeUndefined();
    expect(parseDataKey('')).toBeUndefined();
  });
});
