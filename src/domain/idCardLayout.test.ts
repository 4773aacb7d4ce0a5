import { describe, expect, it } from 'vitest';
import recordedJson from '../../test/fixtures/id-cards/recorded-lines.json' with { type: 'json' };
import { addressLooksMisread, crossCheckFront, readIdCardBack, readIdCardFront, type IdCardBackFields, type IdCardFields, type OcrLine } from './idCardLayout.ts';

/** What the OCR engine read (upright lines with their boxes) on generated photos; see scripts/record-id-card-lines.ts. */
interface Recorded {
  condition: string;
  turn: number;
  truth: Required<IdCardFields> | Required<IdCardBackFields>;
  decoys: string[];
  lines: OcrLine[];
}
const recorded = recordedJson as Recorded[];
const sample = (condition: string) => recorded.find((r) => r.condition === condition)!;

/** The same lines as seen in a picture turned by `degrees` about (cx, cy): the card tilted on the table. */
function tilted(lines: OcrLine[], degrees: number, cx = 500, cy = 400): OcrLine[] {
  const a = (degrees * Math.PI) / 180;
  return lines.map((l) => ({
    ...l,
    box: l.box!.map(([x = 0, y = 0]) => [cx + (x - cx) * Math.cos(a) - (y - cy) * Math.sin(a), cy + (x - cx) * Math.sin(a) + (y - cy) * Math.cos(a)]),
  }));
}

describe('placing the fields of the portrait side', () => {
  it('ignores a form beside the card with its own 姓名, 住址 and three valid ID numbers', () => {
    const { lines, truth, decoys } = sample('form-beside');
    expect(decoys).toHaveLength(3);
    // The form's numbers are in the lines the engine read, with labels like the card's.
    for (const decoy of decoys) expect(lines.some((l) => l.text.includes(decoy))).toBe(true);
    const reading = readIdCardFront(lines);
    expect(reading.fields).toEqual(truth);
    expect(reading.doubts).toEqual([]);
  });

  it('never takes a number from beside the card, even when the card’s own number was not read', () => {
    const { lines, truth } = sample('form-beside');
    const withoutCardNumber = lines.filter((l) => !l.text.includes((truth as Required<IdCardFields>).idNumber));
    const reading = readIdCardFront(withoutCardNumber);
    expect(reading.fields.idNumber).toBeUndefined();
    expect(reading.fields.name).toBe((truth as Required<IdCardFields>).name);
  });

  it('reads the fields of photos turned by a quarter and a half (lines already upright) and of a tilted card', () => {
    for (const condition of ['quarter-cw', 'half-turn', 'tilt', 'dim-noise']) {
      const { lines, truth } = sample(condition);
      expect(readIdCardFront(lines).fields, condition).toEqual(truth);
    }
  });

  it('places the card at any tilt up to ±25° and at any position or size', () => {
    const { lines, truth } = sample('quarter-cw');
    for (const degrees of [-25, -12, 7, 25]) expect(readIdCardFront(tilted(lines, degrees)).fields, `${degrees}°`).toEqual(truth);
    const moved = lines.map((l) => ({ ...l, box: l.box!.map(([x = 0, y = 0]) => [x * 1.7 + 300, y * 1.7 - 40]) }));
    expect(readIdCardFront(moved).fields).toEqual(truth);
  });

  it('reads the number of a card photographed in strong keystone, where it sits lower than its label', () => {
    // Engine output on a card whose top edge looks 15 % narrower than its bottom.
    const recordedText = `公民身份号码 @276,475 368,475 368,493 276,493
32010220050219604X @403,473 619,474 619,495 403,494
镇李家村8组82号 @337,403 453,403 453,423 337,423
江苏省南京市玄武区王庄 @339,381 501,382 501,401 339,400
住址 @287,382 317,382 317,398 287,398
2005年2月19日 @341,341 457,344 457,363 341,360
出生 @290,344 321,344 321,360 290,360
民族汉 @420,306 488,306 488,324 420,324
性别 @295,306 325,306 325,322 295,322
女 @344,304 363,304 363,323 344,323
姓名宋轩 @297,267 380,267 380,288 297,288`;
    const lines = recordedText.split('\n').map((row) => {
      const [text, box] = row.split(' @') as [string, string];
      return { text, mean: 0.99, box: box.split(' ').map((p) => p.split(',').map(Number)) };
    });
    expect(readIdCardFront(lines).fields).toEqual({
      name: '宋轩',
      sex: 'F',
      ethnicity: '汉',
      birthDate: '2005-02-19',
      address: '江苏省南京市玄武区王庄镇李家村8组82号',
      idNumber: '32010220050219604X',
    });
  });

  it('drops what glare left of the 住址 label from the address', () => {
    const { lines, truth } = sample('half-turn');
    const t = truth as Required<IdCardFields>;
    const labelBox = lines.find((l) => l.text === '住址')!.box!;
    const firstValue = lines.find((l) => t.address.startsWith(l.text) && l.text.length > 4)!;
    // The label's 址 lost and 住 read as one line with the first line of the address.
    const merged = { ...firstValue, text: `住${firstValue.text}`, box: [labelBox[0]!, firstValue.box![1]!, firstValue.box![2]!, labelBox[3]!] };
    const glared = lines.filter((l) => l !== firstValue && l.text !== '住址').concat(merged);
    expect(readIdCardFront(glared).fields.address).toBe(t.address);
  });

  it('places the card from its values when the pale labels were lost, if the number agrees with 出生', () => {
    const { lines, truth } = sample('dim-noise');
    const valuesOnly = lines.filter((l) => !/^(姓名|性别|民族|出生|住址|公民身份号码)/.test(l.text));
    const t = truth as Required<IdCardFields>;
    const reading = readIdCardFront(valuesOnly);
    expect(reading.fields.idNumber).toBe(t.idNumber);
    expect(reading.fields.birthDate).toBe(t.birthDate);
    // Two values that disagree are not a card: nothing is placed.
    const numberAndDate = valuesOnly.filter((l) => /^\d{4}年|^\d{17}/.test(l.text));
    const otherDate = numberAndDate.map((l) => (/年/.test(l.text) ? { ...l, text: '1970年1月1日' } : l));
    expect(readIdCardFront(otherDate).fields).toEqual({});
    expect(readIdCardFront(otherDate).doubts.map((d) => d.code)).toEqual(['OCR_CARD_NOT_FOUND']);
  });

  it('leaves everything empty when no card labels are found (text that is not an ID card)', () => {
    const reading = readIdCardFront([
      { text: '公民身份号码：110101199003077534', mean: 0.99, box: [[10, 10], [400, 10], [400, 40], [10, 40]] },
      { text: '联系电话：13800000000', mean: 0.99, box: [[10, 80], [400, 80], [400, 110], [10, 110]] },
    ]);
    expect(reading.fields).toEqual({});
    expect(reading.doubts.map((d) => d.code)).toEqual(['OCR_CARD_NOT_FOUND']);
  });
});

