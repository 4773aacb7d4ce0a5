import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateIdCards, randomIdentity, seededRandom, type GeneratedIdCard } from '../../../scripts/generate-id-cards.ts';
import { parseIdNumber } from '../../domain/idNumber.ts';
import { AppError } from '../errors.ts';
import { createIdCardReader, imageToModelInput, type IdCardReading } from './ocr.ts';

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

// Real models on real (synthetic) pictures: slow-ish, so few images, all read in one go.
describe('createIdCardReader (PaddleOCR, offline)', () => {
  const reader = createIdCardReader();
  let cards: GeneratedIdCard[];
  let readings: IdCardReading[];

  beforeAll(async () => {
    // Fixed seed; the fifth card is a 2000 px photo of the card lying on a table.
    cards = await generateIdCards({ count: 5, seed: 4242 });
    // Sent all at once: the reader must queue them on its single engine.
    readings = await Promise.all(cards.map((card) => reader.read(card.image)));
  }, 120_000);

  afterAll(async () => {
    await reader.close?.();
  });

  it('reads the ID number and the name of (nearly) every card', () => {
    const numbersRight = readings.filter((r, i) => r.fields.idNumber === cards[i]!.truth.idNumber).length;
    const namesRight = readings.filter((r, i) => r.fields.name === cards[i]!.truth.name).length;
    expect(numbersRight).toBeGreaterThanOrEqual(4);
    expect(namesRight).toBeGreaterThanOrEqual(4);
  });

  it('reads the other fields too, and is confident when the number is valid', () => {
    const reading = readings[0]!;
    const truth = cards[0]!.truth;
    expect(reading.fields.sex).toBe(truth.sex);
    expect(reading.fields.birthDate).toBe(truth.birthDate);
    expect(reading.fields.ethnicity).toBe(truth.ethnicity);
    expect(reading.fields.address).toBe(truth.address);
    expect(reading.confidence).toBeGreaterThan(0.8);
    expect(reading.lines.length).toBeGreaterThan(4);
    expect(reading.durationMs).toBeGreaterThan(0);
  });

  it('leaves the process error handlers as they were (the OCR package installs its own)', () => {
    expect(process.listeners('uncaughtException')).toHaveLength(processHandlersBefore.uncaught);
    expect(process.listeners('unhandledRejection')).toHaveLength(processHandlersBefore.unhandled);
  });

  it('reads a large photo of the card on a table', () => {
    expect(cards[4]!.variation.photoWidth).toBe(2000);
    expect(readings[4]!.fields.idNumber).toBe(cards[4]!.truth.idNumber);
  });

  it('returns empty fields and confidence 0 for a picture without a card', async () => {
    const plain = await sharp({ create: { width: 900, height: 600, channels: 3, background: '#6a8caf' } }).jpeg().toBuffer();
    const reading = await reader.read(plain);
    expect(reading.fields).toEqual({});
    expect(reading.confidence).toBe(0);
  });

  it('rejects a file that is not an image with OCR_UNREADABLE', async () => {
    const error = await reader.read(Buffer.from('%PDF-1.7 not a photo')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ status: 422, code: 'OCR_UNREADABLE' });
    expect((error as AppError).messages.zh).toContain('重新拍摄');
  });
});
