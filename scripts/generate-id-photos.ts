/**
 * Synthetic phone photos of resident ID cards, both sides, made the way people take them: 12-megapixel
 * frames (4032×3024 or 3024×4032), the card 45–75 % of the short side, keystone perspective, tilt, the
 * phone held the other way (quarter and half turns, with or without the EXIF orientation tag), glare,
 * dim light with sensor noise, defocus, heavy JPEG, and a printed form with other people's ID numbers
 * lying beside the card.
 *
 * Deterministic: the same seed gives the same people and the same pixels. The cards only imitate the
 * layout of the real card; they carry no security features and cannot be mistaken for a real document.
 *
 *   npx tsx scripts/generate-id-photos.ts [--per-condition 4] [--seed 1] [--out test/fixtures/id-cards/photos]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createCanvas, type Canvas, type SKRSContext2D } from '@napi-rs/canvas';
import sharp from 'sharp';
import { idCheckDigit } from '../src/domain/idNumber.ts';
import {
  between,
  CARD_HEIGHT,
  CARD_WIDTH,
  drawCardFace,
  FONT_FAMILY,
  intBetween,
  pick,
  randomIdentity,
  REGIONS,
  registerFont,
  seededRandom,
  type IdCardFields,
  type Random,
} from './generate-id-cards.ts';

/** What the back side (国徽面) carries. */
export interface IdCardBackTruth {
  issuingAuthority: string;
  /** YYYY-MM-DD */
  validFrom: string;
  /** YYYY-MM-DD or 'long-term' */
  validTo: string;
}

/** One way a photo goes wrong; every photo also has a little tilt and keystone. */
export const PHOTO_CONDITIONS = [
  'upright',
  'tilt',
  'keystone',
  'portrait-frame',
  'quarter-cw',
  'quarter-ccw',
  'half-turn',
  'exif-turned',
  'glare',
  'dim-noise',
  'defocus',
  'heavy-jpeg',
  'form-beside',
  'back',
  'back-turned',
] as const;
export type PhotoCondition = (typeof PHOTO_CONDITIONS)[number];

export const isBackCondition = (condition: PhotoCondition): boolean => condition === 'back' || condition === 'back-turned';

export interface PhotoSettings {
  condition: PhotoCondition;
  side: 'portrait' | 'emblem';
  frame: { width: number; height: number };
  /** Card's long side as a share of the frame's short side. */
  cardShare: number;
  /** Degrees, clockwise, of the card on the table. */
  tilt: number;
  /** 0..1: how much narrower the far edge looks. */
  keystone: number;
  keystoneEdge: 'top' | 'bottom' | 'left' | 'right';
  /** Clockwise quarter turns of the stored pixels (the phone held the other way). */
  turns: 0 | 1 | 2 | 3;
  /** The turn is undone by an EXIF orientation tag, as phones write it. */
  exif: boolean;
  glare: boolean;
  dim: boolean;
  /** Gaussian sigma at full resolution; 0 = sharp. */
  defocus: number;
  jpegQuality: number;
  formBeside: boolean;
  seed: number;
}

export interface GeneratedIdPhoto {
  image: Buffer;
  condition: PhotoCondition;
  side: 'portrait' | 'emblem';
  truth: Required<IdCardFields>;
  back: IdCardBackTruth;
  /** Valid ID numbers printed on the form beside the card (must never be read as the card's). */
  decoys: string[];
  settings: PhotoSettings;
}

const AUTHORITIES = [
  '北京市公安局朝阳分局', '天津市公安局和平分局', '石家庄市公安局长安分局', '太原市公安局小店分局', '沈阳市公安局和平分局',
  '上海市公安局浦东分局', '南京市公安局玄武分局', '杭州市公安局西湖分局', '合肥市公安局蜀山分局', '厦门市公安局思明分局',
  '济南市公安局历下分局', '郑州市公安局金水分局', '武汉市公安局洪山分局', '长沙市公安局岳麓分局', '深圳市公安局南山分局',
  '成都市公安局武侯分局', '昆明市公安局五华分局', '西安市公安局雁塔分局', '兰州市公安局城关分局', '乌鲁木齐市公安局天山区分局',
];

const iso = (date: Date) => date.toISOString().slice(0, 10);

