/**
 * Where each field sits on a resident ID card, and the cross-checks of what was read there.
 *
 * A photo holds more text than the card: a form beside it, a receipt under it, each with its own
 * ID-like numbers. So a field is taken only from its place on the card: the printed labels found by
 * OCR (姓名, 性别, 民族, 出生, 住址, 公民身份号码 on the portrait side; 中华人民共和国, 居民身份证, 签发机关,
 * 有效期限 on the back) fix where the card is — its position, size and angle — from the labels that
 * agree with the card's layout, and every line is then mapped into the card's own coordinates. A field
 * that cannot be placed is left empty for the driver to type.
 *
 * Coordinates are card units: the card is 856 × 540, origin top-left, as in the ISO/IEC 7810 ID-1
 * outline at 10 units per millimetre. Pure: no I/O.
 */
import {
  afterLabel,
  cleanName,
  DIGIT_LOOKALIKES,
  findIdNumber,
  hasValidCheckDigit,
  isValidDate,
  LABEL_ADDRESS,
  LABEL_BIRTH,
  LABEL_ETHNICITY,
  LABEL_NAME,
  LABEL_SEX,
  matchEthnicity,
  parseBirthDate,
  readInTextOrder,
  stripSpaces,
  birthDateFromIdNumber,
  sexFromIdNumber,
  type IdCardField,
  type IdCardFields,
  type OcrLine,
} from './idCardText.ts';
import { isKnownRegionCode, PROVINCES, provinceOf } from './regions.ts';

export type { IdCardField, IdCardFields, OcrLine };

/** A field emptied or flagged by the cross-checks, with why, in both languages. */
export interface FieldDoubt<F extends string = IdCardField> {
  field: F;
  code: string;
  zh: string;
  en: string;
}

export interface IdCardBackFields {
  issuingAuthority?: string;
  /** YYYY-MM-DD */
  validFrom?: string;
  /** YYYY-MM-DD or 'long-term' (长期) */
  validTo?: string;
}
export type IdCardBackField = keyof IdCardBackFields;

export interface FrontReading {
  fields: IdCardFields;
  /** Fields read from their place on the card (the others, if present, were worked out from the ID number). */
  read: IdCardField[];
  /** The ID number kept has 18 characters, a known region and a right check digit. */
  idNumberValid: boolean;
  doubts: FieldDoubt[];
  fieldConfidence: Partial<Record<IdCardField, number>>;
  /** How many of the card's labels agreed on where the card is; 0 when it was not found (nothing is placed). */
  anchors: number;
}

export interface BackReading {
  fields: IdCardBackFields;
  doubts: FieldDoubt<IdCardBackField>[];
  fieldConfidence: Partial<Record<IdCardBackField, number>>;
  anchors: number;
  /** True when the card's validity ended before `today`; undefined when the end date is unknown. */
  expired?: boolean;
}

interface Point {
  x: number;
  y: number;
}

type FrontAnchor = 'name' | 'sex' | 'ethnicity' | 'birth' | 'address' | 'number' | 'sexValue' | 'birthValue' | 'numberValue';
type BackAnchor = 'country' | 'title' | 'authority' | 'validity';

/** Left end, vertical middle of each printed label, where the label's text box starts. */
export const FRONT_ANCHORS: Record<FrontAnchor, Point> = {
  name: { x: 70, y: 97 },
  sex: { x: 70, y: 167 },
  ethnicity: { x: 320, y: 167 },
  birth: { x: 70, y: 237 },
  address: { x: 70, y: 307 },
  number: { x: 70, y: 462 },
  // Values that can be told apart by their text alone; they place the card when dim light or defocus
  // loses the small pale labels.
  sexValue: { x: 170, y: 167 },
  birthValue: { x: 170, y: 237 },
  numberValue: { x: 300, y: 460 },
};
const VALUE_ANCHORS: readonly string[] = ['sexValue', 'birthValue', 'numberValue'];

export const BACK_ANCHORS: Record<BackAnchor, Point> = {
  country: { x: 290, y: 121 },
  title: { x: 290, y: 205 },
  authority: { x: 150, y: 412 },
  validity: { x: 150, y: 477 },
};

