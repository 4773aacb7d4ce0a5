import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateSync } from 'node:zlib';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeVoucherToken, voucherVerifyUrl } from '../../domain/voucherToken.ts';
import { golden } from '../../../test/helpers/golden.ts';
import { decodeQrFromImage } from './qrDecode.ts';
import { PAGE_MM, PNG_PX_PER_MM, QR_MIN_MM, renderVoucherPdf, renderVoucherPng, voucherLayout, type VoucherDocument } from './render.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const goldenDir = join(root, 'test', 'golden');

// A real signed token (from the committed test vectors), so the QR has a realistic size and is stable.
const token = (JSON.parse(readFileSync(join(root, 'test', 'vectors', 'valid.json'), 'utf8')) as { token: string }).token;

const voucher: VoucherDocument = {
  title: '道路运输驾驶员诚信考核凭证',
  holderName: '张三',
  idMasked: '110101********1234',
  certificateNumber: '110101199001011234',
  categories: ['经营性道路旅客运输驾驶员', '道路危险货物运输驾驶员（剧毒化学品、爆炸品）'],
  cycle: { start: '2024-03-01', end: '2025-02-28' },
  rating: 'AA',
  issuer: '北京市交通运输委员会',
  issuedAt: '2025-03-10',
  serial: 'RTO-110000-2025-000123',
  verifyUrl: voucherVerifyUrl('https://rto.example.gov.cn', token),
};

let png: Buffer;
let pdf: Buffer;

beforeAll(async () => {
  png = await renderVoucherPng(voucher);
  pdf = await renderVoucherPdf(voucher);
});

describe('voucher PNG', () => {
  it('is an A5 portrait page at the documented resolution', async () => {
    const meta = await sharp(png).metadata();
    expect(meta.format).toBe('png');
    expect(meta.width).toBe(PAGE_MM.width * PNG_PX_PER_MM);
    expect(meta.height).toBe(PAGE_MM.height * PNG_PX_PER_MM);
  });

  it('carries a QR code that reads back as the verify URL', async () => {
    expect(await decodeQrFromImage(png)).toBe(voucher.verifyUrl);
    expect(decodeVoucherToken(voucher.verifyUrl.split('/v/')[1]!).claims.serial).toBe(voucher.serial);
  });

  it('still scans after a phone-photo-like degradation (60 % scale, blur, JPEG q60)', async () => {
    const meta = await sharp(png).metadata();
    const photo = await sharp(png)
      .resize({ width: Math.round(meta.width! * 0.6) })
      .blur(0.8)
      .jpeg({ quality: 60 })
      .toBuffer();
    expect(await decodeQrFromImage(photo)).toBe(voucher.verifyUrl);
  });

  it('still scans when the photo is slightly rotated', async () => {
    const photo = await sharp(png).rotate(5, { background: '#ffffff' }).resize({ width: 900 }).jpeg({ quality: 70 }).toBuffer();
    expect(await decodeQrFromImage(photo)).toBe(voucher.verifyUrl);
  });

  it('matches the reference image (UPDATE_GOLDEN=1 rewrites it)', async () => {
    const reference = golden(join(goldenDir, 'voucher.png'), png);
    const [actual, expected] = await Promise.all([png, reference].map((b) => sharp(b).removeAlpha().raw().toBuffer({ resolveWithObject: true })));
    expect(actual!.info.width).toBe(expected!.info.width);
    expect(actual!.info.height).toBe(expected!.info.height);
    const a = actual!.data;
    const e = expected!.data;
    let differing = 0;
    for (let i = 0; i < a.length; i += 3) {
      if (Math.max(Math.abs(a[i]! - e[i]!), Math.abs(a[i + 1]! - e[i + 1]!), Math.abs(a[i + 2]! - e[i + 2]!)) > 32) differing++;
    }
    expect(differing / (a.length / 3)).toBeLessThanOrEqual(0.005);
  });
});

describe('voucher layout', () => {
  it('prints the QR code at least 30 mm wide with whole pixels per module', () => {
    const qr = voucherLayout(voucher).elements.find((e) => e.kind === 'qr');
    expect(qr?.kind).toBe('qr');
    if (qr?.kind !== 'qr') return;
    expect(qr.module * qr.matrix.length).toBeGreaterThanOrEqual(QR_MIN_MM);
    expect(Number.isInteger(qr.module * PNG_PX_PER_MM)).toBe(true);
  });

  it('keeps the table clear of the QR quiet zone even with many categories', () => {
    const many = { ...voucher, categories: ['经营性道路旅客运输驾驶员', '经营性道路货物运输驾驶员', '道路危险货物运输驾驶员', '道路危险货物运输装卸管理人员', '道路危险货物运输押运人员', '巡游出租汽车驾驶员', '网络预约出租汽车驾驶员'] };
    const elements = voucherLayout(many).elements;
    const qr = elements.find((e) => e.kind === 'qr');
    if (qr?.kind !== 'qr') throw new Error('no QR');
    const lowestTableLine = Math.max(...elements.filter((e) => e.kind === 'line' && e.stroke === '#1b4f9c').map((e) => (e.kind === 'line' ? e.y2 : 0)));
    expect(lowestTableLine).toBeLessThanOrEqual(qr.y - 4 * qr.module);
    for (const e of elements) {
      if (e.kind === 'text') expect(e.y, e.text).toBeLessThan(PAGE_MM.height - 10);
    }
  });
});

