import { spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { loginDriver } from '../helpers/driverLogin.ts';
import { acceptedCreditAssessment, approveWithVoucher } from '../helpers/applications.ts';

function rto(args: string[]) {
  return spawnSync(process.execPath, ['bin/rto.mjs', ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, NODE_ENV: 'test' } });
}

describe('rto verify (offline)', () => {
  let t: TestApp;
  let dir: string;
  let token: string;

  beforeAll(async () => {
    // The command checks dates against the real today, so the voucher is issued on the real clock.
    t = await createTestApp({ env: { PUBLIC_BASE_URL: 'https://rto.example.cn' } });
    t.clock.set(new Date());
    const driver = await loginDriver(t.app, '13800000001');
    const application = await acceptedCreditAssessment(t.database.db, driver.userId, t.clock.now());
    const voucher = await approveWithVoucher(t.database.db, application, 'AAA', t.clock.now());
    token = voucher.token;
    dir = await mkdtemp(path.join(os.tmpdir(), 'rto-verify-'));
    const png = await t.app.inject({ method: 'GET', url: `/api/v1/applications/${application.id}/voucher.png`, headers: driver.headers });
    await writeFile(path.join(dir, 'voucher.png'), png.rawPayload);
    const keys = await t.app.inject({ method: 'GET', url: '/.well-known/rto-keys.json' });
    await writeFile(path.join(dir, 'keys.json'), keys.body);
    const status = await t.app.inject({ method: 'GET', url: '/.well-known/rto-status.json' });
    await writeFile(path.join(dir, 'status.json'), status.body);
  });
  afterAll(async () => {
    await t.close();
  });

  it('reads the QR from the voucher picture and finds the signature genuine (exit 0)', () => {
    const run = rto(['verify', path.join(dir, 'voucher.png'), '--offline', '--keys', path.join(dir, 'keys.json')]);
    expect(run.stderr).toBe('');
    expect(run.status, run.stdout).toBe(0);
    expect(run.stdout).toContain('签名真实');
    expect(run.stdout).toContain('The signature is genuine');
    expect(run.stdout).toContain('authentic_unchecked');
    expect(run.stdout).toContain('AAA');
  });

  it('answers from a saved status list: valid, with the time the status is as of', () => {
    const run = rto(['verify', token, '--offline', '--keys', path.join(dir, 'keys.json'), '--status', path.join(dir, 'status.json')]);
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('verdict: valid');
    expect(run.stdout).toMatch(/状态截至 status as of: \d{4}-\d\d-\d\dT/);
    expect(run.stdout).toContain('trust list:   signed');
  });

  it('rejects a tampered token (exit 1) and explains how to run offline', () => {
    const i = token.length - 20;
    const tampered = token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1);
    const run = rto(['verify', `https://rto.example.cn/v/${tampered}`, '--keys', path.join(dir, 'keys.json')]);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('凭证内容或签名被篡改');
    expect(run.stdout).toContain('verdict: invalid (tampered)');

    const missingKeys = rto(['verify', token, '--offline']);
    expect(missingKeys.status).toBe(2);
    expect(rto(['verify', '--help']).stdout).toContain('--offline');
  });
});