/** A back side that fits the person: the validity period the rules give for their age when it was issued. */
export function randomBack(random: Random, truth: Required<IdCardFields>): IdCardBackTruth {
  const birthYear = Number(truth.birthDate.slice(0, 4));
  const issuedYear = intBetween(random, Math.max(birthYear + 16, 2006), 2025);
  const from = new Date(Date.UTC(issuedYear, intBetween(random, 0, 11), intBetween(random, 1, 28)));
  const age = issuedYear - birthYear;
  const years = age < 26 ? 10 : age < 46 ? 20 : 0;
  const validTo = years === 0 ? 'long-term' : iso(new Date(Date.UTC(from.getUTCFullYear() + years, from.getUTCMonth(), from.getUTCDate())));
  return { issuingAuthority: pick(random, AUTHORITIES), validFrom: iso(from), validTo };
}

function drawBackFace(ctx: SKRSContext2D, back: IdCardBackTruth, random: Random): void {
  const w = CARD_WIDTH;
  const h = CARD_HEIGHT;
  ctx.save();
  ctx.beginPath();
  ctx.roundRect(0, 0, w, h, 28);
  ctx.clip();
  const gradient = ctx.createLinearGradient(0, 0, w, h);
  gradient.addColorStop(0, '#f3efe2');
  gradient.addColorStop(1, '#e6eef1');
  ctx.fillStyle = gradient;
  ctx.fillRect(0, 0, w, h);
  ctx.strokeStyle = 'rgba(190, 150, 120, 0.16)';
  const phase = random() * Math.PI;
  for (let y = -20; y < h + 20; y += 14) {
    ctx.beginPath();
    for (let x = 0; x <= w; x += 8) ctx.lineTo(x, y + Math.sin(x / 41 + phase + y / 60) * 6);
    ctx.stroke();
  }
  // Placeholder emblem: red disc with a ring of stars.
  ctx.fillStyle = '#c8322b';
  ctx.beginPath();
  ctx.arc(150, 150, 82, 0, Math.PI * 2);
  ctx.fill();
  ctx.fillStyle = '#f2c94c';
  for (let i = 0; i < 5; i++) {
    ctx.beginPath();
    ctx.arc(150 + Math.cos(i * 1.2566) * 45, 150 + Math.sin(i * 1.2566) * 45, 11, 0, Math.PI * 2);
    ctx.fill();
  }
  ctx.fillStyle = '#111111';
  ctx.font = `40px ${FONT_FAMILY}`;
  ctx.letterSpacing = '10px';
  ctx.fillText('中华人民共和国', 290, 135);
  ctx.font = `58px ${FONT_FAMILY}`;
  ctx.letterSpacing = '16px';
  ctx.fillText('居民身份证', 290, 225);
  ctx.font = `22px ${FONT_FAMILY}`;
  ctx.fillStyle = '#3d6fa3';
  ctx.letterSpacing = '4px';
  ctx.fillText('签发机关', 150, 420);
  ctx.fillText('有效期限', 150, 485);
  ctx.letterSpacing = '0px';
  ctx.fillStyle = '#111111';
  ctx.font = `28px ${FONT_FAMILY}`;
  ctx.fillText(back.issuingAuthority, 300, 422);
  const dotted = (d: string) => d.replaceAll('-', '.');
  ctx.fillText(`${dotted(back.validFrom)}-${back.validTo === 'long-term' ? '长期' : dotted(back.validTo)}`, 300, 487);
  ctx.restore();
}

/** A valid ID number of someone else, as printed on a form. */
function decoyNumber(random: Random): string {
  const region = pick(random, REGIONS).code;
  const year = intBetween(random, 1960, 2004);
  const first17 = `${region}${year}${String(intBetween(random, 1, 12)).padStart(2, '0')}${String(intBetween(random, 1, 28)).padStart(2, '0')}${String(intBetween(random, 1, 999)).padStart(3, '0')}`;
  return first17 + idCheckDigit(first17);
}

/** Projective map taking the unit rectangle (0..1, 0..1) to the quad p0 (top-left), p1, p2, p3 (bottom-left). */
function quadMap(quad: readonly [number, number][]): (u: number, v: number) => [number, number] {
  const [[x0, y0], [x1, y1], [x2, y2], [x3, y3]] = quad as [[number, number], [number, number], [number, number], [number, number]];
  const dx1 = x1 - x2;
  const dx2 = x3 - x2;
  const dy1 = y1 - y2;
  const dy2 = y3 - y2;
  const sx = x0 - x1 + x2 - x3;
  const sy = y0 - y1 + y2 - y3;
  const den = dx1 * dy2 - dx2 * dy1;
  const g = (sx * dy2 - dx2 * sy) / den;
  const h = (dx1 * sy - sx * dy1) / den;
  const a = x1 - x0 + g * x1;
  const b = x3 - x0 + h * x3;
  const d = y1 - y0 + g * y1;
  const e = y3 - y0 + h * y3;
  return (u, v) => {
    const w = g * u + h * v + 1;
    return [(a * u + b * v + x0) / w, (d * u + e * v + y0) / w];
  };
}

