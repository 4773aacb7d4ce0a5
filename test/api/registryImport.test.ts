import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idCheckDigit } from '../../src/domain/idNumber.ts';
import { REGISTRY_COLUMN_KEYS, REGISTRY_HEADER_ZH, type RawRegistryRow } from '../../src/domain/registryRow.ts';
import { certificateCategories, certificates, registryImports } from '../../src/server/db/schema.ts';
import type { IdCardReader } from '../../src/server/identity/ocr.ts';
import { exportProvinceRegistry } from '../../src/server/registry/export.ts';
import { certificateNumberIs } from '../../src/server/registry/certificates.ts';
import { importRegistryFile } from '../../src/server/registry/import.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { loginDriver } from '../helpers/driverLogin.ts';
import { documentPhoto } from '../helpers/images.ts';
import { multipart } from '../helpers/multipart.ts';

/**
 * A province goes live (PRODUCT §2.3): its registry file is imported row by row with the registry's
 * rules, refused rows are reported and left out, and a driver in the file finds the certificate after
 * real-name authentication.
 */

let reading: { fields: Record<string, string>; confidence: number } = { fields: {}, confidence: 0 };
const reader: IdCardReader = {
  read: async () => ({ ...reading, lines: [], durationMs: 1, doubts: [], fieldConfidence: {} }),
  readBack: async () => ({ fields: {}, confidence: 0, durationMs: 1, doubts: [] }),
};

