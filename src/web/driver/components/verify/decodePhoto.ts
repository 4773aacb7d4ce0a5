import { BrowserQRCodeReader } from '@zxing/browser';
import { DecodeHintType } from '@zxing/library';

/** Long side the whole picture is scaled to before the first try: a phone photo is often 4000 px. */
const WHOLE_MAX_SIDE = 1200;
/** Long side each crop is scaled to: big enough for the QR's modules, small enough to be quick. */
const CROP_MAX_SIDE = 900;

function loadImage(url: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const image = new Image();
    image.onload = () => resolve(image);
    image.onerror = () => reject(new Error('not an image'));
    image.src = url;
  });
}

function canvasOf(image: HTMLImageElement, crop: { x: number; y: number; w: number; h: number }, maxSide: number): HTMLCanvasElement {
  const scale = Math.min(2, maxSide / Math.max(crop.w, crop.h));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(crop.w * scale));
  canvas.height = Math.max(1, Math.round(crop.h * scale));
  const context = canvas.getContext('2d')!;
  context.fillStyle = '#fff';
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.drawImage(image, crop.x, crop.y, crop.w, crop.h, 0, 0, canvas.width, canvas.height);
  return canvas;
}

/**
 * The text of the QR code in a picture the driver picked, or null. A whole voucher or a photo of one
 * carries a lot of printed text around a code that fills a small part of it, which can throw the
 * decoder off; so after the whole picture it tries overlapping halves and quarters at a larger scale
 * (the voucher's QR sits bottom right), in the order a code is most likely found.
 */
export async function decodeQrFromPicture(file: Blob): Promise<string | null> {
  const url = URL.createObjectURL(file);
  try {
    const image = await loadImage(url);
    const reader = new BrowserQRCodeReader(new Map([[DecodeHintType.TRY_HARDER, true]]));
    const w = image.naturalWidth;
    const h = image.naturalHeight;
    const regions = [
      { x: 0, y: 0, w, h },
      { x: w / 2, y: h / 2, w: w / 2, h: h / 2 },
      { x: 0, y: h / 2, w, h: h / 2 },
      { x: w / 2, y: 0, w: w / 2, h },
      { x: w / 4, y: h / 4, w: w / 2, h: h / 2 },
      { x: 0, y: 0, w: w / 2, h: h / 2 },
      { x: w / 2, y: 0, w: w / 2, h: h / 2 },
      { x: 0, y: h / 2, w: w / 2, h: h / 2 },
    ];
    for (const [index, region] of regions.entries()) {
      try {
        return reader.decodeFromCanvas(canvasOf(image, region, index === 0 ? WHOLE_MAX_SIDE : CROP_MAX_SIDE)).getText();
      } catch {
        // Not found in this part; try the next.
      }
    }
    return null;
  } catch {
    return null;
  } finally {
    URL.revokeObjectURL(url);
  }
}
