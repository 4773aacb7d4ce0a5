import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { loginDriver, type DriverLogin } from '../helpers/driverLogin.ts';
import { documentPhoto, multipart } from './uploads.fixtures.ts';

interface Hostile {
  name: string;
  file: () => Promise<Buffer> | Buffer;
  filename?: string;
  type?: string;
  /** Expected status and code; 200 means stored, and then checked for what is served. */
  status: number;
  code?: string;
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (data: Buffer) => {
  let c = 0xffffffff;
  for (const byte of data) c = crcTable[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** A valid-looking PNG header declaring width×height over a tiny compressed body: a decompression bomb. */
function pngDeclaring(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.alloc(1024))), chunk('IEND', Buffer.alloc(0))]);
}
/** An animated PNG: a real PNG with an acTL chunk after IHDR. */
async function apng(): Promise<Buffer> {
  const png = await documentPhoto(3, 'png');
  const ihdrEnd = 8 + 25;
  const actl = Buffer.alloc(8);
  actl.writeUInt32BE(2, 0);
  return Buffer.concat([png.subarray(0, ihdrEnd), chunk('acTL', actl), png.subarray(ihdrEnd)]);
}

const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="800" height="600"><script>alert(document.cookie)</script><rect width="800" height="600"/></svg>';
const html = '<!doctype html><html><body><script>fetch("/api/v1/me").then(r=>r.text()).then(alert)</script></body></html>';
const unsafeMarkers = ['<script', '<svg', '<html', '<?php', 'PK\u0003\u0004'];

