import { dataKeyFrom } from '../../src/server/secrets/sealedBox.ts';
import { useFieldKeys } from '../../src/server/secrets/fieldCipher.ts';
import { secretBox } from '../../src/server/secrets/secretBox.ts';

/** One fixed data key for the seeded database templates and every test app built on them. */
export const TEST_DATA_KEY_HEX = '5c0ffee15600d5ea1edb0c0ffee15600d5ea1edb0c0ffee15600d5ea1edb0c0f';

export const testSecrets = secretBox(dataKeyFrom(Buffer.from(TEST_DATA_KEY_HEX, 'hex')));

// Personal data in the templates and in every test's database is sealed under the same key.
useFieldKeys(testSecrets.ring());