/** Draws `source` (a flat card picture) into `quad` in thin strips, each an affine piece of the perspective. */
function drawWarped(ctx: SKRSContext2D, source: Canvas, quad: [number, number][]): void {
  const map = quadMap(quad);
  const strips = 64;
  const sw = source.width;
  const sh = source.height;
  for (let i = 0; i < strips; i++) {
    const v0 = i / strips;
    const v1 = (i + 1) / strips;
    const p00 = map(0, v0);
    const p10 = map(1, v0);
    const p01 = map(0, v1);
    const sy0 = v0 * sh;
    const stripH = (v1 - v0) * sh;
    const a = (p10[0] - p00[0]) / sw;
    const b = (p10[1] - p00[1]) / sw;
    const c = (p01[0] - p00[0]) / stripH;
    const d = (p01[1] - p00[1]) / stripH;
    ctx.setTransform(a, b, c, d, p00[0] - c * sy0, p00[1] - d * sy0);
    ctx.drawImage(source, 0, sy0, sw, stripH + 1.5, 0, sy0, sw, stripH + 1.5);
  }
  ctx.resetTransform();
}

function settingsFor(condition: PhotoCondition, random: Random, frameScale = 1): PhotoSettings {
  const portraitFrame = condition === 'portrait-frame';
  const [long, short] = [Math.round(4032 * frameScale), Math.round(3024 * frameScale)];
  const settings: PhotoSettings = {
    condition,
    side: isBackCondition(condition) ? 'emblem' : 'portrait',
    frame: portraitFrame ? { width: short, height: long } : { width: long, height: short },
    cardShare: between(random, 0.45, 0.75),
    tilt: between(random, -8, 8),
    keystone: between(random, 0, 0.08),
    keystoneEdge: pick(random, ['top', 'bottom', 'left', 'right'] as const),
    turns: 0,
    exif: false,
    glare: false,
    dim: false,
    defocus: 0,
    jpegQuality: intBetween(random, 60, 85),
    formBeside: false,
    seed: Math.floor(random() * 2 ** 31),
  };
  switch (condition) {
    case 'tilt': settings.tilt = pick(random, [-1, 1]) * between(random, 12, 20); break;
    case 'keystone': settings.keystone = between(random, 0.12, 0.22); break;
    case 'quarter-cw': settings.turns = 1; break;
    case 'quarter-ccw': settings.turns = 3; break;
    case 'half-turn': settings.turns = 2; break;
    case 'exif-turned': settings.turns = pick(random, [1, 3] as const); settings.exif = true; break;
    case 'glare': settings.glare = true; break;
    case 'dim-noise': settings.dim = true; break;
    case 'defocus': settings.defocus = between(random, 4, 7) * frameScale; break;
    case 'heavy-jpeg': settings.jpegQuality = intBetween(random, 35, 45); break;
    case 'form-beside': settings.formBeside = true; settings.cardShare = between(random, 0.45, 0.6); break;
    case 'back-turned': settings.turns = pick(random, [1, 2, 3] as const); break;
    default: break;
  }
  return settings;
}

/** A deterministic Gaussian noise source (Box–Muller on the seeded generator, tabled for speed). */
function noiseTable(random: Random, size = 1 << 16): Float32Array {
  const table = new Float32Array(size);
  for (let i = 0; i < size; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - random()));
    const t = 2 * Math.PI * random();
    table[i] = r * Math.cos(t);
    table[i + 1] = r * Math.sin(t);
  }
  return table;
}

