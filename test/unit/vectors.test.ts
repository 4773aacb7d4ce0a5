/**
 * Every voucher test vector in test/vectors must give its expected verdict, the files must be what
 * scripts/make-vectors.ts produces today, and the signatures must hold up in a second, independent SM2
 * implementation (the OpenSSL 3 command line) both ways.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildVectors, vectorFileContents, vectorsDir, type VoucherVector } from '../../scripts/make-vectors.ts';
import { verifySignedToken } from '../../src/domain/certificateToken.ts';
import { openStatusList, STATUS_LIST_MIN_ENTRIES } from '../../src/domain/statusList.ts';
import { applyVoucherStatus, decodeVoucherToken, sm2Verify, verifyVoucherToken } from '../../src/domain/voucherToken.ts';

const files = readdirSync(vectorsDir).filter((f) => f.endsWith('.json')).sort();
const vectors = files.map((f) => ({ file: f, vector: JSON.parse(readFileSync(join(vectorsDir, f), 'utf8')) as VoucherVector }));

describe('voucher test vectors', () => {
  it('cover every case the verifiers must tell apart', () => {
    const names = vectors.map((v) => v.vector.name);
    for (const required of [
      'valid',
      'tampered-payload',
      'tampered-signature',
      'wrong-key-id',
      'unknown-key',
      'before-issue',
      'expired',
      'revoked',
      'superseded',
      'malformed-base64',
      'truncated',
      'valid-per-list',
      'revoked-per-list',
      'superseded-per-list',
      'stale-list',
      'list-signature-tampered',
      'list-unknown-key',
      'unsupported-version',
    ]) {
      expect(names).toContain(required);
    }
  });

  it.each(vectors.filter((v) => v.vector.statusRecord !== undefined))('$file gives its expected verdict with the status record', ({ vector }) => {
    const verification = verifyVoucherToken(vector.token, vector.keySet, { today: vector.today });
    const result = applyVoucherStatus(verification, vector.statusRecord ?? null);
    expect(result.verdict).toBe(vector.expected.status);
    expect(result.reason).toBe(vector.expected.reason);
    if (vector.expected.claims) expect(result.claims).toEqual(vector.expected.claims);
    expect(result.message.zh.length).toBeGreaterThan(0);
    expect(result.message.en.length).toBeGreaterThan(0);
  });

  it.each(vectors)('$file gives its expected verdict in the offline verifier', ({ vector }) => {
    const result = verifySignedToken(vector.token, vector.keySet, {
      today: vector.today,
      ...(vector.now ? { now: Date.parse(vector.now) } : {}),
      ...(vector.statusList ? { statusList: openStatusList(vector.statusList, vector.keySet) } : { status: vector.statusRecord ?? null }),
    });
    expect(result.verdict).toBe(vector.expected.status);
    expect(result.reason).toBe(vector.expected.reason);
    if (vector.expected.claims) expect('claims' in result && result.claims).toEqual(vector.expected.claims);
    expect(result.statusAsOf).toBe(vector.expected.statusAsOf);
    expect(result.statusList).toBe(vector.expected.statusList);
  });

  it('status lists are padded to at least 131 072 entries and compressed', () => {
    for (const { vector } of vectors.filter((v) => v.vector.statusList)) {
      expect(vector.statusList!.entries).toBe(STATUS_LIST_MIN_ENTRIES);
      // 32 KB of bits, nearly all clear, compress to well under a kilobyte.
      expect(vector.statusList!.encodedList.length).toBeLessThan(1024);
    }
  });

  it('are exactly what scripts/make-vectors.ts generates (run it after changing the format)', () => {
    const built = buildVectors();
    expect(built.map((v) => `${v.name}.json`).sort()).toEqual(files);
    for (const vector of built) {
      expect(readFileSync(join(vectorsDir, `${vector.name}.json`), 'utf8'), vector.name).toBe(vectorFileContents(vector));
    }
  });
});

// A second, independent SM2 implementation: the OpenSSL 3 command line (package `openssl` on Debian).
const opensslSm2 = (() => {
  try {
    return /^OpenSSL 3/.test(execFileSync('openssl', ['version'], { encoding: 'utf8' }));
  } catch {
    return false;
  }
})();

// CI installs OpenSSL 3 (.ci/run): there a missing command line fails instead of skipping the cross-check.
if (!opensslSm2 && process.env.CI === 'true') {
  describe('interoperability with OpenSSL 3', () => {
    it('needs the OpenSSL 3 command line (CI=true)', () => {
      throw new Error('`openssl version` does not answer OpenSSL 3: install the Debian package `openssl`');
    });
  });
}

describe.skipIf(!opensslSm2)('interoperability with OpenSSL 3', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rto-sm2-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const valid = vectors.find((v) => v.vector.name === 'valid')!.vector;
  const key = valid.testKeys.keys.find((k) => k.kid === decodeVoucherToken(valid.token).claims.kid)!;
  const SM2_OID = '06082a811ccf5501822d';
  writeFileSync(join(dir, 'pub.pem'), pem('PUBLIC KEY', `3059301306072a8648ce3d0201${SM2_OID}034200${key.publicKeyHex}`));
  writeFileSync(
    join(dir, 'key.pem'),
    pem('EC PRIVATE KEY', `30770201010420${key.privateKeyHex}a00a${SM2_OID}a144034200${key.publicKeyHex}`),
  );
  const sm2Args = (distid: string) => ['-rawin', '-digest', 'sm3', '-pkeyopt', `distid:${distid}`];
  const opensslVerify = (message: Uint8Array, derSignature: Buffer, distid = '1234567812345678'): boolean => {
    writeFileSync(join(dir, 'msg'), message);
    writeFileSync(join(dir, 'sig'), derSignature);
    try {
      const args = ['pkeyutl', '-verify', '-pubin', '-inkey', join(dir, 'pub.pem'), '-in', join(dir, 'msg'), '-sigfile', join(dir, 'sig')];
      return /Signature Verified Successfully/.test(execFileSync('openssl', [...args, ...sm2Args(distid)], { encoding: 'utf8', stdio: 'pipe' }));
    } catch {
      return false;
    }
  };

  it('OpenSSL verifies the valid vector and rejects the tampered ones', () => {
    const { signedBytes, signature } = decodeVoucherToken(valid.token);
    expect(opensslVerify(signedBytes, rawToDer(signature))).toBe(true);
    // The standard default user ID is the one signed with: another ID fails.
    expect(opensslVerify(signedBytes, rawToDer(signature), 'ALICE123@YAHOO.COM')).toBe(false);
    for (const name of ['tampered-payload', 'tampered-signature']) {
      const tampered = decodeVoucherToken(vectors.find((v) => v.vector.name === name)!.vector.token);
      expect(opensslVerify(tampered.signedBytes, rawToDer(tampered.signature)), name).toBe(false);
    }
  });

  it('we verify what OpenSSL signs with the same key', () => {
    const message = Buffer.from('道路运输驾驶员诚信考核凭证', 'utf8');
    writeFileSync(join(dir, 'msg2'), message);
    const signArgs = ['pkeyutl', '-sign', '-inkey', join(dir, 'key.pem'), '-in', join(dir, 'msg2'), '-out', join(dir, 'sig2')];
    execFileSync('openssl', [...signArgs, ...sm2Args('1234567812345678')], { stdio: 'pipe' });
    const raw = derToRaw(readFileSync(join(dir, 'sig2')));
    expect(sm2Verify(message, raw, key.publicKeyHex)).toBe(true);
    expect(sm2Verify(Buffer.from('道路运输驾驶员诚信考核凭证!', 'utf8'), raw, key.publicKeyHex)).toBe(false);
  });
});

function pem(label: string, hex: string): string {
  const b64 = Buffer.from(hex, 'hex').toString('base64');
  return `-----BEGIN ${label}-----\n${b64.match(/.{1,64}/g)!.join('\n')}\n-----END ${label}-----\n`;
}

/** r || s (32 bytes each) → DER SEQUENCE { INTEGER r, INTEGER s }. Lengths here are always < 128. */
function rawToDer(raw: Uint8Array): Buffer {
  const int = (b: Buffer): Buffer => {
    let v = b;
    while (v.length > 1 && v[0] === 0 && v[1]! < 0x80) v = v.subarray(1);
    if (v[0]! >= 0x80) v = Buffer.concat([Buffer.from([0]), v]);
    return Buffer.concat([Buffer.from([0x02, v.length]), v]);
  };
  const buf = Buffer.from(raw);
  const body = Buffer.concat([int(buf.subarray(0, 32)), int(buf.subarray(32))]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

function derToRaw(der: Buffer): Buffer {
  let offset = 2;
  const ints: Buffer[] = [];
  for (let i = 0; i < 2; i++) {
    const len = der[offset + 1]!;
    const value = der.subarray(offset + 2, offset + 2 + len);
    const trimmed = value.subarray(value.length - Math.min(value.length, 32));
    ints.push(Buffer.concat([Buffer.alloc(32 - trimmed.length), trimmed]));
    offset += 2 + len;
  }
  return Buffer.concat(ints);
}
