import sharp from 'sharp';

/** A sharp, ordinary photo of a document: passes every upload check. */
export async function documentPhoto(seed = 1, format: 'jpeg' | 'png' = 'jpeg', width = 1200, height = 800): Promise<Buffer> {
  const lines = Array.from({ length: 18 }, (_, i) => `<rect x="80" y="${60 + i * 38}" width="${600 + ((i * 97 + seed * 31) % 400)}" height="14" fill="#222"/>`).join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 1200 800" preserveAspectRatio="none"><rect width="100%" height="100%" fill="#f4f1e8"/>${lines}</svg>`;
  const image = sharp(Buffer.from(svg));
  return format === 'png' ? image.png().toBuffer() : image.jpeg({ quality: 90 }).toBuffer();
}

export function multipart(file: Buffer, filename: string, contentType: string, boundary = `----rto${Math.random().toString(16).slice(2)}`) {
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: ${contentType}\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return { payload: Buffer.concat([head, file, tail]), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}
