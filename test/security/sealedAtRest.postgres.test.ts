import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/server/config.ts';
import { demoIdNumber, demoPeople } from '../../src/server/seed/demo.ts';
import { startServer, type RunningServer } from '../../src/server/start.ts';
import { findUserByPhone } from '../../src/server/auth/accounts.ts';
import { certificateOf, submittedDraft } from '../helpers/applications.ts';
import { loginDriver } from '../helpers/driverLogin.ts';
import { TEST_DATA_KEY_HEX } from '../helpers/dataKey.ts';

const baseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function postgresAnswers(): Promise<boolean> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: baseUrl, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    if (!process.env.CI) console.warn(`pg_dump check skipped: no PostgreSQL answers at ${baseUrl} (required when CI is set).`);
    return false;
  }
}

const available = await postgresAnswers();

/**
 * What a DBA, or whoever holds a stolen backup, sees: a real `pg_dump` of a running system on
 * PostgreSQL, after drivers logged in and filled in an application, holds none of their phones, ID
 * numbers, names or addresses in clear (stored files: storage/fileStorage.test.ts).
 */
describe.runIf(available || process.env.CI)('a database dump of a running system', () => {
  const name = `rto_dump_${randomBytes(4).toString('hex')}`;
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  let dataDir: string;
  let server: RunningServer;

  beforeAll(async () => {
    const { default: pg } = await import('pg');
    const admin = new pg.Client({ connectionString: baseUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'rto-dump-'));
    server = await startServer(
      loadConfig({ NODE_ENV: 'development', DATA_DIR: dataDir, DATABASE_URL: url.toString(), RTO_DATA_KEY: TEST_DATA_KEY_HEX, PORT: '0', LOG_LEVEL: 'silent' }),
    );
    // Drivers use the system: SMS codes, sessions, an application form with their details.
    for (const person of demoPeople.filter((p) => p.phone).slice(0, 3)) await loginDriver(server.app, person.phone!);
    const wang = (await findUserByPhone(server.database.db, demoPeople[0]!.phone!))!;
    const certificate = await certificateOf(server.database.db, wang.id);
    await submittedDraft(server.database.db, {
      userId: wang.id,
      certificateId: certificate.id,
      business: 'change',
      variant: 'service_unit',
      personalInfo: { name: wang.name, phone: wang.phone, address: wang.address, idNumber: wang.idNumber, workUnit: '北京新运物流有限公司' },
      at: new Date(),
    });
  }, 180_000);

  afterAll(async () => {
    await server?.stop();
    const { default: pg } = await import('pg');
    const admin = new pg.Client({ connectionString: baseUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('contains no driver phone, ID number, name or address in clear text', async () => {
    const dump = execFileSync('pg_dump', ['--no-owner', '--data-only', url.toString()], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    // The dump is real: the tables and their rows are in it.
    expect(dump).toMatch(/COPY public\.users /);
    expect(dump).toMatch(/COPY public\.certificates /);
    expect(dump).toMatch(/COPY public\.applications /);
    expect(dump).toMatch(/\ts1:[A-Za-z0-9_-]{8}:/);
    const leaks: string[] = [];
    for (const person of demoPeople) {
      const secrets = [demoIdNumber(person), person.name, person.address, ...(person.phone ? [person.phone] : [])];
      for (const secret of secrets) if (dump.includes(secret)) leaks.push(secret);
    }
    expect(leaks).toEqual([]);
    // Its birth date neither (a date next to nothing else is not much, but it is sealed too).
    expect(dump).not.toContain(demoPeople[0]!.birthDate);
  });

  it('finds the registry by ID number on PostgreSQL through the blind index', async () => {
    const wang = (await findUserByPhone(server.database.db, demoPeople[0]!.phone!))!;
    expect(wang.idNumber).toBe(demoIdNumber(demoPeople[0]!));
    expect((await certificateOf(server.database.db, wang.id)).holderName).toBe(demoPeople[0]!.name);
  });
});
