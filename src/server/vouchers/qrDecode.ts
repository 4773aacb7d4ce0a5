/**
 * Reads a QR code from an uploaded picture (a photo of a paper voucher, a screenshot, the PNG itself).
 * jsQR is pure JS and slow on big images and weak on small/blurred ones, so several cheap variants are
 * tried in turn: a ~1000 px copy, the picture near its own size (capped), a smaller copy, then a
 * contrast-stretched greyscale copy that also accepts inverted codes.
 */
import jsQRModule from 'jsqr';
import sharp from 'sharp';

// jsqr is CommonJS with an ES-style `default` in its types; under NodeNext the function is `.default`.
const jsQR = jsQRModule.default;

/** 40 megapixels: enough for any phone photo, refuses decompression bombs. */
const MAX_INPUT_PIXELS = 40_000_000;

interface Variant {
  width: number;
  greyscale?: boolean;
  inverted?: boolean;
}

async function tryVariant(input: Buffer, original: number, v: Variant): Promise<string | null> {
  let img = sharp(input, { limitInputPixels: MAX_INPUT_PIXELS }).rotate();
  if (v.width < original) img = img.resize({ width: v.width, kernel: 'lanczos3' });
  if (v.greyscale) img = img.greyscale().normalise();
  const { data, info } = await img.ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const pixels = new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength);
  const code = jsQR(pixels, info.width, info.height, { inversionAttempts: v.inverted ? 'attemptBoth' : 'dontInvert' });
  return code && code.data ? code.data : null;
}

export async function decodeQrFromImage(input: Buffer): Promise<string | null> {
  let width: number;
  try {
    const meta = await sharp(input, { limitInputPixels: MAX_INPUT_PIXELS }).metadata();
    // EXIF orientations 5–8 swap width and height once rotated.
    width = (meta.orientation ?? 1) >= 5 ? (meta.height ?? 0) : (meta.width ?? 0);
  } catch {
    return null;
  }
  if (!width) return null;
  const variants: Variant[] = [
    { width: Math.min(width, 1000) },
    { width: Math.min(width, 1800) },
    { width: Math.min(width, 640) },
    { width: Math.min(width, 1200), greyscale: true, inverted: true },
  ];
  const tried = new Set<string>();
  for (const v of variants) {
    const key = JSON.stringify(v);
    if (tried.has(key)) continue;
    tried.add(key);
    try {
      const text = await tryVariant(input, width, v);
      if (text) return text;
    } catch {
      return null;
    }
  }
  return null;
}
