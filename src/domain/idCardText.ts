/**
 * Reading the text of a resident ID card: labels, names, dates, the ID number, as OCR gets them wrong.
 *
 * Pure: no I/O, so it can be tested with hand-written line arrays. OCR noise it copes with: labels merged
 * with their values or split from them, labels misread (娃名, 往址), one field per line or several on one,
 * addresses over several lines, spaces anywhere, 'x' / '×' for the check character, letters read for
 * digits (O→0, I→1, …) in the ID number.
 */
import { idCheckDigit } from './idNumber.ts';
import { isKnownRegionCode } from './regions.ts';

export interface IdCardFields {
  name?: string;
  sex?: 'M' | 'F';
  ethnicity?: string;
  /** YYYY-MM-DD */
  birthDate?: string;
  address?: string;
  idNumber?: string;
}

export type IdCardField = keyof IdCardFields;

export interface OcrLine {
  text: string;
  /** Recognition confidence 0..1. */
  mean?: number;
  /** Four corners [x, y]: top-left, top-right, bottom-right, bottom-left. */
  box?: number[][];
}

export interface TextOrderReading {
  fields: IdCardFields;
  /** Fields in the order they were read. */
  read: IdCardField[];
  /** How the ID number was found: valid check digit, or made valid by changing one confusable digit. */
  number?: { idNumber: string; valid: boolean; repaired: boolean } | undefined;
}

// The 56 recognised ethnic groups, as printed on the card (without 族).
const ETHNICITIES = [
  '汉', '蒙古', '回', '藏', '维吾尔', '苗', '彝', '壮', '布依', '朝鲜', '满', '侗', '瑶', '白', '土家', '哈尼', '哈萨克', '傣', '黎', '傈僳',
  '佤', '畲', '高山', '拉祜', '水', '东乡', '纳西', '景颇', '柯尔克孜', '土', '达斡尔', '仫佬', '羌', '布朗', '撒拉', '毛南', '仡佬', '锡伯',
  '阿昌', '普米', '塔吉克', '怒', '乌孜别克', '俄罗斯', '鄂温克', '德昂', '保安', '裕固', '京', '塔塔尔', '独龙', '鄂伦春', '赫哲', '门巴', '珞巴', '基诺',
];

// Label patterns, tolerant of the usual misreadings and of spaces between the characters.
export const LABEL_NAME = /^[姓娃妙]\s*[名各]/;
export const LABEL_SEX = /性\s*[别剐]/;
export const LABEL_ETHNICITY = /民\s*[族旅]/;
export const LABEL_BIRTH = /^出\s*[生牛]/;
export const LABEL_ADDRESS = /^[住佳往仕]\s*[址扯趾止]/;
export const LABEL_NUMBER = /公\s*民|身\s*份|号\s*码/;
export const ANY_LABEL = new RegExp(
  [LABEL_NAME, LABEL_SEX, LABEL_ETHNICITY, LABEL_BIRTH, LABEL_ADDRESS, LABEL_NUMBER].map((re) => re.source).join('|'),
);

/** Characters OCR reads in place of digits (and of the check character X). */
export const DIGIT_LOOKALIKES: Record<string, string> = {
  O: '0', o: '0', D: '0', Q: '0', '〇': '0', '○': '0',
  I: '1', l: '1', i: '1', '|': '1', '!': '1', L: '1', '丨': '1',
  Z: '2', z: '2',
  S: '5', s: '5',
  G: '6', b: '6',
  T: '7',
  B: '8',
  g: '9', q: '9',
  x: 'X', '×': 'X', 'Ｘ': 'X', '✕': 'X', '乂': 'X', K: 'X', k: 'X',
};

// Digits the recogniser confuses with one another; used only when the check digit says a digit is wrong.
const DIGIT_CONFUSIONS: Record<string, string> = {
  '0': '86', '1': '74', '2': '7', '3': '85', '4': '1', '5': '63', '6': '580', '7': '12', '8': '3069', '9': '80',
};

export function isValidDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Birth date (YYYY-MM-DD) encoded in an 18-character ID number, if it is a real date. */
export function birthDateFromIdNumber(idNumber: string): string | undefined {
  const m = /^\d{6}(\d{4})(\d{2})(\d{2})/.exec(idNumber);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < 1880 || !isValidDate(year, month, day)) return undefined;
  return `${m[1]}-${m[2]}-${m[3]}`;
}

