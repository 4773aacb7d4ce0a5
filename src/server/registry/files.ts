/**
 * Registry files as provinces exchange them: CSV (UTF-8, with or without BOM, or GBK — what Chinese
 * Excel writes by default) and XLSX. Read as a stream of rows of cell texts, so a million-row file never
 * sits in memory; written the same way.
 *
 * Cells beginning with = + - @ are formulas to a spreadsheet (CSV injection): on writing they get a
 * leading apostrophe, which reading removes again.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { once } from 'node:events';
import { parse } from 'csv-parse';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';

export type RegistryFileFormat = 'csv' | 'xlsx';
export type CsvEncoding = 'utf8' | 'gbk';

export interface TableRow {
  /** 1-based, as a spreadsheet numbers it (the header is row 1). */
  rowNumber: number;
  cells: string[];
}

export interface TableReader {
  format: RegistryFileFormat;
  encoding: CsvEncoding | 'xlsx';
  /** File size, and bytes read so far (CSV only: XLSX is compressed). */
  bytesTotal: number;
  bytesRead(): number;
  rows: AsyncIterable<TableRow>;
}

export class RegistryFileError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function formatOf(file: string): RegistryFileFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.csv' || ext === '.txt') return 'csv';
  if (ext === '.xlsx') return 'xlsx';
  throw new RegistryFileError('FILE_FORMAT', `只支持 .csv 与 .xlsx 文件（${path.basename(file)}） / Only .csv and .xlsx files are supported`);
}

/** UTF-8 when the file starts with a BOM or its first 64 KB decode as UTF-8; otherwise GBK. */
export async function detectCsvEncoding(file: string): Promise<CsvEncoding> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const head = buffer.subarray(0, bytesRead);
    if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf8';
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
      return 'utf8';
    } catch {
      return 'gbk';
    }
  } finally {
    await handle.close();
  }
}

const FORMULA_START = /^[=+\-@\t\r]/;
const unguard = (cell: string) => (cell.startsWith("'") && FORMULA_START.test(cell.slice(1)) ? cell.slice(1) : cell);
const guard = (cell: string) => (FORMULA_START.test(cell) ? `'${cell}` : cell);

function excelCellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((part) => part.text).join('');
    if ('text' in value) return String(value.text);
    if ('result' in value) return excelCellText(value.result as ExcelJS.CellValue);
    if ('error' in value) return '';
  }
  return String(value);
}

export async function openTable(file: string, options: { encoding?: CsvEncoding | 'auto' } = {}): Promise<TableReader> {
  const format = formatOf(file);
  const { size } = await stat(file);
  if (format === 'xlsx') {
    async function* rows(): AsyncGenerator<TableRow> {
      const workbook = new ExcelJS.stream.xlsx.WorkbookReader(file, { worksheets: 'emit', sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', entries: 'emit' });
      for await (const worksheet of workbook) {
        for await (const row of worksheet) {
          const values = (row.values as ExcelJS.CellValue[]).slice(1);
          yield { rowNumber: row.number, cells: values.map((v) => unguard(excelCellText(v))) };
        }
        break; // the first sheet holds the registry
      }
    }
    return { format, encoding: 'xlsx', bytesTotal: size, bytesRead: () => 0, rows: rows() };
  }
  const encoding = !options.encoding || options.encoding === 'auto' ? await detectCsvEncoding(file) : options.encoding;
  const input = createReadStream(file);
  let read = 0;
  input.on('data', (chunk) => {
    read += chunk.length;
  });
  const parser = input.pipe(iconv.decodeStream(encoding === 'gbk' ? 'gb18030' : 'utf8')).pipe(
    parse({ bom: true, relax_column_count: true, skip_empty_lines: true, trim: false }),
  );
  async function* rows(): AsyncGenerator<TableRow> {
    let rowNumber = 0;
    for await (const record of parser as AsyncIterable<string[]>) {
      rowNumber += 1;
      if (record.every((cell) => cell.trim() === '')) continue;
      yield { rowNumber, cells: record.map(unguard) };
    }
  }
  return { format, encoding, bytesTotal: size, bytesRead: () => read, rows: rows() };
}

export interface TableWriter {
  write(cells: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

const csvCell = (cell: string) => {
  const value = guard(cell);
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
};

/** A CSV (UTF-8 with BOM, so Excel shows the Chinese) or XLSX file written row by row. */
export async function createTable(file: string, sheetName = '从业资格证'): Promise<TableWriter> {
  const format = formatOf(file);
  if (format === 'xlsx') {
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: false, useStyles: false });
    const sheet = workbook.addWorksheet(sheetName);
    return {
      write: async (cells) => sheet.addRow([...cells]).commit(),
      close: async () => {
        sheet.commit();
        await workbook.commit();
      },
    };
  }
  const out = createWriteStream(file);
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  await write('\uFEFF');
  return {
    write: (cells) => write(`${cells.map(csvCell).join(',')}\r\n`),
    close: async () => {
      out.end();
      await once(out, 'finish');
    },
  };
}

/** CSV text (with BOM) of rows, for small reports kept in the database. */
export function csvText(rows: readonly (readonly string[])[]): string {
  return `\uFEFF${rows.map((cells) => `${cells.map(csvCell).join(',')}\r\n`).join('')}`;
}