describe('cross-checks of the portrait side', () => {
  const base: Required<IdCardFields> = {
    name: '李娜',
    sex: 'F',
    ethnicity: '汉',
    birthDate: '1990-01-05',
    address: '北京市朝阳区建设路12号',
    idNumber: '110105199001051242',
  };
  const check = (fields: IdCardFields, repaired = false) =>
    crossCheckFront({
      fields,
      read: Object.keys(fields) as (keyof IdCardFields)[],
      number: fields.idNumber ? { idNumber: fields.idNumber, valid: true, repaired } : undefined,
      confidence: {},
    });

  it('keeps a card whose number agrees with everything', () => {
    const result = check(base);
    expect(result.fields).toEqual(base);
    expect(result.doubts).toEqual([]);
    expect(result.idNumberValid).toBe(true);
  });

  it('empties a number with a wrong check digit', () => {
    const result = check({ ...base, idNumber: '110105199001051243' });
    expect(result.fields.idNumber).toBeUndefined();
    expect(result.doubts.map((d) => d.code)).toEqual(['OCR_ID_NUMBER_CHECK_DIGIT']);
  });

  it('empties the number when its birth date differs from 出生 in more than one digit', () => {
    const result = check({ ...base, birthDate: '1991-03-05' });
    expect(result.fields.idNumber).toBeUndefined();
    expect(result.fields.birthDate).toBe('1991-03-05');
    expect(result.doubts[0]).toMatchObject({ field: 'idNumber', code: 'OCR_ID_NUMBER_BIRTHDATE_MISMATCH' });
    expect(result.doubts[0]!.zh).toContain('出生');
  });

  it('empties 出生 when it differs from a cleanly read number in one digit, and the number when that number was repaired', () => {
    const clean = check({ ...base, birthDate: '1990-01-06' });
    expect(clean.fields.birthDate).toBeUndefined();
    expect(clean.fields.idNumber).toBe(base.idNumber);
    expect(clean.doubts.map((d) => d.code)).toEqual(['OCR_BIRTHDATE_MISMATCH']);
    const repaired = check({ ...base, birthDate: '1990-01-06' }, true);
    expect(repaired.fields.idNumber).toBeUndefined();
  });

  it('empties 性别 when it differs from the number’s sex digit', () => {
    const result = check({ ...base, sex: 'M' });
    expect(result.fields.sex).toBeUndefined();
    expect(result.doubts.map((d) => d.code)).toEqual(['OCR_SEX_MISMATCH']);
  });

  it('flags a number whose region is not the address’s province, and empties it when it was repaired', () => {
    const moved = check({ ...base, address: '浙江省杭州市西湖区文化路8号' });
    expect(moved.fields.idNumber).toBe(base.idNumber);
    expect(moved.doubts.map((d) => d.code)).toEqual(['OCR_ID_REGION_DIFFERS_FROM_ADDRESS']);
    const repaired = check({ ...base, address: '浙江省杭州市西湖区文化路8号' }, true);
    expect(repaired.fields.idNumber).toBeUndefined();
    expect(repaired.doubts.map((d) => d.code)).toEqual(['OCR_ID_NUMBER_REGION_MISMATCH']);
  });

  it('empties an address whose house number follows a character no address unit ends with', () => {
    const misread = check({ ...base, address: '北京市朝阳区和平衡35号' });
    expect(misread.fields.address).toBeUndefined();
    expect(misread.doubts).toEqual([expect.objectContaining({ field: 'address', code: 'OCR_ADDRESS_MISREAD' })]);
    for (const address of [
      '贵州省贵阳市南明区和平街35号',
      '重庆市渝中区白沙镇红旗村3组50号',
      '上海市浦东新区张杨路1234弄5号',
      '北京市西城区西长安街甲3号',
      '浙江省杭州市西湖区文化路8-2号锦绣小区3栋2单元1202室',
      '广东省深圳市南山区科技园南区12号',
    ]) {
      expect(addressLooksMisread(address), address).toBe(false);
      expect(check({ ...base, address }).fields.address).toBe(address);
    }
  });

  it('empties a number with an unknown region code and fills what was not read from a number that passed', () => {
    expect(check({ ...base, idNumber: '990105199001051246' }).doubts.map((d) => d.code)).toEqual(['OCR_ID_NUMBER_IMPLAUSIBLE']);
    const filled = check({ name: base.name, idNumber: base.idNumber });
    expect(filled.fields.birthDate).toBe('1990-01-05');
    expect(filled.fields.sex).toBe('F');
    expect(filled.read).toEqual(['name', 'idNumber']);
  });
});

