import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The reference contents a rendering is compared with. UPDATE_GOLDEN=1 (re)writes the file from
 * `actual`; otherwise a missing file is a failure, never a silent pass that writes it.
 */
export function golden(path: string, actual: Buffer): Buffer;
export function golden(path: string, actual: string): string;
export function golden(path: string, actual: Buffer | string): Buffer | string {
  if (process.env['UPDATE_GOLDEN'] === '1') {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
  }
  if (!existsSync(path)) throw new Error(`The reference file ${path} is missing; run the test with UPDATE_GOLDEN=1 to write it, check it by eye and commit it`);
  return typeof actual === 'string' ? readFileSync(path, 'utf8') : readFileSync(path);
}
