import { createHmac, hkdfSync } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.ts';
import { keyRing, type KeyRing } from './keyRing.ts';
import { dataKeyFrom, generateDataKeyBytes, open, parseDataKey, seal, type DataKey } from './sealedBox.ts';

/** What each sealed column holds; the purpose is bound into the seal. */
export const SEALED = {
  signingPrivateKey: (kid: string) => `signing_keys.private_key_hex/${kid}`,
  totpSecret: 'staff.totp_secret',
  totpPendingSecret: 'staff.totp_pending_secret',
} as const;

/** Seals and opens database secrets with the configured data key. */
export interface SecretBox {
  seal(purpose: string, plaintext: string): string;
  open(purpose: string, sealed: string): string;
  /** A keyed hash (HMAC-SHA256, hex) for values that are checked but never read back, such as SMS codes. */
  mac(purpose: string, data: string): string;
  /** The keys it seals and opens with. */
  ring(): KeyRing;
}

/** Where development and test keep their data key when RTO_DATA_KEY is not set. */
export const dataKeyFile = (dataDir: string) => path.join(dataDir, 'secrets', 'data.key');

/**
 * RTO_DATA_KEY when set (always, in production: configuration refuses to start without it). Otherwise a
 * key kept in DATA_DIR/secrets/data.key, created (mode 0600) on first use, so a development install
 * needs no setup and keeps opening what it sealed across restarts.
 */
export function configuredDataKey(config: Pick<Config, 'dataKey' | 'dataDir' | 'env'>): DataKey {
  if (config.dataKey) return dataKeyFrom(config.dataKey);
  if (config.env === 'production') throw new Error('RTO_DATA_KEY is required when NODE_ENV=production');
  const file = dataKeyFile(config.dataDir);
  let text: string | undefined;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (text === undefined) {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    try {
      // 'wx': two processes starting at once keep one key; the loser reads the winner's.
      writeFileSync(file, `${generateDataKeyBytes().toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    text = readFileSync(file, 'utf8');
  }
  const bytes = parseDataKey(text);
  if (!bytes) throw new Error(`${file} does not hold a data key (32 bytes as base64 or 64 hex characters)`);
  return dataKeyFrom(bytes);
}

/** HMAC-SHA256 under a key of its own per purpose, derived from the data key (hex). */
export const macWith = (key: DataKey, purpose: string, data: string): string =>
  createHmac('sha256', Buffer.from(hkdfSync('sha256', key.bytes, Buffer.alloc(0), `rto-mac/${purpose}`, 32)))
    .update(data, 'utf8')
    .digest('hex');

/**
 * A box over one key or a key ring, or over either read on first use (so nothing touches DATA_DIR
 * until a secret does). It seals with the current key and opens with whichever key sealed the value.
 */
export function secretBox(key: DataKey | KeyRing | (() => DataKey | KeyRing)): SecretBox {
  const asRing = (value: DataKey | KeyRing): KeyRing => ('current' in value ? value : keyRing(value));
  let resolved = typeof key === 'function' ? undefined : asRing(key);
  const ring = () => (resolved ??= asRing((key as () => DataKey | KeyRing)()));
  return {
    seal: (purpose, plaintext) => seal(plaintext, ring().current, purpose),
    open: (purpose, sealed) => open(sealed, ring().byId(sealed.split(':')[1] ?? '') ?? ring().current, purpose),
    // A key of its own per purpose, derived from the data key, so hashing never reuses the sealing key.
    mac: (purpose, data) => macWith(ring().current, purpose, data),
    ring,
  };
}

/** The configured data key with the previous ones of a rotation (RTO_DATA_KEY_PREVIOUS). */
export function configuredKeyRing(config: Pick<Config, 'dataKey' | 'dataDir' | 'env' | 'previousDataKeys'>): KeyRing {
  return keyRing(configuredDataKey(config), config.previousDataKeys.map(dataKeyFrom));
}

export const configuredSecretBox = (config: Pick<Config, 'dataKey' | 'dataDir' | 'env' | 'previousDataKeys'>): SecretBox => secretBox(() => configuredKeyRing(config));
