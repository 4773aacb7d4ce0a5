import type { FileStorage } from './fileStorage.ts';
import { LocalFileStorage } from './localFileStorage.ts';
import { S3FileStorage, type S3FileStorageOptions } from './s3FileStorage.ts';

export type { FileStorage } from './fileStorage.ts';
export { assertValidKey, fileNotFound } from './fileStorage.ts';
export { LocalFileStorage } from './localFileStorage.ts';
export { S3FileStorage, type S3FileStorageOptions } from './s3FileStorage.ts';
export { EncryptedFileStorage, type FileResealOutcome } from './encryptedFileStorage.ts';

export type FileStorageConfig = { kind: 'local'; root: string } | ({ kind: 's3' } & S3FileStorageOptions);

export function createFileStorage(config: FileStorageConfig): FileStorage {
  switch (config.kind) {
    case 'local':
      return new LocalFileStorage(config.root);
    case 's3': {
      const { kind: _kind, ...options } = config;
      return new S3FileStorage(options);
    }
  }
}
