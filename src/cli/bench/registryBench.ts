/**
 * Registry import benchmark: writes a province file of N rows (valid Beijing ID numbers, one or two
 * categories per certificate), imports it, then imports it again (every row unchanged), and reports
 * rows per second for each — the import target is 1 000 000 rows in under 5 minutes on PostgreSQL.
 *
 *   rto bench --only registry [--rows N]      (DATABASE_URL: PostgreSQL; otherwise in-memory PGlite)
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { addDays, isoDate } from '../../domain/dates.ts';
import { idCheckDigit } from '../../domain/idNumber.ts';
import { REGISTRY_HEADER_ZH } from '../../domain/registryRow.ts';
import { openDatabase } from '../../server/db/client.ts';
import { createTable } from '../../server/registry/files.ts';
import { importRegistryFile } from '../../server/registry/import.ts';
import { seedDemoData } from '../../server/seed/demo.ts';
import { dataKeyFrom, generateDataKeyBytes } from '../../server/secrets/sealedBox.ts';
import { secretBox } from '../../server/secrets/secretBox.ts';
import { useFieldKeys } from '../../server/secrets/fieldCipher.ts';

export interface RegistryBenchResult {
  rows: number;
  database: string;
  firstImport: { seconds: number; rowsPerSecond: number };
  reImport: { seconds: number; rowsPerSecond: number };
}

const SURNAMES = [...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗'];
const GIVEN = ['伟', '芳', '娜', '秀英', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '秀兰', '霞'];

/** Writes the file; answers its row count (a certificate of even index has one category, of odd index two). */
async function writeBenchFile(file: string, rows: number, prefix: string): Promise<number> {
  const table = await createTable(file);
  await table.write(REGISTRY_HEADER_ZH);
  let written = 0;
  for (let certificate = 0; written < rows; certificate += 1) {
    const birth = addDays(isoDate(1965, 1, 1), certificate % 12_000);
    const first17 = `110101${birth.replaceAll('-', '')}${String(Math.floor(certificate / 12_000) % 1000).padStart(3, '0')}`;
    const idNumber = first17 + idCheckDigit(first17);
    const sex = Number(first17[16]) % 2 === 1 ? '男' : '女';
    const categories = certificate % 2 === 0 ? ['经营性道路货物运输驾驶员'] : ['经营性道路货物运输驾驶员', '经营性道路旅客运输驾驶员'];
    for (const category of categories) {
      if (written >= rows) break;
      await table.write([
        `${prefix}${String(certificate).padStart(9, '0')}`,
        `${SURNAMES[certificate % SURNAMES.length]}${GIVEN[Math.floor(certificate / SURNAMES.length) % GIVEN.length]}`,
        idNumber,
        sex,
        birth,
        'A2',
        category,
        '2015-06-01',
        '2021-06-01',
        '2027-05-31',
        '110000',
        '北京测试运输有限公司',
        '有效',
        '',
        `BJ${certificate}`,
      ]);
      written += 1;
    }
  }
  await table.close();
  return written;
}

export async function runRegistryBench(opts: { rows?: number; quiet?: boolean } = {}): Promise<RegistryBenchResult> {
  const rows = opts.rows ?? 1_000_000;
  const log = opts.quiet ? () => undefined : console.log;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'rto-registry-bench-'));
  // On PostgreSQL a database of its own, dropped after: the bench seals under a throwaway key, which
  // must not meet data sealed under another one.
  const serverUrl = process.env.DATABASE_URL;
  const benchDatabase = `rto_registry_bench_${Date.now().toString(36)}`;
  const admin = serverUrl ? postgres(serverUrl, { max: 1, onnotice: () => {} }) : undefined;
  let databaseUrl: string | undefined;
  if (admin && serverUrl) {
    await admin.unsafe(`create database ${benchDatabase}`);
    const url = new URL(serverUrl);
    url.pathname = `/${benchDatabase}`;
    databaseUrl = url.toString();
  }
  const database = await openDatabase(databaseUrl ? { databaseUrl } : {});
  const prefix = `RB${Date.now().toString(36).toUpperCase()}`;
  try {
    await database.migrate();
    const secrets = secretBox(dataKeyFrom(generateDataKeyBytes()));
    useFieldKeys(secrets.ring());
    await seedDemoData(database.db, secrets);
    const file = path.join(dir, 'registry.csv');
    const written = await writeBenchFile(file, rows, prefix);
    log(`${written.toLocaleString('en')} rows, ${((await stat(file)).size / 1e6).toFixed(1)} MB CSV; importing into ${database.kind}…`);
    const timed = async () => {
      const started = performance.now();
      const summary = await importRegistryFile(database.db, { file });
      const seconds = (performance.now() - started) / 1000;
      return { summary, seconds: Math.round(seconds * 10) / 10, rowsPerSecond: Math.round(written / seconds) };
    };
    const first = await timed();
    if (first.summary.inserted !== written) throw new Error(`expected ${written} new rows, got ${JSON.stringify(first.summary)}`);
    const again = await timed();
    if (again.summary.unchanged !== written) throw new Error(`expected ${written} unchanged rows, got ${JSON.stringify(again.summary)}`);
    const result = {
      rows: written,
      database: database.kind,
      firstImport: { seconds: first.seconds, rowsPerSecond: first.rowsPerSecond },
      reImport: { seconds: again.seconds, rowsPerSecond: again.rowsPerSecond },
    };
    if (!opts.quiet) {
      console.table([
        { run: 'first import (all new)', seconds: result.firstImport.seconds, 'rows/s': result.firstImport.rowsPerSecond, '1 000 000 rows at this rate (min)': (1e6 / result.firstImport.rowsPerSecond / 60).toFixed(1) },
        { run: 're-import (all unchanged)', seconds: result.reImport.seconds, 'rows/s': result.reImport.rowsPerSecond, '1 000 000 rows at this rate (min)': (1e6 / result.reImport.rowsPerSecond / 60).toFixed(1) },
      ]);
    }
    return result;
  } finally {
    await database.close();
    if (admin) {
      await admin.unsafe(`drop database if exists ${benchDatabase}`);
      await admin.end();
    }
    await rm(dir, { recursive: true, force: true });
  }
}
