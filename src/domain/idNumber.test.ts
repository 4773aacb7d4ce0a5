import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { idCheckDigit, idTail, isValidIdNumber, maskIdNumber, parseIdNumber, upgradeIdNumber15 } from './idNumber.ts';

const TODAY = '2026-03-01';

function withCheck(first17: string): string {
  return first17 + idCheckDigit(first17);
}

describe('idCheckDigit', () => {
  it('matches the published GB 11643-1999 example', () => {
    expect(idCheckDigit('11010519491231002')).toBe('X');
  });

  it('yields 0–9 or X and rejects anything but 17 digits', () => {
    expect(idCheckDigit('44052418800101001')).toBe('4');
    expect(() => idCheckDigit('1101051949123100')).toThrow();
    expect(() => idCheckDigit('1101051949123100X')).toThrow();
  });

  it('detects any single changed digit (MOD 11-2 property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{17}$/), fc.integer({ min: 0, max: 16 }), fc.integer({ min: 1, max: 9 }), (first17, pos, delta) => {
        const changed = first17.slice(0, pos) + String((Number(first17[pos]) + delta) % 10) + first17.slice(pos + 1);
        expect(idCheckDigit(changed)).not.toBe(idCheckDigit(first17));
      }),
    );
  });
});

describe('parseIdNumber', () => {
  it('reads region, birth date and sex from a valid number', () => {
    const r = parseIdNumber('11010519491231002X', TODAY);
    expect(r).toEqual({
      ok: true,
      value: { idNumber: '11010519491231002X', regionCode: '110105', provinceCode: '11', birthDate: '1949-12-31', sex: 'F', upgradedFrom15: false },
    });
  });

  it('normalizes a lower-case x and surrounding spaces', () => {
    const r = parseIdNumber('  11010519491231002x ', TODAY);
    expect(r.ok && r.value.idNumber).toBe('11010519491231002X');
  });

  it('gives sex from the 17th digit: odd is male', () => {
    const male = parseIdNumber(withCheck('44030619900101001'), TODAY);
    expect(male.ok && male.value.sex).toBe('M');
  });

  it('accepts a leap-day birth date and rejects 29 February of a common year', () => {
    expect(parseIdNumber(withCheck('11010520000229003'), TODAY).ok).toBe(true);
    const r = parseIdNumber(withCheck('11010519990229003'), TODAY);
    expect(!r.ok && r.error.code).toBe('ID_BIRTHDATE');
    expect(!r.ok && r.error.messages.zh).toContain('出生日期');
  });

  it('rejects impossible, future and pre-1900 birth dates', () => {
    for (const first17 of ['11010519901332003', '11010520260302003', '11010518991231003', '11010519900100003']) {
      const r = parseIdNumber(withCheck(first17), TODAY);
      expect(!r.ok && r.error.code, first17).toBe('ID_BIRTHDATE');
    }
    expect(parseIdNumber(withCheck('11010520260301003'), TODAY).ok).toBe(true); // born today
  });

  it('reports a wrong check digit', () => {
    const r = parseIdNumber('110105194912310021', TODAY);
    expect(!r.ok && r.error.code).toBe('ID_CHECKSUM');
    expect(!r.ok && r.error.status).toBe(422);
  });

  it('reports malformed input', () => {
    for (const bad of ['', '1101051949123100', '11010519491231002XX', '1101051949123100X2', 'abcdefghijklmnopqr', '11010519491231002Y']) {
      const r = parseIdNumber(bad, TODAY);
      expect(!r.ok && r.error.code, bad).toBe('ID_FORMAT');
    }
  });

  it('rejects unknown province and prefecture codes, and the XPCC pseudo code', () => {
    for (const first17 of ['99010519900101003', '11990519900101003', '66010019900101003', '44990019900101003']) {
      const r = parseIdNumber(withCheck(first17), TODAY);
      expect(!r.ok && r.error.code, first17).toBe('ID_REGION');
    }
  });

  it('accepts retired prefecture codes that older numbers carry', () => {
    for (const first17 of ['41282619700101003', '37120219800101003', '51020219700101003', '13212219650101003']) {
      expect(parseIdNumber(withCheck(first17), TODAY).ok, first17).toBe(true);
    }
  });

  it('upgrades a 15-digit legacy number to 18 with birth year 19xx', () => {
    const r = parseIdNumber('110105491231002', TODAY);
    expect(r).toEqual({
      ok: true,
      value: { idNumber: '11010519491231002X', regionCode: '110105', provinceCode: '11', birthDate: '1949-12-31', sex: 'F', upgradedFrom15: true },
    });
    expect(upgradeIdNumber15('110105491231002')).toBe('11010519491231002X');
    const bad = parseIdNumber('110105490231002', TODAY);
    expect(!bad.ok && bad.error.code).toBe('ID_BIRTHDATE');
  });

  it('round-trips: every number built from a known region and past date is accepted', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('110105', '310115', '440305', '650102', '412801', '460100'),
        fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2026-03-01T00:00:00Z'), noInvalidDate: true }),
        fc.integer({ min: 0, max: 999 }),
        (region, birth, seq) => {
          const ymd = birth.toISOString().slice(0, 10);
          const id = withCheck(region + ymd.replaceAll('-', '') + String(seq).padStart(3, '0'));
          const r = parseIdNumber(id, TODAY);
          expect(r.ok).toBe(true);
          if (r.ok) {
            expect(r.value.birthDate).toBe(ymd);
            expect(r.value.sex).toBe(seq % 2 === 1 ? 'M' : 'F');
          }
        },
      ),
    );
  });

  it('isValidIdNumber agrees with parseIdNumber', () => {
    expect(isValidIdNumber('11010519491231002X', TODAY)).toBe(true);
    expect(isValidIdNumber('110105194912310021', TODAY)).toBe(false);
  });
});

describe('masking', () => {
  it('keeps the first and last four characters', () => {
    expect(maskIdNumber('11010519491231002X')).toBe('1101**********002X');
    expect(maskIdNumber('11010519491231002x')).toBe('1101**********002X');
    expect(maskIdNumber('110105491231002')).toBe('1101*******1002');
    expect(maskIdNumber('1234')).toBe('****');
  });

  it('gives the tail', () => {
    expect(idTail('11010519491231002X')).toBe('002X');
    expect(idTail('11010519491231002X', 6)).toBe('31002X');
    expect(idTail('11010519491231002X', 0)).toBe('');
  });
});
