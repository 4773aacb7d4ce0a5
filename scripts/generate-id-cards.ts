/**
 * Synthetic resident ID cards (portrait side) for OCR tests and the OCR benchmark.
 *
 * Deterministic: the same seed gives the same people and the same pixels, so test failures reproduce.
 * The cards only imitate the layout of the real card (labels, fonts, placeholder portrait); they carry no
 * security features and cannot be mistaken for a real document.
 *
 *   npx tsx scripts/generate-id-cards.ts [--count 40] [--seed 1] [--out test/fixtures/id-cards/out]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createCanvas, GlobalFonts, type SKRSContext2D } from '@napi-rs/canvas';
import sharp from 'sharp';
import { idCheckDigit } from '../src/domain/idNumber.ts';
import type { IdCardFields } from '../src/domain/idCardText.ts';

export type { IdCardFields };

/** How a rendered card is degraded, as a phone photo would be. */
export interface IdCardVariation {
  /** Degrees, clockwise. */
  rotation?: number;
  /** Gaussian blur sigma; 0 = sharp. */
  blur?: number;
  /** Brightness multiplier, 1 = unchanged. */
  brightness?: number;
  jpegQuality?: number;
  /** Width of the whole photo with the card lying on a background; omitted = the card fills the image (856×540). */
  photoWidth?: number;
  /** Seed for the background texture and the card's position on it. */
  seed?: number;
}

export interface GeneratedIdCard {
  image: Buffer;
  truth: Required<IdCardFields>;
  variation: IdCardVariation;
}

export const CARD_WIDTH = 856;
export const CARD_HEIGHT = 540;

export const FONT_FAMILY = 'RtoIdCardSans';
let fontRegistered = false;

export function registerFont(): void {
  if (fontRegistered) return;
  const require = createRequire(import.meta.url);
  const packageDir = path.dirname(require.resolve('@expo-google-fonts/noto-sans-sc/package.json'));
  const key = GlobalFonts.registerFromPath(path.join(packageDir, '400Regular', 'NotoSansSC_400Regular.ttf'), FONT_FAMILY);
  if (!key) throw new Error('could not load the Noto Sans SC font');
  fontRegistered = true;
}

