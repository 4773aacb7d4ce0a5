import { PassThrough, Readable } from 'node:stream';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import {
  BLUR_THRESHOLD,
  DEFAULT_MAX_UPLOAD_BYTES,
  intakeImage,
  laplacianVariance,
  readLimited,
  readUploadedFile,
} from './intake.ts';

/** A document-like picture: rules and glyph-like strokes (no font needed), plus text where fonts exist. */
function documentSvg(width: number, height: number): Buffer {
  const shapes: string[] = [];
  for (let row = 0; row < 12; row++) {
    const y = Math.round(height * 0.08 + row * height * 0.07);
    for (let x = Math.round(width * 0.06); x < width * 0.9; x += 14) {
      const glyphHeight = 10 + ((x * 7 + row * 13) % 9);
      shapes.push(`<rect x="${x}" y="${y - glyphHeight}" width="${3 + (x % 5)}" height="${glyphHeight}" fill="#222"/>`);
    }
    shapes.push(`<line x1="${width * 0.05}" y1="${y + 8}" x2="${width * 0.95}" y2="${y + 8}" stroke="#555" stroke-width="2"/>`);
    shapes.push(`<text x="${width * 0.06}" y="${y + 30}" font-size="20" fill="#333">道路运输从业人员 Road transport ${row}</text>`);
  }
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
      `<rect width="100%" height="100%" fill="#f4f1ea"/>${shapes.join('')}</svg>`,
  );
}

const documentJpeg = (width = 1200, height = 800) => sharp(documentSvg(width, height)).jpeg({ quality: 90 }).toBuffer();

async function expectRefusal(promise: Promise<unknown>, status: number, code: string): Promise<AppError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  const appError = error as AppError;
  expect({ status: appError.status, code: appError.code }).toEqual({ status, code });
  expect(appError.messages.zh.length).toBeGreaterThan(0);
  expect(appError.messages.en.length).toBeGreaterThan(0);
  return appError;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A 68-byte PNG whose header declares width×height: a decompression bomb without the bomb. */
