import { describe, expect, it } from 'vitest';
import { PREFECTURES, PROVINCES, isKnownRegionCode, prefectureOf, provinceOf } from './regions.ts';

describe('provinces', () => {
  it('lists the 31 mainland provincial-level divisions plus the XPCC', () => {
    expect(PROVINCES).toHaveLength(32);
    expect(PROVINCES.filter((p) => !p.pseudo)).toHaveLength(31);
    expect(new Set(PROVINCES.map((p) => p.code)).size).toBe(32);
    expect(PROVINCES[0]).toMatchObject({ code: '11', zhShort: '北京', en: 'Beijing' });
    expect(provinceOf('65')?.zh).toBe('新疆维吾尔自治区');
    expect(provinceOf('66')).toMatchObject({ zh: '新疆生产建设兵团', pseudo: true });
  });

  it('finds the province of a longer code and nothing for unknown ones', () => {
    expect(provinceOf('310115')?.zhShort).toBe('上海');
    expect(provinceOf('99')).toBeUndefined();
    expect(provinceOf('71')).toBeUndefined();
  });

  it('every prefecture belongs to a real province', () => {
    for (const p of PREFECTURES) {
      expect(p.code, p.code).toMatch(/^\d{4}$/);
      expect(provinceOf(p.code)?.pseudo, p.code).not.toBe(true);
      expect(provinceOf(p.code), p.code).toBeDefined();
    }
  });
});

describe('isKnownRegionCode', () => {
  it('accepts current prefectures, province and directly-administered codes', () => {
    for (const c of ['110105', '440305', '469001', '500101', '659001', '110000', '419001', '652301']) {
      expect(isKnownRegionCode(c), c).toBe(true);
    }
  });

  it('accepts retired codes still carried by older ID numbers', () => {
    for (const c of ['412828', '371202', '510202', '342601', '110228', '532101']) {
      expect(isKnownRegionCode(c), c).toBe(true);
    }
    expect(prefectureOf('3712')).toMatchObject({ zh: '莱芜市', retired: true });
  });

  it('rejects unknown provinces, unknown prefectures, the XPCC and malformed codes', () => {
    for (const c of ['990101', '119901', '660101', '1101', '11010a', '714400', '449901']) {
      expect(isKnownRegionCode(c), c).toBe(false);
    }
  });

  it('accepts the residence-permit codes of Hong Kong, Macao and Taiwan residents', () => {
    expect(isKnownRegionCode('810000')).toBe(true);
    expect(isKnownRegionCode('830000')).toBe(true);
    expect(isKnownRegionCode('810101')).toBe(false);
  });
});
