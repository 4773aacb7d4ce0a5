/**
 * SM2 signatures with SM3 digest and the standard default user ID "1234567812345678" (GB/T 32918.2 /
 * GM/T 0003.2: e = SM3(Z_A || M)), as r || s (64 bytes), for every signed document of this system:
 * tokens, the status list and the trust list. OpenSSL (`pkeyutl -digest sm3 -pkeyopt
 * distid:1234567812345678`) and sm-crypto verify them unchanged. Pure: Uint8Array, no Node-only APIs.
 */
import { sm2, sm3 } from 'sm-crypto-v2';
import { bytesToHex, hexToBytes, SIGNATURE_LENGTH } from './tokenEncoding.ts';

/** The standard default user ID (GB/T 32918.2, ENTL = 128 bits). */
export const SM2_DEFAULT_USER_ID = '1234567812345678';
/** Order of the SM2 recommended curve's base point (GB/T 32918.5). */
const SM2_N = BigInt('0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123');

export interface SigningKey {
  kid: string;
  publicKeyHex: string;
  privateKeyHex: string;
}

function normalizePublicKeyHex(publicKeyHex: string): string {
  const hex = publicKeyHex.toLowerCase();
  if (!/^[0-9a-f]+$/.test(hex)) throw new Error('public key is not hex');
  // Accept raw x||y as well as SEC1 04||x||y and compressed 02/03||x.
  const full = hex.length === 128 ? `04${hex}` : hex;
  if (!sm2.verifyPublicKey(full)) throw new Error('public key is not on the SM2 curve');
  return full.length === 130 ? full : sm2.precomputePublicKey(full).toHex(false);
}

/** e = SM3(Z_A || M), the value SM2 actually signs (GB/T 32918.2 §6.1). */
function messageDigest(message: Uint8Array, publicKeyHex: string): string {
  return sm2.getHash(message, publicKeyHex, SM2_DEFAULT_USER_ID);
}

/**
 * Nonce derived from the private key and digest (in the spirit of RFC 6979, with HMAC-SM3), so that the
 * same claims and key always give the same token. Only used where reproducible output is wanted.
 */
function deterministicPoint(privateKeyHex: string, digestHex: string): { k: bigint; x1: bigint } {
  for (let counter = 0; ; counter++) {
    const mac = sm3(hexToBytes(`${digestHex}${counter.toString(16).padStart(8, '0')}`), {
      key: hexToBytes(privateKeyHex),
    });
    const k = (BigInt(`0x${mac}`) % (SM2_N - 1n)) + 1n;
    const kG = sm2.getPublicKeyFromPrivateKey(k.toString(16).padStart(64, '0'));
    const x1 = BigInt(`0x${kG.slice(2, 66)}`);
    if (x1 !== 0n) return { k, x1 };
  }
}

/** Signs `message` with SM2/SM3 and the default user ID; returns r || s (64 bytes). */
export function sm2Sign(
  message: Uint8Array,
  privateKeyHex: string,
  options: { publicKeyHex?: string; deterministicNonce?: boolean } = {},
): Uint8Array {
  const publicKeyHex = options.publicKeyHex ?? sm2.getPublicKeyFromPrivateKey(privateKeyHex);
  const e = messageDigest(message, normalizePublicKeyHex(publicKeyHex));
  const signatureHex = sm2.doSignature(hexToBytes(e), privateKeyHex, {
    hash: false,
    der: false,
    ...(options.deterministicNonce ? { pointPool: [deterministicPoint(privateKeyHex, e)] } : {}),
  });
  return hexToBytes(signatureHex);
}

const precomputed = new Map<string, ReturnType<typeof sm2.precomputePublicKey>>();

/** Verifies an r || s SM2/SM3 signature with the default user ID. Throws if the public key is unusable. */
export function sm2Verify(message: Uint8Array, signature: Uint8Array, publicKeyHex: string): boolean {
  if (signature.length !== SIGNATURE_LENGTH) return false;
  const r = BigInt(`0x${bytesToHex(signature.subarray(0, 32))}`);
  const s = BigInt(`0x${bytesToHex(signature.subarray(32))}`);
  // The library does not range-check; the standard requires r, s ∈ [1, n-1].
  if (r === 0n || s === 0n || r >= SM2_N || s >= SM2_N) return false;
  const key = normalizePublicKeyHex(publicKeyHex);
  let point = precomputed.get(key);
  if (!point) {
    point = sm2.precomputePublicKey(key);
    if (precomputed.size > 64) precomputed.clear();
    precomputed.set(key, point);
  }
  const e = messageDigest(message, key);
  return sm2.doVerifySignature(hexToBytes(e), bytesToHex(signature), point, { hash: false, der: false });
}

/** Short stable key id: the first 10 hex digits of SM3 over the uncompressed public key. */
export function keyIdFor(publicKeyHex: string): string {
  return sm3(hexToBytes(normalizePublicKeyHex(publicKeyHex))).slice(0, 10);
}

export function generateSigningKey(): SigningKey {
  const { publicKey, privateKey } = sm2.generateKeyPairHex();
  return { kid: keyIdFor(publicKey), publicKeyHex: publicKey, privateKeyHex: privateKey };
}
