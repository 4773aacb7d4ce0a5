/**
 * Stored files (ID-card photos, face images, materials, thumbnails) are encrypted before they reach the
 * disk or the bucket: each object gets a random file key (SM4-CTR + HMAC-SM3, as fields), and the file
 * key is sealed under the data key and kept in the object's header. A key rotation re-seals the header
 * only; the body stays as it was.
 *
 *   "RTOF" 0x01 ‖ u16 header length ‖ sealed file key (fieldCipher text) ‖ IV ‖ ciphertext ‖ HMAC-SM3
 *
 * The storage key is bound into the sealed file key: an object copied under another name does not open.
 * A stored object therefore never starts with JPEG or PNG magic bytes.
 */
import { createCipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { KeyRing } from './keyRing.ts';
import { openFieldWith, sealedFieldKeyId, sealFieldWith, SealedFieldError } from './fieldCipher.ts';
import type { DataKey } from './sealedBox.ts';

const MAGIC = Buffer.from([0x52, 0x54, 0x4f, 0x46, 0x01]);
const IV_BYTES = 16;
const MAC_BYTES = 32;

const fileKeyPurpose = (storageKey: string) => `file_key/${storageKey}`;

export const isEncryptedFile = (stored: Buffer): boolean => stored.length > MAGIC.length + 2 && stored.subarray(0, MAGIC.length).equals(MAGIC);

function header(stored: Buffer): { sealedKey: string; bodyStart: number } {
  if (!isEncryptedFile(stored)) throw new SealedFieldError('Not an encrypted file');
  const length = stored.readUInt16BE(MAGIC.length);
  const start = MAGIC.length + 2;
  if (stored.length < start + length + IV_BYTES + MAC_BYTES) throw new SealedFieldError('Truncated encrypted file');
  return { sealedKey: stored.subarray(start, start + length).toString('utf8'), bodyStart: start + length };
}

function withHeader(sealedKey: string, body: Buffer): Buffer {
  const head = Buffer.from(sealedKey, 'utf8');
  const length = Buffer.alloc(2);
  length.writeUInt16BE(head.length);
  return Buffer.concat([MAGIC, length, head, body]);
}

const bodyMac = (macKey: Buffer, ivAndCiphertext: Buffer) => createHmac('sm3', macKey).update('rto-file-v1\0').update(ivAndCiphertext).digest();

export function encryptFile(key: DataKey, storageKey: string, data: Buffer): Buffer {
  const fileKey = randomBytes(48);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('sm4-ctr', fileKey.subarray(0, 16), iv);
  const body = Buffer.concat([iv, cipher.update(data), cipher.final()]);
  const sealedKey = sealFieldWith(key, fileKeyPurpose(storageKey), fileKey.toString('base64url'));
  return withHeader(sealedKey, Buffer.concat([body, bodyMac(fileKey.subarray(16), body)]));
}

export function decryptFile(ring: KeyRing, storageKey: string, stored: Buffer): Buffer {
  const { sealedKey, bodyStart } = header(stored);
  const fileKey = Buffer.from(openFieldWith(ring, fileKeyPurpose(storageKey), sealedKey), 'base64url');
  const body = stored.subarray(bodyStart, stored.length - MAC_BYTES);
  if (fileKey.length !== 48 || !timingSafeEqual(stored.subarray(stored.length - MAC_BYTES), bodyMac(fileKey.subarray(16), body))) {
    throw new SealedFieldError(`Stored file ${storageKey} was altered`);
  }
  const decipher = createCipheriv('sm4-ctr', fileKey.subarray(0, 16), body.subarray(0, IV_BYTES));
  return Buffer.concat([decipher.update(body.subarray(IV_BYTES)), decipher.final()]);
}

/** The id of the data key an encrypted file's key is sealed with. */
export const fileKeyId = (stored: Buffer): string | undefined => sealedFieldKeyId(header(stored).sealedKey);

/** The same file with its file key re-sealed under `key` (the body is not touched). */
export function resealFile(ring: KeyRing, key: DataKey, storageKey: string, stored: Buffer): Buffer {
  const { sealedKey, bodyStart } = header(stored);
  const fileKey = openFieldWith(ring, fileKeyPurpose(storageKey), sealedKey);
  return withHeader(sealFieldWith(key, fileKeyPurpose(storageKey), fileKey), stored.subarray(bodyStart));
}