export async function renderIdPhoto(
  truth: Required<IdCardFields>,
  back: IdCardBackTruth,
  settings: PhotoSettings,
): Promise<{ image: Buffer; decoys: string[] }> {
  registerFont();
  const random = seededRandom(settings.seed);
  const { width, height } = settings.frame;
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');

  // The table.
  ctx.fillStyle = pick(random, ['#8a6a4f', '#6f7a83', '#b9a88f', '#4d5359', '#a0a4a8']);
  ctx.fillRect(0, 0, width, height);
  for (let i = 0; i < 500; i++) {
    ctx.fillStyle = `rgba(${random() < 0.5 ? '0,0,0' : '255,255,255'},${between(random, 0.02, 0.07)})`;
    ctx.fillRect(random() * width, random() * height, between(random, 40, 900), between(random, 4, 30));
  }

  const short = Math.min(width, height);
  const scale = (settings.cardShare * short) / CARD_WIDTH; // photo px per card unit
  const theta = (settings.tilt * Math.PI) / 180;
  const cardW = CARD_WIDTH * scale;
  let cx = width / 2 + between(random, -0.06, 0.06) * width;
  const cy = height / 2 + between(random, -0.06, 0.06) * height;

  const decoys: string[] = [];
  if (settings.formBeside) {
    // A printed form on the side the card leaves free, with its own names and ID numbers, its rows at the card's height.
    const side = pick(random, [-1, 1]);
    cx = width / 2 - side * 0.2 * width;
    const formW = 900 * scale;
    const fx = cx + side * (cardW / 2 + formW / 2 + between(random, 10, 60) * scale);
    const fy = cy + between(random, -80, 80) * scale;
    ctx.save();
    ctx.translate(fx, fy);
    ctx.rotate(theta + ((between(random, -2, 2) * Math.PI) / 180));
    ctx.scale(scale, scale);
    ctx.shadowColor = 'rgba(0,0,0,0.3)';
    ctx.shadowBlur = 12;
    ctx.fillStyle = '#fbfbf8';
    ctx.fillRect(-450, -550, 900, 1100);
    ctx.shadowColor = 'transparent';
    ctx.fillStyle = '#151515';
    ctx.font = `36px ${FONT_FAMILY}`;
    ctx.fillText('道路运输从业人员信息登记表', -330, -470);
    const other = randomIdentity(random);
    decoys.push(other.idNumber, decoyNumber(random), decoyNumber(random));
    const rows = [
      `姓名：${other.name}`,
      `公民身份号码：${decoys[0]}`,
      `性别：${other.sex === 'M' ? '男' : '女'}    民族：${other.ethnicity}`,
      `联系人身份证号：${decoys[1]}`,
      `联系电话：1${intBetween(random, 3, 9)}${String(intBetween(random, 0, 999999999)).padStart(9, '0')}`,
      `担保人身份证号码 ${decoys[2]}`,
      `住址：${other.address.slice(0, 14)}`,
      '申请日期：2026年11月3日',
    ];
    ctx.font = `28px ${FONT_FAMILY}`;
    rows.forEach((text, i) => ctx.fillText(text, -400, -380 + i * 70));
    ctx.restore();
  }

  // The card: a flat picture at twice its nominal resolution, then warped into its place.
  const face = createCanvas(CARD_WIDTH * 2, CARD_HEIGHT * 2);
  const faceCtx = face.getContext('2d');
  faceCtx.scale(2, 2);
  if (settings.side === 'portrait') drawCardFace(faceCtx, truth, random);
  else drawBackFace(faceCtx, back, random);

  const halfW = CARD_WIDTH / 2;
  const halfH = CARD_HEIGHT / 2;
  let corners: [number, number][] = [[-halfW, -halfH], [halfW, -halfH], [halfW, halfH], [-halfW, halfH]];
  const k = settings.keystone;
  corners = corners.map(([x, y]) => {
    switch (settings.keystoneEdge) {
      case 'top': return [y < 0 ? x * (1 - k) : x, y];
      case 'bottom': return [y > 0 ? x * (1 - k) : x, y];
      case 'left': return [x, x < 0 ? y * (1 - k) : y];
      default: return [x, x > 0 ? y * (1 - k) : y];
    }
  });
  const quad = corners.map(([x, y]): [number, number] => [
    cx + scale * (x * Math.cos(theta) - y * Math.sin(theta)),
    cy + scale * (x * Math.sin(theta) + y * Math.cos(theta)),
  ]);
  // A soft shadow under the card.
  ctx.save();
  ctx.shadowColor = 'rgba(0,0,0,0.4)';
  ctx.shadowBlur = 30;
  ctx.shadowOffsetY = 12;
  ctx.fillStyle = 'rgba(0,0,0,0.25)';
  ctx.beginPath();
  quad.forEach(([x, y], i) => (i === 0 ? ctx.moveTo(x, y) : ctx.lineTo(x, y)));
  ctx.closePath();
  ctx.fill();
  ctx.restore();
  drawWarped(ctx, face, quad);

  if (settings.glare) {
    // A lamp's reflection on the laminate: a bright soft spot somewhere over the card, not over the number.
    const gx = cx + between(random, -0.35, 0.35) * cardW;
    const gy = cy + between(random, -0.35, 0.1) * CARD_HEIGHT * scale;
    const radius = between(random, 0.18, 0.3) * cardW;
    const glare = ctx.createRadialGradient(gx, gy, radius * 0.1, gx, gy, radius);
    glare.addColorStop(0, `rgba(255,255,255,${between(random, 0.75, 0.9)})`);
    glare.addColorStop(0.5, 'rgba(255,255,255,0.35)');
    glare.addColorStop(1, 'rgba(255,255,255,0)');
    ctx.fillStyle = glare;
    ctx.fillRect(gx - radius, gy - radius, radius * 2, radius * 2);
  }

  const pixels = ctx.getImageData(0, 0, width, height).data;
  if (settings.dim) {
    const gain = between(random, 0.3, 0.45);
    const sigma = between(random, 8, 14);
    const table = noiseTable(random);
    const mask = table.length - 1;
    let state = settings.seed | 1;
    for (let i = 0; i < pixels.length; i += 4) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      const n = table[state & mask]! * sigma;
      // Luminance noise plus a little colour noise, as a small sensor in poor light gives.
      pixels[i] = pixels[i]! * gain + n + table[(state >>> 8) & mask]! * 3;
      pixels[i + 1] = pixels[i + 1]! * gain + n;
      pixels[i + 2] = pixels[i + 2]! * gain + n + table[(state >>> 16) & mask]! * 3;
    }
  }

  let image = sharp(Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength), { raw: { width, height, channels: 4 } }).removeAlpha();
  if (settings.defocus > 0) image = image.blur(settings.defocus);
  if (settings.turns) {
    // The stored pixels are turned; with `exif` the tag tells viewers how to turn them back.
    const turned = await image.rotate(settings.turns * 90).raw().toBuffer({ resolveWithObject: true });
    image = sharp(turned.data, { raw: { width: turned.info.width, height: turned.info.height, channels: turned.info.channels } });
  }
  let jpeg = image.jpeg({ quality: settings.jpegQuality });
  if (settings.exif && settings.turns) {
    // EXIF orientation 6: view rotated 90° clockwise; 8: 90° anticlockwise. Stored turned clockwise once → 8.
    jpeg = jpeg.withMetadata({ orientation: settings.turns === 1 ? 8 : 6 });
  }
  return { image: await jpeg.toBuffer(), decoys };
}

