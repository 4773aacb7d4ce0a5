/**
 * `rto registry import | export | template`: a province's certificate registry in and out.
 * Exit codes of import: 0 every row imported (or already there), 1 some rows refused (see the report),
 * 2 the file itself was refused (format, header) or the command was misused.
 */
import { SingleBar } from 'cli-progress';
import { REGISTRY_COLUMN_KEYS, REGISTRY_HEADER_ZH, REGISTRY_TEMPLATE_ROWS } from '../domain/registryRow.ts';
import type { Database } from '../server/db/client.ts';

export const REGISTRY_USAGE = `rto registry import FILE.csv|FILE.xlsx [--dry-run] [--province 11] [--encoding auto|utf8|gbk] [--report FILE]
       rto registry export --province 11 --out FILE.csv|FILE.xlsx
       rto registry template [--english]`;

type Values = Record<string, string | boolean | undefined>;
type WithDatabase = <T>(work: (db: Database) => Promise<T>) => Promise<T>;

const csvLine = (cells: readonly string[]) => cells.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',');

export async function runRegistryCommand(values: Values, positionals: string[], withDatabase: WithDatabase): Promise<number> {
  const [action, file] = positionals;
  const province = typeof values.province === 'string' ? values.province : undefined;
  if (province !== undefined && !/^\d{2}$/.test(province)) {
    console.error('--province takes the two-digit province code (11 北京, 31 上海 …)');
    return 2;
  }
  if (action === 'template') {
    console.log(csvLine(values.english ? REGISTRY_COLUMN_KEYS : REGISTRY_HEADER_ZH));
    for (const row of REGISTRY_TEMPLATE_ROWS) console.log(csvLine(REGISTRY_COLUMN_KEYS.map((column) => row[column])));
    return 0;
  }
  if (action === 'export') {
    const out = typeof values.out === 'string' ? values.out : undefined;
    if (!province || !out) {
      console.error(`Usage: ${REGISTRY_USAGE}`);
      return 2;
    }
    const { exportProvinceRegistry } = await import('../server/registry/export.ts');
    const { RegistryFileError } = await import('../server/registry/files.ts');
    try {
      const { rows } = await withDatabase((db) => exportProvinceRegistry(db, province, out));
      console.log(`已导出 ${rows} 行到 ${out} / Exported ${rows} rows to ${out}`);
      return 0;
    } catch (error) {
      if (error instanceof RegistryFileError) {
        console.error(error.message);
        return 2;
      }
      throw error;
    }
  }
  if (action !== 'import' || !file) {
    console.error(`Usage: ${REGISTRY_USAGE}`);
    return 2;
  }
  const encoding = (values.encoding ?? 'auto') as string;
  if (encoding !== 'auto' && encoding !== 'utf8' && encoding !== 'gbk') {
    console.error('--encoding takes auto, utf8 or gbk');
    return 2;
  }
  const { importRegistryFile } = await import('../server/registry/import.ts');
  const { RegistryFileError } = await import('../server/registry/files.ts');
  const bar = process.stderr.isTTY
    ? new SingleBar({ format: ' {bar} {percentage}% | {rows} 行 | {speed} 行/秒 | {eta_formatted}', hideCursor: true, stream: process.stderr })
    : undefined;
  const started = Date.now();
  bar?.start(100, 0, { rows: 0, speed: 0 });
  try {
    const summary = await withDatabase((db) =>
      importRegistryFile(db, {
        file,
        dryRun: values['dry-run'] === true,
        provinceCode: province,
        encoding,
        reportPath: typeof values.report === 'string' ? values.report : undefined,
        onProgress: ({ rows, bytesRead, bytesTotal }) => {
          const seconds = Math.max((Date.now() - started) / 1000, 0.001);
          bar?.update(bytesTotal && bytesRead ? Math.min(99, Math.floor((bytesRead / bytesTotal) * 100)) : 0, { rows, speed: Math.round(rows / seconds) });
        },
      }),
    );
    bar?.update(100);
    bar?.stop();
    const seconds = summary.durationMs / 1000;
    const lead = summary.dryRun ? '试运行（未写入） / Dry run (nothing written): ' : '';
    console.log(
      `${lead}${summary.rowsTotal} 行：新增 ${summary.inserted}，更新 ${summary.updated}，未变 ${summary.unchanged}，拒绝 ${summary.refused}` +
        ` / ${summary.rowsTotal} rows: ${summary.inserted} new, ${summary.updated} updated, ${summary.unchanged} unchanged, ${summary.refused} refused` +
        ` (${summary.format}${summary.format === 'csv' ? `, ${summary.encoding}` : ''}, ${seconds.toFixed(1)} s, ${Math.round(summary.rowsTotal / Math.max(seconds, 0.001))} rows/s)`,
    );
    if (summary.inserted === 0 && summary.updated === 0 && summary.rowsTotal > 0 && summary.refused < summary.rowsTotal) {
      console.log('登记库已是最新，没有任何变化 / The registry already holds these records: nothing changed.');
    }
    if (summary.reportPath) console.log(`被拒绝的行见 / Refused rows: ${summary.reportPath}`);
    return summary.refused > 0 ? 1 : 0;
  } catch (error) {
    bar?.stop();
    if (error instanceof RegistryFileError || (error as NodeJS.ErrnoException).code === 'ENOENT') {
      console.error((error as Error).message);
      return 2;
    }
    throw error;
  }
}
