/** Sealing a payload into a token: prefix (version 2) + base64url(payload || SM2 signature of prefix || payload). */
import { sm2Sign } from './sm2Signature.ts';
import { signedBytesFor, tokenText } from './tokenEncoding.ts';

export function sealSigned(
  payload: Uint8Array,
  key: { privateKeyHex: string; publicKeyHex?: string },
  options: { deterministicNonce?: boolean; version?: 1 | 2 } = {},
): string {
  const version = options.version ?? 2;
  const signature = sm2Sign(signedBytesFor(version, payload), key.privateKeyHex, {
    ...(key.publicKeyHex ? { publicKeyHex: key.publicKeyHex } : {}),
    ...(options.deterministicNonce ? { deterministicNonce: true } : {}),
  });
  const bytes = new Uint8Array(payload.length + signature.length);
  bytes.set(payload);
  bytes.set(signature, payload.length);
  return tokenText(version, bytes);
}