/** mulberry32: tiny, fast, good enough for test data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Random = () => number;
export const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
export const between = (random: Random, min: number, max: number): number => min + random() * (max - min);
export const intBetween = (random: Random, min: number, max: number): number => Math.floor(between(random, min, max + 1));

// GB/T 2260 county-level codes with their names, one or more per province.
export const REGIONS: readonly { code: string; prefix: string }[] = [
  { code: '110105', prefix: '北京市朝阳区' },
  { code: '110108', prefix: '北京市海淀区' },
  { code: '120101', prefix: '天津市和平区' },
  { code: '130102', prefix: '河北省石家庄市长安区' },
  { code: '140105', prefix: '山西省太原市小店区' },
  { code: '150102', prefix: '内蒙古自治区呼和浩特市新城区' },
  { code: '210102', prefix: '辽宁省沈阳市和平区' },
  { code: '220102', prefix: '吉林省长春市南关区' },
  { code: '230103', prefix: '黑龙江省哈尔滨市南岗区' },
  { code: '310115', prefix: '上海市浦东新区' },
  { code: '320102', prefix: '江苏省南京市玄武区' },
  { code: '330106', prefix: '浙江省杭州市西湖区' },
  { code: '340104', prefix: '安徽省合肥市蜀山区' },
  { code: '350203', prefix: '福建省厦门市思明区' },
  { code: '360102', prefix: '江西省南昌市东湖区' },
  { code: '370102', prefix: '山东省济南市历下区' },
  { code: '410105', prefix: '河南省郑州市金水区' },
  { code: '420111', prefix: '湖北省武汉市洪山区' },
  { code: '430104', prefix: '湖南省长沙市岳麓区' },
  { code: '440305', prefix: '广东省深圳市南山区' },
  { code: '450103', prefix: '广西壮族自治区南宁市青秀区' },
  { code: '460105', prefix: '海南省海口市秀英区' },
  { code: '500103', prefix: '重庆市渝中区' },
  { code: '510107', prefix: '四川省成都市武侯区' },
  { code: '520102', prefix: '贵州省贵阳市南明区' },
  { code: '530102', prefix: '云南省昆明市五华区' },
  { code: '540102', prefix: '西藏自治区拉萨市城关区' },
  { code: '610113', prefix: '陕西省西安市雁塔区' },
  { code: '620102', prefix: '甘肃省兰州市城关区' },
  { code: '630102', prefix: '青海省西宁市城东区' },
  { code: '640104', prefix: '宁夏回族自治区银川市兴庆区' },
  { code: '650102', prefix: '新疆维吾尔自治区乌鲁木齐市天山区' },
];

const SURNAMES = [...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤'];
const COMPOUND_SURNAMES = ['欧阳', '司马', '上官', '诸葛', '东方', '慕容'];
const GIVEN_CHARS = '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥建国志文俊浩宇晨欣怡子涵梓轩雨桐思远佳琪嘉怡婷雪梅海燕春生德胜永福立新国庆卫东小龙';
const ETHNICITIES = ['汉', '汉', '汉', '汉', '汉', '汉', '回', '满', '蒙古', '壮', '维吾尔', '藏', '苗', '彝', '土家', '朝鲜', '布依', '侗'];
const STREETS = ['人民路', '解放路', '建设路', '中山路', '和平街', '文化路', '胜利街', '长江路', '黄河路', '新华大街', '朝阳路', '光明路', '幸福路', '东风路', '青年路'];
const COMMUNITIES = ['阳光花园', '锦绣小区', '翠苑', '金桥新村', '滨江花园', '丽景苑', '南苑小区', '书香门第'];
const TOWNS = ['城关镇', '新店镇', '柳河乡', '王庄镇', '石桥镇', '白沙镇'];
const VILLAGES = ['前进村', '李家村', '红旗村', '东湖村', '张庄村', '桃园村'];

function randomName(random: Random): string {
  const surname = random() < 0.05 ? pick(random, COMPOUND_SURNAMES) : pick(random, SURNAMES);
  const total = random() < 0.08 && surname.length === 1 ? 4 : random() < 0.3 ? 2 : 3;
  let given = '';
  while (surname.length + given.length < total) given += pick(random, [...GIVEN_CHARS]);
  return surname + given;
}

function randomAddress(random: Random, prefix: string): string {
  if (random() < 0.3) {
    return `${prefix}${pick(random, TOWNS)}${pick(random, VILLAGES)}${intBetween(random, 1, 12)}组${intBetween(random, 1, 88)}号`;
  }
  const street = `${pick(random, STREETS)}${intBetween(random, 1, 999)}号`;
  if (random() < 0.5) return `${prefix}${street}`;
  return `${prefix}${street}${pick(random, COMMUNITIES)}${intBetween(random, 1, 30)}栋${intBetween(random, 1, 6)}单元${intBetween(random, 1, 32)}0${intBetween(random, 1, 4)}室`;
}

/** A made-up person whose ID number is well-formed: real region code, matching birth date and sex, valid check digit. */
export function randomIdentity(random: Random, { forceCheckX = false } = {}): Required<IdCardFields> {
  const region = pick(random, REGIONS);
  const year = intBetween(random, 1958, 2005);
  const month = intBetween(random, 1, 12);
  const day = intBetween(random, 1, new Date(Date.UTC(year, month, 0)).getUTCDate());
  const birthDate = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  let sequence = intBetween(random, 1, 999);
  let first17 = '';
  for (let tries = 0; tries < 2000; tries++) {
    first17 = `${region.code}${birthDate.replaceAll('-', '')}${String(sequence).padStart(3, '0')}`;
    if (!forceCheckX || idCheckDigit(first17) === 'X') break;
    sequence = (sequence % 999) + 1;
  }
  const sex = Number(first17[16]) % 2 === 1 ? 'M' : 'F';
  return {
    name: randomName(random),
    sex,
    ethnicity: pick(random, ETHNICITIES),
    birthDate,
    address: randomAddress(random, region.prefix),
    idNumber: first17 + idCheckDigit(first17),
  };
}

const LABEL_COLOUR = '#3d6fa3';
const VALUE_COLOUR = '#111111';
const ADDRESS_CHARS_PER_LINE = 11;

