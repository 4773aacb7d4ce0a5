import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { assertValidKey, fileNotFound, type FileStorage } from './fileStorage.ts';

/** Temporary files live here; keys cannot start with '.', so this folder is never a key. */
const TEMP_FOLDER = '.tmp';

/**
 * Files in a folder on the local disk (development and single-instance installs). The content type is
 * not kept: callers store it with the file's record.
 */
export class LocalFileStorage implements FileStorage {
  private readonly root: string;

  constructor(rootDir: string) {
    this.root = path.resolve(rootDir);
  }

  private pathOf(key: string): string {
    assertValidKey(key);
    const resolved = path.resolve(this.root, key);
    // The key pattern already rules out traversal; this guards the guard.
    if (!resolved.startsWith(this.root + path.sep)) throw fileNotFound(key);
    return resolved;
  }

  async put(key: string, data: Buffer, _contentType: string): Promise<void> {
    const target = this.pathOf(key);
    const tempFolder = path.join(this.root, TEMP_FOLDER);
    await Promise.all([mkdir(path.dirname(target), { recursive: true }), mkdir(tempFolder, { recursive: true })]);
    const temp = path.join(tempFolder, `${randomBytes(12).toString('hex')}.part`);
    // Write, flush to disk, then rename: a crash or a concurrent reader never sees half a file.
    const handle = await open(temp, 'wx', 0o640);
    try {
      await handle.writeFile(data);
      await handle.datasync();
    } finally {
      await handle.close();
    }
    try {
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  async get(key: string): Promise<Buffer> {
    const file = this.pathOf(key);
    try {
      return await readFile(file);
    } catch (error) {
      if (isMissing(error)) throw fileNotFound(key);
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    const file = this.pathOf(key);
    try {
      if (!(await stat(file)).isFile()) return;
    } catch (error) {
      if (isMissing(error)) return;
      throw error;
    }
    await rm(file, { force: true });
  }

  async *keys(): AsyncIterable<string> {
    let entries;
    try {
      entries = await readdir(this.root, { recursive: true, withFileTypes: true });
    } catch (error) {
      if (isMissing(error)) return;
      throw error;
    }
    for (const entry of entries) {
      if (!entry.isFile()) continue;
      const key = path.relative(this.root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/');
      if (key.startsWith(`${TEMP_FOLDER}/`)) continue;
      yield key;
    }
  }

  async exists(key: string): Promise<boolean> {
    const file = this.pathOf(key);
    try {
      return (await stat(file)).isFile();
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  // EISDIR/ENOTDIR: the key names a folder, or passes through a file; either way no such file.
  return code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR';
}
