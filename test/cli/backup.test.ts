import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/server/db/client.ts';
import { checkDataKeyFingerprint } from '../../src/server/secrets/keyFingerprint.ts';
import { seedDemoData } from '../../src/server/seed/demo.ts';
import { TEST_DATA_KEY_HEX, testSecrets } from '../helpers/dataKey.ts';

const bin = path.resolve('bin/rto.mjs');
const rto = (args: string[], env: Record<string, string>) =>
  spawnSync(process.execPath, [bin, ...args], { env: { ...process.env, NODE_ENV: 'development', ...env }, encoding: 'utf8', timeout: 120_000 });

describe('rto backup and rto restore', () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'rto-cli-backup-'));
    // A system that has run: migrated, its data key recorded, demo data in it.
    const handle = await openDatabase({ dataDir: path.join(work, 'source', 'db') });
    await handle.migrate();
    await checkDataKeyFingerprint(handle.db, testSecrets);
    await seedDemoData(handle.db, testSecrets);
    await handle.close();
  }, 120_000);
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('backs up an embedded database and restores it into an empty data directory; refuses a second restore and another key', { timeout: 240_000 }, () => {
    const out = path.join(work, 'backup');
    const backup = rto(['backup', '--out', out], { DATA_DIR: path.join(work, 'source'), RTO_DATA_KEY: TEST_DATA_KEY_HEX });
    expect(backup.stderr + backup.stdout).toMatch(/Backup written to/);
    expect(backup.status).toBe(0);
    expect(backup.stdout).toMatch(/Keep RTO_DATA_KEY apart/);

    const noKey = rto(['restore', out], { DATA_DIR: path.join(work, 'keyless') });
    expect(noKey.status).toBe(1);
    expect(noKey.stderr).toMatch(/Set RTO_DATA_KEY/);
    const wrongKey = rto(['restore', out], { DATA_DIR: path.join(work, 'wrong'), RTO_DATA_KEY: 'b'.repeat(64) });
    expect(wrongKey.status).toBe(1);
    expect(wrongKey.stderr).toMatch(/RTO_DATA_KEY: the configured data key is not the one/);

    const restore = rto(['restore', out], { DATA_DIR: path.join(work, 'target'), RTO_DATA_KEY: TEST_DATA_KEY_HEX });
    expect(restore.stderr + restore.stdout).toMatch(/every checksum verified/);
    expect(restore.status).toBe(0);
    const again = rto(['restore', out], { DATA_DIR: path.join(work, 'target'), RTO_DATA_KEY: TEST_DATA_KEY_HEX });
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/not empty/);
  });

  it('the restored system is the backed-up one: seeding finds its demo data already there', async () => {
    const seed = rto(['seed'], { DATA_DIR: path.join(work, 'target'), RTO_DATA_KEY: TEST_DATA_KEY_HEX });
    expect(seed.stdout).toMatch(/already loaded/);
    const manifest = JSON.parse(await readFile(path.join(work, 'backup', 'manifest.json'), 'utf8')) as { tables: Record<string, number> };
    expect(manifest.tables.users).toBeGreaterThan(3);
  }, 120_000);
});