export function drawCardFace(ctx: SKRSContext2D, truth: Required<IdCardFields>, random: Random): void {
  const w = CARD_WIDTH;
  const h = CARD_HEIGHT;
  // Pale guilloche-like background: a gradient with faint wavy lines.
  const gradient = ctx.createLinearGradient(0, 0, w, h);
  gradient.addColorStop(0, '#eef3f6');
  gradient.addColorStop(0.5, '#f7f4ea');
  gradient.addColorStop(1, '#e8f0f2');
  ctx.save();
  ctx.beginPath();
  ctx.roundRect(0, 0, w, h, 28);
  ctx.clip();
  ctx.fillStyle = gradient;
  ctx.fillRect(0, 0, w, h);
  ctx.strokeStyle = 'rgba(120, 160, 190, 0.18)';
  ctx.lineWidth = 1;
  const phase = random() * Math.PI;
  for (let y = -20; y < h + 20; y += 14) {
    ctx.beginPath();
    for (let x = 0; x <= w; x += 8) {
      const yy = y + Math.sin(x / 37 + phase + y / 50) * 6;
      if (x === 0) ctx.moveTo(x, yy);
      else ctx.lineTo(x, yy);
    }
    ctx.stroke();
  }

  const labelFont = `22px ${FONT_FAMILY}`;
  const valueFont = `28px ${FONT_FAMILY}`;
  const label = (text: string, x: number, y: number) => {
    ctx.font = labelFont;
    ctx.fillStyle = LABEL_COLOUR;
    ctx.letterSpacing = '6px';
    ctx.fillText(text, x, y);
    ctx.letterSpacing = '0px';
  };
  const value = (text: string, x: number, y: number) => {
    ctx.font = valueFont;
    ctx.fillStyle = VALUE_COLOUR;
    ctx.fillText(text, x, y);
    return ctx.measureText(text).width;
  };
  ctx.textBaseline = 'alphabetic';

  const left = 70;
  const valueX = 170;
  label('姓名', left, 105);
  value(truth.name, valueX, 107);

  label('性别', left, 175);
  value(truth.sex === 'M' ? '男' : '女', valueX, 177);
  label('民族', 320, 175);
  value(truth.ethnicity, 420, 177);

  const [year, month, day] = truth.birthDate.split('-').map(Number) as [number, number, number];
  label('出生', left, 245);
  let x = valueX;
  x += value(String(year), x, 247) + 6;
  label('年', x, 245);
  x += 34;
  x += value(String(month), x, 247) + 6;
  label('月', x, 245);
  x += 34;
  x += value(String(day), x, 247) + 6;
  label('日', x, 245);

  label('住址', left, 315);
  const chars = [...truth.address];
  for (let line = 0; line * ADDRESS_CHARS_PER_LINE < chars.length; line++) {
    value(chars.slice(line * ADDRESS_CHARS_PER_LINE, (line + 1) * ADDRESS_CHARS_PER_LINE).join(''), valueX, 317 + line * 40);
  }

  label('公民身份号码', left, 470);
  ctx.font = `34px ${FONT_FAMILY}`;
  ctx.fillStyle = VALUE_COLOUR;
  ctx.letterSpacing = '3px';
  ctx.fillText(truth.idNumber, 300, 472);
  ctx.letterSpacing = '0px';

  // Placeholder where the holder's photo would be.
  ctx.fillStyle = '#c9cdd1';
  ctx.fillRect(590, 60, 220, 280);
  ctx.fillStyle = '#a9aeb4';
  ctx.beginPath();
  ctx.ellipse(700, 170, 58, 72, 0, 0, Math.PI * 2);
  ctx.fill();
  ctx.beginPath();
  ctx.ellipse(700, 340, 100, 80, 0, Math.PI, Math.PI * 2);
  ctx.fill();
  ctx.restore();
}

