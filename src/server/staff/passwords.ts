import { hash, verify } from '@node-rs/argon2';

/** Argon2id (memory-hard) with the library's defaults: 19 MiB, 2 passes — OWASP's minimum recommendation. */
export const hashPassword = (password: string): Promise<string> => hash(password);

export async function passwordMatches(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}
