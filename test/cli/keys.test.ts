import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = path.resolve('bin/rto.mjs');

describe('rto keys', () => {
  let dataDir: string;
  const rto = (...args: string[]) =>
    spawnSync(process.execPath, [bin, 'keys', ...args], { env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '' }, encoding: 'utf8', timeout: 120_000 });

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'rto-keys-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('rotates the signing key and lists the retired one as still published', () => {
    expect(rto('list').stdout).toMatch(/No signing key yet/);

    const first = rto('rotate');
    expect(first.status).toBe(0);
    const firstKid = first.stdout.trim();
    expect(firstKid).toMatch(/^[0-9a-f]{10}$/);

    const second = rto('rotate');
    expect(second.status).toBe(0);
    const secondKid = second.stdout.trim();
    expect(secondKid).not.toBe(firstKid);
    expect(second.stderr).toContain(`${firstKid} retired`);

    const list = rto('list');
    expect(list.status).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`${secondKid} .*ACTIVE`));
    expect(list.stdout).toMatch(new RegExp(`${firstKid} .*retired`));
  });

  it('names its two actions when given another', () => {
    const wrong = rto('delete');
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toMatch(/rto keys rotate \| rto keys list/);
  });
});