/** A photo of the card (PNG unless `jpegQuality` is given): the card alone, or lying on a table when `photoWidth` is set. */
export async function renderIdCard(truth: Required<IdCardFields>, variation: IdCardVariation = {}): Promise<Buffer> {
  registerFont();
  const random = seededRandom(variation.seed ?? 7);
  const rotation = ((variation.rotation ?? 0) * Math.PI) / 180;
  const photoWidth = variation.photoWidth;
  const width = photoWidth ?? CARD_WIDTH;
  const height = photoWidth ? Math.round((photoWidth * 3) / 4) : CARD_HEIGHT;
  const scale = photoWidth ? (photoWidth * between(random, 0.55, 0.75)) / CARD_WIDTH : 1;
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');

  if (photoWidth) {
    // A wooden-ish table with some noise, so the card is not the only thing in the picture.
    ctx.fillStyle = pick(random, ['#8a6a4f', '#6f7a83', '#b9a88f', '#4d5359']);
    ctx.fillRect(0, 0, width, height);
    for (let i = 0; i < 400; i++) {
      ctx.fillStyle = `rgba(${random() < 0.5 ? '0,0,0' : '255,255,255'},${between(random, 0.02, 0.07)})`;
      ctx.fillRect(random() * width, random() * height, between(random, 20, 300), between(random, 2, 12));
    }
  } else {
    ctx.fillStyle = '#dfe3e6';
    ctx.fillRect(0, 0, width, height);
  }

  const centreX = width / 2 + (photoWidth ? between(random, -0.08, 0.08) * width : 0);
  const centreY = height / 2 + (photoWidth ? between(random, -0.08, 0.08) * height : 0);
  ctx.translate(centreX, centreY);
  ctx.rotate(rotation);
  ctx.scale(scale, scale);
  ctx.translate(-CARD_WIDTH / 2, -CARD_HEIGHT / 2);
  if (photoWidth) {
    ctx.shadowColor = 'rgba(0,0,0,0.35)';
    ctx.shadowBlur = 18;
    ctx.fillStyle = '#eef3f6';
    ctx.beginPath();
    ctx.roundRect(0, 0, CARD_WIDTH, CARD_HEIGHT, 28);
    ctx.fill();
    ctx.shadowColor = 'transparent';
    ctx.shadowBlur = 0;
  }
  drawCardFace(ctx, truth, random);

  let image = sharp(await canvas.encode('png'));
  if (variation.blur && variation.blur >= 0.3) image = image.blur(variation.blur);
  if (variation.brightness && variation.brightness !== 1) image = image.modulate({ brightness: variation.brightness });
  return variation.jpegQuality ? image.jpeg({ quality: variation.jpegQuality }).toBuffer() : image.png().toBuffer();
}

/**
 * `count` cards with their truth. Every fifth card is a large photo (2000 px wide) of the card on a
 * table; the rest fill the frame. Every seventh ID number ends in X.
 */
export async function generateIdCards({ count, seed, outDir }: { count: number; seed: number; outDir?: string }): Promise<GeneratedIdCard[]> {
  const random = seededRandom(seed);
  const cards: GeneratedIdCard[] = [];
  if (outDir) await mkdir(outDir, { recursive: true });
  for (let i = 0; i < count; i++) {
    const truth = randomIdentity(random, { forceCheckX: i % 7 === 3 });
    const variation: IdCardVariation = {
      rotation: between(random, -3, 3),
      blur: random() < 0.5 ? 0 : between(random, 0.4, 1.2),
      brightness: between(random, 0.8, 1.15),
      jpegQuality: intBetween(random, 50, 95),
      seed: Math.floor(random() * 2 ** 31),
      ...(i % 5 === 4 ? { photoWidth: 2000 } : {}),
    };
    const image = await renderIdCard(truth, variation);
    cards.push({ image, truth, variation });
    if (outDir) {
      const base = path.join(outDir, `id-card-${String(i + 1).padStart(3, '0')}`);
      await writeFile(`${base}.jpg`, image);
      await writeFile(`${base}.json`, `${JSON.stringify({ truth, variation }, null, 2)}\n`);
    }
  }
  return cards;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: {
      count: { type: 'string', default: '40' },
      seed: { type: 'string', default: '1' },
      out: { type: 'string', default: 'test/fixtures/id-cards/out' },
    },
  });
  const cards = await generateIdCards({ count: Number(values.count), seed: Number(values.seed), outDir: values.out });
  console.log(`${cards.length} ID card images written to ${values.out}`);
}
