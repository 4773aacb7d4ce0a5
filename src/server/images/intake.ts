import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { fileTypeFromBuffer } from 'file-type';
import sharp, { type Metadata, type OutputInfo, type Sharp } from 'sharp';
import type { Localized } from '../../domain/errors.ts';
import { AppError } from '../errors.ts';

/** §3: uploads are PNG or JPG of at most 10 MB. */
export const DEFAULT_MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

/**
 * 40 MP accepts every photo a phone takes by default (48/50 MP sensors save 12 MP binned pictures unless
 * set otherwise; a 10 MB file is rarely more than 24 MP) while bounding what one upload may cost once
 * decoded (40 MP × 4 bytes = 160 MB), and refusing decompression bombs: a tiny file declaring 30000×30000
 * would need gigabytes.
 */
export const DEFAULT_MAX_PIXELS = 40_000_000;

/** A side longer than this is no photo or scan of a document, whatever the pixel count. */
export const DEFAULT_MAX_SIDE = 20_000;

/**
 * A digital 2-inch ID photo at 300 dpi is 413×579, the smallest legitimate material; below that a
 * photo cannot be printed on a certificate and the text of a photographed page is not legible.
 */
export const DEFAULT_MIN_SHORT_SIDE = 400;

/**
 * Variance of the Laplacian (0–255 greyscale, ≤ 1000 px copy, 3×3 median first) below which an image
 * is reported as blurry. Calibrated on generated document images (text and rules, with and without
 * sensor-like noise, JPEG q85–90): sharp ones score 650–4300; a Gaussian blur of σ 1 (at the 1000 px
 * scale) 250–930, σ 1.5 90–195, σ 2 30–60, σ 3 under 25. The cut sits where text turns visibly soft.
 * The median keeps sensor noise from passing a blurry photo as sharp (without it a noisy σ 3 photo
 * scored 168).
 */
export const BLUR_THRESHOLD = 100;

/** Long side of the greyscale copy the blur score is computed on (so scores compare across sizes). */
const BLUR_SAMPLE_SIDE = 1000;
const THUMBNAIL_SIDE = 320;

/**
 * Long side of the stored copy. 2000 px keeps an A4 page photographed edge to edge at ~170 dpi, enough
 * for a reviewer to read at zoom and what the drivers' app already sends for large photos; a 24 MP
 * (6000 px) JPEG then decodes at a third of its size directly (shrink-on-load), which a 3000 px copy
 * could not (it cost ~2.5× the decode time).
 */
export const STORED_MAX_SIDE = 2000;

/** Below this short side, or beyond this ratio of sides, an image is no photo or scan of a document. */
export const HARD_MIN_SHORT_SIDE = 100;
export const MAX_ASPECT_RATIO = 10;

export type IntakenMime = 'image/jpeg' | 'image/png';

export interface ImageWarning extends Localized {
  code: 'IMAGE_BLURRY' | 'IMAGE_TOO_SMALL';
}

export interface ImageQuality {
  /** Variance of the Laplacian; higher is sharper. */
  blurScore: number;
  blurry: boolean;
  tooSmall: boolean;
  warnings: ImageWarning[];
}

export interface IntakenImage {
  /** Re-encoded in the uploaded format, upright, with no metadata (EXIF, GPS, XMP, ICC) left. */
  image: Buffer;
  mime: IntakenMime;
  width: number;
  height: number;
  /** Size of `image`. */
  bytes: number;
  /** Hex SHA-256 of `image`. */
  sha256: string;
  /** JPEG, long side 320 px at most. */
  thumbnail: Buffer;
  quality: ImageQuality;
}

export interface IntakeOptions {
  maxBytes?: number;
  maxPixels?: number;
  maxSide?: number;
  minShortSide?: number;
}

