import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/server/db/client.ts';
import { seedDemoData } from '../../src/server/seed/demo.ts';
import { testSecrets } from './dataKey.ts';
import { DEMO_SEEDED_AT } from './demoDate.ts';

/**
 * Builds three migrated database templates once per run — empty, with demo data seeded from the fixed
 * DEMO_SEEDED_AT (API and unit tests, whose clock starts there), and with demo data seeded now (browser
 * tests: a real browser checks cookie expiry against the real time, so their server runs on it) — so each
 * test file starts from a fresh copy in about a second instead of running initdb and migrations itself.
 * PGlite: data-dir dumps in a temp folder. PostgreSQL (TEST_DATABASE_URL): template databases.
 */
export default async function setup(project: TestProject) {
  const postgresUrl = process.env.TEST_DATABASE_URL;
  if (postgresUrl) {
    const { default: pg } = await import('pg');
    const admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    const suffix = `${process.pid}_${Date.now().toString(36)}`;
    const templates = { empty: `rto_tpl_empty_${suffix}`, demo: `rto_tpl_demo_${suffix}`, demoNow: `rto_tpl_demonow_${suffix}` };
    const seededAt = { empty: undefined, demo: DEMO_SEEDED_AT, demoNow: new Date() };
    for (const [kind, name] of Object.entries(templates) as [keyof typeof templates, string][]) {
      await admin.query(`CREATE DATABASE ${name}`);
      const url = new URL(postgresUrl);
      url.pathname = `/${name}`;
      const handle = await openDatabase({ databaseUrl: url.toString() });
      await handle.migrate();
      const at = seededAt[kind];
      if (at) await seedDemoData(handle.db, testSecrets, at);
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
  const files = { empty: path.join(dir, 'empty.tar.gz'), demo: path.join(dir, 'demo.tar.gz'), demoNow: path.join(dir, 'demo-now.tar.gz') };
  const handle = await openDatabase({});
  await handle.migrate();
  const dump = async (from = handle) => Buffer.from(await (await (from.db as unknown as { $client: { dumpDataDir(c: 'gzip'): Promise<Blob> } }).$client.dumpDataDir('gzip')).arrayBuffer());
  const empty = await dump();
  await writeFile(files.empty, empty);
  await seedDemoData(handle.db, testSecrets, DEMO_SEEDED_AT);
  await writeFile(files.demo, await dump());
  await handle.close();
  const now = await openDatabase({ loadDataDir: new Blob([empty]) });
  await seedDemoData(now.db, testSecrets, new Date());
  await writeFile(files.demoNow, await dump(now));
  await now.close();
  project.provide('databaseTemplates', { kind: 'pglite', ...files });
  return async () => {
    await rm(dir, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    databaseTemplates:
      | { kind: 'pglite'; empty: string; demo: string; demoNow: string }
      | { kind: 'postgres'; empty: string; demo: string; demoNow: string };
  }
}
