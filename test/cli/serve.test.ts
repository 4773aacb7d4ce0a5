import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = path.resolve('bin/rto.mjs');

function rto(args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 });
}

describe('the rto command', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'rto-cli-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('explains itself and each command', () => {
    const general = rto(['--help'], {});
    expect(general.status).toBe(0);
    expect(general.stdout).toMatch(/serve/);
    expect(general.stdout).toMatch(/migrate/);
    expect(general.stdout).toMatch(/seed/);
    const serve = rto(['serve', '--help'], {});
    expect(serve.status).toBe(0);
    expect(serve.stdout).toMatch(/Usage: rto serve/);
    expect(rto(['frobnicate'], {}).status).toBe(2);
  });

  it('refuses to start on a bad setting and names the variable', () => {
    const result = rto(['migrate'], { PORT: 'eighty', DATA_DIR: dataDir });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/PORT/);
  });

  it('refuses to serve in production with identities bound on local rules alone', () => {
    const result = rto(['serve'], { DATA_DIR: dataDir, NODE_ENV: 'production', RTO_DATA_KEY: 'a'.repeat(64), IDENTITY_PROVIDER: '' });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/IDENTITY_PROVIDER: 'local' checks no identity outside this server/);
    expect(result.stderr).toMatch(/IDENTITY_PROVIDER=manual/);
  });

  it('serves, stops cleanly on Ctrl-C, and seeds demo data only once', async () => {
    const child = spawn(process.execPath, [bin, 'serve'], {
      env: { ...process.env, DATA_DIR: dataDir, PORT: '0', NODE_ENV: 'development', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no start banner:\n${output}`)), 90_000);
      child.stdout.on('data', () => {
        const match = /API\s+(http:\/\/\S+)\/api\/v1/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
    });
    expect(output).toMatch(/bj-handler/);
    expect(output).toMatch(/13800000001/);
    const health = await fetch(`${url}/api/v1/health`);
    expect(health.status).toBe(200);
    const provinces = (await (await fetch(`${url}/api/v1/provinces`)).json()) as { provinces: unknown[] };
    expect(provinces.provinces).toHaveLength(32);

    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exit).toBe(0);

    // The database was closed cleanly: it opens again and already holds the demo data.
    const seed = rto(['seed'], { DATA_DIR: dataDir });
    expect(seed.status).toBe(0);
    expect(seed.stdout).toMatch(/already loaded/);
  });

  it('never loads demo data in production', () => {
    const result = rto(['seed'], { DATA_DIR: dataDir, NODE_ENV: 'production', RTO_DATA_KEY: 'a'.repeat(64), IDENTITY_PROVIDER: 'manual' });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/never loaded in production/);
  });
});