const corpus: Hostile[] = [
  { name: 'SVG renamed .jpg', file: () => Buffer.from(svg), filename: 'photo.jpg', type: 'image/jpeg', status: 415, code: 'UPLOAD_UNSUPPORTED_TYPE' },
  { name: 'SVG with an XML declaration', file: () => Buffer.from(`<?xml version="1.0"?>${svg}`), filename: 'a.png', type: 'image/png', status: 415, code: 'UPLOAD_UNSUPPORTED_TYPE' },
  { name: 'HTML renamed .png', file: () => Buffer.from(html), filename: 'scan.png', type: 'image/png', status: 415, code: 'UPLOAD_UNSUPPORTED_TYPE' },
  { name: 'PDF renamed .jpg', file: () => Buffer.from('%PDF-1.7\n1 0 obj<</Type/Catalog/OpenAction<</S/JavaScript/JS(app.alert(1))>>>>endobj\ntrailer<<>>\n%%EOF'), status: 415, code: 'UPLOAD_UNSUPPORTED_TYPE' },
  { name: 'GIF', file: () => sharp({ create: { width: 400, height: 400, channels: 3, background: '#888' } }).gif().toBuffer(), filename: 'a.jpg', status: 415, code: 'UPLOAD_UNSUPPORTED_TYPE' },
  { name: 'WebP', file: () => sharp({ create: { width: 400, height: 400, channels: 3, background: '#888' } }).webp().toBuffer(), status: 415, code: 'UPLOAD_UNSUPPORTED_TYPE' },
  { name: 'HEIC header', file: () => Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypheic\u0000\u0000\u0000\u0000mif1heic', 'latin1'), Buffer.alloc(2000)]), status: 415, code: 'UPLOAD_UNSUPPORTED_TYPE' },
  { name: 'TIFF', file: () => sharp({ create: { width: 400, height: 400, channels: 3, background: '#888' } }).tiff().toBuffer(), status: 415, code: 'UPLOAD_UNSUPPORTED_TYPE' },
  { name: 'APNG', file: apng, filename: 'a.png', type: 'image/png', status: 415, code: 'UPLOAD_UNSUPPORTED_TYPE' },
  { name: 'BMP', file: () => Buffer.concat([Buffer.from('BM', 'latin1'), Buffer.alloc(4000)]), status: 415, code: 'UPLOAD_UNSUPPORTED_TYPE' },
  { name: 'ZIP renamed .jpg', file: () => Buffer.concat([Buffer.from('PK\u0003\u0004', 'latin1'), Buffer.alloc(500)]), status: 415, code: 'UPLOAD_UNSUPPORTED_TYPE' },
  { name: 'plain text', file: () => Buffer.from('just some words, no picture at all'), status: 415, code: 'UPLOAD_UNSUPPORTED_TYPE' },
  { name: 'polyglot: JPEG with HTML appended', file: async () => Buffer.concat([await documentPhoto(4), Buffer.from(html)]), status: 200 },
  { name: 'polyglot: PNG with a ZIP appended', file: async () => Buffer.concat([await documentPhoto(5, 'png'), Buffer.from('PK\u0003\u0004', 'latin1'), Buffer.from(html)]), filename: 'a.png', type: 'image/png', status: 200 },
  { name: 'polyglot: JPEG with a script in its comment', file: async () => { const jpeg = await documentPhoto(6); const comment = Buffer.from(html); const length = Buffer.alloc(2); length.writeUInt16BE(comment.length + 2); return Buffer.concat([jpeg.subarray(0, 2), Buffer.from([0xff, 0xfe]), length, comment, jpeg.subarray(2)]); }, status: 200 },
  { name: 'pixel bomb: header declaring 30000×30000', file: () => pngDeclaring(30_000, 30_000), filename: 'a.png', status: 422, code: 'UPLOAD_TOO_MANY_PIXELS' },
  { name: 'pixel bomb: real 8000×8000 PNG (64 MP)', file: () => sharp({ create: { width: 8000, height: 8000, channels: 3, background: '#000' } }).png({ compressionLevel: 9 }).toBuffer(), filename: 'a.png', status: 422, code: 'UPLOAD_TOO_MANY_PIXELS' },
  { name: 'pixel bomb: 7000×7000 JPEG (49 MP)', file: () => sharp({ create: { width: 7000, height: 7000, channels: 3, background: '#fff' } }).jpeg().toBuffer(), status: 422, code: 'UPLOAD_TOO_MANY_PIXELS' },
  { name: 'truncated JPEG', file: async () => { const jpeg = await documentPhoto(7); return jpeg.subarray(0, Math.floor(jpeg.length / 2)); }, status: 422, code: 'UPLOAD_UNREADABLE' },
  { name: 'truncated PNG', file: async () => { const png = await documentPhoto(8, 'png'); return png.subarray(0, Math.floor(png.length / 3)); }, filename: 'a.png', status: 422, code: 'UPLOAD_UNREADABLE' },
  { name: 'zero bytes', file: () => Buffer.alloc(0), status: 400, code: 'UPLOAD_EMPTY' },
  { name: '10 MiB + 1 byte', file: () => Buffer.alloc(10 * 1024 * 1024 + 1, 0xff), status: 413, code: 'UPLOAD_TOO_LARGE' },
  { name: '1×1 PNG', file: () => sharp({ create: { width: 1, height: 1, channels: 3, background: '#fff' } }).png().toBuffer(), filename: 'a.png', status: 422, code: 'UPLOAD_IMAGE_TOO_SMALL' },
  { name: '20000×1 PNG', file: () => sharp({ create: { width: 20_000, height: 1, channels: 3, background: '#fff' } }).png().toBuffer(), filename: 'a.png', status: 422, code: 'UPLOAD_WRONG_SHAPE' },
  { name: 'CMYK JPEG', file: async () => sharp(await documentPhoto(9)).toColourspace('cmyk').jpeg().toBuffer(), status: 200 },
  { name: '16-bit PNG', file: async () => sharp(await documentPhoto(10, 'png')).toColourspace('rgb16').png().toBuffer(), filename: 'a.png', status: 200 },
  { name: 'EXIF with GPS', file: async () => sharp(await documentPhoto(11)).withExif({ IFD0: { Make: 'PhoneMaker' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '39/1 54/1 0/1' } }).jpeg().toBuffer(), status: 200 },
  { name: 'odd filename: path traversal', file: () => documentPhoto(12), filename: '../../../../etc/passwd.jpg', status: 200 },
  { name: 'odd filename: right-to-left override and a long tail', file: () => documentPhoto(13), filename: `photo\u202Egpj.exe${'x'.repeat(900)}`, status: 200 },
  { name: 'JPEG declared as text/html', file: () => documentPhoto(14), filename: 'page.html', type: 'text/html', status: 200 },
];

describe('a hostile upload corpus, generated at test time', () => {
  let t: TestApp;
  let driver: DriverLogin;
  let draftId: string;

  beforeAll(async () => {
    t = await createTestApp();
    driver = await loginDriver(t.app, '13800000001');
    const certificates = await t.app.inject({ method: 'GET', url: '/api/v1/me/certificates', headers: driver.headers });
    const certificateId = (certificates.json() as { certificates: { id: string }[] }).certificates[0]!.id;
    draftId = ((await t.app.inject({ method: 'POST', url: '/api/v1/applications', headers: driver.headers, payload: { business: 'credit_assessment', certificateId } })).json() as { id: string }).id;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('has at least 25 files', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(25);
  });

  const url = () => `/api/v1/applications/${draftId}/materials/education_record`;

  it.each(corpus.map((entry) => [entry.name, entry] as const))('%s', async (_name, entry) => {
    await t.app.inject({ method: 'DELETE', url: url(), headers: driver.headers });
    const body = multipart(await entry.file(), entry.filename ?? 'photo.jpg', entry.type ?? 'image/jpeg');
    const answer = await t.app.inject({ method: 'PUT', url: url(), headers: { ...driver.headers, ...body.headers }, payload: body.payload });
    expect(answer.statusCode, answer.body).toBe(entry.status);
    if (entry.status !== 200) {
      expect(answer.json().error.code).toBe(entry.code);
      // Refused: nothing stored.
      expect((await t.app.inject({ method: 'GET', url: url(), headers: driver.headers })).statusCode).toBe(404);
    } else {
      for (const suffix of ['', '/thumbnail']) {
        const served = await t.app.inject({ method: 'GET', url: `${url()}${suffix}`, headers: driver.headers });
        expect(served.statusCode).toBe(200);
        expect(served.headers['content-type']).toMatch(/^image\/(jpeg|png)$/);
        expect(served.headers['x-content-type-options']).toBe('nosniff');
        expect(served.headers['content-disposition'] ?? '').not.toMatch(/passwd|exe|html/);
        const text = served.rawPayload.toString('latin1');
        for (const marker of unsafeMarkers) expect(text.includes(marker), `${marker} served`).toBe(false);
        const meta = await sharp(served.rawPayload).metadata();
        expect(meta.exif).toBeUndefined();
        expect(meta.depth).toBe('uchar');
        expect(meta.space).toBe('srgb');
      }
    }
    // The process stays healthy after each.
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/health' })).statusCode).toBe(200);
  });
});
