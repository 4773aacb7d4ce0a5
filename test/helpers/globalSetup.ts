import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/server/db/client.ts';
import { seedDemoData } from '../../src/server/seed/demo.ts';
import { testSecrets } from './dataKey.ts';

/**
 * Builds two migrated database templates once per run — empty and with demo data — so each test file
 * starts from a fresh copy in about a second instead of running initdb and migrations itself.
 * PGlite: data-dir dumps in a temp folder. PostgreSQL (TEST_DATABASE_URL): template databases.
 */
export default async function setup(project: TestProject) {
  const postgresUrl = process.env.TEST_DATABASE_URL;
  if (postgresUrl) {
    const { default: pg } = await import('pg');
    const admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    const suffix = `${process.pid}_${Date.now().toString(36)}`;
    const templates = { empty: `rto_tpl_empty_${suffix}`, demo: `rto_tpl_demo_${suffix}` };
    for (const [kind, name] of Object.entries(templates)) {
      await admin.query(`CREATE DATABASE ${name}`);
      const url = new URL(postgresUrl);
      url.pathname = `/${name}`;
      const handle = await openDatabase({ databaseUrl: url.toString() });
      await handle.migrate();
      if (kind === 'demo') await seedDemoData(handle.db, testSecrets);
      await handle.close();
    }
    project.provide('databaseTemplates', { kind: 'postgres', ...templates });
    return async () => {
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname LIKE 'rto_t%_${suffix}%' AND pid <> pg_backend_pid()`);
      const leftovers = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'rto_%${suffix}%'`);
      for (const row of leftovers.rows) await admin.query(`DROP DATABASE IF EXISTS ${row.datname}`);
      await admin.end();
    };
  }

  const dir = await mkdtemp(path.join(os.tmpdir(), 'rto-test-db-'));
  const files = { empty: path.join(dir, 'empty.tar.gz'), demo: path.join(dir, 'demo.tar.gz') };
  const handle = await openDatabase({});
  await handle.migrate();
  const dump = async () => Buffer.from(await (await (handle.db as unknown as { $client: { dumpDataDir(c: 'gzip'): Promise<Blob> } }).$client.dumpDataDir('gzip')).arrayBuffer());
  await writeFile(files.empty, await dump());
  await seedDemoData(handle.db, testSecrets);
  await writeFile(files.demo, await dump());
  await handle.close();
  project.provide('databaseTemplates', { kind: 'pglite', ...files });
  return async () => {
    await rm(dir, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    databaseTemplates:
      | { kind: 'pglite'; empty: string; demo: string }
      | { kind: 'postgres'; empty: string; demo: string };
  }
}
