/**
 * Offline OCR of the portrait side of a resident ID card (PaddleOCR PP-OCRv4 models run by ONNX Runtime
 * on the CPU), so no ID photo ever leaves the server.
 *
 * One engine per process, created on first use: it holds ~500 MB and takes about a second to load.
 * Calls run one at a time; the engine already uses every core for one image.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { AppError } from '../errors.ts';
import { parseIdCardLines, type IdCardField, type IdCardFields, type OcrLine } from './idCardParser.ts';

export type { IdCardFields };

export interface IdCardReading {
  fields: IdCardFields;
  /** 0..1: how much to trust the reading; 0 when nothing that looks like an ID card was found. */
  confidence: number;
  lines: { text: string; mean: number }[];
  durationMs: number;
  /** Fields left empty or doubtful after the cross-checks, and why. */
  doubts?: ReadingDoubt[];
  /** 0..1 per field read. */
  fieldConfidence?: Partial<Record<keyof IdCardFields, number>>;
}

export interface ReadingDoubt {
  field: string;
  code: string;
  zh: string;
  en: string;
}

/** The back side (国徽面): issuing authority and validity period. */
export interface IdCardBackReading {
  fields: { issuingAuthority?: string; validFrom?: string; validTo?: string };
  confidence: number;
  durationMs: number;
  /** The validity ended before `today`. */
  expired?: boolean;
  doubts?: ReadingDoubt[];
}

export interface IdCardReader {
  read(image: Buffer): Promise<IdCardReading>;
  /** `today` (YYYY-MM-DD) decides whether the card has expired. */
  readBack?(image: Buffer, today: string): Promise<IdCardBackReading>;
  close?(): Promise<void>;
}

/**
 * Long side the photo is scaled to before text detection. A card filling 60 % of the frame keeps its
 * smallest print ~15 px high; detection time grows with the area (1200 px cost ~45 % more, read no better).
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

interface OcrEngine {
  detect(image: string | Buffer): Promise<{ text: string; mean: number; box?: number[][] }[]>;
}

let enginePromise: Promise<OcrEngine> | undefined;

async function loadEngine(): Promise<OcrEngine> {
  // opencv.js (inside the OCR package) installs process-wide handlers when loaded: one rethrows every
  // uncaught exception (printing megabytes of its one-line source), one aborts on any unhandled rejection.
  // They are not ours to keep: the server decides what happens to its own errors.
  const uncaught = new Set(process.listeners('uncaughtException'));
  const unhandled = new Set(process.listeners('unhandledRejection'));
  try {
    const { default: Ocr } = await import('@gutenye/ocr-node');
    await useTypedArrayModelInput();
    const engine = await Ocr.create({ onnxOptions: { intraOpNumThreads: 2, interOpNumThreads: 1 } });
    return engine as unknown as OcrEngine;
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
async function useTypedArrayModelInput(): Promise<void> {
  try {
    const entry = createRequire(import.meta.url).resolve('@gutenye/ocr-common');
    const modelBaseUrl = pathToFileURL(path.join(path.dirname(entry), 'models', 'ModelBase.js')).href;
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

/** Upright (EXIF) and at most OCR_LONG_SIDE px; PNG without compression as it is decoded again at once. */
async function prepare(image: Buffer): Promise<Buffer> {
  try {
    return await sharp(image, { limitInputPixels: MAX_INPUT_PIXELS })
      .rotate()
      .resize({ width: OCR_LONG_SIDE, height: OCR_LONG_SIDE, fit: 'inside', withoutEnlargement: true })
      .png({ compressionLevel: 0 })
      .toBuffer();
  } catch (error) {
    throw ocrUnreadable({ reason: `image could not be decoded: ${summarise(error)}` });
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
 * Mean recognition confidence of the lines, scaled by how much of the card was read from its text: a
 * valid ID number weighs most; a number with a wrong check digit counts for nothing.
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

/**
 * The real reader. A photo without text (or without a card) gives empty fields and confidence 0; a
 * file that is not an image, or an engine failure, throws OCR_UNREADABLE (422).
 */
export function createIdCardReader(): IdCardReader {
  return {
    read: (image) =>
      serialised(async () => {
        const started = performance.now();
        const prepared = await prepare(image);
        let raw: Awaited<ReturnType<OcrEngine['detect']>>;
        try {
          const engine = await getEngine();
          raw = await engine.detect(prepared);
        } catch (error) {
          throw ocrUnreadable({ reason: summarise(error) });
        }
        const lines = raw.filter((line) => line.text.trim() !== '');
        const { fields, read, idNumberValid } = parseIdCardLines(lines);
        return {
          fields,
          confidence: confidenceOf(lines, read, idNumberValid),
          lines: lines.map(({ text, mean }) => ({ text, mean: Math.round(mean * 1000) / 1000 })),
          durationMs: Math.round(performance.now() - started),
        };
      }),
    // The engine is shared by every reader of the process; dropping it lets the memory go once idle.
    close: async () => {
      await queue;
      enginePromise = undefined;
    },
  };
}

/** Loads the models ahead of the first request (e.g. at server start) so no user waits for it. */
export async function warmUpIdCardReader(): Promise<number> {
  const started = performance.now();
  await serialised(getEngine);
  return Math.round(performance.now() - started);
}
