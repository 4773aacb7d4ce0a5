import { describe, expect, it } from 'vitest';
import { blindIndexWith } from './blindIndex.ts';
import { decryptFile, encryptFile, fileKeyId, resealFile } from './fileCipher.ts';
import { openFieldWith, SealedFieldError, sealedFieldKeyId, sealFieldWith } from './fieldCipher.ts';
import { keyRing } from './keyRing.ts';
import { dataKeyFrom, generateDataKeyBytes } from './sealedBox.ts';

const oldKey = dataKeyFrom(Buffer.alloc(32, 3));
const newKey = dataKeyFrom(Buffer.alloc(32, 4));
const ring = keyRing(newKey, [oldKey]);

describe('field cipher (SM4-CTR + HMAC-SM3)', () => {
  it('opens what it sealed, differently each time, carrying the key id', () => {
    const sealed = sealFieldWith(newKey, 'users.phone', '13800000001');
    expect(sealed).toMatch(new RegExp(`^s1:${newKey.id}:[A-Za-z0-9_-]+$`));
    expect(sealed).not.toContain('13800000001');
    expect(sealedFieldKeyId(sealed)).toBe(newKey.id);
    expect(openFieldWith(ring, 'users.phone', sealed)).toBe('13800000001');
    expect(sealFieldWith(newKey, 'users.phone', '13800000001')).not.toBe(sealed);
    expect(openFieldWith(ring, 'users.name', sealFieldWith(newKey, 'users.name', '王建国'))).toBe('王建国');
    expect(openFieldWith(ring, 'x', sealFieldWith(newKey, 'x', ''))).toBe('');
  });

  it('opens a value sealed under the previous key of a rotation, and refuses a key it does not hold', () => {
    expect(openFieldWith(ring, 'users.address', sealFieldWith(oldKey, 'users.address', '北京市朝阳区建国路88号'))).toBe('北京市朝阳区建国路88号');
    const stranger = dataKeyFrom(generateDataKeyBytes());
    expect(() => openFieldWith(ring, 'users.phone', sealFieldWith(stranger, 'users.phone', '1'))).toThrow(/does not hold/);
    expect(() => openFieldWith(keyRing(newKey), 'users.phone', sealFieldWith(oldKey, 'users.phone', '1'))).toThrow(SealedFieldError);
  });

  it('refuses an altered value, a value moved to another column, and plaintext', () => {
    const sealed = sealFieldWith(newKey, 'users.id_number', '110105198503120012');
    const body = Buffer.from(sealed.split(':')[2]!, 'base64url');
    for (const at of [0, 20, body.length - 1]) {
      const altered = Buffer.from(body);
      altered[at]! ^= 1;
      expect(() => openFieldWith(ring, 'users.id_number', `s1:${newKey.id}:${altered.toString('base64url')}`)).toThrow(SealedFieldError);
    }
    expect(() => openFieldWith(ring, 'certificates.holder_id_number', sealed)).toThrow(/another column/);
    expect(() => openFieldWith(ring, 'users.phone', '13800000001')).toThrow(/no sealed value/);
  });
});

describe('blind index (HMAC-SM3)', () => {
  it('is stable for one key and kind, differs across keys and kinds, and ignores the check letter case', () => {
    const index = blindIndexWith(newKey, 'id_number', '11010519850312001X');
    expect(index).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(blindIndexWith(newKey, 'id_number', '11010519850312001x')).toBe(index);
    expect(blindIndexWith(oldKey, 'id_number', '11010519850312001X')).not.toBe(index);
    expect(blindIndexWith(newKey, 'phone', '11010519850312001X')).not.toBe(index);
  });
});

describe('file cipher', () => {
  const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(5000, 7)]);

  it('never stores image magic bytes, opens only under its own storage key, and detects tampering', () => {
    const stored = encryptFile(newKey, 'identity/u/p.jpg', jpeg);
    expect(stored.subarray(0, 4).toString('latin1')).toBe('RTOF');
    expect(stored.includes(jpeg.subarray(0, 64))).toBe(false);
    expect(decryptFile(ring, 'identity/u/p.jpg', stored).equals(jpeg)).toBe(true);
    expect(() => decryptFile(ring, 'identity/u/other.jpg', stored)).toThrow(SealedFieldError);
    const altered = Buffer.from(stored);
    altered[altered.length - 100]! ^= 1;
    expect(() => decryptFile(ring, 'identity/u/p.jpg', altered)).toThrow(/altered/);
    expect(() => decryptFile(ring, 'identity/u/p.jpg', jpeg)).toThrow(/Not an encrypted file/);
  });

  it('re-seals the file key under a new data key without touching the body', () => {
    const stored = encryptFile(oldKey, 'a/b.png', jpeg);
    expect(fileKeyId(stored)).toBe(oldKey.id);
    const resealed = resealFile(ring, newKey, 'a/b.png', stored);
    expect(fileKeyId(resealed)).toBe(newKey.id);
    expect(decryptFile(keyRing(newKey), 'a/b.png', resealed).equals(jpeg)).toBe(true);
    expect(resealed.subarray(resealed.length - 1000).equals(stored.subarray(stored.length - 1000))).toBe(true);
  });
});