describe('the back side (国徽面)', () => {
  it('reads the issuing authority and validity period of upright and turned photos', () => {
    for (const condition of ['back', 'back-turned']) {
      const { lines, truth } = sample(condition);
      const reading = readIdCardBack(lines, '2026-12-01');
      expect(reading.fields, condition).toEqual(truth);
      expect(reading.doubts).toEqual([]);
    }
  });

  const back = (validity: string): OcrLine[] => [
    { text: '中华人民共和国', mean: 0.99, box: [[290, 101], [610, 101], [610, 141], [290, 141]] },
    { text: '居民身份证', mean: 0.99, box: [[290, 175], [650, 175], [650, 235], [290, 235]] },
    { text: '签发机关', mean: 0.99, box: [[150, 397], [260, 397], [260, 427], [150, 427]] },
    { text: '杭州市公安局西湖分局', mean: 0.98, box: [[300, 396], [600, 396], [600, 432], [300, 432]] },
    { text: '有效期限', mean: 0.99, box: [[150, 462], [260, 462], [260, 492], [150, 492]] },
    { text: validity, mean: 0.97, box: [[300, 461], [620, 461], [620, 497], [300, 497]] },
  ];

  it('reports a card whose validity ended before today as expired, and 长期 as never expiring', () => {
    const expired = readIdCardBack(back('2006.05.01-2026.05.01'), '2026-12-01');
    expect(expired.fields).toEqual({ issuingAuthority: '杭州市公安局西湖分局', validFrom: '2006-05-01', validTo: '2026-05-01' });
    expect(expired.expired).toBe(true);
    expect(readIdCardBack(back('2016.05.01-2036.05.01'), '2026-12-01').expired).toBe(false);
    const longTerm = readIdCardBack(back('2012.08.20-长期'), '2026-12-01');
    expect(longTerm.fields.validTo).toBe('long-term');
    expect(longTerm.expired).toBe(false);
  });

  it('empties a validity period no card can have (a misread digit) and says why', () => {
    const misread = readIdCardBack(back('2016.05.01-2036.06.01'), '2026-12-01');
    expect(misread.fields.validFrom).toBeUndefined();
    expect(misread.fields.validTo).toBeUndefined();
    expect(misread.expired).toBeUndefined();
    expect(misread.doubts.map((d) => d.code)).toEqual(['OCR_VALIDITY_DOUBTFUL']);
  });

  it('does not read a back side from a picture without the card', () => {
    const reading = readIdCardBack([{ text: '有效期至2030.01.01', mean: 0.9, box: [[0, 0], [300, 0], [300, 30], [0, 30]] }], '2026-12-01');
    expect(reading.fields).toEqual({});
  });
});