function pngDeclaring(width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(Buffer.alloc(16))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('intakeImage', () => {
  it('re-encodes a JPEG upright and strips EXIF including GPS', async () => {
    const source = await sharp(documentSvg(1200, 800))
      .jpeg()
      .withMetadata({ orientation: 6 })
      .withExif({ IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '39/1 54/1 27/1', GPSLongitudeRef: 'E', GPSLongitude: '116/1 23/1 17/1' } })
      .toBuffer();
    const before = await sharp(source).metadata();
    expect(before.exif).toBeDefined();
    expect(before.exif!.includes(Buffer.from('GPS')) || before.exif!.length > 100).toBe(true);
    expect(before.orientation).toBe(6);

    const result = await intakeImage(source);
    const after = await sharp(result.image).metadata();
    expect(result.mime).toBe('image/jpeg');
    expect(after.format).toBe('jpeg');
    expect(after.exif).toBeUndefined();
    expect(after.xmp).toBeUndefined();
    expect(after.orientation).toBeUndefined();
    // Orientation 6 = rotate 90°: the stored picture is upright, so portrait.
    expect([result.width, result.height]).toEqual([800, 1200]);
    expect([after.width, after.height]).toEqual([800, 1200]);
    expect(result.bytes).toBe(result.image.length);
    expect(result.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keeps a PNG a PNG and makes a JPEG thumbnail of long side 320', async () => {
    const source = await sharp(documentSvg(1200, 800)).png().toBuffer();
    const result = await intakeImage(source);
    expect(result.mime).toBe('image/png');
    expect((await sharp(result.image).metadata()).format).toBe('png');
    const thumbnail = await sharp(result.thumbnail).metadata();
    expect(thumbnail.format).toBe('jpeg');
    expect(Math.max(thumbnail.width!, thumbnail.height!)).toBe(320);
  });

  it('refuses an empty upload', async () => {
    await expectRefusal(intakeImage(Buffer.alloc(0)), 400, 'UPLOAD_EMPTY');
  });

  it('refuses 10 MB + 1 byte, and does not refuse exactly 10 MB for its size', async () => {
    const error = await expectRefusal(intakeImage(Buffer.alloc(DEFAULT_MAX_UPLOAD_BYTES + 1)), 413, 'UPLOAD_TOO_LARGE');
    expect(error.messages.en).toContain('10 MB');
    expect(error.messages.zh).toContain('10 MB');

    // A real JPEG padded to exactly the limit (bytes after EOI are ignored by decoders).
    const jpeg = await documentJpeg();
    const atLimit = Buffer.concat([jpeg, Buffer.alloc(DEFAULT_MAX_UPLOAD_BYTES - jpeg.length)]);
    expect(atLimit.length).toBe(DEFAULT_MAX_UPLOAD_BYTES);
    const result = await intakeImage(atLimit);
    expect(result.mime).toBe('image/jpeg');
    expect(result.bytes).toBeLessThan(DEFAULT_MAX_UPLOAD_BYTES);
  });

  it('judges the type by content: a PDF named .jpg is refused', async () => {
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
    const error = await expectRefusal(intakeImage(pdf), 415, 'UPLOAD_UNSUPPORTED_TYPE');
    expect(error.messages.en).toMatch(/PNG or JPG/);
  });

  it('refuses other image formats and plain bytes', async () => {
    const webp = await sharp(documentSvg(300, 200)).webp().toBuffer();
    await expectRefusal(intakeImage(webp), 415, 'UPLOAD_UNSUPPORTED_TYPE');
    await expectRefusal(intakeImage(Buffer.from('hello, not an image')), 415, 'UPLOAD_UNSUPPORTED_TYPE');
  });

  it('refuses a JPEG cut in half', async () => {
    const jpeg = await documentJpeg();
    await expectRefusal(intakeImage(jpeg.subarray(0, Math.floor(jpeg.length / 2))), 422, 'UPLOAD_UNREADABLE');
  });

  it('refuses a PNG cut short', async () => {
    const png = await sharp(documentSvg(1200, 800)).png().toBuffer();
    await expectRefusal(intakeImage(png.subarray(0, Math.floor(png.length * 0.6))), 422, 'UPLOAD_UNREADABLE');
  });

  it('refuses an image declaring 30000×30000 pixels from its header, without decoding it', async () => {
    const bomb = pngDeclaring(30_000, 30_000);
    expect(bomb.length).toBeLessThan(100);
    const error = await expectRefusal(intakeImage(bomb), 422, 'UPLOAD_TOO_MANY_PIXELS');
    expect(error.details).toMatchObject({ width: 30_000, height: 30_000 });
  });

  it('refuses absurd dimensions even under the pixel count', async () => {
    await expectRefusal(intakeImage(pngDeclaring(60_000, 10)), 422, 'UPLOAD_TOO_MANY_PIXELS');
  });

  it('flags a blurred document as blurry and the sharp one not', async () => {
    const sharpDocument = await documentJpeg();
    const blurredDocument = await sharp(sharpDocument).blur(3).jpeg({ quality: 90 }).toBuffer();

    const clear = await intakeImage(sharpDocument);
    const blurred = await intakeImage(blurredDocument);

    expect(clear.quality.blurScore).toBeGreaterThan(BLUR_THRESHOLD);
    expect(clear.quality.blurry).toBe(false);
    expect(clear.quality.warnings).toEqual([]);
    expect(blurred.quality.blurScore).toBeLessThan(BLUR_THRESHOLD);
    expect(blurred.quality.blurry).toBe(true);
    expect(blurred.quality.warnings.map((w) => w.code)).toEqual(['IMAGE_BLURRY']);
    expect(blurred.quality.warnings[0]!.zh.length).toBeGreaterThan(0);
  });

  it('flags a tiny image as too small, but still accepts it', async () => {
    const tiny = await sharp(documentSvg(300, 200)).jpeg().toBuffer();
    const result = await intakeImage(tiny);
    expect(result.quality.tooSmall).toBe(true);
    expect(result.quality.warnings.map((w) => w.code)).toContain('IMAGE_TOO_SMALL');
    expect(result.width).toBe(300);
  });

  it('does not flag a digital 2-inch photo (413×579) as too small', async () => {
    const photo = await sharp(documentSvg(413, 579)).jpeg().toBuffer();
    expect((await intakeImage(photo)).quality.tooSmall).toBe(false);
  });
});

describe('laplacianVariance', () => {
  it('is 0 on a flat image and large on a checkerboard', () => {
    expect(laplacianVariance(new Uint8Array(25).fill(128), 5, 5)).toBe(0);
    const board = new Uint8Array(36).map((_, i) => ((i % 6) + Math.floor(i / 6)) % 2 === 0 ? 0 : 255);
    expect(laplacianVariance(board, 6, 6)).toBeGreaterThan(10_000);
  });
});

describe('readLimited / readUploadedFile', () => {
  it('returns the bytes of a stream within the limit', async () => {
    const data = await readLimited(Readable.from([Buffer.from('abc'), Buffer.from('def')]), 6);
    expect(data.toString()).toBe('abcdef');
  });

  it('stops at maxBytes + 1 without buffering the rest of a huge upload', async () => {
    const chunk = Buffer.alloc(64 * 1024);
    let produced = 0;
    const hugeUpload = new Readable({
      read() {
        // 1 GB if read to the end; the reader must give up long before.
        if (produced >= 1024 * 1024 * 1024) return this.push(null);
        produced += chunk.length;
        this.push(chunk);
      },
    });
    await expectRefusal(readLimited(hugeUpload, 1024 * 1024), 413, 'UPLOAD_TOO_LARGE');
    hugeUpload.destroy();
    expect(produced).toBeLessThan(64 * 1024 * 1024);
  });

  it('treats a multipart file the parser truncated at its fileSize limit as too large', async () => {
    const file = Object.assign(new PassThrough(), { truncated: false });
    const reading = readUploadedFile({ file }, 10);
    file.write(Buffer.alloc(10));
    file.truncated = true; // what busboy sets when limits.fileSize cut the file
    file.end();
    await expectRefusal(reading, 413, 'UPLOAD_TOO_LARGE');
  });

  it('accepts a multipart file of exactly the limit', async () => {
    const file = Object.assign(new PassThrough(), { truncated: false });
    const reading = readUploadedFile({ file }, 10);
    file.end(Buffer.alloc(10));
    expect((await reading).length).toBe(10);
  });
});
