import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import sharp from 'sharp';
import { keyRing } from '../secrets/keyRing.ts';
import { dataKeyFrom } from '../secrets/sealedBox.ts';
import { createFileStorage, EncryptedFileStorage, LocalFileStorage, S3FileStorage, type FileStorage } from './index.ts';

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverConstructor = new (options: {
  address: string;
  port: number;
  silent: boolean;
  directory: string;
  configureBuckets: { name: string; configs: string[] }[];
}) => S3rverInstance;
// s3rver ships no types and is CommonJS.
const S3rver = createRequire(import.meta.url)('s3rver') as S3rverConstructor;

async function errorOf(promise: Promise<unknown>): Promise<AppError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

/** What every FileStorage must do, run against each implementation. */
function fileStorageContract(storage: () => FileStorage) {
  it('stores, reads back, overwrites and deletes a file under a nested key', async () => {
    const key = 'applications/17/materials/photo.jpg';
    const first = Buffer.from([0xff, 0xd8, 0xff, 0x00, 0x01, 0x02]);
    const second = Buffer.from('replaced content');

    expect(await storage().exists(key)).toBe(false);
    await storage().put(key, first, 'image/jpeg');
    expect(await storage().exists(key)).toBe(true);
    expect(await storage().get(key)).toEqual(first);

    await storage().put(key, second, 'image/jpeg');
    expect(await storage().get(key)).toEqual(second);

    await storage().delete(key);
    expect(await storage().exists(key)).toBe(false);
  });

  it('keeps binary data intact (1 MB of every byte value)', async () => {
    const data = Buffer.from(Uint8Array.from({ length: 1024 * 1024 }, (_, i) => (i * 31 + 7) % 256));
    await storage().put('vouchers/binary.png', data, 'image/png');
    expect((await storage().get('vouchers/binary.png')).equals(data)).toBe(true);
  });

  it('answers FILE_NOT_FOUND (404) for a missing key, and deleting it again is fine', async () => {
    const error = await errorOf(storage().get('nothing/here.png'));
    expect({ status: error.status, code: error.code }).toEqual({ status: 404, code: 'FILE_NOT_FOUND' });
    await storage().put('gone.png', Buffer.from('x'), 'image/png');
    await storage().delete('gone.png');
    await storage().delete('gone.png');
    expect((await errorOf(storage().get('gone.png'))).code).toBe('FILE_NOT_FOUND');
  });

  it('lists every stored key', async () => {
    await storage().put('listing/a.png', Buffer.from('a'), 'image/png');
    await storage().put('listing/deeper/b.jpg', Buffer.from('b'), 'image/jpeg');
    const keys: string[] = [];
    for await (const key of storage().keys()) keys.push(key);
    expect(keys).toEqual(expect.arrayContaining(['listing/a.png', 'listing/deeper/b.jpg']));
    expect(keys.every((key) => !key.startsWith('.tmp'))).toBe(true);
  });

  it('refuses keys that could escape the storage root', async () => {
    for (const key of ['../outside.txt', 'a/../../etc/passwd', '/etc/passwd', 'a//b', './a', 'a\\..\\b', '', '.tmp/x']) {
      for (const attempt of [
        () => storage().put(key, Buffer.from('x'), 'text/plain'),
        () => storage().get(key),
        () => storage().exists(key),
        () => storage().delete(key),
      ]) {
        const error = await errorOf(attempt());
        expect({ key, code: error.code }).toEqual({ key, code: 'FILE_KEY_INVALID' });
      }
    }
  });
}

describe('LocalFileStorage', () => {
  let root: string;
  let local: LocalFileStorage;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'rto-files-'));
    local = new LocalFileStorage(path.join(root, 'files'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  fileStorageContract(() => local);

  it('writes into subfolders of its root and leaves no temporary files behind', async () => {
    await local.put('a/b/c.png', Buffer.from('png'), 'image/png');
    expect(await readdir(path.join(root, 'files', 'a', 'b'))).toEqual(['c.png']);
    expect(await readdir(path.join(root, 'files', '.tmp'))).toEqual([]);
  });

  it('does not write outside its root for a traversal key', async () => {
    await errorOf(local.put('../escaped.txt', Buffer.from('x'), 'text/plain'));
    expect(await readdir(root)).not.toContain('escaped.txt');
  });

  it('treats a folder as no file', async () => {
    await local.put('folder/inner.png', Buffer.from('x'), 'image/png');
    expect(await local.exists('folder')).toBe(false);
    expect((await errorOf(local.get('folder'))).code).toBe('FILE_NOT_FOUND');
  });

  describe('encrypted', () => {
    const encrypted = () => new EncryptedFileStorage(local, () => ring);
    fileStorageContract(encrypted);
    it('keeps no readable image on the disk', () => storedObjectsAreNoImages(encrypted, local));
  });

  it('is what createFileStorage makes for kind local', async () => {
    const storage = createFileStorage({ kind: 'local', root: path.join(root, 'files') });
    expect(storage).toBeInstanceOf(LocalFileStorage);
    await writeFile(path.join(root, 'files', 'direct.txt'), 'hello');
    expect((await storage.get('direct.txt')).toString()).toBe('hello');
  });
});

describe('S3FileStorage (against s3rver)', () => {
  let directory: string;
  let server: S3rverInstance;
  let s3: S3FileStorage;
  beforeAll(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'rto-s3-'));
    server = new S3rver({
      address: '127.0.0.1',
      port: 0,
      silent: true,
      directory,
      configureBuckets: [{ name: 'rto-files', configs: [] }],
    });
    const { port } = await server.run();
    const storage = createFileStorage({
      kind: 's3',
      endpoint: `http://127.0.0.1:${port}`,
      region: 'cn-north-1',
      bucket: 'rto-files',
      // s3rver's built-in account; it checks signatures made with it.
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
      forcePathStyle: true,
    });
    expect(storage).toBeInstanceOf(S3FileStorage);
    s3 = storage as S3FileStorage;
  });
  afterAll(async () => {
    s3?.close();
    await server?.close();
    await rm(directory, { recursive: true, force: true });
  });

  fileStorageContract(() => s3);

  describe('encrypted', () => {
    const encrypted = () => new EncryptedFileStorage(s3, () => ring);
    fileStorageContract(encrypted);
    it('keeps no readable image in the bucket', () => storedObjectsAreNoImages(encrypted, s3));
  });
});

const ring = keyRing(dataKeyFrom(Buffer.alloc(32, 5)));

/** A real JPEG and PNG go in; what the adapter underneath holds is neither, and reads back as the original. */
async function storedObjectsAreNoImages(encrypted: () => EncryptedFileStorage, raw: FileStorage) {
  const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#c33' } }).jpeg().toBuffer();
  const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#3c3' } }).png().toBuffer();
  await encrypted().put('identity/u1/portrait.jpg', jpeg, 'image/jpeg');
  await encrypted().put('applications/a1/photo.png', png, 'image/png');
  for (const [key, original] of [
    ['identity/u1/portrait.jpg', jpeg],
    ['applications/a1/photo.png', png],
  ] as const) {
    const stored = await raw.get(key);
    expect(stored.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]))).toBe(false);
    expect(stored.subarray(0, 4).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47]))).toBe(false);
    await expect(sharp(stored).metadata()).rejects.toThrow();
    expect((await encrypted().get(key)).equals(original)).toBe(true);
  }
}
