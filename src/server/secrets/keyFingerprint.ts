import { eq } from 'drizzle-orm';
import { ConfigError } from '../config.ts';
import type { Database, Executor } from '../db/client.ts';
import { dataKeyFingerprint } from '../db/schema.ts';
import { macWith, type SecretBox } from './secretBox.ts';

const FINGERPRINT_PURPOSE = 'data_key_fingerprint';
const FINGERPRINT_TEXT = 'rto data key fingerprint v1';

export const fingerprintOf = (secrets: Pick<SecretBox, 'mac'>): string => secrets.mac(FINGERPRINT_PURPOSE, FINGERPRINT_TEXT);

/** A configuration error: the CLI prints it as such and exits. */
export class DataKeyMismatchError extends ConfigError {
  constructor() {
    super([
      'RTO_DATA_KEY: this is not the data key the database was sealed with. Start every instance with the same RTO_DATA_KEY ' +
        '(the one the database was first started with); with another key no sealed secret (signing keys, staff authenticators) could be opened.',
    ]);
    this.name = 'DataKeyMismatchError';
  }
}

/**
 * Records the data key's fingerprint on the first start and compares it on every later one. Only the
 * MAC is stored: it tells keys apart without revealing anything of the key.
 */
export async function checkDataKeyFingerprint(db: Database, secrets: Pick<SecretBox, 'mac' | 'ring'>): Promise<'recorded' | 'matches'> {
  const fingerprint = fingerprintOf(secrets);
  // Two instances starting together: one insert wins, both then compare against it.
  const inserted = await db.insert(dataKeyFingerprint).values({ id: 1, fingerprint }).onConflictDoNothing().returning({ id: dataKeyFingerprint.id });
  if (inserted.length > 0) return 'recorded';
  const [stored] = await db.select().from(dataKeyFingerprint).where(eq(dataKeyFingerprint.id, 1));
  // During a rotation the database may still be on a previous key: `rto keys reseal` moves it over.
  const accepted = secrets.ring().all.map((key) => macWith(key, FINGERPRINT_PURPOSE, FINGERPRINT_TEXT));
  if (!stored || !accepted.includes(stored.fingerprint)) throw new DataKeyMismatchError();
  return 'matches';
}

/** Records the current key's fingerprint: the database is sealed under it alone (end of a reseal). */
export async function recordDataKeyFingerprint(db: Executor, secrets: Pick<SecretBox, 'mac'>): Promise<void> {
  const fingerprint = fingerprintOf(secrets);
  await db.insert(dataKeyFingerprint).values({ id: 1, fingerprint }).onConflictDoUpdate({ target: dataKeyFingerprint.id, set: { fingerprint } });
}
