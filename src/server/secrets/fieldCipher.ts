/**
 * Personal data in database columns (names, ID numbers, phones, addresses, birth dates, the answers of
 * application forms) is sealed with SM4-CTR and authenticated with HMAC-SM3 (encrypt-then-MAC), under
 * keys derived (HKDF-SM3) from the data key — GB/T 39786-2021's SM-series algorithms for stored data.
 *
 * Sealed text: `s1:<key id>:<base64url(iv ‖ ciphertext ‖ mac)>`. The key id names the data key, so a
 * rotation can tell what still needs resealing and an instance holding the previous key can still open
 * it. The column (the purpose) is covered by the MAC: a value copied into another column does not open.
 *
 * The columns of `db/schema.ts` seal and open through `sealedText` / `sealedJson` (db/sealedColumns.ts),
 * so code reading a row gets plaintext; equality lookups go through blind indexes (blindIndex.ts).
 */
import { createCipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { DataKey } from './sealedBox.ts';
import type { KeyRing } from './keyRing.ts';

const VERSION = 's1';
const IV_BYTES = 16;
const MAC_BYTES = 32;

/** Raised when a sealed field is malformed, sealed with a key this instance does not hold, or altered. */
export class SealedFieldError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SealedFieldError';
  }
}

interface FieldKeys {
  encryption: Buffer;
  mac: Buffer;
}

const derived = new WeakMap<DataKey, FieldKeys>();

/** A key of its own for each use, derived from the data key with HKDF-SM3. */
export const deriveKey = (key: DataKey, info: string, length: number): Buffer => Buffer.from(hkdfSync('sm3', key.bytes, Buffer.alloc(0), info, length));

function fieldKeysOf(key: DataKey): FieldKeys {
  let keys = derived.get(key);
  if (!keys) {
    keys = { encryption: deriveKey(key, 'rto-field/sm4-ctr', 16), mac: deriveKey(key, 'rto-field/hmac-sm3', 32) };
    derived.set(key, keys);
  }
  return keys;
}

const macOf = (keys: FieldKeys, keyId: string, purpose: string, ivAndCiphertext: Buffer) =>
  createHmac('sm3', keys.mac).update(`${VERSION}:${keyId}:${purpose}\0`, 'utf8').update(ivAndCiphertext).digest();

/** SM4-CTR then HMAC-SM3 over version, key id, purpose, IV and ciphertext. */
export function sealBytesWith(key: DataKey, purpose: string, plaintext: Buffer): Buffer {
  const keys = fieldKeysOf(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('sm4-ctr', keys.encryption, iv);
  const body = Buffer.concat([iv, cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([body, macOf(keys, key.id, purpose, body)]);
}

export function openBytesWith(key: DataKey, purpose: string, sealed: Buffer): Buffer {
  if (sealed.length < IV_BYTES + MAC_BYTES) throw new SealedFieldError(`Malformed sealed value for ${purpose}`);
  const keys = fieldKeysOf(key);
  const body = sealed.subarray(0, sealed.length - MAC_BYTES);
  const mac = sealed.subarray(sealed.length - MAC_BYTES);
  if (!timingSafeEqual(mac, macOf(keys, key.id, purpose, body))) {
    throw new SealedFieldError(`${purpose} does not open with data key ${key.id}: altered, or sealed for another column`);
  }
  const decipher = createCipheriv('sm4-ctr', keys.encryption, body.subarray(0, IV_BYTES));
  return Buffer.concat([decipher.update(body.subarray(IV_BYTES)), decipher.final()]);
}

export function sealFieldWith(key: DataKey, purpose: string, plaintext: string): string {
  return `${VERSION}:${key.id}:${sealBytesWith(key, purpose, Buffer.from(plaintext, 'utf8')).toString('base64url')}`;
}

/** The id of the data key a sealed field was sealed with; undefined when the text is not a sealed field. */
export function sealedFieldKeyId(text: string): string | undefined {
  const match = /^s1:([A-Za-z0-9_-]{8}):[A-Za-z0-9_-]+$/.exec(text);
  return match?.[1];
}

export function openFieldWith(ring: KeyRing, purpose: string, sealed: string): string {
  const keyId = sealedFieldKeyId(sealed);
  if (keyId === undefined) throw new SealedFieldError(`${purpose} holds no sealed value (expected ${VERSION}:…)`);
  const key = ring.byId(keyId);
  if (!key) throw new SealedFieldError(`${purpose} was sealed with data key ${keyId}, which this instance does not hold (it holds ${ring.all.map((k) => k.id).join(', ')})`);
  return openBytesWith(key, purpose, Buffer.from(sealed.slice(VERSION.length + keyId.length + 2), 'base64url')).toString('utf8');
}

// The process's key ring. Columns are sealed in the database layer (drizzle column types), which has no
// request context; every entry point (server start, CLI commands, tests) installs the configured ring
// before touching the database.
let installed: KeyRing | (() => KeyRing) | undefined;

/** Installs the ring (or a function giving it on first use, so nothing reads a key file before it is needed). */
export function useFieldKeys(ring: KeyRing | (() => KeyRing)): void {
  installed = ring;
}

export function fieldKeys(): KeyRing {
  if (!installed) throw new Error('No data key installed for sealing personal data (useFieldKeys was not called)');
  if (typeof installed === 'function') installed = installed();
  return installed;
}

/** Seals a column value under the current data key. */
export const sealField = (purpose: string, plaintext: string): string => sealFieldWith(fieldKeys().current, purpose, plaintext);

/** Opens a column value sealed under any data key this instance holds. */
export const openField = (purpose: string, sealed: string): string => openFieldWith(fieldKeys(), purpose, sealed);
