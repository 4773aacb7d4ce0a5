import sharp from 'sharp';

/**
 * A sharp, ordinary photo of a document (dark text lines on paper), different per `seed`: it passes
 * every upload check. `width` alone scales it (3:2); with `height` too it is stretched to that frame.
 * Below 400 px on the short side the server accepts it with a low-resolution warning.
 */
export async function documentPhoto(seed = 1, options: { width?: number; height?: number; format?: 'jpeg' | 'png' } = {}): Promise<Buffer> {
  const width = options.width ?? 1200;
  const height = options.height ?? Math.round((width * 2) / 3);
  const lines = Array.from({ length: 18 }, (_, i) => `<rect x="80" y="${60 + i * 38}" width="${600 + ((i * 97 + seed * 31) % 400)}" height="14" fill="#222"/>`).join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 1200 800" preserveAspectRatio="none"><rect width="100%" height="100%" fill="#f4f1e8"/>${lines}</svg>`;
  const image = sharp(Buffer.from(svg));
  return options.format === 'png' ? image.png().toBuffer() : image.jpeg({ quality: 90 }).toBuffer();
}

/** The bytes of a small PDF, for uploads that must be refused as not a picture. */
export const pdfBytes = Buffer.from('%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF');