describe('voucher PDF', () => {
  it('is a one-page PDF with an embedded subset font', () => {
    const text = pdf.toString('latin1');
    expect(text.startsWith('%PDF-')).toBe(true);
    expect(text.match(/\/Type \/Page\b/g)).toHaveLength(1);
    expect(text).toMatch(/\/FontFile2/);
    expect(text).toMatch(/\/BaseFont \/[A-Z]{6}\+NotoSansSC/);
    expect(pdf.length).toBeLessThan(150_000);
  });

  it('holds the voucher as real, extractable text', () => {
    const text = extractPdfText(pdf);
    for (const expected of [voucher.title, voucher.holderName, 'AA（合格）', voucher.serial, voucher.idMasked, ...voucher.categories, voucher.issuer]) {
      expect(text).toContain(expected);
    }
  });

  it('matches the reference text (UPDATE_GOLDEN=1 rewrites it)', () => {
    const text = `${extractPdfText(pdf)}\n`;
    expect(text).toBe(golden(join(goldenDir, 'voucher.txt'), text));
  });
});

describe('decodeQrFromImage', () => {
  it('returns null for a picture without a QR code and for bytes that are no picture', async () => {
    const blank = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#dddddd' } }).png().toBuffer();
    expect(await decodeQrFromImage(blank)).toBeNull();
    expect(await decodeQrFromImage(Buffer.from('not an image'))).toBeNull();
  });
});

/**
 * Text of a pdfkit PDF, one line per text-showing operator: inflates the streams, reads the ToUnicode
 * CMaps (pdfkit writes bfrange arrays) and maps the 2-byte glyph codes of every Tj/TJ. Enough for our
 * own output (one embedded font), not a general PDF reader.
 */
function extractPdfText(file: Buffer): string {
  const raw = file.toString('latin1');
  const streams: string[] = [];
  const re = /stream\r?\n/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(raw))) {
    const start = m.index + m[0].length;
    const end = raw.indexOf('endstream', start);
    try {
      streams.push(inflateSync(file.subarray(start, end)).toString('latin1'));
    } catch {
      // Not deflated (or not a stream we need).
    }
  }
  const toUnicode = new Map<number, string>();
  const hexToText = (hex: string): string => String.fromCharCode(...(hex.match(/.{4}/g) ?? []).map((h) => parseInt(h, 16)));
  for (const s of streams.filter((x) => x.includes('begincmap'))) {
    for (const block of s.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
      for (const entry of block[1]!.matchAll(/<([0-9a-f]+)>\s*<([0-9a-f]+)>\s*(\[[^\]]*\]|<[0-9a-f]+>)/gi)) {
        const lo = parseInt(entry[1]!, 16);
        const target = entry[3]!;
        if (target.startsWith('[')) {
          [...target.matchAll(/<([0-9a-f]+)>/gi)].forEach((t, i) => toUnicode.set(lo + i, hexToText(t[1]!)));
        } else {
          const hi = parseInt(entry[2]!, 16);
          const base = parseInt(target.slice(1, -1), 16);
          for (let c = lo; c <= hi; c++) toUnicode.set(c, String.fromCharCode(base + c - lo));
        }
      }
    }
    for (const block of s.matchAll(/beginbfchar([\s\S]*?)endbfchar/g)) {
      for (const entry of block[1]!.matchAll(/<([0-9a-f]+)>\s*<([0-9a-f]+)>/gi)) toUnicode.set(parseInt(entry[1]!, 16), hexToText(entry[2]!));
    }
  }
  const lines: string[] = [];
  for (const s of streams.filter((x) => /\bBT\b/.test(x))) {
    for (const op of s.matchAll(/(\[(?:[^\]]*)\]\s*TJ|<[0-9a-f]*>\s*Tj)/gi)) {
      const codes = [...op[1]!.matchAll(/<([0-9a-f]*)>/gi)].flatMap((h) => h[1]!.match(/.{4}/g) ?? []);
      lines.push(codes.map((c) => toUnicode.get(parseInt(c, 16)) ?? '\ufffd').join(''));
    }
  }
  return lines.join('\n');
}
