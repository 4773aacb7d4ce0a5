/**
 * `rto registry import FILE`: loads a province's certificate registry from CSV or XLSX.
 *
 * Every row is checked with the registry's rules (domain/registryRow.ts) and across the file (one row
 * per certificate and category; rows of one certificate agree on its fields); refused rows go to a
 * report (row, column, code, message in Chinese) and are not imported. Good rows are upserted in
 * batches, each batch one transaction, so an interrupted import leaves whole batches and running it
 * again finishes the job. A dry run does the same work in transactions it rolls back: its counts are
 * exactly what the import would do.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { and, desc, eq } from 'drizzle-orm';
import { chinaToday } from '../../domain/dates.ts';
import {
  certificateFieldsKey,
  checkRegistryRow,
  columnLabel,
  conflictingColumn,
  conflictProblem,
  duplicateProblem,
  otherProvinceProblem,
  readHeader,
  rowFromCells,
  type RegistryColumn,
  type RegistryRecord,
  type RowProblem,
} from '../../domain/registryRow.ts';
import type { Executor } from '../db/client.ts';
import { issuingAuthorities, registryImports } from '../db/schema.ts';
import { csvText, openTable, RegistryFileError, type CsvEncoding } from './files.ts';
import { upsertRegistryRecords } from './store.ts';

export const REPORT_HEADER = ['行号', '列', '代码', '说明'] as const;
/** Refused-row lines kept in the database for the console's download (the report file has them all). */
export const STORED_REPORT_LINES = 20_000;

export interface ImportProgress {
  rows: number;
  bytesRead: number;
  bytesTotal: number;
}

export interface ImportOptions {
  file: string;
  dryRun?: boolean;
  /** Accept only this province's authorities. */
  provinceCode?: string | undefined;
  encoding?: CsvEncoding | 'auto';
  /** Where refused rows are written (default: beside the file, `NAME.refused.csv`). */
  reportPath?: string | undefined;
  batchSize?: number;
  now?: () => Date;
  onProgress?: (progress: ImportProgress) => void;
}

export interface ImportSummary {
  id: string;
  format: string;
  encoding: string;
  dryRun: boolean;
  rowsTotal: number;
  inserted: number;
  updated: number;
  unchanged: number;
  refused: number;
  /** The refused rows' report, when any row was refused. */
  reportPath: string | null;
  durationMs: number;
}

class Rollback extends Error {}

const reportLine = (row: number, problem: RowProblem) => [String(row), columnLabel(problem.column), problem.code, problem.message.zh];

export function defaultReportPath(file: string): string {
  const parsed = path.parse(file);
  return path.join(parsed.dir, `${parsed.name}.refused.csv`);
}

