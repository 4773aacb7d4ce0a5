import { AppError } from '../errors.ts';

/**
 * Where uploaded materials, ID photos and rendered vouchers live. Keys are relative, slash-separated
 * names chosen by the server (e.g. `applications/7/materials/photo.jpg`), never a client's file name.
 */
export interface FileStorage {
  /** Stores `data` under `key`, replacing what was there; readers never see a partial file. */
  put(key: string, data: Buffer, contentType: string): Promise<void>;
  /** Throws AppError 404 FILE_NOT_FOUND when nothing is stored under `key`. */
  get(key: string): Promise<Buffer>;
  /** Removes `key`; removing a missing key is not an error. */
  delete(key: string): Promise<void>;
  exists(key: string): Promise<boolean>;
  /** Every stored key (in no particular order), for maintenance such as re-sealing under a new key. */
  keys(): AsyncIterable<string>;
}

export const fileNotFound = (key: string) =>
  new AppError(
    404,
    'FILE_NOT_FOUND',
    { zh: '文件不存在或已被删除', en: 'The file does not exist or has been deleted.' },
    { key },
  );

// Each segment starts with a letter, digit or underscore: no '.', '..', hidden or empty segments, no
// leading slash, no backslash — so a key can never leave the storage root or a bucket prefix.
const SEGMENT = '[A-Za-z0-9_][A-Za-z0-9._-]*';
const KEY_PATTERN = new RegExp(`^${SEGMENT}(?:/${SEGMENT})*$`);
const MAX_KEY_LENGTH = 512;

export function assertValidKey(key: string): void {
  if (key.length > MAX_KEY_LENGTH || !KEY_PATTERN.test(key)) {
    throw new AppError(
      400,
      'FILE_KEY_INVALID',
      { zh: '文件名无效', en: 'Invalid file name.' },
      { key: key.slice(0, 100) },
    );
  }
}