let t: TestApp;
let dir: string;
beforeAll(async () => {
  t = await createTestApp({ adapters: { idCardReader: reader, identityCheck: { name: 'test', check: async () => 'match' } } });
  dir = await mkdtemp(path.join(os.tmpdir(), 'rto-registry-'));
});
afterAll(async () => {
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

/** A valid Beijing (Dongcheng 110101) ID number: birth date and sequence (odd = male), check digit computed. */
const idNumber = (birth: string, sequence: number) => {
  const first17 = `110101${birth.replaceAll('-', '')}${String(sequence).padStart(3, '0')}`;
  return first17 + idCheckDigit(first17);
};

const row = (overrides: Partial<RawRegistryRow> & { id_number: string }): RawRegistryRow => ({
  certificate_number: overrides.id_number,
  name: '赵一',
  sex: '男',
  birth_date: `${overrides.id_number.slice(6, 10)}-${overrides.id_number.slice(10, 12)}-${overrides.id_number.slice(12, 14)}`,
  quasi_driving_type: 'A2',
  category: '经营性道路货物运输驾驶员',
  first_issued: '2010-05-01',
  valid_from: '2022-05-01',
  valid_to: '2028-04-30',
  issuing_authority_code: '110000',
  service_unit: '北京通达货运有限公司',
  status: '有效',
  cancel_reason: '',
  file_number: '110000123',
  ...overrides,
});

const csvOf = (header: readonly string[], rows: RawRegistryRow[]) =>
  [header.join(','), ...rows.map((r) => REGISTRY_COLUMN_KEYS.map((c) => (/[",]/.test(r[c]) ? `"${r[c].replaceAll('"', '""')}"` : r[c])).join(','))].join('\r\n');

const zhao = idNumber('1980-03-04', 11);
const qian = idNumber('1975-11-20', 22); // female
const sun = idNumber('1990-01-31', 33);

const goodRows: RawRegistryRow[] = [
  row({ id_number: zhao }),
  // The same certificate's second category; qualifiers in the printed form; dates as Excel writes them.
  row({ id_number: zhao, category: '道路危险货物运输驾驶员（爆炸品）', first_issued: '2015/6/1', valid_from: '2021/6/1', valid_to: '2027/5/31' }),
  row({ id_number: qian, certificate_number: '11201900000077', name: '钱二', sex: 'F', birth_date: '1975/11/20', category: 'passenger_driver', quasi_driving_type: 'A1' }),
  row({ id_number: sun, name: '孙三', birth_date: '1990-01-31', category: 'dg_escort', quasi_driving_type: '', status: '注销', cancel_reason: '持证人申请注销' }),
];

const bad = (code: string, overrides: Partial<RawRegistryRow> & { id_number: string }) => ({ code, row: row(overrides) });
const badRows = [
  bad('ID_CHECKSUM', { id_number: `${zhao.slice(0, 17)}${zhao[17] === '0' ? '1' : '0'}` }),
  bad('ID_REGION', { id_number: (() => { const s = '99010119800304011'; return s + idCheckDigit(s); })() }),
  bad('SEX_MISMATCH', { id_number: idNumber('1980-03-04', 51), sex: '女' }),
  bad('BIRTH_DATE_MISMATCH', { id_number: idNumber('1980-03-04', 53), birth_date: '1980-03-05' }),
  bad('DATE_INVALID', { id_number: idNumber('1980-03-04', 55), valid_to: '2028-02-30' }),
  bad('VALID_TO_NOT_AFTER_FROM', { id_number: idNumber('1980-03-04', 57), valid_to: '2021-01-01' }),
  bad('CATEGORY_UNKNOWN', { id_number: idNumber('1980-03-04', 59), category: '公交车驾驶员' }),
  bad('STATUS_INVALID', { id_number: idNumber('1980-03-04', 61), status: '暂停' }),
  bad('CANCEL_REASON_UNKNOWN', { id_number: idNumber('1980-03-04', 63), status: '注销', cancel_reason: '不知道' }),
  bad('AUTHORITY_UNKNOWN', { id_number: idNumber('1980-03-04', 65), issuing_authority_code: '119999' }),
  bad('QUASI_DRIVING_TYPE_INVALID', { id_number: idNumber('1980-03-04', 67), quasi_driving_type: 'Z9' }),
  bad('REQUIRED', { id_number: idNumber('1980-03-04', 69), name: '' }),
  // Across the file: the same certificate and category twice; rows of one certificate disagreeing.
  bad('DUPLICATE_CATEGORY', { id_number: zhao }),
  bad('CERTIFICATE_ROWS_DISAGREE', { id_number: zhao, name: '赵壹', category: 'passenger_driver' }),
];

async function importCsv(name: string, content: string | Buffer, options: { provinceCode?: string; dryRun?: boolean } = {}) {
  const file = path.join(dir, name);
  await writeFile(file, content);
  return { file, summary: await importRegistryFile(t.database.db, { file, now: t.clock.now, batchSize: 3, ...options }) };
}

const certificateOf = async (number: string) => (await t.database.db.select().from(certificates).where(certificateNumberIs(number)))[0];

describe('rto registry import', () => {
  it('imports the valid rows and refuses every kind of bad row with row, column, code and a Chinese message', async () => {
    const content = csvOf(REGISTRY_HEADER_ZH, [...goodRows, ...badRows.map((b) => b.row)]);
    const { file, summary } = await importCsv('beijing.csv', content);
    expect(summary).toMatchObject({ format: 'csv', encoding: 'utf8', rowsTotal: goodRows.length + badRows.length, inserted: 4, updated: 0, unchanged: 0, refused: badRows.length });

    const report = (await readFile(summary.reportPath!, 'utf8')).replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(report[0]).toBe('行号,列,代码,说明');
    const lines = report.slice(1).map((line) => line.split(','));
    badRows.forEach((b, index) => {
      const rowNumber = String(goodRows.length + index + 2);
      const line = lines.find((l) => l[0] === rowNumber && l[2] === b.code);
      expect(line, `${b.code} on row ${rowNumber}`).toBeDefined();
      expect(line![3]).toMatch(/[\u4e00-\u9fff]/);
    });
    expect(lines.find((l) => l[2] === 'SEX_MISMATCH')![1]).toBe('性别');
    expect(summary.reportPath).toBe(path.join(dir, 'beijing.refused.csv'));
    expect(file).toContain('beijing.csv');

    const zhaoCertificate = (await certificateOf(zhao))!;
    expect(zhaoCertificate).toMatchObject({ holderName: '赵一', provinceCode: '11', quasiDrivingType: 'A2' });
    const categories = await t.database.db.select().from(certificateCategories).where(eq(certificateCategories.certificateId, zhaoCertificate.id));
    expect(categories.map((c) => [c.code, c.qualifiers, c.validTo]).sort()).toEqual([
      ['dg_driver', ['explosives'], '2027-05-31'],
      ['freight_driver', [], '2028-04-30'],
    ]);
    // The certificate number need not be the ID number; a cancelled row is a cancelled category.
    expect((await certificateOf('11201900000077'))!.holderIdNumber).toBe(qian);
    const [escort] = await t.database.db.select().from(certificateCategories).where(eq(certificateCategories.certificateId, (await certificateOf(sun))!.id));
    expect(escort).toMatchObject({ code: 'dg_escort', cancelReason: 'holder_request' });
    expect(escort!.cancelledAt).not.toBeNull();

    const [saved] = await t.database.db.select().from(registryImports).where(eq(registryImports.id, summary.id));
    expect(saved).toMatchObject({ provinceCode: '11', rowsInserted: 4, rowsRefused: badRows.length, dryRun: false });
    expect(saved!.refusedReport).toContain('SEX_MISMATCH');
  });

  it('re-importing the same file changes nothing and says so; a changed row is an update', async () => {
    const content = csvOf(REGISTRY_HEADER_ZH, goodRows);
    const before = (await certificateOf(zhao))!.updatedAt;
    t.clock.advance(60_000);
    const again = await importCsv('again.csv', content);
    expect(again.summary).toMatchObject({ inserted: 0, updated: 0, unchanged: 4, refused: 0, reportPath: null });
    expect((await certificateOf(zhao))!.updatedAt).toEqual(before);

    const moved = await importCsv('moved.csv', csvOf(REGISTRY_HEADER_ZH, [{ ...goodRows[0]!, service_unit: '北京新运物流有限公司' }]));
    expect(moved.summary).toMatchObject({ inserted: 0, updated: 1, unchanged: 0 });
    expect((await certificateOf(zhao))!.serviceUnit).toBe('北京新运物流有限公司');
  });

  it('a dry run counts what would change and writes nothing', async () => {
    const fresh = row({ id_number: idNumber('1985-07-07', 71), name: '周七' });
    const { summary } = await importCsv('dry.csv', csvOf(REGISTRY_HEADER_ZH, [fresh]), { dryRun: true });
    expect(summary).toMatchObject({ dryRun: true, inserted: 1 });
    expect(await certificateOf(fresh.id_number)).toBeUndefined();
  });

  it('reads GBK files with an English header in another order', async () => {
    const wu = row({ id_number: idNumber('1988-08-08', 73), name: '吴八', service_unit: '北京市朝阳区运输公司' });
    const columns = [...REGISTRY_COLUMN_KEYS].reverse();
    const text = [columns.join(','), columns.map((c) => wu[c]).join(',')].join('\r\n');
    const { summary } = await importCsv('gbk.csv', iconv.encode(text, 'gbk'));
    expect(summary).toMatchObject({ encoding: 'gbk', inserted: 1, refused: 0 });
    expect((await certificateOf(wu.id_number))!).toMatchObject({ holderName: '吴八', serviceUnit: '北京市朝阳区运输公司' });
  });

  it('reads XLSX (date cells and text cells)', async () => {
    const zheng = row({ id_number: idNumber('1979-09-09', 75), name: '郑九' });
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('登记');
    sheet.addRow([...REGISTRY_HEADER_ZH]);
    sheet.addRow(REGISTRY_COLUMN_KEYS.map((c) => (c === 'valid_from' ? new Date(Date.UTC(2022, 4, 1)) : zheng[c])));
    const file = path.join(dir, 'registry.xlsx');
    await workbook.xlsx.writeFile(file);
    const summary = await importRegistryFile(t.database.db, { file, now: t.clock.now });
    expect(summary).toMatchObject({ format: 'xlsx', inserted: 1, refused: 0 });
    const certificate = (await certificateOf(zheng.id_number))!;
    const [category] = await t.database.db.select().from(certificateCategories).where(eq(certificateCategories.certificateId, certificate.id));
    expect(category!.validFrom).toBe('2022-05-01');
  });

  it('refuses a file whose header is not the template’s, naming the missing column', async () => {
    const header = REGISTRY_HEADER_ZH.filter((h) => h !== '档案号');
    await expect(importCsv('header.csv', `${header.join(',')}\r\n`)).rejects.toThrow(/档案号/);
  });

  it('restricted to a province, another province’s authority is refused', async () => {
    const other = row({ id_number: idNumber('1981-01-01', 77), issuing_authority_code: '310000' });
    const { summary } = await importCsv('scoped.csv', csvOf(REGISTRY_HEADER_ZH, [other]), { provinceCode: '11' });
    expect(summary.refused).toBe(1);
    expect(await readFile(summary.reportPath!, 'utf8')).toContain('AUTHORITY_NOT_IN_PROVINCE');
  });

  it('a driver whose ID number is in the file passes real-name authentication and sees the certificate', async () => {
    const session = await loginDriver(t.app, '13655500011');
    const person = { name: '赵一', idNumber: zhao, sex: 'M', birthDate: '1980-03-04', address: '北京市东城区和平里1号', ethnicity: '汉' };
    reading = { fields: { ...person }, confidence: 0.95 };
    const { payload, headers } = multipart(await documentPhoto(1901));
    const upload = await t.app.inject({ method: 'POST', url: '/api/v1/identity/id-card-ocr?side=portrait', payload, headers: { ...headers, ...session.headers } });
    expect(upload.statusCode).toBe(200);
    const submitted = await t.app.inject({ method: 'POST', url: '/api/v1/identity/verification', payload: { ...person, photoId: upload.json().photoId }, headers: session.headers });
    expect(submitted.json()).toMatchObject({ outcome: 'verified', certificatesFound: 1 });
    const mine = await t.app.inject({ method: 'GET', url: '/api/v1/me/certificates', headers: session.headers });
    expect(mine.statusCode).toBe(200);
    const [certificate] = mine.json().certificates;
    expect(certificate).toMatchObject({ number: zhao, holderName: '赵一', serviceUnit: '北京新运物流有限公司' });
    expect(certificate.categories.map((c: { code: string }) => c.code).sort()).toEqual(['dg_driver', 'freight_driver']);
  });
});

describe('rto registry export', () => {
  it('exports a province’s records in the import’s columns; importing the export changes nothing (CSV and XLSX)', async () => {
    for (const name of ['export.csv', 'export.xlsx']) {
      const file = path.join(dir, name);
      const { rows } = await exportProvinceRegistry(t.database.db, '11', file);
      // Every category row of the province.
      const n = (await t.database.db.select({ id: certificateCategories.id }).from(certificateCategories).innerJoin(certificates, eq(certificates.id, certificateCategories.certificateId)).where(eq(certificates.provinceCode, '11'))).length;
      expect(rows).toBe(n);
      const summary = await importRegistryFile(t.database.db, { file, now: t.clock.now, provinceCode: '11' });
      expect(summary).toMatchObject({ rowsTotal: rows, inserted: 0, updated: 0, unchanged: rows, refused: 0 });
    }
    const text = await readFile(path.join(dir, 'export.csv'), 'utf8');
    expect(text.startsWith(`\uFEFF${REGISTRY_HEADER_ZH.join(',')}`)).toBe(true);
    expect(text).toContain('道路危险货物运输驾驶员（爆炸品）');
    expect(text).not.toContain('310000');
  });
});
