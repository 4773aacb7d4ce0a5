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

  it('names its actions when given another', () => {
    const wrong = rto('delete');
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toMatch(/rto keys rotate \| rto keys list \| rto keys new-data-key \| rto keys reseal/);
  });
});

describe('rto keys reseal', () => {
  let dataDir: string;
  const run = (args: string[], env: Record<string, string>) =>
    spawnSync(process.execPath, [bin, ...args], { env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', S3_BUCKET: '', ...env }, encoding: 'utf8', timeout: 180_000 });

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'rto-reseal-cli-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('moves a database to a new data key with a progress bar and a final count, then has nothing left to do', () => {
    const oldKey = run(['keys', 'new-data-key'], {}).stdout.trim();
    const generated = run(['keys', 'new-data-key'], {});
    expect(generated.status).toBe(0);
    expect(generated.stderr).toMatch(/RTO_DATA_KEY_PREVIOUS/);
    const newKey = generated.stdout.trim();
    expect(Buffer.from(newKey, 'base64')).toHaveLength(32);
    expect(newKey).not.toBe(oldKey);

    expect(run(['seed'], { RTO_DATA_KEY: oldKey }).status).toBe(0);
    const moved = run(['keys', 'reseal'], { RTO_DATA_KEY: newKey, RTO_DATA_KEY_PREVIOUS: oldKey });
    expect(moved.status).toBe(0);
    expect(moved.stderr).toMatch(/database rows +\[[=\-█░ ]*\] 100% \| (\d+)\/\1/);
    const rows = Number(/Resealed under data key \S+: (\d+) rows/.exec(moved.stdout)?.[1]);
    expect(rows).toBeGreaterThan(20);
    expect(moved.stdout).toMatch(/[1-9]\d* secrets/);

    // The old key is no longer needed; a second run finds nothing to do.
    const again = run(['keys', 'reseal'], { RTO_DATA_KEY: newKey });
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/: 0 rows \(0 values\), 0 secrets/);
    // And the database is refused with the old key alone.
    const refused = run(['keys', 'reseal'], { RTO_DATA_KEY: oldKey });
    expect(refused.status).not.toBe(0);
  });
});
