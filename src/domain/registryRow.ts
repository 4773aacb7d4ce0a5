/**
 * One row of a province's certificate registry as provincial exports write it (one row per certificate
 * category): the columns, how a header row is read (Chinese or English names, any order), and the rules
 * a row must pass before it may enter the registry. Pure: the caller says which issuing authorities
 * exist and what day it is.
 */

import { CANCEL_REASONS, CANCEL_REASON_LABELS, type CancelReason } from './certificate.ts';
import { CATEGORIES, CATEGORY_QUALIFIERS, CATEGORY_QUALIFIER_LABELS, categoryLabel, getCategory, type CategoryQualifier } from './categories.ts';
import { isIsoDate, isoDate } from './dates.ts';
import type { Localized } from './errors.ts';
import { parseIdNumber } from './idNumber.ts';
import { QUASI_DRIVING_TYPES } from './quasiDriving.ts';

export const REGISTRY_COLUMNS = [
  { key: 'certificate_number', zh: '证号' },
  { key: 'name', zh: '姓名' },
  { key: 'id_number', zh: '身份证号' },
  { key: 'sex', zh: '性别' },
  { key: 'birth_date', zh: '出生日期' },
  { key: 'quasi_driving_type', zh: '准驾车型' },
  { key: 'category', zh: '从业资格类别' },
  { key: 'first_issued', zh: '初领日期' },
  { key: 'valid_from', zh: '有效期起' },
  { key: 'valid_to', zh: '有效期止' },
  { key: 'issuing_authority_code', zh: '发证机关代码' },
  { key: 'service_unit', zh: '服务单位' },
  { key: 'status', zh: '状态' },
  { key: 'cancel_reason', zh: '注销原因' },
  { key: 'file_number', zh: '档案号' },
] as const;

export type RegistryColumn = (typeof REGISTRY_COLUMNS)[number]['key'];
export type RawRegistryRow = Record<RegistryColumn, string>;

export const REGISTRY_COLUMN_KEYS: readonly RegistryColumn[] = REGISTRY_COLUMNS.map((c) => c.key);
const COLUMN_LABEL = new Map<RegistryColumn, string>(REGISTRY_COLUMNS.map((c) => [c.key, c.zh]));

/** The column's Chinese header (证号 …), as reports name it. */
export function columnLabel(column: RegistryColumn | ''): string {
  return column ? (COLUMN_LABEL.get(column) ?? column) : '';
}

/** A row as it enters the registry: values normalized (dates ISO, codes for sex, category, status). */
export interface RegistryRecord {
  certificateNumber: string;
  holderName: string;
  holderIdNumber: string;
  sex: 'M' | 'F';
  birthDate: string;
  quasiDrivingType: string;
  category: string;
  qualifiers: CategoryQualifier[];
  firstIssueDate: string;
  validFrom: string;
  validTo: string;
  issuingAuthorityCode: string;
  provinceCode: string;
  serviceUnit: string;
  cancelled: boolean;
  cancelReason: CancelReason | null;
  fileNumber: string;
}

export interface RowProblem {
  /** The column at fault, or '' for the row as a whole. */
  column: RegistryColumn | '';
  code: string;
  message: Localized;
}

export type RowCheck = { ok: true; record: RegistryRecord } | { ok: false; problems: RowProblem[] };

export interface RowCheckContext {
  /** Issuing-authority code → its province. */
  authorities: ReadonlyMap<string, string>;
  /** When set, only this province's authorities are accepted. */
  provinceCode?: string | undefined;
  /** ISO date: no date may lie after it, save a validity end. */
  today: string;
}

// ---------------------------------------------------------------------------------------------- header

const HEADER_ALIASES = new Map<string, RegistryColumn>();
for (const column of REGISTRY_COLUMNS) {
  HEADER_ALIASES.set(column.key, column.key);
  HEADER_ALIASES.set(column.zh, column.key);
}

const normalizeHeader = (cell: string) => cell.replace(/^\uFEFF/, '').trim().toLowerCase().replace(/[\s-]+/g, '_');

export type HeaderMap = { ok: true; indexOf: Record<RegistryColumn, number> } | { ok: false; problems: RowProblem[] };