const megabytes = (bytes: number): string => `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;

export function uploadTooLarge(maxBytes: number): AppError {
  const limit = megabytes(maxBytes);
  return new AppError(
    413,
    'UPLOAD_TOO_LARGE',
    {
      zh: `文件超过 ${limit} 上限，请压缩或重新拍摄后再上传`,
      en: `The file is larger than the ${limit} limit. Compress it or retake the photo, then upload again.`,
    },
    { maxBytes },
  );
}

const uploadEmpty = () =>
  new AppError(400, 'UPLOAD_EMPTY', {
    zh: '上传的文件是空的，请重新选择图片',
    en: 'The uploaded file is empty. Choose the picture again.',
  });

const unsupportedType = (detected: string | undefined) =>
  new AppError(
    415,
    'UPLOAD_UNSUPPORTED_TYPE',
    {
      zh: '只支持 PNG 或 JPG 格式的图片',
      en: 'Only PNG or JPG images are accepted.',
    },
    { detected: detected ?? 'unknown' },
  );

const tooManyPixels = (width: number, height: number, maxPixels: number, maxSide: number) =>
  new AppError(
    422,
    'UPLOAD_TOO_MANY_PIXELS',
    {
      zh: `图片尺寸过大（${width}×${height}）：总像素不能超过 ${Math.floor(maxPixels / 1_000_000)} 百万，最长边不能超过 ${maxSide} 像素，请缩小后再上传`,
      en: `The image is too large (${width}×${height}): at most ${Math.floor(maxPixels / 1_000_000)} megapixels and ${maxSide} pixels on the long side. Scale it down and upload again.`,
    },
    { width, height, maxPixels, maxSide },
  );

const tooSmallToUse = (width: number, height: number) =>
  new AppError(
    422,
    'UPLOAD_IMAGE_TOO_SMALL',
    {
      zh: `图片太小（${width}×${height}），无法看清内容，请上传短边至少 ${HARD_MIN_SHORT_SIDE} 像素的清晰照片`,
      en: `The image is too small (${width}×${height}) to show anything; upload a clear photo at least ${HARD_MIN_SHORT_SIDE} pixels on its short side.`,
    },
    { width, height, minShortSide: HARD_MIN_SHORT_SIDE },
  );

const wrongShape = (width: number, height: number) =>
  new AppError(
    422,
    'UPLOAD_WRONG_SHAPE',
    {
      zh: `图片形状异常（${width}×${height}），不是证件或材料的照片，请重新拍摄`,
      en: `The image has an odd shape (${width}×${height}) and is not a photo of a document; take the photo again.`,
    },
    { width, height, maxAspectRatio: MAX_ASPECT_RATIO },
  );

const unreadable = () =>
  new AppError(422, 'UPLOAD_UNREADABLE', {
    zh: '图片已损坏或不完整，无法读取，请重新拍摄或重新选择',
    en: 'The image is damaged or incomplete and cannot be read. Retake or choose it again.',
  });

const blurryWarning = (): ImageWarning => ({
  code: 'IMAGE_BLURRY',
  zh: '图片可能不够清晰，请确认文字清楚可辨，必要时重新拍摄',
  en: 'The image looks blurry. Check that the text is readable and retake the photo if needed.',
});

const tooSmallWarning = (minShortSide: number): ImageWarning => ({
  code: 'IMAGE_TOO_SMALL',
  zh: `图片分辨率较低（短边不足 ${minShortSide} 像素），审核时可能看不清，建议上传更清晰的照片`,
  en: `The image resolution is low (short side under ${minShortSide} pixels) and may be hard to read. A sharper photo is recommended.`,
});

/**
 * Checks an uploaded picture and turns it into what is stored: refuses what is not a readable PNG/JPG
 * within the limits, re-encodes it upright without any metadata (phones put GPS in EXIF), and reports
 * quality problems as warnings the driver may ignore.
 */
export async function intakeImage(bytes: Buffer, opts: IntakeOptions = {}): Promise<IntakenImage> {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  const maxPixels = opts.maxPixels ?? DEFAULT_MAX_PIXELS;
  const maxSide = opts.maxSide ?? DEFAULT_MAX_SIDE;
  const minShortSide = opts.minShortSide ?? DEFAULT_MIN_SHORT_SIDE;

  if (bytes.length === 0) throw uploadEmpty();
  if (bytes.length > maxBytes) throw uploadTooLarge(maxBytes);

  // The content decides, never the file name or the client's Content-Type.
  const detected = await fileTypeFromBuffer(bytes);
  if (detected?.mime !== 'image/jpeg' && detected?.mime !== 'image/png') throw unsupportedType(detected?.mime);
  const mime: IntakenMime = detected.mime;

  // Header only (no pixel decoding): dimensions are known before any memory is committed to them.
  let declared: Metadata;
  try {
    declared = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch {
    throw unreadable();
  }
  const { width: declaredWidth, height: declaredHeight } = declared;
  if (!declaredWidth || !declaredHeight) throw unreadable();
  if (declaredWidth * declaredHeight > maxPixels || Math.max(declaredWidth, declaredHeight) > maxSide) {
    throw tooManyPixels(declaredWidth, declaredHeight, maxPixels, maxSide);
  }
  const [shortSide, longSide] = [Math.min(declaredWidth, declaredHeight), Math.max(declaredWidth, declaredHeight)];
  if (longSide / shortSide > MAX_ASPECT_RATIO) throw wrongShape(declaredWidth, declaredHeight);
  if (shortSide < HARD_MIN_SHORT_SIDE) throw tooSmallToUse(declaredWidth, declaredHeight);

  // Decoded once, upright, to 8-bit sRGB pixels (CMYK and 16-bit inputs included), at most
  // STORED_MAX_SIDE on the long side; the stored copy, the thumbnail and the blur score are all made
  // from these pixels. A JPEG twice that size or more decodes at a lower scale directly (shrink-on-load).
  // `failOn: 'truncated'` refuses cut-off files yet tolerates the minor warnings some phone JPEGs raise.
  let pixels: { data: Buffer; info: OutputInfo };
  try {
    pixels = await sharp(bytes, { limitInputPixels: maxPixels, failOn: 'truncated', sequentialRead: true })
      .autoOrient()
      .resize(STORED_MAX_SIDE, STORED_MAX_SIDE, { fit: 'inside', withoutEnlargement: true })
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch {
    throw unreadable();
  }
  const { width, height, channels } = pixels.info;
  const fromPixels = () => sharp(pixels.data, { raw: { width, height, channels: channels as 1 | 2 | 3 | 4 } });

  let image: Buffer;
  let thumbnail: Buffer;
  let blurScore: number;
  try {
    // sharp writes no metadata unless asked (keepExif/withMetadata), so EXIF, GPS, XMP and ICC go.
    [image, thumbnail, blurScore] = await Promise.all([
      (mime === 'image/png' ? fromPixels().png({ compressionLevel: 6 }) : fromPixels().jpeg({ quality: 90 })).toBuffer(),
      makeThumbnail(fromPixels()),
      blurScoreOf(fromPixels()),
    ]);
  } catch {
    throw unreadable();
  }

  const blurry = blurScore < BLUR_THRESHOLD;
  const tooSmall = Math.min(width, height) < minShortSide;
  const warnings: ImageWarning[] = [];
  if (blurry) warnings.push(blurryWarning());
  if (tooSmall) warnings.push(tooSmallWarning(minShortSide));

  return {
    image,
    mime,
    width,
    height,
    bytes: image.length,
    sha256: createHash('sha256').update(image).digest('hex'),
    thumbnail,
    quality: { blurScore: Math.round(blurScore * 10) / 10, blurry, tooSmall, warnings },
  };
}

function makeThumbnail(image: Sharp): Promise<Buffer> {
  return image
    .resize(THUMBNAIL_SIDE, THUMBNAIL_SIDE, { fit: 'inside', withoutEnlargement: true })
    .flatten({ background: '#ffffff' }) // transparent PNGs would turn black in JPEG
    .jpeg({ quality: 80 })
    .toBuffer();
}

/**
 * Blur score of an encoded image, measured on a greyscale copy of at most 1000 px on the long side,
 * median-filtered so that noise does not count as detail.
 */
export async function blurScoreOf(image: Buffer | Sharp): Promise<number> {
  const { data, info } = await (Buffer.isBuffer(image) ? sharp(image) : image)
    .resize(BLUR_SAMPLE_SIDE, BLUR_SAMPLE_SIDE, { fit: 'inside', withoutEnlargement: true })
    .flatten({ background: '#ffffff' })
    .greyscale()
    .median(3)
    .raw()
    .toBuffer({ resolveWithObject: true });
  return laplacianVariance(data, info.width, info.height, info.channels);
}

/**
 * Variance of the 4-neighbour Laplacian over the interior pixels of a greyscale raster. Computed in
 * JS because sharp's convolve + stats did not give the variance of the signed response.
 */
export function laplacianVariance(pixels: Uint8Array, width: number, height: number, channels = 1): number {
  if (width < 3 || height < 3) return 0;
  let sum = 0;
  let sumOfSquares = 0;
  const stride = width * channels;
  for (let y = 1; y < height - 1; y++) {
    const row = y * stride;
    for (let x = 1; x < width - 1; x++) {
      const i = row + x * channels;
      const laplacian =
        pixels[i - stride]! + pixels[i + stride]! + pixels[i - channels]! + pixels[i + channels]! - 4 * pixels[i]!;
      sum += laplacian;
      sumOfSquares += laplacian * laplacian;
    }
  }
  const n = (width - 2) * (height - 2);
  const mean = sum / n;
  return sumOfSquares / n - mean * mean;
}

/** The request the multipart part comes from (`request.raw`). */
export type UploadBody = Pick<NodeJS.ReadableStream, 'once' | 'removeListener'> & { readableEnded: boolean };

export const uploadCutShort = () =>
  new AppError(400, 'UPLOAD_MALFORMED', {
    zh: '上传的内容不完整或格式有误，请重新选择图片上传',
    en: 'The upload is incomplete or malformed; choose the picture and upload it again',
  });

/**
 * Reads a stream into memory but never more than `maxBytes`: as soon as one byte more arrives it drops
 * what it has, stops (and destroys) the stream, and throws UPLOAD_TOO_LARGE.
 */
export function readLimited(stream: NodeJS.ReadableStream, maxBytes: number, options: { body?: UploadBody } = {}): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const cleanup = () => {
      stream.removeListener('data', onData);
      stream.removeListener('end', onEnd);
      stream.removeListener('error', onError);
      stream.removeListener('close', onClose);
      if (bodyEndTimer) clearTimeout(bodyEndTimer);
      options.body?.removeListener('end', onBodyEnd);
    };
    const onData = (chunk: Buffer | string) => {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      total += buffer.length;
      if (total > maxBytes) {
        cleanup();
        chunks.length = 0;
        // Stop reading for good: destroying a @fastify/multipart file stream also makes the plugin
        // stop parsing the request, so the rest of a huge upload is never read, let alone buffered.
        stream.on('error', () => {});
        stream.pause();
        if ('destroy' in stream && typeof stream.destroy === 'function') (stream as Readable).destroy();
        reject(uploadTooLarge(maxBytes));
        return;
      }
      chunks.push(buffer);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, total));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onClose = () => {
      cleanup();
      reject(uploadCutShort());
    };
    // A multipart body cut short leaves the part's stream open forever: once the whole request body
    // has arrived, what the part still lacks will never come.
    let bodyEndTimer: NodeJS.Timeout | undefined;
    const onBodyEnd = () => {
      bodyEndTimer = setTimeout(onClose, 250);
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('close', onClose);
    if (options.body?.readableEnded) onBodyEnd();
    else options.body?.once('end', onBodyEnd);
    stream.resume();
  });
}

/**
 * Reads the file of a multipart part (`@fastify/multipart`) with the upload limit. Register the plugin
 * with `limits: { fileSize: maxBytes }`: busboy then stops at the limit by itself and marks the stream
 * `truncated`, which is answered here as UPLOAD_TOO_LARGE (the plugin's default limit is 1 MiB, so the
 * limit must be set). Without it, the count here still refuses the file at maxBytes + 1 and stops
 * reading. Either way, do not also call `part.toBuffer()`.
 */
export async function readUploadedFile(
  part: { file: NodeJS.ReadableStream & { truncated?: boolean } },
  maxBytes: number = DEFAULT_MAX_UPLOAD_BYTES,
  body?: UploadBody,
): Promise<Buffer> {
  const data = await readLimited(part.file, maxBytes, { body });
  if (part.file.truncated) throw uploadTooLarge(maxBytes);
  return data;
}
