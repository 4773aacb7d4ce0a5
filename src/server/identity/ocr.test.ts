import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomIdentity, seededRandom } from '../../../scripts/generate-id-cards.ts';
import { generateIdPhotos, PHOTO_CONDITIONS, type GeneratedIdPhoto, type PhotoCondition } from '../../../scripts/generate-id-photos.ts';
import { parseIdNumber } from '../../domain/idNumber.ts';
import { AppError } from '../errors.ts';
import { createIdCardReader, imageToModelInput, type IdCardBackReading, type IdCardReading } from './ocr.ts';

/** The fixed subset the accuracy floors are measured on. */
const ACCURACY_SEED = 4242;

describe('synthetic ID card identities', () => {
  it('carry well-formed ID numbers that agree with the printed birth date and sex', () => {
    const random = seededRandom(1);
    for (let i = 0; i < 200; i++) {
      const truth = randomIdentity(random, { forceCheckX: i % 10 === 0 });
      const parsed = parseIdNumber(truth.idNumber, '2026-01-01');
      expect(parsed.ok, truth.idNumber).toBe(true);
      if (!parsed.ok) continue;
      expect(parsed.value.birthDate).toBe(truth.birthDate);
      expect(parsed.value.sex).toBe(truth.sex);
      if (i % 10 === 0) expect(truth.idNumber.endsWith('X')).toBe(true);
    }
  });
});

describe('imageToModelInput', () => {
  it('gives planar B, G, R channels scaled to 0..1, then normalised by mean and std', () => {
    // Two RGBA pixels: pure red, then (0, 51, 255).
    const image = { data: new Uint8Array([255, 0, 0, 255, 0, 51, 255, 255]), width: 2, height: 1 };
    expect(Array.from(imageToModelInput(image).data)).toEqual([0, 1, 0, 0.2, 1, 0].map(Math.fround));
    const normalised = imageToModelInput(image, { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] });
    expect(Array.from(normalised.data)).toEqual([-1, 1, -1, -0.6, 1, -1].map(Math.fround));
  });
});

const processHandlersBefore = {
  uncaught: process.listeners('uncaughtException').length,
  unhandled: process.listeners('unhandledRejection').length,
};

// Real models on generated phone photos: one of every condition, all read in one go.
describe('createIdCardReader (PaddleOCR, offline)', () => {
  const reader = createIdCardReader();
  let photos: GeneratedIdPhoto[];
  let readings: (IdCardReading | IdCardBackReading)[];
  const front = (condition: PhotoCondition) => {
    const i = photos.findIndex((p) => p.condition === condition);
    return { photo: photos[i]!, reading: readings[i] as IdCardReading };
  };

  beforeAll(async () => {
    // Half-size frames (3 MP) keep the test quick; the bench reads full 12 MP photos.
    photos = await generateIdPhotos({ perCondition: 1, seed: ACCURACY_SEED, frameScale: 0.5 });
    // Sent all at once: the reader must queue them on its single engine.
    readings = await Promise.all(photos.map((p) => (p.side === 'portrait' ? reader.read(p.image) : reader.readBack(p.image, '2026-12-01'))));
  }, 180_000);

  afterAll(async () => {
    await reader.close?.();
  });

  it('covers every condition of the generated set', () => {
    expect(new Set(photos.map((p) => p.condition))).toEqual(new Set(PHOTO_CONDITIONS));
  });

  it('reads the ID number and name of (nearly) every photo, and never returns a number that is not the card’s', () => {
    const fronts = photos.map((p, i) => ({ p, r: readings[i] as IdCardReading })).filter(({ p }) => p.side === 'portrait');
    const numbersRight = fronts.filter(({ p, r }) => r.fields.idNumber === p.truth.idNumber).length;
    const numbersWrong = fronts.filter(({ p, r }) => r.fields.idNumber !== undefined && r.fields.idNumber !== p.truth.idNumber);
    const namesRight = fronts.filter(({ p, r }) => r.fields.name === p.truth.name).length;
    expect(numbersWrong.map(({ p, r }) => `${p.condition}: ${r.fields.idNumber}`)).toEqual([]);
    expect(numbersRight).toBeGreaterThanOrEqual(fronts.length - 1);
    expect(namesRight).toBeGreaterThanOrEqual(fronts.length - 2);
  });

  it('reads photos turned by a quarter, a half, or by the EXIF tag as well as upright ones', () => {
    for (const condition of ['quarter-cw', 'quarter-ccw', 'half-turn', 'exif-turned', 'portrait-frame'] as const) {
      const { photo, reading } = front(condition);
      expect(reading.fields.idNumber, condition).toBe(photo.truth.idNumber);
      expect(reading.fields.name, condition).toBe(photo.truth.name);
      // Whatever else was read is the card's.
      for (const [field, value] of Object.entries(reading.fields)) expect(value, `${condition} ${field}`).toBe(photo.truth[field as keyof typeof photo.truth]);
    }
  });

  it('ignores the ID numbers on a form beside the card', () => {
    const { photo, reading } = front('form-beside');
    expect(photo.decoys).toHaveLength(3);
    expect(reading.fields.idNumber).toBe(photo.truth.idNumber);
  });

  it('reads every field of an upright photo, with per-field confidence', () => {
    const { photo, reading } = front('upright');
    // Every field read is the card's; at most one (a small one-character ethnicity) may be left to type.
    for (const [field, value] of Object.entries(reading.fields)) expect(value, field).toBe(photo.truth[field as keyof typeof photo.truth]);
    expect(Object.keys(reading.fields).length).toBeGreaterThanOrEqual(5);
    expect(reading.fields.idNumber).toBe(photo.truth.idNumber);
    expect(reading.fields.address).toBe(photo.truth.address);
    expect(reading.doubts).toEqual([]);
    expect(reading.confidence).toBeGreaterThan(0.8);
    expect(reading.fieldConfidence.idNumber).toBeGreaterThan(0.8);
    expect(reading.lines.length).toBeGreaterThan(4);
    expect(reading.durationMs).toBeGreaterThan(0);
  });

  it('reads the back side: issuing authority, validity period, expired or not', () => {
    for (const condition of ['back', 'back-turned'] as const) {
      const i = photos.findIndex((p) => p.condition === condition);
      const reading = readings[i] as IdCardBackReading;
      expect(reading.fields, condition).toEqual(photos[i]!.back);
      const { validTo } = photos[i]!.back;
      expect(reading.expired).toBe(validTo !== 'long-term' && validTo < '2026-12-01');
    }
  });

  it('leaves the process error handlers as they were (the OCR package installs its own)', () => {
    expect(process.listeners('uncaughtException')).toHaveLength(processHandlersBefore.uncaught);
    expect(process.listeners('unhandledRejection')).toHaveLength(processHandlersBefore.unhandled);
  });

  it('returns empty fields and confidence 0 for a picture without a card', async () => {
    const plain = await sharp({ create: { width: 900, height: 600, channels: 3, background: '#6a8caf' } }).jpeg().toBuffer();
    const reading = await reader.read(plain);
    expect(reading.fields).toEqual({});
    expect(reading.confidence).toBe(0);
    expect(reading.fieldConfidence).toEqual({});
  });

  it('rejects a file that is not an image with OCR_UNREADABLE', async () => {
    const error = await reader.read(Buffer.from('%PDF-1.7 not a photo')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ status: 422, code: 'OCR_UNREADABLE' });
    expect((error as AppError).messages.zh).toContain('重新拍摄');
  });
});