/** Reads a header row: every column once, by its Chinese or English name, in any order; nothing else. */
export function readHeader(cells: readonly string[]): HeaderMap {
  const indexOf: Partial<Record<RegistryColumn, number>> = {};
  const problems: RowProblem[] = [];
  cells.forEach((cell, index) => {
    const name = normalizeHeader(cell);
    if (name === '') return;
    const column = HEADER_ALIASES.get(name) ?? HEADER_ALIASES.get(cell.trim());
    if (!column) {
      problems.push({ column: '', code: 'HEADER_UNKNOWN', message: { zh: `表头含有未知列“${cell.trim()}”`, en: `Unknown column "${cell.trim()}" in the header` } });
    } else if (indexOf[column] !== undefined) {
      problems.push({ column, code: 'HEADER_DUPLICATE', message: { zh: `表头中“${columnLabel(column)}”列出现了两次`, en: `Column ${column} appears twice in the header` } });
    } else {
      indexOf[column] = index;
    }
  });
  for (const column of REGISTRY_COLUMN_KEYS) {
    if (indexOf[column] === undefined) {
      problems.push({ column, code: 'HEADER_MISSING', message: { zh: `表头缺少“${columnLabel(column)}”列`, en: `The header lacks column ${column} (${columnLabel(column)})` } });
    }
  }
  return problems.length ? { ok: false, problems } : { ok: true, indexOf: indexOf as Record<RegistryColumn, number> };
}

/** The cells of a data row, by column. */
export function rowFromCells(cells: readonly string[], indexOf: Record<RegistryColumn, number>): RawRegistryRow {
  const row = {} as RawRegistryRow;
  for (const column of REGISTRY_COLUMN_KEYS) row[column] = String(cells[indexOf[column]] ?? '').trim();
  return row;
}

// ---------------------------------------------------------------------------------------------- values

/** 'YYYY-MM-DD', 'YYYY/M/D', 'YYYY.M.D' or 'YYYYMMDD' as an ISO date, or null. */
export function parseRegistryDate(value: string): string | null {
  const text = value.trim();
  let m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(text);
  if (!m) m = /^(\d{4})(\d{2})(\d{2})$/.exec(text);
  if (!m) return null;
  const date = isoDate(Number(m[1]), Number(m[2]), Number(m[3]));
  return isIsoDate(date) ? date : null;
}

const SEX_VALUES: Record<string, 'M' | 'F'> = { 男: 'M', 女: 'F', m: 'M', f: 'F', male: 'M', female: 'F' };

const CATEGORY_BY_NAME = new Map<string, string>();
for (const category of CATEGORIES) {
  CATEGORY_BY_NAME.set(category.code, category.code);
  CATEGORY_BY_NAME.set(category.zh, category.code);
}
const QUALIFIER_BY_NAME = new Map<string, CategoryQualifier>();
for (const qualifier of CATEGORY_QUALIFIERS) {
  QUALIFIER_BY_NAME.set(qualifier, qualifier);
  QUALIFIER_BY_NAME.set(CATEGORY_QUALIFIER_LABELS[qualifier].zh, qualifier);
}

/**
 * '经营性道路货物运输驾驶员', 'freight_driver', '道路危险货物运输驾驶员（爆炸品、剧毒化学品）' or
 * 'dg_driver(explosives,highly_toxic)' as a category code and its qualifiers, or null.
 */
export function parseCategory(value: string): { code: string; qualifiers: CategoryQualifier[] } | null {
  const m = /^([^（(]+?)\s*(?:[（(]([^）)]*)[）)])?$/.exec(value.trim());
  if (!m) return null;
  const code = CATEGORY_BY_NAME.get(m[1]!.trim()) ?? CATEGORY_BY_NAME.get(m[1]!.trim().toLowerCase());
  if (!code) return null;
  const names = (m[2] ?? '').split(/[、,，;；\s]+/).filter(Boolean);
  const qualifiers: CategoryQualifier[] = [];
  for (const name of names) {
    const qualifier = QUALIFIER_BY_NAME.get(name) ?? QUALIFIER_BY_NAME.get(name.toLowerCase());
    if (!qualifier || qualifiers.includes(qualifier)) return null;
    qualifiers.push(qualifier);
  }
  const allowed = getCategory(code)!.qualifiers;
  if (!qualifiers.every((q) => allowed.includes(q))) return null;
  return { code, qualifiers: qualifiers.sort() };
}

const CANCEL_REASON_BY_NAME = new Map<string, CancelReason>();
for (const reason of CANCEL_REASONS) {
  CANCEL_REASON_BY_NAME.set(reason, reason);
  CANCEL_REASON_BY_NAME.set(CANCEL_REASON_LABELS[reason].zh, reason);
}

