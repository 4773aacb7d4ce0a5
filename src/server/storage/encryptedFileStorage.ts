import type { KeyRing } from '../secrets/keyRing.ts';
import { decryptFile, encryptFile, fileKeyId, isEncryptedFile, resealFile } from '../secrets/fileCipher.ts';
import type { FileStorage } from './fileStorage.ts';

/** What resealing one stored object did. */
export type FileResealOutcome = 'current' | 'resealed' | 'encrypted' | 'missing';

/**
 * Encrypts every file on its way into a storage adapter (local disk or S3) and decrypts it on the way
 * out (secrets/fileCipher.ts); the adapters themselves know nothing of it. The bucket is told
 * `application/octet-stream`: what the object is stays with its database record.
 */
export class EncryptedFileStorage implements FileStorage {
  constructor(
    readonly inner: FileStorage,
    private readonly ring: () => KeyRing,
  ) {}

  put(key: string, data: Buffer, _contentType: string): Promise<void> {
    return this.inner.put(key, encryptFile(this.ring().current, key, data), 'application/octet-stream');
  }

  async get(key: string): Promise<Buffer> {
    return decryptFile(this.ring(), key, await this.inner.get(key));
  }

  delete(key: string): Promise<void> {
    return this.inner.delete(key);
  }

  exists(key: string): Promise<boolean> {
    return this.inner.exists(key);
  }

  keys(): AsyncIterable<string> {
    return this.inner.keys();
  }

  /**
   * Moves one object to the current data key: a file key sealed under a previous key is re-sealed, a
   * plaintext file from before encryption is encrypted. Idempotent.
   */
  async reseal(key: string): Promise<FileResealOutcome> {
    let stored: Buffer;
    try {
      stored = await this.inner.get(key);
    } catch (error) {
      if ((error as { code?: string }).code === 'FILE_NOT_FOUND') return 'missing';
      throw error;
    }
    const ring = this.ring();
    if (!isEncryptedFile(stored)) {
      await this.inner.put(key, encryptFile(ring.current, key, stored), 'application/octet-stream');
      return 'encrypted';
    }
    if (fileKeyId(stored) === ring.current.id) return 'current';
    await this.inner.put(key, resealFile(ring, ring.current, key, stored), 'application/octet-stream');
    return 'resealed';
  }
}
