/**
 * Resident identity card numbers (GB 11643-1999): 6-digit region code (GB/T 2260), 8-digit birth date,
 * 3-digit sequence (odd = male), and an ISO 7064 MOD 11-2 check character.
 */

import { DomainError } from './errors.ts';
import { chinaToday, isIsoDate, isoDate } from './dates.ts';
import { isKnownRegionCode } from './regions.ts';

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const ID_CHECK_CHARS = '10X98765432';

/** The ISO 7064 MOD 11-2 check character for the first 17 digits of an ID number ('0'–'9' or 'X'). */
export function idCheckDigit(first17: string): string {
  if (!/^\d{17}$/.test(first17)) {
    throw new TypeError('idCheckDigit expects exactly 17 digits');
  }
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    sum += Number(first17[i]) * ID_WEIGHTS[i]!;
  }
  return ID_CHECK_CHARS[sum % 11]!;
}

export interface IdNumberInfo {
  /** Normalized 18-character number, check character 'X' upper case. */
  idNumber: string;
  regionCode: string;
  provinceCode: string;
  birthDate: string;
  sex: 'M' | 'F';
  /** True when the input was a 15-digit first-generation number (birth year 19xx). */
  upgradedFrom15: boolean;
}

export type IdNumberResult = { ok: true; value: IdNumberInfo } | { ok: false; error: DomainError };

const EARLIEST_BIRTH_YEAR = 1900;

function failure(code: string, zh: string, en: string): IdNumberResult {
  return { ok: false, error: new DomainError(code, { zh, en }, { status: 422 }) };
}

/** A 15-digit first-generation number as 18 digits: century '19' inserted, check character appended. */
export function upgradeIdNumber15(id15: string): string {
  const first17 = `${id15.slice(0, 6)}19${id15.slice(6)}`;
  return first17 + idCheckDigit(first17);
}

/**
 * Validates a resident ID number and reads what it encodes. Accepts surrounding spaces and a lower-case
 * 'x'; a 15-digit legacy number is upgraded to 18. `today` (ISO date) bounds the birth date.
 */
export function parseIdNumber(input: string, today?: string): IdNumberResult {
  const raw = String(input ?? '').trim().toUpperCase();
  let id: string;
  let upgradedFrom15 = false;
  if (/^\d{15}$/.test(raw)) {
    id = upgradeIdNumber15(raw);
    upgradedFrom15 = true;
  } else if (/^\d{17}[\dX]$/.test(raw)) {
    id = raw;
  } else {
    return failure('ID_FORMAT', '身份证号码应为18位（末位可为X）或15位数字', 'An ID number has 18 characters (the last may be X) or 15 digits');
  }
  if (!upgradedFrom15 && idCheckDigit(id.slice(0, 17)) !== id[17]) {
    return failure('ID_CHECKSUM', '身份证号码校验位不正确，请核对', 'The ID number’s check digit is wrong; please check the number');
  }
  const birthDate = isoDate(Number(id.slice(6, 10)), Number(id.slice(10, 12)), Number(id.slice(12, 14)));
  const limit = today ?? chinaToday();
  if (!isIsoDate(birthDate) || Number(birthDate.slice(0, 4)) < EARLIEST_BIRTH_YEAR || birthDate > limit) {
    return failure('ID_BIRTHDATE', '身份证号码中的出生日期无效', 'The birth date in the ID number is not valid');
  }
  const regionCode = id.slice(0, 6);
  if (!isKnownRegionCode(regionCode)) {
    return failure('ID_REGION', '身份证号码中的地区代码不存在', 'The region code in the ID number does not exist');
  }
  return {
    ok: true,
    value: {
      idNumber: id,
      regionCode,
      provinceCode: regionCode.slice(0, 2),
      birthDate,
      sex: Number(id[16]) % 2 === 1 ? 'M' : 'F',
      upgradedFrom15,
    },
  };
}

/** True when `input` is a valid ID number (see parseIdNumber). */
export function isValidIdNumber(input: string, today?: string): boolean {
  return parseIdNumber(input, today).ok;
}

/** First 4 and last 4 characters kept, the rest as asterisks: '1101**********123X'. */
export function maskIdNumber(id: string): string {
  const s = id.trim().toUpperCase();
  if (s.length <= 8) return '*'.repeat(s.length);
  return s.slice(0, 4) + '*'.repeat(s.length - 8) + s.slice(-4);
}

/** The last `n` characters of an ID number (for "尾号" displays). */
export function idTail(id: string, n = 4): string {
  const s = id.trim().toUpperCase();
  return n <= 0 ? '' : s.slice(-n);
}