const STATUS_VALUES: Record<string, 'valid' | 'cancelled'> = { 有效: 'valid', valid: 'valid', 注销: 'cancelled', 已注销: 'cancelled', cancelled: 'cancelled', canceled: 'cancelled' };

/** A licence may hold several classes, printed together ('A2D'); blank for staff who do not drive. */
export function parseQuasiDrivingType(value: string): string | null {
  const text = value.trim().toUpperCase().replace(/[\s,，、/]+/g, '');
  if (text === '') return '';
  const classes = text.match(/[A-Z]\d?/g) ?? [];
  if (classes.join('') !== text || !classes.every((c) => (QUASI_DRIVING_TYPES as readonly string[]).includes(c))) return null;
  return text;
}

const MAX_LENGTH: Partial<Record<RegistryColumn, number>> = { certificate_number: 32, name: 50, service_unit: 100, file_number: 32 };

// ---------------------------------------------------------------------------------------------- rules

const problem = (column: RegistryColumn | '', code: string, zh: string, en: string): RowProblem => ({ column, code, message: { zh, en } });

/** Checks one row against the registry's rules; every problem of the row is reported at once. */
export function checkRegistryRow(raw: RawRegistryRow, context: RowCheckContext): RowCheck {
  const problems: RowProblem[] = [];
  const add = (column: RegistryColumn | '', code: string, zh: string, en: string) => problems.push(problem(column, code, zh, en));

  for (const [column, max] of Object.entries(MAX_LENGTH) as [RegistryColumn, number][]) {
    if ([...raw[column]].length > max) add(column, 'TOO_LONG', `“${columnLabel(column)}”超过${max}个字符`, `${column} is longer than ${max} characters`);
  }

  const certificateNumber = raw.certificate_number.toUpperCase();
  if (certificateNumber === '') add('certificate_number', 'REQUIRED', '证号不能为空', 'The certificate number is required');
  else if (!/^[0-9A-Z-]+$/.test(certificateNumber)) add('certificate_number', 'CERTIFICATE_NUMBER_FORMAT', '证号只能包含数字、字母和连字符', 'A certificate number has digits, letters and hyphens only');

  const holderName = raw.name.replace(/\s+/g, ' ');
  if (holderName === '') add('name', 'REQUIRED', '姓名不能为空', 'The name is required');
  else if (/[\d<>{}\\]/.test(holderName)) add('name', 'NAME_FORMAT', '姓名含有不允许的字符', 'The name holds characters a name cannot have');

  const id = raw.id_number === '' ? null : parseIdNumber(raw.id_number, context.today);
  if (id === null) add('id_number', 'REQUIRED', '身份证号不能为空', 'The ID number is required');
  else if (!id.ok) add('id_number', id.error.code, id.error.messages.zh, id.error.messages.en);

  const sex = SEX_VALUES[raw.sex.trim().toLowerCase()] ?? SEX_VALUES[raw.sex.trim()];
  if (!sex) add('sex', 'SEX_INVALID', '性别应为“男”或“女”（或 M/F）', 'Sex is 男/女 (or M/F)');
  else if (id?.ok && id.value.sex !== sex) add('sex', 'SEX_MISMATCH', '性别与身份证号不符', 'Sex does not match the ID number');

  const birthDate = parseRegistryDate(raw.birth_date);
  if (!birthDate) add('birth_date', 'DATE_INVALID', '出生日期无效（应为 YYYY-MM-DD 或 YYYY/M/D）', 'Not a date (YYYY-MM-DD or YYYY/M/D)');
  else if (id?.ok && id.value.birthDate !== birthDate) add('birth_date', 'BIRTH_DATE_MISMATCH', '出生日期与身份证号不符', 'The birth date does not match the ID number');

  const quasiDrivingType = parseQuasiDrivingType(raw.quasi_driving_type);
  if (quasiDrivingType === null) add('quasi_driving_type', 'QUASI_DRIVING_TYPE_INVALID', '准驾车型无效（A1 A2 A3 B1 B2 C1 … P）', 'Not a quasi-driving type (A1 A2 A3 B1 B2 C1 … P)');

  const category = parseCategory(raw.category);
  if (!category) add('category', 'CATEGORY_UNKNOWN', '从业资格类别无效（应为证上印制的类别名称，如“经营性道路货物运输驾驶员”）', 'Unknown qualification category (the name printed on the certificate, or its code)');
  else if (getCategory(category.code)!.isDriver && quasiDrivingType === '') {
    add('quasi_driving_type', 'REQUIRED', '驾驶员类别须填写准驾车型', 'A driver category needs the quasi-driving type');
  }

  const dates: Partial<Record<'first_issued' | 'valid_from' | 'valid_to', string>> = {};
  for (const column of ['first_issued', 'valid_from', 'valid_to'] as const) {
    const date = parseRegistryDate(raw[column]);
    if (!date) add(column, 'DATE_INVALID', `${columnLabel(column)}无效（应为 YYYY-MM-DD 或 YYYY/M/D）`, `${column} is not a date (YYYY-MM-DD or YYYY/M/D)`);
    else dates[column] = date;
  }
  const { first_issued: firstIssueDate, valid_from: validFrom, valid_to: validTo } = dates;
  if (firstIssueDate && firstIssueDate > context.today) add('first_issued', 'DATE_IN_FUTURE', '初领日期晚于今天', 'The first-issue date is after today');
  if (validFrom && validFrom > context.today) add('valid_from', 'DATE_IN_FUTURE', '有效期起晚于今天', 'The validity starts after today');
  if (firstIssueDate && validFrom && firstIssueDate > validFrom) add('valid_from', 'VALID_FROM_BEFORE_FIRST_ISSUE', '有效期起早于初领日期', 'The validity starts before the first issue');
  if (validFrom && validTo && validTo <= validFrom) add('valid_to', 'VALID_TO_NOT_AFTER_FROM', '有效期止不晚于有效期起', 'The validity ends before it starts');
  if (birthDate && firstIssueDate && firstIssueDate <= birthDate) add('first_issued', 'FIRST_ISSUE_BEFORE_BIRTH', '初领日期早于出生日期', 'The first issue precedes the birth date');

  const authorityCode = raw.issuing_authority_code.trim();
  const authorityProvince = context.authorities.get(authorityCode);
  if (authorityCode === '') add('issuing_authority_code', 'REQUIRED', '发证机关代码不能为空', 'The issuing authority code is required');
  else if (!authorityProvince) add('issuing_authority_code', 'AUTHORITY_UNKNOWN', `发证机关代码“${authorityCode}”不存在`, `No issuing authority has code ${authorityCode}`);
  else if (context.provinceCode && authorityProvince !== context.provinceCode) {
    add('issuing_authority_code', 'AUTHORITY_NOT_IN_PROVINCE', `发证机关“${authorityCode}”不属于本省（${context.provinceCode}）`, `Authority ${authorityCode} is not one of province ${context.provinceCode}`);
  }

  const status = STATUS_VALUES[raw.status.trim().toLowerCase()] ?? STATUS_VALUES[raw.status.trim()];
  if (!status) add('status', 'STATUS_INVALID', '状态应为“有效”或“注销”', 'Status is 有效/注销 (valid/cancelled)');
  let cancelReason: CancelReason | null = null;
  if (status === 'cancelled') {
    if (raw.cancel_reason === '') add('cancel_reason', 'REQUIRED', '已注销的类别须填写注销原因', 'A cancelled category needs its cancellation reason');
    else {
      cancelReason = CANCEL_REASON_BY_NAME.get(raw.cancel_reason) ?? CANCEL_REASON_BY_NAME.get(raw.cancel_reason.toLowerCase()) ?? null;
      if (!cancelReason) add('cancel_reason', 'CANCEL_REASON_UNKNOWN', '注销原因无效（如“持证人申请注销”“持证人死亡”）', 'Unknown cancellation reason');
    }
  } else if (status === 'valid' && raw.cancel_reason !== '') {
    add('cancel_reason', 'CANCEL_REASON_NOT_CANCELLED', '状态为有效时不应填写注销原因', 'A valid category has no cancellation reason');
  }

  if (problems.length) return { ok: false, problems };
  return {
    ok: true,
    record: {
      certificateNumber,
      holderName,
      holderIdNumber: id!.ok ? id!.value.idNumber : '',
      sex: sex!,
      birthDate: birthDate!,
      quasiDrivingType: quasiDrivingType!,
      category: category!.code,
      qualifiers: category!.qualifiers,
      firstIssueDate: firstIssueDate!,
      validFrom: validFrom!,
      validTo: validTo!,
      issuingAuthorityCode: authorityCode,
      provinceCode: authorityProvince!,
      serviceUnit: raw.service_unit,
      cancelled: status === 'cancelled',
      cancelReason,
      fileNumber: raw.file_number,
    },
  };
}