/**
 * `perCondition` photos of every condition in `conditions` (default: all), the person and the settings
 * drawn from `seed`. Every seventh ID number ends in X.
 */
export async function generateIdPhotos({
  perCondition,
  seed,
  conditions = PHOTO_CONDITIONS,
  frameScale = 1,
  outDir,
}: {
  perCondition: number;
  seed: number;
  conditions?: readonly PhotoCondition[];
  /** Below 1 for quicker, smaller frames (tests); the card's share of the frame stays the same. */
  frameScale?: number;
  outDir?: string;
}): Promise<GeneratedIdPhoto[]> {
  const random = seededRandom(seed);
  const photos: GeneratedIdPhoto[] = [];
  if (outDir) await mkdir(outDir, { recursive: true });
  let n = 0;
  for (let round = 0; round < perCondition; round++) {
    for (const condition of conditions) {
      const truth = randomIdentity(random, { forceCheckX: n % 7 === 3 });
      const back = randomBack(random, truth);
      const settings = settingsFor(condition, random, frameScale);
      const { image, decoys } = await renderIdPhoto(truth, back, settings);
      photos.push({ image, condition, side: settings.side, truth, back, decoys, settings });
      if (outDir) {
        const base = path.join(outDir, `${String(++n).padStart(3, '0')}-${condition}`);
        await writeFile(`${base}.jpg`, image);
        await writeFile(`${base}.json`, `${JSON.stringify({ truth, back, decoys, settings }, null, 2)}\n`);
      } else n++;
    }
  }
  return photos;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: {
      'per-condition': { type: 'string', default: '4' },
      seed: { type: 'string', default: '1' },
      out: { type: 'string', default: 'test/fixtures/id-cards/photos' },
    },
  });
  const photos = await generateIdPhotos({ perCondition: Number(values['per-condition']), seed: Number(values.seed), outDir: values.out });
  console.log(`${photos.length} ID card photos written to ${values.out}`);
}
