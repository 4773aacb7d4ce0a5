import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/server/config.ts';
import { DataKeyMismatchError } from '../../src/server/secrets/keyFingerprint.ts';
import { startServer } from '../../src/server/start.ts';

const keyA = 'a1'.repeat(32);
const keyB = 'b2'.repeat(32);

const aliyun = {
  SMS_PROVIDER: 'aliyun',
  ALIYUN_SMS_ACCESS_KEY_ID: 'id',
  ALIYUN_SMS_ACCESS_KEY_SECRET: 'secret',
  ALIYUN_SMS_SIGN_NAME: 'sign',
  ALIYUN_SMS_TEMPLATE_LOGIN: 'SMS_1',
};

async function refusal(env: Record<string, string>): Promise<string> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'rto-refuse-'));
  const config = loadConfig({ NODE_ENV: 'production', DATA_DIR: dataDir, RTO_DATA_KEY: keyA, HOST: '127.0.0.1', PORT: '0', ...env });
  const error = await startServer(config).then(
    async (running) => {
      await running.stop();
      return undefined;
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).message;
}

describe('production refuses unsafe settings at start, each with a clear message', () => {
  it('the console SMS provider (it writes login codes into the log)', async () => {
    const message = await refusal({ PUBLIC_BASE_URL: 'https://rto.example.gov.cn' });
    expect(message).toMatch(/SMS_PROVIDER/);
    expect(message).toMatch(/login codes/);
    expect(message).not.toMatch(/PUBLIC_BASE_URL/);
  });

  it('no PUBLIC_BASE_URL (the Host header would go into verify links and QR codes)', async () => {
    const message = await refusal({ ...aliyun });
    expect(message).toMatch(/PUBLIC_BASE_URL/);
    expect(message).toMatch(/Host header/);
    expect(message).not.toMatch(/SMS_PROVIDER/);
  });

  it('both at once are both named', async () => {
    const message = await refusal({});
    expect(message).toMatch(/SMS_PROVIDER/);
    expect(message).toMatch(/PUBLIC_BASE_URL/);
  });

  it('the API docs are off in production unless API_DOCS=1, on elsewhere', () => {
    const base = { NODE_ENV: 'production', RTO_DATA_KEY: keyA };
    expect(loadConfig(base).apiDocs).toBe(false);
    expect(loadConfig({ ...base, API_DOCS: '1' }).apiDocs).toBe(true);
    expect(loadConfig({ NODE_ENV: 'development' }).apiDocs).toBe(true);
  });
});

describe('an instance whose data key differs from the one the database was sealed with', () => {
  it('is refused at start, and the right key still starts', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'rto-fingerprint-'));
    const env = { NODE_ENV: 'test', DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: '0', SEED_DEMO: '0' };
    const first = await startServer(loadConfig({ ...env, RTO_DATA_KEY: keyA }));
    await first.stop();

    const error = await startServer(loadConfig({ ...env, RTO_DATA_KEY: keyB })).then(
      async (running) => {
        await running.stop();
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DataKeyMismatchError);
    expect((error as Error).message).toMatch(/RTO_DATA_KEY: this is not the data key the database was sealed with/);

    const again = await startServer(loadConfig({ ...env, RTO_DATA_KEY: keyA }));
    await again.stop();
  });
});