/** The certificate-level columns: every row of one certificate must agree on them. */
export const CERTIFICATE_LEVEL_COLUMNS: readonly RegistryColumn[] = [
  'name',
  'id_number',
  'sex',
  'birth_date',
  'quasi_driving_type',
  'issuing_authority_code',
  'service_unit',
  'file_number',
];

/** The certificate-level values of a record as one string (compare two rows of one certificate). */
export function certificateFieldsKey(record: RegistryRecord): string {
  return JSON.stringify([
    record.holderName,
    record.holderIdNumber,
    record.sex,
    record.birthDate,
    record.quasiDrivingType,
    record.issuingAuthorityCode,
    record.serviceUnit,
    record.fileNumber,
  ]);
}

/** The first certificate-level column on which two keys of certificateFieldsKey differ. */
export function conflictingColumn(keyA: string, keyB: string): RegistryColumn {
  const a = JSON.parse(keyA) as string[];
  const b = JSON.parse(keyB) as string[];
  const index = a.findIndex((value, i) => value !== b[i]);
  return CERTIFICATE_LEVEL_COLUMNS[index < 0 ? 0 : index]!;
}

export const conflictProblem = (column: RegistryColumn, firstRow: number): RowProblem =>
  problem(column, 'CERTIFICATE_ROWS_DISAGREE', `与同一证号的第${firstRow}行“${columnLabel(column)}”不一致`, `Disagrees with row ${firstRow} of the same certificate on ${column}`);