/** Sex encoded in an ID number: the 17th digit is odd for men. */
export function sexFromIdNumber(idNumber: string): 'M' | 'F' | undefined {
  const digit = idNumber[16];
  if (digit === undefined || !/\d/.test(digit)) return undefined;
  return Number(digit) % 2 === 1 ? 'M' : 'F';
}

export function hasValidCheckDigit(idNumber: string): boolean {
  return /^\d{17}[\dX]$/.test(idNumber) && idCheckDigit(idNumber.slice(0, 17)) === idNumber[17];
}

/** How believable an 18-character number is apart from its check digit: known region code, real birth date. */
function plausibility(candidate: string): number {
  let score = 0;
  if (isKnownRegionCode(candidate.slice(0, 6))) score += 1;
  if (birthDateFromIdNumber(candidate)) score += 1;
  return score;
}

/** Normalise text that should be an ID number: drop spaces and punctuation, map look-alike letters to digits. */
export function normaliseNumberText(text: string): string {
  let out = '';
  for (const ch of text) {
    const mapped = DIGIT_LOOKALIKES[ch] ?? ch;
    if (/[\dX]/.test(mapped)) out += mapped;
    else if (/[\s\-.,:：_'"`·]/.test(ch)) continue;
    else out += ' ';
  }
  return out;
}

/**
 * The most plausible ID number in some OCR text, repaired if one confusable digit makes the check digit
 * right. `hint` (birth date / sex read elsewhere on the card) breaks ties between repairs.
 */
export function findIdNumber(
  texts: readonly string[],
  hint: { birthDate?: string; sex?: 'M' | 'F' } = {},
): { idNumber: string; valid: boolean; repaired: boolean } | undefined {
  const runs: string[] = [];
  for (const text of texts) {
    for (const run of normaliseNumberText(text).split(' ')) {
      // An X can only be last: a run like 1101X5… is a misread, not two numbers.
      if (run.length >= 17) runs.push(run);
    }
  }
  const exact: string[] = [];
  const completed: string[] = [];
  for (const run of runs) {
    for (let start = 0; start + 18 <= run.length; start++) {
      const candidate = run.slice(start, start + 18);
      if (/^\d{17}[\dX]$/.test(candidate)) exact.push(candidate);
    }
    // 17 digits alone: most likely the check character was lost, but a lost middle digit looks the same.
    if (run.length === 17 && /^\d{17}$/.test(run)) completed.push(run + idCheckDigit(run));
  }
  const valid = exact.filter(hasValidCheckDigit);
  const best = (candidates: string[]) =>
    [...candidates].sort((a, b) => score(b) - score(a))[0];
  const score = (candidate: string) =>
    plausibility(candidate) * 2 +
    (hint.birthDate && birthDateFromIdNumber(candidate) === hint.birthDate ? 2 : 0) +
    (hint.sex && sexFromIdNumber(candidate) === hint.sex ? 1 : 0);
  const bestValid = best(valid);
  if (bestValid && plausibility(bestValid) === 2) return { idNumber: bestValid, valid: true, repaired: false };

  // Repair: one confusable digit changed, the check digit then right and the number plausible.
  const repairs: string[] = [];
  for (const candidate of exact) {
    for (let i = 0; i < 18; i++) {
      const alternatives = i === 17 ? '0123456789X' : (DIGIT_CONFUSIONS[candidate[i]!] ?? '');
      for (const alt of alternatives) {
        if (alt === candidate[i]) continue;
        const repaired = candidate.slice(0, i) + alt + candidate.slice(i + 1);
        if (hasValidCheckDigit(repaired) && plausibility(repaired) === 2) repairs.push(repaired);
      }
    }
  }
  // Prefer the repair that agrees with the birth date and sex printed on the card.
  const bestRepair = best(repairs);
  if (bestRepair && (!bestValid || score(bestRepair) > score(bestValid))) return { idNumber: bestRepair, valid: true, repaired: true };
  if (bestValid) return { idNumber: bestValid, valid: true, repaired: false };
  const fallback = best(exact) ?? best(completed);
  return fallback ? { idNumber: fallback, valid: false, repaired: false } : undefined;
}

interface Row {
  text: string;
  /** Position of the row's first box in reading order; NaN when the OCR gave no boxes. */
  y: number;
}

/**
 * Lines in reading order, lines on the same row joined. Boxes are de-skewed first so a card photographed
 * at a slight angle still reads row by row.
 */
function toRows(lines: readonly OcrLine[]): Row[] {
  const usable = lines.filter((line) => line.text.trim() !== '');
  const boxed = usable.filter((line) => line.box && line.box.length >= 4);
  if (boxed.length !== usable.length || boxed.length === 0) {
    return usable.map((line) => ({ text: line.text.trim(), y: Number.NaN }));
  }
  const slopes = boxed
    .map(({ box }) => {
      const [[x1, y1] = [], [x2, y2] = []] = box!;
      return x2! - x1! > 20 ? (y2! - y1!) / (x2! - x1!) : Number.NaN;
    })
    .filter((s) => Number.isFinite(s))
    .sort((a, b) => a - b);
  const skew = slopes.length ? slopes[Math.floor(slopes.length / 2)]! : 0;
  const items = boxed.map((line) => {
    const points = line.box!.map(([x = 0, y = 0]) => ({ x, y: y - skew * x }));
    const ys = points.map((p) => p.y);
    const top = Math.min(...ys);
    const bottom = Math.max(...ys);
    return { text: line.text.trim(), left: Math.min(...points.map((p) => p.x)), mid: (top + bottom) / 2, height: bottom - top };
  });
  const heights = items.map((i) => i.height).sort((a, b) => a - b);
  const typicalHeight = heights[Math.floor(heights.length / 2)] ?? 1;
  items.sort((a, b) => a.mid - b.mid);
  const rows: (typeof items)[] = [];
  for (const item of items) {
    const row = rows.at(-1);
    if (row && Math.abs(item.mid - row[0]!.mid) < typicalHeight * 0.6) row.push(item);
    else rows.push([item]);
  }
  return rows.map((row) => {
    row.sort((a, b) => a.left - b.left);
    return { text: row.map((i) => i.text).join(' '), y: row[0]!.mid };
  });
}

export const stripSpaces = (text: string) => text.replace(/\s+/g, '');

export function afterLabel(text: string, label: RegExp): string {
  const m = label.exec(text);
  return m ? text.slice(m.index + m[0].length) : text;
}

export function cleanName(text: string): string | undefined {
  // Names are Chinese characters, with '·' between the parts of some minority names.
  const name = stripSpaces(text)
    .replace(/[•・．.]/g, '·')
    .replace(/[^\u3400-\u9fff·]/g, '')
    .replace(/^·+|·+$/g, '');
  return name.length >= 2 ? name : undefined;
}

// Single characters the recogniser returns for the one-character ethnicities, seen on test cards.
const ETHNICITY_MISREADS: Record<string, string> = { 葬: '彝', 彞: '彝', 并: '壮', 壯: '壮', 汊: '汉', 汗: '汉', 又: '汉', 冋: '回', 囗: '回', 苖: '苗', 瞒: '满', 蔵: '藏' };

export function matchEthnicity(text: string): string | undefined {
  const raw = stripSpaces(text).replace(/族$/, '').replace(/[^\u3400-\u9fff]/g, '');
  const value = raw.length === 1 ? (ETHNICITY_MISREADS[raw] ?? raw) : raw;
  if (!value) return undefined;
  // Longest known name that the text starts with.
  const known = ETHNICITIES.filter((e) => value.startsWith(e)).sort((a, b) => b.length - a.length)[0];
  // Anything else is a misreading: left for the driver rather than guessed.
  return known;
}

export function parseBirthDate(text: string): string | undefined {
  // Look-alike letters become digits; everything else (年 月 日, spaces) separates the parts.
  const digits = [...text].map((ch) => {
    const mapped = DIGIT_LOOKALIKES[ch] ?? ch;
    return /\d/.test(mapped) ? mapped : ' ';
  }).join('');
  const m = /(\d{4})\s+(\d{1,2})\s+(\d{1,2})/.exec(digits) ?? /(\d{4})(\d{2})(\d{2})/.exec(digits.replace(/\s/g, ''));
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < 1880 || year > 2100 || !isValidDate(year, month, day)) return undefined;
  return `${m[1]}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * Fields of the portrait side from lines in reading order, for text without positions (an engine that
 * gives no boxes, hand-typed lines). Each field is read after its label; no cross-checks here.
 */
export function readInTextOrder(lines: readonly OcrLine[]): TextOrderReading {
  const rows = toRows(lines);
  const fields: IdCardFields = {};
  const read: IdCardField[] = [];
  const set = <K extends IdCardField>(key: K, value: IdCardFields[K] | undefined) => {
    if (value === undefined || fields[key] !== undefined) return;
    fields[key] = value;
    read.push(key);
  };

  let addressStart = -1;
  let addressEnd = rows.length;
  rows.forEach((row, index) => {
    const text = row.text;
    // Anchored labels are looked for after any leading noise (a stray '|' from the card's edge).
    const head = stripSpaces(text).replace(/^[^\u3400-\u9fff]+/, '');
    if (LABEL_NAME.test(head)) {
      const value = cleanName(afterLabel(head, LABEL_NAME));
      // The value may have been read as a line of its own, just after the label.
      const next = rows[index + 1]?.text;
      set('name', value ?? (next && !ANY_LABEL.test(next) ? cleanName(next) : undefined));
    }
    if (LABEL_SEX.test(text) || LABEL_ETHNICITY.test(text)) {
      const beforeEthnicity = LABEL_ETHNICITY.test(text) ? text.slice(0, LABEL_ETHNICITY.exec(text)!.index) : text;
      const sexText = afterLabel(beforeEthnicity, LABEL_SEX);
      const sexChar = /[男女]/.exec(sexText)?.[0] ?? /[男女]/.exec(text)?.[0];
      if (sexChar) set('sex', sexChar === '男' ? 'M' : 'F');
      if (LABEL_ETHNICITY.test(text)) set('ethnicity', matchEthnicity(afterLabel(text, LABEL_ETHNICITY)));
    }
    if (LABEL_BIRTH.test(head) || /\d{4}\s*年.*月/.test(text)) {
      set('birthDate', parseBirthDate(afterLabel(head, LABEL_BIRTH)));
    }
    if (addressStart < 0 && LABEL_ADDRESS.test(head)) addressStart = index;
    if (addressStart >= 0 && index > addressStart && addressEnd === rows.length) {
      if (LABEL_NUMBER.test(text) || /\d{15,}/.test(stripSpaces(text))) addressEnd = index;
    }
  });

  // Rows from the address label up to the number: the address, wrapped over several lines.
  if (addressStart >= 0) {
    const parts = rows.slice(addressStart, addressEnd).map((row, i) => {
      const text = stripSpaces(row.text);
      return (i === 0 ? afterLabel(text.replace(/^[^\u3400-\u9fff]+/, ''), LABEL_ADDRESS) : text).replace(/^[:：]/, '');
    });
    const address = parts.join('').replace(/[^\u3400-\u9fff\dA-Za-z\-—()（）#·]/g, '');
    if (address.length >= 4) set('address', address);
  }

  // A card whose name label was lost: a line of just 2–5 Chinese characters at the top is most likely the name.
  if (!fields.name && read.length >= 2) {
    const candidate = rows.slice(0, 2).find((row) => /^[\u3400-\u9fff·]{2,5}$/.test(stripSpaces(row.text)) && !ANY_LABEL.test(row.text));
    if (candidate) set('name', cleanName(candidate.text));
  }

  const numberRows = rows.filter((row) => LABEL_NUMBER.test(row.text) || /\d{8,}/.test(normaliseNumberText(row.text).replace(/\s/g, '')));
  const found = findIdNumber(
    numberRows.map((row) => afterLabel(row.text, /号\s*码|身\s*份/)),
    { ...(fields.birthDate ? { birthDate: fields.birthDate } : {}), ...(fields.sex ? { sex: fields.sex } : {}) },
  );
  if (found) set('idNumber', found.idNumber);
  return { fields, read, number: found };
}