/** Rows of the portrait side (vertical middles) and where the holder's photo starts. */
const FRONT = { valueLeft: 170, nameY: 97, sexY: 167, birthY: 237, addressTop: 275, addressBottom: 445, numberTop: 400, numberBottom: 515, photoLeft: 600 } as const;
const BACK = { authorityY: 414, validityY: 479 } as const;
/** Half the height of a row's band: rows are 70 units apart. */
const ROW_HALF = 32;

const FRONT_LABELS: [FrontAnchor, RegExp][] = [
  ['name', LABEL_NAME],
  ['sex', /^性[别剐]/],
  ['ethnicity', /^民[族旅]/],
  ['birth', LABEL_BIRTH],
  ['address', LABEL_ADDRESS],
  ['number', /^[公亿][民]|^民身份|^身份号/],
  ['sexValue', /^[男女]$/],
  ['birthValue', /^\d{4}年\d{1,2}月/],
  ['numberValue', /^[\dXx]{17,18}$/],
];

const BACK_LABELS: [BackAnchor, RegExp][] = [
  ['country', /^中华人|^华人民|共和国$/],
  ['title', /^居民身|^民身份证$/],
  ['authority', /^签发|^发机关/],
  ['validity', /^有效期|^效期限/],
];

const hanHead = (text: string) => stripSpaces(text).replace(/^[^\u3400-\u9fff]+/, '');

interface Geometry {
  line: OcrLine;
  /** Left end, vertical middle in the picture. */
  start: Point;
  height: number;
  corners: Point[];
}

function geometry(line: OcrLine): Geometry | undefined {
  const box = line.box;
  if (!box || box.length < 4) return undefined;
  const corners = box.slice(0, 4).map(([x = 0, y = 0]) => ({ x, y }));
  const [tl, tr, br, bl] = corners as [Point, Point, Point, Point];
  return {
    line,
    corners,
    start: { x: (tl.x + bl.x) / 2, y: (tl.y + bl.y) / 2 },
    height: (Math.hypot(bl.x - tl.x, bl.y - tl.y) + Math.hypot(br.x - tr.x, br.y - tr.y)) / 2,
  };
}

/** Similarity transform picture = a·card + b, with complex a (scale and angle) and b (shift). */
interface Frame {
  ar: number;
  ai: number;
  br: number;
  bi: number;
}

const scaleOf = (f: Frame) => Math.hypot(f.ar, f.ai);
function toCard(f: Frame, p: Point): Point {
  const dx = p.x - f.br;
  const dy = p.y - f.bi;
  const d = f.ar * f.ar + f.ai * f.ai;
  return { x: (f.ar * dx + f.ai * dy) / d, y: (f.ar * dy - f.ai * dx) / d };
}

/** Least-squares similarity through point pairs (card → picture). */
function fitPairs(pairs: { card: Point; picture: Point }[]): Frame {
  const n = pairs.length;
  const cx = pairs.reduce((s, p) => s + p.card.x, 0) / n;
  const cy = pairs.reduce((s, p) => s + p.card.y, 0) / n;
  const px = pairs.reduce((s, p) => s + p.picture.x, 0) / n;
  const py = pairs.reduce((s, p) => s + p.picture.y, 0) / n;
  let num_r = 0;
  let num_i = 0;
  let den = 0;
  for (const { card, picture } of pairs) {
    const zx = card.x - cx;
    const zy = card.y - cy;
    const wx = picture.x - px;
    const wy = picture.y - py;
    // conj(z) · w
    num_r += zx * wx + zy * wy;
    num_i += zx * wy - zy * wx;
    den += zx * zx + zy * zy;
  }
  const ar = num_r / den;
  const ai = num_i / den;
  return { ar, ai, br: px - (ar * cx - ai * cy), bi: py - (ai * cx + ar * cy) };
}

/** Labels printed 22 units high give text boxes of this height range, in card units. */
const LABEL_HEIGHT = { min: 12, max: 90 } as const;
/** How far (card units) a label may sit from its place and still count: keystone and tilt bend the layout. */
const ANCHOR_TOLERANCE = 30;

/**
 * Where the card is in the picture: of all pairs of label candidates, the placement most other labels
 * agree with. A form beside the card with its own 姓名 / 公民身份号码 labels does not match the card's
 * spacing and size, so it never wins over the card's own labels. Undefined when fewer than two agree.
 */
