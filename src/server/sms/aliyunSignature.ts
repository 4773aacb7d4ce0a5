import { createHmac } from 'node:crypto';

/**
 * Aliyun RPC API signature, version 1.0 (HMAC-SHA1), as documented for Dysmsapi:
 * StringToSign = METHOD & percentEncode('/') & percentEncode(canonicalized query),
 * Signature = base64(HMAC-SHA1(AccessKeySecret + '&', StringToSign)).
 */

/** RFC 3986 encoding: only A–Z a–z 0–9 - _ . ~ stay as they are; space is %20; UTF-8 bytes as %XY. */
export function aliyunPercentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Parameters sorted by name (byte order), names and values encoded, joined with '&'. Signature is excluded. */
export function aliyunCanonicalQuery(params: Record<string, string>): string {
  return Object.keys(params)
    .filter((name) => name !== 'Signature')
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((name) => `${aliyunPercentEncode(name)}=${aliyunPercentEncode(params[name] ?? '')}`)
    .join('&');
}

export function aliyunStringToSign(params: Record<string, string>, method = 'GET'): string {
  return `${method}&${aliyunPercentEncode('/')}&${aliyunPercentEncode(aliyunCanonicalQuery(params))}`;
}

export function aliyunSignature(params: Record<string, string>, accessKeySecret: string, method = 'GET'): string {
  return createHmac('sha1', `${accessKeySecret}&`).update(aliyunStringToSign(params, method), 'utf8').digest('base64');
}

/** The query string to send: the signature first, then the canonicalized parameters. */
export function aliyunSignedQuery(params: Record<string, string>, accessKeySecret: string, method = 'GET'): string {
  const signature = aliyunSignature(params, accessKeySecret, method);
  return `Signature=${aliyunPercentEncode(signature)}&${aliyunCanonicalQuery(params)}`;
}
