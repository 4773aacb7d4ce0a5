import { mkdtemp, readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.ts';
import { configuredDataKey, configuredSecretBox, dataKeyFile } from './secretBox.ts';

const hexKey = 'ab'.repeat(32);

describe('data key configuration', () => {
  it('refuses to start in production without RTO_DATA_KEY, naming it', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'production', RTO_DATA_KEY: '  ' })).toThrow(/RTO_DATA_KEY: required when NODE_ENV=production/);
    expect(loadConfig({ NODE_ENV: 'production', RTO_DATA_KEY: hexKey, IDENTITY_PROVIDER: 'manual' }).dataKey).toEqual(Buffer.from(hexKey, 'hex'));
  });

  it('refuses a malformed key in any environment', () => {
    for (const bad of ['abc', 'ab'.repeat(31), Buffer.alloc(16, 1).toString('base64'), 'zz'.repeat(32)]) {
      expect(() => loadConfig({ NODE_ENV: 'development', RTO_DATA_KEY: bad })).toThrow(/RTO_DATA_KEY: must be 32 bytes/);
    }
    const base64 = Buffer.alloc(32, 9).toString('base64');
    expect(loadConfig({ NODE_ENV: 'test', RTO_DATA_KEY: base64 }).dataKey).toEqual(Buffer.alloc(32, 9));
  });

  it('outside production without RTO_DATA_KEY keeps a key file under DATA_DIR, private and reused', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'rto-data-key-'));
    const config = loadConfig({ NODE_ENV: 'development', DATA_DIR: dataDir });
    expect(config.dataKey).toBeUndefined();
    const box = configuredSecretBox(config);
    // Nothing is written until a secret is sealed.
    await expect(stat(dataKeyFile(dataDir))).rejects.toThrow();
    const sealed = box.seal('staff.totp_secret', 'JBSWY3DPEHPK3PXP');
    const file = await stat(dataKeyFile(dataDir));
    expect(file.mode & 0o777).toBe(0o600);
    // A restart reads the same key and opens what was sealed before.
    expect(configuredSecretBox(loadConfig({ NODE_ENV: 'development', DATA_DIR: dataDir })).open('staff.totp_secret', sealed)).toBe('JBSWY3DPEHPK3PXP');
    expect(configuredDataKey(config).bytes).toEqual(Buffer.from((await readFile(dataKeyFile(dataDir), 'utf8')).trim(), 'base64'));
  });

  it('uses RTO_DATA_KEY over the key file when both exist', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'rto-data-key-'));
    const sealed = configuredSecretBox(loadConfig({ NODE_ENV: 'development', DATA_DIR: dataDir })).seal('p', 'x');
    const withKey = configuredSecretBox(loadConfig({ NODE_ENV: 'development', DATA_DIR: dataDir, RTO_DATA_KEY: hexKey }));
    expect(() => withKey.open('p', sealed)).toThrow(/sealed with data key/);
    expect(withKey.open('p', withKey.seal('p', 'x'))).toBe('x');
  });
});

describe('a data-key rotation (RTO_DATA_KEY_PREVIOUS)', () => {
  it('seals under the new key and still opens what the previous key sealed', () => {
    const before = configuredSecretBox(loadConfig({ NODE_ENV: 'test', RTO_DATA_KEY: hexKey }));
    const sealed = before.seal('staff.totp_secret', 'JBSWY3DPEHPK3PXP');
    const during = configuredSecretBox(loadConfig({ NODE_ENV: 'test', RTO_DATA_KEY: 'cd'.repeat(32), RTO_DATA_KEY_PREVIOUS: hexKey }));
    expect(during.open('staff.totp_secret', sealed)).toBe('JBSWY3DPEHPK3PXP');
    expect(during.seal('staff.totp_secret', 'x').split(':')[1]).toBe(during.ring().current.id);
    expect(during.ring().all.map((key) => key.id)).toEqual([during.ring().current.id, before.ring().current.id]);
  });

  it('refuses a malformed previous key, naming the variable', () => {
    expect(() => loadConfig({ NODE_ENV: 'test', RTO_DATA_KEY: hexKey, RTO_DATA_KEY_PREVIOUS: `${'ef'.repeat(32)},nope` })).toThrow(/RTO_DATA_KEY_PREVIOUS/);
    expect(loadConfig({ NODE_ENV: 'test', RTO_DATA_KEY: hexKey, RTO_DATA_KEY_PREVIOUS: `${'ef'.repeat(32)},${'01'.repeat(32)}` }).previousDataKeys).toHaveLength(2);
  });
});

describe('keyed hashes', () => {
  it('are stable for one key and purpose, and useless without the key', () => {
    const box = configuredSecretBox(loadConfig({ NODE_ENV: 'test', RTO_DATA_KEY: hexKey }));
    const otherKey = configuredSecretBox(loadConfig({ NODE_ENV: 'test', RTO_DATA_KEY: 'cd'.repeat(32) }));
    const hash = box.mac('sms_codes.code_hash', 'login\u000013800000001\u0000row\u0000123456');
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(box.mac('sms_codes.code_hash', 'login\u000013800000001\u0000row\u0000123456')).toBe(hash);
    // Someone with a copy of the table but another key (or none) cannot reproduce it.
    expect(otherKey.mac('sms_codes.code_hash', 'login\u000013800000001\u0000row\u0000123456')).not.toBe(hash);
    // Nor is a hash made for one purpose valid for another.
    expect(box.mac('other.purpose', 'login\u000013800000001\u0000row\u0000123456')).not.toBe(hash);
  });
});