function locate<A extends string>(
  geometries: Geometry[],
  labels: [A, RegExp][],
  anchors: Record<A, Point>,
): { frame: Frame; anchors: number; labels: number } | undefined {
  const candidates: { anchor: A; g: Geometry }[] = [];
  for (const g of geometries) {
    const head = hanHead(g.line.text);
    const plain = stripSpaces(g.line.text);
    for (const [anchor, re] of labels) if (re.test(head) || re.test(plain)) candidates.push({ anchor, g });
  }
  let best: { frame: Frame; inliers: { card: Point; picture: Point }[]; names: string[]; residual: number } | undefined;
  for (let i = 0; i < candidates.length; i++) {
    for (let j = i + 1; j < candidates.length; j++) {
      const ci = candidates[i]!;
      const cj = candidates[j]!;
      if (ci.anchor === cj.anchor) continue;
      const frame = fitPairs([
        { card: anchors[ci.anchor], picture: ci.g.start },
        { card: anchors[cj.anchor], picture: cj.g.start },
      ]);
      const scale = scaleOf(frame);
      if (!(scale > 0.05) || Math.abs(Math.atan2(frame.ai, frame.ar)) > (50 * Math.PI) / 180) continue;
      // Each anchor counted once, by its closest candidate of believable size.
      const inliers: { card: Point; picture: Point }[] = [];
      const names: string[] = [];
      let residual = 0;
      for (const anchor of Object.keys(anchors) as A[]) {
        let closest = Infinity;
        let picture: Point | undefined;
        for (const c of candidates) {
          if (c.anchor !== anchor) continue;
          const height = c.g.height / scale;
          if (height < LABEL_HEIGHT.min || height > LABEL_HEIGHT.max) continue;
          const p = toCard(frame, c.g.start);
          const d = Math.hypot(p.x - anchors[anchor].x, p.y - anchors[anchor].y);
          if (d < closest) {
            closest = d;
            picture = c.g.start;
          }
        }
        if (picture && closest < ANCHOR_TOLERANCE) {
          inliers.push({ card: anchors[anchor], picture });
          names.push(anchor);
          residual += closest;
        }
      }
      if (inliers.length < 2) continue;
      if (!best || inliers.length > best.inliers.length || (inliers.length === best.inliers.length && residual < best.residual)) {
        best = { frame, inliers, names, residual };
      }
    }
  }
  if (!best) return undefined;
  const labelCount = best.names.filter((n) => !VALUE_ANCHORS.includes(n)).length;
  return { frame: best.inliers.length > 2 ? fitPairs(best.inliers) : best.frame, anchors: best.inliers.length, labels: labelCount };
}

interface Placed {
  text: string;
  mean: number;
  left: number;
  right: number;
  midX: number;
  midY: number;
}

function place(frame: Frame, geometries: Geometry[]): Placed[] {
  return geometries.map((g) => {
    const points = g.corners.map((p) => toCard(frame, p));
    const xs = points.map((p) => p.x);
    const ys = points.map((p) => p.y);
    const left = Math.min(...xs);
    const right = Math.max(...xs);
    return {
      text: g.line.text.trim(),
      mean: g.line.mean ?? 0,
      left,
      right,
      midX: (left + right) / 2,
      midY: (Math.min(...ys) + Math.max(...ys)) / 2,
    };
  });
}

/** Lines of a band in reading order: rows top to bottom (lines within 18 units are one row), left to right. */
function inReadingOrder(lines: Placed[]): Placed[] {
  const sorted = [...lines].sort((a, b) => a.midY - b.midY);
  const rows: Placed[][] = [];
  for (const line of sorted) {
    const row = rows.at(-1);
    if (row && Math.abs(line.midY - row[0]!.midY) < 18) row.push(line);
    else rows.push([line]);
  }
  return rows.flatMap((row) => row.sort((a, b) => a.left - b.left));
}

const joined = (lines: Placed[]) => inReadingOrder(lines).map((l) => l.text).join(' ');
const meanOf = (lines: Placed[]) => (lines.length ? lines.reduce((s, l) => s + l.mean, 0) / lines.length : 0);
const round3 = (n: number) => Math.round(n * 1000) / 1000;

/** Off the card: further than this outside its outline. */
const onCard = (l: Placed, width = 856) => l.left > -40 && l.right < width + 40;

interface FrontRaw {
  fields: IdCardFields;
  read: IdCardField[];
  number?: { idNumber: string; valid: boolean; repaired: boolean } | undefined;
  confidence: Partial<Record<IdCardField, number>>;
}

