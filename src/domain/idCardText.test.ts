import { describe, expect, it } from 'vitest';
import { readIdCardFront as parseIdCardLines } from './idCardLayout.ts';
import { findIdNumber, type OcrLine } from './idCardText.ts';

const lines = (...texts: string[]): OcrLine[] => texts.map((text) => ({ text, mean: 0.99 }));

/** A line with a box at row `y` (top edge), starting at `x`, 30 px high. */
const at = (text: string, x: number, y: number, width = text.length * 28): OcrLine => ({
  text,
  mean: 0.99,
  box: [[x, y], [x + width, y], [x + width, y + 30], [x, y + 30]],
});

describe('parseIdCardLines', () => {
  it('reads every field of a cleanly recognised card', () => {
    const parsed = parseIdCardLines(
      lines(
        '姓名 廖龙国',
        '性别 女 民族 蒙古',
        '出生 1958年7月31日',
        '住址 广西壮族自治区南宁市青',
        '秀区柳河乡李家村2组4',
        '4号',
        '公民身份号码 45010319580731968X',
      ),
    );
    expect(parsed.fields).toEqual({
      name: '廖龙国',
      sex: 'F',
      ethnicity: '蒙古',
      birthDate: '1958-07-31',
      address: '广西壮族自治区南宁市青秀区柳河乡李家村2组44号',
      idNumber: '45010319580731968X',
    });
    expect(parsed.idNumberValid).toBe(true);
    expect(parsed.read).toHaveLength(6);
  });

  it('copes with labels merged into values, spaces, and a lower-case check character', () => {
    const parsed = parseIdCardLines(
      lines('姓 名王小明', '性别男民族汉', '出生1990年1月5日', '住址北京市朝阳区建设路 12号', '公民身份号码', '1101 0519 9001 0513 9x'),
    );
    expect(parsed.fields.name).toBe('王小明');
    expect(parsed.fields.sex).toBe('M');
    expect(parsed.fields.ethnicity).toBe('汉');
    expect(parsed.fields.birthDate).toBe('1990-01-05');
    expect(parsed.fields.address).toBe('北京市朝阳区建设路12号');
    expect(parsed.fields.idNumber).toBe('11010519900105139X');
  });

  it('puts lines back in reading order using their boxes, even on a slightly rotated card', () => {
    // 2° clockwise: each box is lower the further right it is.
    const slope = Math.tan((2 * Math.PI) / 180);
    const tilt = (line: OcrLine): OcrLine => ({ ...line, box: line.box!.map(([x = 0, y = 0]) => [x, y + x * slope]) });
    const parsed = parseIdCardLines(
      [
        at('公民身份号码', 70, 450),
        at('610113196912234028', 300, 450, 500),
        at('元3003室', 170, 380),
        at('女', 170, 150),
        at('民族', 320, 150),
        at('朝鲜', 420, 150),
        at('性别', 70, 150),
        at('住址 陕西省西安市雁塔区解放', 70, 290),
        at('路40号翠苑27栋4单', 170, 335),
        at('出生 1969年12月23日', 70, 220),
        at('姓名 白佳国', 70, 80),
      ].map(tilt),
    );
    expect(parsed.fields).toEqual({
      name: '白佳国',
      sex: 'F',
      ethnicity: '朝鲜',
      birthDate: '1969-12-23',
      address: '陕西省西安市雁塔区解放路40号翠苑27栋4单元3003室',
      idNumber: '610113196912234028',
    });
  });

  it('takes the value from the next line when the label stands alone', () => {
    const parsed = parseIdCardLines(lines('姓名', '欧阳志文', '性别 男 民族 回'));
    expect(parsed.fields.name).toBe('欧阳志文');
    expect(parsed.fields.ethnicity).toBe('回');
  });

  it('maps a misread one-character ethnicity to the one it stands for', () => {
    expect(parseIdCardLines(lines('性别 男 民族 并')).fields.ethnicity).toBe('壮');
    expect(parseIdCardLines(lines('性别 男 民族 土家族')).fields.ethnicity).toBe('土家');
  });

  it('keeps the dot in minority names', () => {
    expect(parseIdCardLines(lines('姓名 买买提•艾力')).fields.name).toBe('买买提·艾力');
  });

  it('tolerates common misreadings of the labels', () => {
    const parsed = parseIdCardLines(lines('娃名 张伟', '性剐 男 民旅 汉', '往址 上海市浦东新区人民路1号'));
    expect(parsed.fields.name).toBe('张伟');
    expect(parsed.fields.sex).toBe('M');
    expect(parsed.fields.ethnicity).toBe('汉');
    expect(parsed.fields.address).toBe('上海市浦东新区人民路1号');
  });

  it('fills birth date and sex from the ID number when OCR missed them', () => {
    const parsed = parseIdCardLines(lines('姓名 李娜', '公民身份号码 110105199001051242'));
    expect(parsed.fields.birthDate).toBe('1990-01-05');
    expect(parsed.fields.sex).toBe('F');
    expect(parsed.read).toEqual(['name', 'idNumber']);
  });

  it('empties a birth date that disagrees with a valid ID number in one digit, and says why', () => {
    const parsed = parseIdCardLines(lines('出生 1996年1月5日', '公民身份号码 110105199001051242'));
    expect(parsed.fields.birthDate).toBeUndefined();
    expect(parsed.fields.idNumber).toBe('110105199001051242');
    expect(parsed.read).toEqual(['idNumber']);
    expect(parsed.doubts).toMatchObject([{ field: 'birthDate', code: 'OCR_BIRTHDATE_MISMATCH' }]);
  });

  it('finds nothing in text that is not an ID card', () => {
    const parsed = parseIdCardLines(lines('欢迎光临', '营业时间 9:00-18:00'));
    expect(parsed.fields).toEqual({});
    expect(parsed.idNumberValid).toBe(false);
  });
});

describe('findIdNumber', () => {
  it('maps letters read for digits (O→0, I→1, B→8) and keeps the number whose check digit is right', () => {
    expect(findIdNumber(['11O1O5I99OO1O5I242'])).toEqual({ idNumber: '110105199001051242', valid: true, repaired: false });
    expect(findIdNumber(['44O3O52OOOI2235O23'])).toEqual({ idNumber: '440305200012235023', valid: true, repaired: false });
  });

  it('accepts ×, x and lower-case letters for the check character', () => {
    expect(findIdNumber(['11010519900105139×'])).toEqual({ idNumber: '11010519900105139X', valid: true, repaired: false });
    expect(findIdNumber(['11010519900105139x'])).toEqual({ idNumber: '11010519900105139X', valid: true, repaired: false });
  });

  it('repairs one confused digit when that makes the check digit right, preferring the printed birth date', () => {
    // 45010319580731968X with the 8 of the birth year read as 3.
    const repaired = findIdNumber(['45010319530731968X'], { birthDate: '1958-07-31', sex: 'F' });
    expect(repaired).toEqual({ idNumber: '45010319580731968X', valid: true, repaired: true });
  });

  it('returns an unrepairable number as invalid rather than inventing one', () => {
    const result = findIdNumber(['999999999999999999']);
    expect(result?.valid).toBe(false);
  });

  it('finds no number in short digit runs', () => {
    expect(findIdNumber(['1990年1月5日', '12345678'])).toBeUndefined();
  });
});
