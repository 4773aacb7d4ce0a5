/**
 * Secrets kept in the database (SM2 private keys, staff TOTP secrets) are sealed with AES-256-GCM under
 * the data key from configuration, so a dump or backup alone cannot forge vouchers or second factors.
 *
 * Sealed text: `v1:<key id>:<nonce>:<ciphertext+tag>` (base64url). The key id names the data key that
 * sealed the value, so a later key rotation can tell old values from new ones. The purpose (the column,
 * and for row-bound secrets the row) is authenticated as associated data: a sealed value copied into
 * another column or row does not open.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export interface DataKey {
  /** Short public fingerprint of the key, written into every sealed value. */
  id: string;
  bytes: Buffer;
}

/** Raised when a sealed value is malformed, was sealed with another key or purpose, or was altered. */
export class SealedValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SealedValueError';
  }
}

/** The 32 key bytes from 64 hex characters or base64 (standard or url-safe); undefined when neither. */
export function parseDataKey(text: string): Buffer | undefined {
  const value = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) return undefined;
  const bytes = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return bytes.length === KEY_BYTES ? bytes : undefined;
}

export function dataKeyFrom(bytes: Buffer): DataKey {
  if (bytes.length !== KEY_BYTES) throw new RangeError(`A data key is ${KEY_BYTES} bytes, not ${bytes.length}`);
  const id = createHash('sha256').update('rto data key id\0').update(bytes).digest('base64url').slice(0, 8);
  return { id, bytes: Buffer.from(bytes) };
}

export function generateDataKeyBytes(): Buffer {
  return randomBytes(KEY_BYTES);
}

const associatedData = (keyId: string, purpose: string) => Buffer.from(`${VERSION}:${keyId}:${purpose}`, 'utf8');

export function seal(plaintext: string, key: DataKey, purpose: string): string {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key.bytes, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(associatedData(key.id, purpose));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `${VERSION}:${key.id}:${nonce.toString('base64url')}:${body.toString('base64url')}`;
}

export function open(sealed: string, key: DataKey, purpose: string): string {
  const parts = sealed.split(':');
  if (parts.length !== 4 || parts[0] !== VERSION) throw new SealedValueError(`Not a sealed value (expected ${VERSION}:…) for ${purpose}`);
  const [, keyId, nonceText, bodyText] = parts as [string, string, string, string];
  if (keyId !== key.id) throw new SealedValueError(`${purpose} was sealed with data key ${keyId}, but the configured data key is ${key.id}`);
  const nonce = Buffer.from(nonceText, 'base64url');
  const body = Buffer.from(bodyText, 'base64url');
  if (nonce.length !== NONCE_BYTES || body.length < TAG_BYTES) throw new SealedValueError(`Malformed sealed value for ${purpose}`);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.bytes, nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(associatedData(keyId, purpose));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    throw new SealedValueError(`${purpose} does not open with the configured data key: altered, or sealed for another purpose`);
  }
}