function readPlacedFront(placed: Placed[]): FrontRaw {
  const fields: IdCardFields = {};
  const read: IdCardField[] = [];
  const confidence: Partial<Record<IdCardField, number>> = {};
  const set = <K extends IdCardField>(key: K, value: IdCardFields[K] | undefined, from: Placed[]) => {
    if (value === undefined) return;
    fields[key] = value;
    read.push(key);
    confidence[key] = round3(meanOf(from));
  };
  const card = placed.filter((l) => onCard(l));
  const band = (y: number, maxX = FRONT.photoLeft) => card.filter((l) => Math.abs(l.midY - y) < ROW_HALF && l.midX < maxX);

  const nameLines = band(FRONT.nameY);
  if (nameLines.length) {
    const head = hanHead(joined(nameLines));
    set('name', cleanName(LABEL_NAME.test(head) ? afterLabel(head, LABEL_NAME) : head.replace(/^[名各]/, '')), nameLines);
  }

  const sexLines = band(FRONT.sexY);
  if (sexLines.length) {
    const text = joined(sexLines);
    const ethnicityAt = LABEL_ETHNICITY.exec(text)?.index;
    const sexPart = afterLabel(ethnicityAt === undefined ? text : text.slice(0, ethnicityAt), LABEL_SEX);
    const sexChar = /[男女]/.exec(sexPart)?.[0];
    const sexFrom = sexLines.filter((l) => /[男女]/.test(l.text));
    if (sexChar) set('sex', sexChar === '男' ? 'M' : 'F', sexFrom);
    // The ethnicity is printed after its label, at the right of the row.
    const ethnicityText = ethnicityAt !== undefined ? afterLabel(text, LABEL_ETHNICITY) : joined(sexLines.filter((l) => l.left > 360));
    const ethnicityFrom = sexLines.filter((l) => l.right > 380);
    if (ethnicityText.trim()) set('ethnicity', matchEthnicity(ethnicityText), ethnicityFrom);
  }

  const birthLines = band(FRONT.birthY);
  if (birthLines.length) {
    const text = joined(birthLines);
    const head = hanHead(text);
    set('birthDate', parseBirthDate(LABEL_BIRTH.test(head) ? afterLabel(head, LABEL_BIRTH) : text), birthLines);
  }

  // The number's row: below the address, a long run of digits or the number's label.
  const numberLike = (l: Placed) => /[\dXx]{8,}/.test(l.text.replace(/\s/g, '')) || /号\s*码|身\s*份/.test(l.text);
  const numberLines = card.filter((l) => l.midY >= FRONT.numberTop && l.midY < FRONT.numberBottom && (numberLike(l) || l.midY >= FRONT.addressBottom));
  const addressLines = card.filter(
    (l) => l.midY > FRONT.addressTop && l.midY < FRONT.addressBottom && l.midX < FRONT.photoLeft && !numberLines.includes(l),
  );
  if (addressLines.length) {
    const ordered = inReadingOrder(addressLines);
    const parts = ordered.map((l, i) => {
      const text = stripSpaces(l.text);
      if (i > 0) return text.replace(/^[:：]/, '');
      const head = hanHead(text);
      if (LABEL_ADDRESS.test(head)) return afterLabel(head, LABEL_ADDRESS).replace(/^[:：]/, '');
      // Half the label left (glare took the other character): it stands in the label column, not the value's.
      return (l.left < FRONT.valueLeft - 40 ? head.replace(/^[住佳往仕址扯趾止]/, '') : text).replace(/^[:：]/, '');
    });
    const address = parts.join('').replace(/[^\u3400-\u9fff\dA-Za-z\-—()（）#·]/g, '');
    if (address.length >= 4) set('address', address, addressLines);
  }

  // One row, left to right (keystone may set the number lower than its label); of each line only what
  // is right of the label, which may be merged into the number's box.
  const numberText = [...numberLines]
    .sort((a, b) => a.left - b.left)
    .map((l) => afterLabel(l.text, /号\s*码|身\s*份|公\s*民/))
    .join(' ');
  const number = numberText
    ? findIdNumber([numberText], { ...(fields.birthDate ? { birthDate: fields.birthDate } : {}), ...(fields.sex ? { sex: fields.sex } : {}) })
    : undefined;
  if (number) {
    const used = numberLines.filter((l) => /\d{4,}/.test(l.text.replace(/\s/g, '')));
    set('idNumber', number.idNumber, used.length ? used : numberLines);
  }
  return { fields, read, number, confidence };
}

const doubt = <F extends string>(field: F, code: string, zh: string, en: string): FieldDoubt<F> => ({ field, code, zh, en });

function differingDigits(a: string, b: string): number {
  let n = 0;
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) n += 1;
  return n;
}

/** The province an address begins with, if any. */
export function addressProvince(address: string): string | undefined {
  return PROVINCES.find((p) => !p.pseudo && (address.startsWith(p.zh) || address.startsWith(p.zhShort)))?.code;
}

/**
 * Characters that end the part of an address a house number (12号, 3-5号) follows: roads and streets,
 * lanes, villages and their groups, estates, buildings, places. A house number after anything else (衡35号
 * for 街35号 on a defocused photo) means the character before it was misread.
 */
const BEFORE_HOUSE_NUMBER = new Set([
  ...'路街道巷弄里胡同条段环线村组队社屯庄寨堡营店铺集坊厝寮湾港埠渡口岸桥坝堤塘井泉坡岭岗坪山峪沟冲洼滩洲岛田地',
  ...'区苑园院楼栋幢座厦城场站所厂矿局馆校府宿舍寓居家属心台门庭阁轩邸墅第号境湖河江海林',
  ...'东西南北中内外前后上下一二三四五六七八九十甲乙丙丁',
  ...'镇乡市县旗盟查木',
]);

/** True when a house number in the address follows a character that is no unit of an address. */
export function addressLooksMisread(address: string): boolean {
  for (const match of address.matchAll(/([\u3400-\u9fff])\d+(?:[-—]\d+)*号/g)) {
    if (!BEFORE_HOUSE_NUMBER.has(match[1]!)) return true;
  }
  return false;
}

/**
 * Cross-checks of the portrait side: the ID number's check digit and region, its birth date against 出生,
 * its sex digit against 性别, its region against the address's province, the address's house numbers
 * against what may precede them. A disagreement empties the field that is in doubt and says why; a field OCR did not read is worked out from a number that passed.
 */
export function crossCheckFront(raw: FrontRaw): Omit<FrontReading, 'anchors'> {
  const fields: IdCardFields = { ...raw.fields };
  const read = [...raw.read];
  const confidence = { ...raw.confidence };
  const doubts: FieldDoubt[] = [];
  const drop = (field: IdCardField, d: FieldDoubt) => {
    delete fields[field];
    delete confidence[field];
    const at = read.indexOf(field);
    if (at >= 0) read.splice(at, 1);
    doubts.push(d);
  };

  const number = fields.idNumber;
  let numberOk = false;
  if (number !== undefined) {
    if (!hasValidCheckDigit(number)) {
      drop('idNumber', doubt('idNumber', 'OCR_ID_NUMBER_CHECK_DIGIT', '识别出的身份证号码校验位不符，可能有误，请对照证件填写', 'The ID number read fails its check digit and may be wrong; type it from the card'));
    } else if (!isKnownRegionCode(number.slice(0, 6)) || !birthDateFromIdNumber(number)) {
      drop('idNumber', doubt('idNumber', 'OCR_ID_NUMBER_IMPLAUSIBLE', '识别出的身份证号码地区码或出生日期无效，请对照证件填写', 'The ID number read has no valid region or birth date; type it from the card'));
    } else {
      numberOk = true;
    }
  }
  const repaired = raw.number?.repaired === true;
  const numberConfidence = confidence.idNumber ?? 0;

  if (numberOk && fields.idNumber) {
    const birthFromNumber = birthDateFromIdNumber(fields.idNumber)!;
    if (fields.birthDate !== undefined && fields.birthDate !== birthFromNumber) {
      const differing = differingDigits(fields.birthDate.replaceAll('-', ''), birthFromNumber.replaceAll('-', ''));
      if (repaired || differing > 1) {
        numberOk = false;
        drop('idNumber', doubt('idNumber', 'OCR_ID_NUMBER_BIRTHDATE_MISMATCH', '身份证号码中的出生日期与“出生”一栏不一致，号码可能识别有误，请对照证件填写', 'The birth date in the ID number differs from the one printed beside 出生; type the number from the card'));
      } else {
        drop('birthDate', doubt('birthDate', 'OCR_BIRTHDATE_MISMATCH', '“出生”一栏与身份证号码不一致，可能识别有误，请核对', 'The birth date read differs from the ID number; check it'));
      }
    }
  }
  if (numberOk && fields.idNumber) {
    const sexFromNumber = sexFromIdNumber(fields.idNumber)!;
    if (fields.sex !== undefined && fields.sex !== sexFromNumber) {
      if (repaired) {
        numberOk = false;
        drop('idNumber', doubt('idNumber', 'OCR_ID_NUMBER_SEX_MISMATCH', '身份证号码中的性别码与“性别”一栏不一致，号码可能识别有误，请对照证件填写', 'The sex digit of the ID number differs from 性别 on the card; type the number from the card'));
      } else {
        drop('sex', doubt('sex', 'OCR_SEX_MISMATCH', '“性别”一栏与身份证号码不一致，请核对后选择', 'The sex read differs from the ID number; check it and choose'));
      }
    }
  }
  if (numberOk && fields.idNumber && fields.address) {
    const province = addressProvince(fields.address);
    const numberProvince = provinceOf(fields.idNumber)?.code;
    if (province && numberProvince && province !== numberProvince) {
      if (repaired) {
        numberOk = false;
        drop('idNumber', doubt('idNumber', 'OCR_ID_NUMBER_REGION_MISMATCH', '身份证号码的地区与住址省份不一致，号码可能识别有误，请对照证件填写', 'The region of the ID number differs from the address’s province; type the number from the card'));
      } else {
        // People keep their number when they move: flagged, not emptied.
        doubts.push(doubt('idNumber', 'OCR_ID_REGION_DIFFERS_FROM_ADDRESS', '身份证号码的地区与住址省份不同（迁居后常见），请核对号码', 'The ID number’s region differs from the address’s province (common after moving); check the number'));
      }
    }
  }
  if (fields.address !== undefined && addressLooksMisread(fields.address)) {
    drop('address', doubt('address', 'OCR_ADDRESS_MISREAD', '住址中门牌号前的文字可能识别有误，请对照证件填写住址', 'A word before a house number in the address looks misread; type the address from the card'));
  }
  // Fill what OCR missed from a number that passed every check.
  if (numberOk && fields.idNumber) {
    if (fields.birthDate === undefined && !doubts.some((d) => d.field === 'birthDate')) {
      fields.birthDate = birthDateFromIdNumber(fields.idNumber)!;
      confidence.birthDate = numberConfidence;
    }
    if (fields.sex === undefined && !doubts.some((d) => d.field === 'sex')) {
      fields.sex = sexFromIdNumber(fields.idNumber)!;
      confidence.sex = numberConfidence;
    }
    if (repaired) confidence.idNumber = round3(numberConfidence * 0.8);
  }
  return { fields, read, idNumberValid: numberOk, doubts, fieldConfidence: confidence };
}

const NOT_PLACED = doubt('idNumber', 'OCR_CARD_NOT_FOUND', '照片中未能找到身份证人像面的栏目，请将证件人像面完整拍入画面，或手动填写', 'The fields of the card’s portrait side could not be found in the photo; photograph the whole card or type the details');

/**
 * The portrait side from OCR lines. Lines with boxes (upright picture coordinates) are placed on the card;
 * lines without any box are read in the order given (hand-typed or from an engine without positions).
 */
export function readIdCardFront(lines: readonly OcrLine[]): FrontReading {
  const usable = lines.filter((l) => l.text.trim() !== '');
  const geometries = usable.map(geometry).filter((g): g is Geometry => g !== undefined);
  if (usable.length > 0 && geometries.length === 0) {
    const raw = readInTextOrder(usable);
    const confidence: Partial<Record<IdCardField, number>> = {};
    const mean = round3(meanOf(usable.map((l) => ({ mean: l.mean ?? 0 }) as Placed)));
    for (const field of raw.read) confidence[field] = mean;
    return { ...crossCheckFront({ ...raw, confidence }), anchors: 0 };
  }
  const located = locate(geometries, FRONT_LABELS, FRONT_ANCHORS);
  if (!located) {
    return { fields: {}, read: [], idNumberValid: false, doubts: usable.length ? [NOT_PLACED] : [], fieldConfidence: {}, anchors: 0 };
  }
  const raw = readPlacedFront(place(located.frame, geometries));
  // Placed by two values alone (labels lost to dim light or defocus): only if the number agrees with the printed birth date.
  if (located.labels === 0 && located.anchors < 3) {
    const number = raw.fields.idNumber;
    if (!number || !raw.fields.birthDate || birthDateFromIdNumber(number) !== raw.fields.birthDate) {
      return { fields: {}, read: [], idNumberValid: false, doubts: [NOT_PLACED], fieldConfidence: {}, anchors: 0 };
    }
  }
  return { ...crossCheckFront(raw), anchors: located.anchors };
}

function parseDates(text: string): { dates: string[]; longTerm: boolean } {
  const longTerm = /长\s*[期朝明]/.test(text);
  const digits = [...text].map((ch) => DIGIT_LOOKALIKES[ch] ?? ch).join('');
  const dates: string[] = [];
  for (const m of digits.matchAll(/(\d{4})\s*[.\-·,。/]?\s*(\d{2})\s*[.\-·,。/]?\s*(\d{2})/g)) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (y >= 1980 && y <= 2100 && isValidDate(y, mo, d)) dates.push(`${m[1]}-${m[2]}-${m[3]}`);
  }
  return { dates, longTerm };
}

