import { describe, expect, it } from 'vitest';
import {
  checkRegistryRow,
  formatRegistryRow,
  parseCategory,
  parseQuasiDrivingType,
  parseRegistryDate,
  readHeader,
  REGISTRY_COLUMN_KEYS,
  REGISTRY_COLUMNS,
  REGISTRY_TEMPLATE_ROWS,
  rowFromCells,
} from './registryRow.ts';

const context = { authorities: new Map([['110000', '11'], ['310000', '31']]), today: '2026-03-02' };

describe('registry rows', () => {
  it('reads dates as provincial exports write them, and only real dates', () => {
    expect(parseRegistryDate('2024-02-29')).toBe('2024-02-29');
    expect(parseRegistryDate('2024/2/9')).toBe('2024-02-09');
    expect(parseRegistryDate('2024年2月9日')).toBe('2024-02-09');
    expect(parseRegistryDate('20240209')).toBe('2024-02-09');
    expect(parseRegistryDate('2023/2/29')).toBeNull();
    expect(parseRegistryDate('09/02/2024')).toBeNull();
  });

  it('reads categories by printed name or code, with qualifiers the category allows', () => {
    expect(parseCategory('经营性道路货物运输驾驶员')).toEqual({ code: 'freight_driver', qualifiers: [] });
    expect(parseCategory('freight_driver')).toEqual({ code: 'freight_driver', qualifiers: [] });
    expect(parseCategory('道路危险货物运输驾驶员（剧毒化学品、爆炸品）')).toEqual({ code: 'dg_driver', qualifiers: ['explosives', 'highly_toxic'] });
    expect(parseCategory('dg_escort(radioactive)')).toEqual({ code: 'dg_escort', qualifiers: ['radioactive'] });
    expect(parseCategory('经营性道路货物运输驾驶员（爆炸品）')).toBeNull();
    expect(parseCategory('公交驾驶员')).toBeNull();
    expect(parseQuasiDrivingType('a2d')).toBe('A2D');
    expect(parseQuasiDrivingType('A2、D')).toBe('A2D');
    expect(parseQuasiDrivingType('Z')).toBeNull();
  });

  it('reads a header in Chinese or English in any order, and names what is missing or unknown', () => {
    const english = [...REGISTRY_COLUMN_KEYS].reverse();
    const header = readHeader(english);
    expect(header.ok && header.indexOf.certificate_number).toBe(14);
    const mixed = readHeader(['\uFEFF证号', ...REGISTRY_COLUMN_KEYS.slice(1)]);
    expect(mixed.ok).toBe(true);
    const broken = readHeader(['证号', '姓名', '姓名', '电话']);
    expect(broken.ok).toBe(false);
    if (!broken.ok) {
      expect(broken.problems.map((p) => p.code)).toEqual(expect.arrayContaining(['HEADER_DUPLICATE', 'HEADER_UNKNOWN', 'HEADER_MISSING']));
      expect(broken.problems.find((p) => p.code === 'HEADER_MISSING')!.message.zh).toContain('身份证号');
    }
  });

  it('accepts the template rows and writes them back the same way', () => {
    const header = readHeader(REGISTRY_COLUMNS.map((c) => c.zh));
    if (!header.ok) throw new Error('header');
    for (const raw of REGISTRY_TEMPLATE_ROWS) {
      const checked = checkRegistryRow(rowFromCells(REGISTRY_COLUMN_KEYS.map((c) => raw[c]), header.indexOf), context);
      expect(checked.ok).toBe(true);
      if (!checked.ok) continue;
      const again = checkRegistryRow(formatRegistryRow(checked.record), context);
      expect(again).toEqual(checked);
    }
  });

  it('reports every problem of a row at once, each with its column', () => {
    const raw = { ...REGISTRY_TEMPLATE_ROWS[0]!, sex: '女', valid_to: '2019-01-01', status: '有效', cancel_reason: '持证人死亡', issuing_authority_code: '310000' };
    const checked = checkRegistryRow(raw, { ...context, provinceCode: '11' });
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.problems.map((p) => `${p.column}:${p.code}`)).toEqual([
      'sex:SEX_MISMATCH',
      'valid_to:VALID_TO_NOT_AFTER_FROM',
      'issuing_authority_code:AUTHORITY_NOT_IN_PROVINCE',
      'cancel_reason:CANCEL_REASON_NOT_CANCELLED',
    ]);
    expect(checked.problems.every((p) => /[\u4e00-\u9fff]/.test(p.message.zh))).toBe(true);
  });
});