export async function importRegistryFile(db: Executor, options: ImportOptions): Promise<ImportSummary> {
  const now = options.now ?? (() => new Date());
  const startedAt = now();
  const today = chinaToday(startedAt);
  const batchSize = options.batchSize ?? 2000;
  const authorities = new Map((await db.select({ code: issuingAuthorities.code, province: issuingAuthorities.provinceCode }).from(issuingAuthorities)).map((a) => [a.code, a.province]));
  const table = await openTable(options.file, { encoding: options.encoding ?? 'auto' });

  const report: string[][] = [];
  const refusedRows = new Set<number>();
  const refuse = (row: number, problems: readonly RowProblem[]) => {
    refusedRows.add(row);
    for (const problem of problems) report.push(reportLine(row, problem));
  };
  // Whole-file rules: per certificate number its fields and first row, per number and category the row.
  const certificatesSeen = new Map<string, { key: string; row: number }>();
  const categoriesSeen = new Map<string, number>();
  const counts = { rowsTotal: 0, inserted: 0, updated: 0, unchanged: 0 };
  let batch: { row: number; record: RegistryRecord }[] = [];
  const provincesSeen = new Set<string>();

  // One batch is written while the next is read and checked (the database and the reader work at once);
  // never two at a time, so a certificate whose rows span two batches is written in file order.
  let writing: Promise<void> = Promise.resolve();
  let writeFailure: unknown;
  const settle = async () => {
    await writing;
    if (writeFailure !== undefined) throw writeFailure;
  };
  const flush = async () => {
    if (batch.length === 0) return;
    const current = batch;
    batch = [];
    await settle();
    writing = write(current).catch((error: unknown) => {
      writeFailure = error;
    });
  };
  const write = async (current: typeof batch) => {
    const run = async (tx: Executor) => {
      const { outcomes } = await upsertRegistryRecords(tx, current.map((entry) => entry.record), today, now());
      return outcomes;
    };
    let outcomes: Awaited<ReturnType<typeof run>> = [];
    if (options.dryRun) {
      await db
        .transaction(async (tx) => {
          outcomes = await run(tx);
          throw new Rollback();
        })
        .catch((error: unknown) => {
          if (!(error instanceof Rollback)) throw error;
        });
    } else {
      outcomes = await db.transaction(run);
    }
    outcomes.forEach((outcome, index) => {
      if (typeof outcome === 'string') counts[outcome] += 1;
      else refuse(current[index]!.row, [otherProvinceProblem(outcome.otherProvince)]);
    });
    options.onProgress?.({ rows: counts.rowsTotal, bytesRead: table.bytesRead(), bytesTotal: table.bytesTotal });
  };

  let header: Record<RegistryColumn, number> | undefined;
  for await (const { rowNumber, cells } of table.rows) {
    if (!header) {
      const read = readHeader(cells);
      if (!read.ok) {
        throw new RegistryFileError('HEADER_INVALID', `表头不符合模板（可用 rto registry template 查看）：\n${read.problems.map((p) => `  ${p.message.zh}`).join('\n')}`);
      }
      header = read.indexOf;
      continue;
    }
    counts.rowsTotal += 1;
    const checked = checkRegistryRow(rowFromCells(cells, header), { authorities, provinceCode: options.provinceCode, today });
    if (!checked.ok) {
      refuse(rowNumber, checked.problems);
    } else {
      const { record } = checked;
      const key = certificateFieldsKey(record);
      const seen = certificatesSeen.get(record.certificateNumber);
      const categoryKey = `${record.certificateNumber}\u0000${record.category}`;
      const sameCategoryRow = categoriesSeen.get(categoryKey);
      if (seen && seen.key !== key) refuse(rowNumber, [conflictProblem(conflictingColumn(seen.key, key), seen.row)]);
      else if (sameCategoryRow !== undefined) refuse(rowNumber, [duplicateProblem(sameCategoryRow)]);
      else {
        if (!seen) certificatesSeen.set(record.certificateNumber, { key, row: rowNumber });
        categoriesSeen.set(categoryKey, rowNumber);
        provincesSeen.add(record.provinceCode);
        batch.push({ row: rowNumber, record });
        if (batch.length >= batchSize) await flush();
      }
    }
  }
  if (!header) throw new RegistryFileError('FILE_EMPTY', '文件为空：没有表头行 / The file is empty');
  await flush();
  await settle();

  report.sort((a, b) => Number(a[0]) - Number(b[0]));
  const refused = refusedRows.size;
  let reportPath: string | null = null;
  if (refused > 0) {
    reportPath = options.reportPath ?? defaultReportPath(options.file);
    await writeFile(reportPath, csvText([[...REPORT_HEADER], ...report]));
  }
  const finishedAt = now();
  const [saved] = await db
    .insert(registryImports)
    .values({
      // The province the file is about: the one asked for, or the only one its rows belong to.
      provinceCode: options.provinceCode ?? (provincesSeen.size === 1 ? [...provincesSeen][0]! : null),
      fileName: path.basename(options.file),
      format: table.format,
      encoding: table.encoding,
      dryRun: options.dryRun ?? false,
      rowsTotal: counts.rowsTotal,
      rowsInserted: counts.inserted,
      rowsUpdated: counts.updated,
      rowsUnchanged: counts.unchanged,
      rowsRefused: refused,
      refusedReport: refused ? csvText([[...REPORT_HEADER], ...report.slice(0, STORED_REPORT_LINES)]) : '',
      refusedReportTruncated: report.length > STORED_REPORT_LINES,
      startedAt,
      finishedAt,
    })
    .returning({ id: registryImports.id });
  return {
    id: saved!.id,
    format: table.format,
    encoding: table.encoding,
    dryRun: options.dryRun ?? false,
    ...counts,
    refused,
    reportPath,
    durationMs: finishedAt.getTime() - startedAt.getTime(),
  };
}

/**
 * The latest import (not a dry run) of a province; null = of any province (system admins), where an
 * import of several provinces at once shows too.
 */
export async function lastImport(db: Executor, provinceCode: string | null) {
  const [row] = await db
    .select()
    .from(registryImports)
    .where(provinceCode === null ? eq(registryImports.dryRun, false) : and(eq(registryImports.dryRun, false), eq(registryImports.provinceCode, provinceCode)))
    .orderBy(desc(registryImports.startedAt))
    .limit(1);
  return row;
}

export async function findImport(db: Executor, id: string) {
  const [row] = await db.select().from(registryImports).where(eq(registryImports.id, id));
  return row;
}