const addYears = (date: string, years: number) => `${Number(date.slice(0, 4)) + years}${date.slice(4)}`;

/**
 * The back side (国徽面): issuing authority and validity period, placed like the portrait side, then
 * checked: the period must be one the law gives (5, 10 or 20 years to the same day, or 长期), else both
 * dates are emptied. `today` (YYYY-MM-DD) decides `expired`.
 */
export function readIdCardBack(lines: readonly OcrLine[], today: string): BackReading {
  const usable = lines.filter((l) => l.text.trim() !== '');
  const geometries = usable.map(geometry).filter((g): g is Geometry => g !== undefined);
  const located = locate(geometries, BACK_LABELS, BACK_ANCHORS);
  if (!located) {
    return {
      fields: {},
      doubts: usable.length
        ? [doubt('validTo', 'OCR_CARD_NOT_FOUND', '照片中未能找到身份证国徽面的栏目，请将证件国徽面完整拍入画面，或手动填写', 'The fields of the card’s emblem side could not be found in the photo; photograph the whole card or type them')]
        : [],
      fieldConfidence: {},
      anchors: 0,
    };
  }
  const card = place(located.frame, geometries).filter((l) => onCard(l));
  const band = (y: number) => card.filter((l) => Math.abs(l.midY - y) < ROW_HALF && l.right > 200);
  const fields: IdCardBackFields = {};
  const confidence: Partial<Record<IdCardBackField, number>> = {};
  const doubts: FieldDoubt<IdCardBackField>[] = [];

  const authorityLines = band(BACK.authorityY);
  const authority = stripSpaces(afterLabel(hanHead(joined(authorityLines)), /^签?发?机?关/)).replace(/[^\u3400-\u9fff\d]/g, '');
  if (authority.length >= 4) {
    fields.issuingAuthority = authority;
    confidence.issuingAuthority = round3(meanOf(authorityLines));
  }

  const validityLines = band(BACK.validityY);
  const { dates, longTerm } = parseDates(afterLabel(hanHead(joined(validityLines)), /^有?效?期?限/));
  const [from, to] = dates;
  if (from) {
    const end = longTerm && !to ? 'long-term' : to;
    const legal = end === 'long-term' || (end !== undefined && [5, 10, 20].some((years) => addYears(from, years) === end));
    if (end && legal) {
      fields.validFrom = from;
      fields.validTo = end;
      confidence.validFrom = confidence.validTo = round3(meanOf(validityLines));
    } else {
      doubts.push(doubt('validTo', 'OCR_VALIDITY_DOUBTFUL', '有效期限识别不完整或不符合证件有效期规定，请对照证件填写', 'The validity period read is incomplete or not one a card can have; type it from the card'));
    }
  }
  const expired = fields.validTo === undefined ? undefined : fields.validTo !== 'long-term' && fields.validTo < today;
  return { fields, doubts, fieldConfidence: confidence, anchors: located.anchors, ...(expired === undefined ? {} : { expired }) };
}