export const duplicateProblem = (firstRow: number): RowProblem =>
  problem('category', 'DUPLICATE_CATEGORY', `与第${firstRow}行重复：同一证号的同一类别只能有一行`, `Repeats row ${firstRow}: one row per certificate and category`);

export const otherProvinceProblem = (provinceCode: string): RowProblem =>
  problem('certificate_number', 'CERTIFICATE_OF_OTHER_PROVINCE', `该证号已登记在其他省份（${provinceCode}），不能由本文件修改`, `This certificate number is registered in another province (${provinceCode})`);

// ---------------------------------------------------------------------------------------------- writing

/** A record as provincial exports write it (Chinese values), the inverse of checkRegistryRow. */
export function formatRegistryRow(record: RegistryRecord): RawRegistryRow {
  return {
    certificate_number: record.certificateNumber,
    name: record.holderName,
    id_number: record.holderIdNumber,
    sex: record.sex === 'F' ? '女' : '男',
    birth_date: record.birthDate,
    quasi_driving_type: record.quasiDrivingType,
    category: categoryLabel(record.category, record.qualifiers, 'zh'),
    first_issued: record.firstIssueDate,
    valid_from: record.validFrom,
    valid_to: record.validTo,
    issuing_authority_code: record.issuingAuthorityCode,
    service_unit: record.serviceUnit,
    status: record.cancelled ? '注销' : '有效',
    cancel_reason: record.cancelReason ? CANCEL_REASON_LABELS[record.cancelReason].zh : '',
    file_number: record.fileNumber,
  };
}

/** The header row in Chinese. */
export const REGISTRY_HEADER_ZH: readonly string[] = REGISTRY_COLUMNS.map((c) => c.zh);

/** Two example rows for `rto registry template` (a valid freight driver; a cancelled dangerous-goods escort). */
export const REGISTRY_TEMPLATE_ROWS: readonly RawRegistryRow[] = [
  {
    certificate_number: '110101198001010010',
    name: '张三',
    id_number: '110101198001010010',
    sex: '男',
    birth_date: '1980-01-01',
    quasi_driving_type: 'A2',
    category: '经营性道路货物运输驾驶员',
    first_issued: '2008-05-20',
    valid_from: '2020-05-20',
    valid_to: '2026-05-19',
    issuing_authority_code: '110000',
    service_unit: '北京市顺达货运有限公司',
    status: '有效',
    cancel_reason: '',
    file_number: '1100001234567',
  },
  {
    certificate_number: '110105198506150022',
    name: '李四',
    id_number: '110105198506150022',
    sex: '女',
    birth_date: '1985/6/15',
    quasi_driving_type: '',
    category: '道路危险货物运输押运人员（爆炸品）',
    first_issued: '2012/3/1',
    valid_from: '2018/3/1',
    valid_to: '2024/2/29',
    issuing_authority_code: '110000',
    service_unit: '',
    status: '注销',
    cancel_reason: '持证人申请注销',
    file_number: '1100007654321',
  },
];
