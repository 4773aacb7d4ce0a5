import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { inject } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/server/db/client.ts';

/**
 * A database of its own for one test file: a copy of the migrated template, with or without the demo
 * data (seeded from DEMO_SEEDED_AT, or with `seededNow` from the start of the run). PGlite by default; a
 * new PostgreSQL database when TEST_DATABASE_URL is set.
 */
export async function freshDatabase(options: { demo?: boolean; seededNow?: boolean } = {}): Promise<DatabaseHandle> {
  const templates = inject('databaseTemplates');
  const template = options.demo === false ? templates.empty : options.seededNow ? templates.demoNow : templates.demo;
  if (templates.kind === 'pglite') {
    const dump = await readFile(template);
    return openDatabase({ loadDataDir: new Blob([dump]) });
  }
  const baseUrl = process.env.TEST_DATABASE_URL!;
  const { default: pg } = await import('pg');
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  const name = `rto_t_${randomBytes(4).toString('hex')}_${template.replace(/^rto_tpl_(empty|demo|demonow)_/, '')}`;
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  } finally {
    await admin.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  const handle = await openDatabase({ databaseUrl: url.toString() });
  return {
    ...handle,
    close: async () => {
      await handle.close();
      const cleanup = new pg.Client({ connectionString: baseUrl });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}
