/**
 * The credit-assessment voucher (诚信考核凭证) as an A5 portrait certificate. One layout — a list of
 * positioned boxes, lines, texts and a QR matrix in millimetres — is computed once per voucher and drawn
 * by two painters: PNG (@napi-rs/canvas, for saving to the phone's album) and PDF (pdfkit, for sharing;
 * real text in an embedded, subset Noto Sans SC, and a vector QR).
 *
 * QR code: error correction M; a typical verify URL (~290 characters) is a version-12 code (65 modules).
 * The module size is chosen so the code is at least QR_MIN_MM = 35 mm wide on A5 (≈0.6 mm a module —
 * what a phone camera reads from paper at arm's length and from a screen), and a whole number of
 * pixels in the PNG (5 px at PNG_PX_PER_MM = 8, i.e. 1184 × 1680 px ≈ 203 dpi). A quiet zone of
 * ≥ 4 modules stays white.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { createCanvas, GlobalFonts, type SKRSContext2D } from '@napi-rs/canvas';
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import sharp from 'sharp';
import type { VoucherRating } from '../../domain/voucherToken.ts';

export interface VoucherDocument {
  title: string;
  holderName: string;
  idMasked: string;
  certificateNumber: string;
  /** Qualification category names in Chinese, one per line. */
  categories: string[];
  cycle: { start: string; end: string };
  rating: VoucherRating;
  /** Chinese label of the rating; defaults to the standard one (AAA 优良 … B 不合格). */
  ratingLabel?: string;
  issuer: string;
  /** YYYY-MM-DD */
  issuedAt: string;
  serial: string;
  verifyUrl: string;
}

export const ratingLabelsZh: Record<VoucherRating, string> = { AAA: '优良', AA: '合格', A: '基本合格', B: '不合格' };

// ---------------------------------------------------------------------------------------------------
// Layout

export const PAGE_MM = { width: 148, height: 210 } as const;
export const PNG_PX_PER_MM = 8;
export const QR_MIN_MM = 35;
const PT_PER_MM = 72 / 25.4;

const COLORS = {
  red: '#c4161c',
  blue: '#1b4f9c',
  paleBlue: '#eaf1fb',
  ink: '#1a1a1a',
  grey: '#666666',
  white: '#ffffff',
} as const;

type Color = (typeof COLORS)[keyof typeof COLORS];

export type LayoutElement =
  | { kind: 'rect'; x: number; y: number; w: number; h: number; fill?: Color; stroke?: Color; lineWidth?: number }
  | { kind: 'line'; x1: number; y1: number; x2: number; y2: number; stroke: Color; lineWidth: number }
  /** `y` is the baseline; `size` is the font size in mm. */
  | { kind: 'text'; x: number; y: number; text: string; size: number; color: Color; align: 'left' | 'center' | 'right' }
  /** `x`, `y` top-left of the first module; `module` is the module size in mm. */
  | { kind: 'qr'; x: number; y: number; module: number; matrix: boolean[][] };

export interface VoucherLayout {
  width: number;
  height: number;
  elements: LayoutElement[];
}

/** Width of `text` at `sizeMm`, in mm, with the same font both painters use. */
type Measure = (text: string, sizeMm: number) => number;

/** Breaks text into lines no wider than maxWidth; CJK text may break between any two characters. */
function wrap(text: string, sizeMm: number, maxWidth: number, measure: Measure): string[] {
  const lines: string[] = [];
  let line = '';
  for (const ch of text) {
    if (line && measure(line + ch, sizeMm) > maxWidth) {
      lines.push(line);
      line = ch.trim() ? ch : '';
    } else {
      line += ch;
    }
  }
  if (line) lines.push(line);
  return lines.length ? lines : [''];
}

function formatDateZh(date: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(date);
  return m ? `${m[1]}年${Number(m[2])}月${Number(m[3])}日` : date;
}

function qrMatrix(url: string): boolean[][] {
  const qr = QRCode.create(url, { errorCorrectionLevel: 'M' });
  const size = qr.modules.size;
  const matrix: boolean[][] = [];
  for (let r = 0; r < size; r++) {
    const row: boolean[] = [];
    for (let c = 0; c < size; c++) row.push(qr.modules.get(r, c) === 1);
    matrix.push(row);
  }
  return matrix;
}

export function layoutVoucher(doc: VoucherDocument, measure: Measure): VoucherLayout {
  const { width, height } = PAGE_MM;
  const el: LayoutElement[] = [];
  const left = 16;
  const right = width - 16;

  // Frame: blue outer band, thin red inner rule.
  el.push({ kind: 'rect', x: 0, y: 0, w: width, h: height, fill: COLORS.white });
  el.push({ kind: 'rect', x: 6, y: 6, w: width - 12, h: height - 12, stroke: COLORS.blue, lineWidth: 1.2 });
  el.push({ kind: 'rect', x: 8, y: 8, w: width - 16, h: height - 16, stroke: COLORS.red, lineWidth: 0.3 });

  // Heading.
  el.push({ kind: 'text', x: width / 2, y: 20, text: '道路运输从业人员从业资格', size: 3.4, color: COLORS.blue, align: 'center' });
  el.push({ kind: 'text', x: width / 2, y: 31, text: doc.title, size: 7, color: COLORS.red, align: 'center' });
  el.push({ kind: 'line', x1: left, y1: 35, x2: right, y2: 35, stroke: COLORS.red, lineWidth: 0.8 });
  el.push({ kind: 'line', x1: left, y1: 36.3, x2: right, y2: 36.3, stroke: COLORS.red, lineWidth: 0.25 });
  el.push({ kind: 'text', x: right, y: 42, text: `凭证编号：${doc.serial}`, size: 3, color: COLORS.ink, align: 'right' });

  // Field table.
  const labelWidth = 30;
  const valueSize = 3.6;
  const labelSize = 3.4;
  const lineHeight = 5.4;
  const padding = 2.6;
  const valueWidth = right - left - labelWidth - 2 * padding;
  const ratingLabel = doc.ratingLabel ?? ratingLabelsZh[doc.rating];
  const rows: { label: string; lines: string[]; color?: Color; size?: number }[] = [
    { label: '姓　　名', lines: [doc.holderName] },
    { label: '身份证号', lines: [doc.idMasked] },
    { label: '从业资格证号', lines: [doc.certificateNumber] },
    { label: '从业资格类别', lines: doc.categories.flatMap((c) => wrap(c, valueSize, valueWidth, measure)) },
    { label: '考核周期', lines: [`${formatDateZh(doc.cycle.start)} 至 ${formatDateZh(doc.cycle.end)}`] },
    { label: '考核等级', lines: [`${doc.rating}（${ratingLabel}）`], color: COLORS.red, size: 4.6 },
    { label: '发证机关', lines: wrap(doc.issuer, valueSize, valueWidth, measure) },
    { label: '签发日期', lines: [formatDateZh(doc.issuedAt)] },
  ];
  // QR code, bottom right, on a whole number of PNG pixels per module (drawn after the table, so the
  // PDF's text reads in page order).
  const matrix = qrMatrix(doc.verifyUrl);
  const modulePx = Math.max(3, Math.ceil((QR_MIN_MM * PNG_PX_PER_MM) / matrix.length));
  const module = modulePx / PNG_PX_PER_MM;
  const qrSize = module * matrix.length;
  const qrX = Math.round((right - qrSize) * PNG_PX_PER_MM) / PNG_PX_PER_MM;
  const qrY = Math.round((height - 20 - qrSize) * PNG_PX_PER_MM) / PNG_PX_PER_MM;

  let y = 46;
  const tableTop = y;
  // Row padding shrinks when many categories would push the table into the QR's quiet zone.
  const rowHeightFor = (row: (typeof rows)[number], pad: number): number =>
    Math.max(7, row.lines.length * lineHeight + 2 * pad + ((row.size ?? valueSize) - valueSize));
  const tableLimit = qrY - 4 * module - 1;
  let rowPadding = padding;
  while (rowPadding > 0.8 && y + rows.reduce((sum, row) => sum + rowHeightFor(row, rowPadding), 0) > tableLimit) {
    rowPadding -= 0.2;
  }
  for (const row of rows) {
    const size = row.size ?? valueSize;
    const rowHeight = rowHeightFor(row, rowPadding);
    el.push({ kind: 'rect', x: left, y, w: labelWidth, h: rowHeight, fill: COLORS.paleBlue });
    el.push({ kind: 'line', x1: left, y1: y + rowHeight, x2: right, y2: y + rowHeight, stroke: COLORS.blue, lineWidth: 0.25 });
    const mid = y + rowHeight / 2;
    el.push({ kind: 'text', x: left + labelWidth / 2, y: mid + labelSize * 0.36, text: row.label, size: labelSize, color: COLORS.blue, align: 'center' });
    const firstBaseline = mid - ((row.lines.length - 1) * lineHeight) / 2 + size * 0.36;
    row.lines.forEach((text, i) => {
      el.push({
        kind: 'text',
        x: left + labelWidth + padding,
        y: firstBaseline + i * lineHeight,
        text,
        size,
        color: row.color ?? COLORS.ink,
        align: 'left',
      });
    });
    y += rowHeight;
  }
  el.push({ kind: 'rect', x: left, y: tableTop, w: right - left, h: y - tableTop, stroke: COLORS.blue, lineWidth: 0.5 });
  el.push({ kind: 'line', x1: left + labelWidth, y1: tableTop, x2: left + labelWidth, y2: y, stroke: COLORS.blue, lineWidth: 0.25 });

  el.push({ kind: 'qr', x: qrX, y: qrY, module, matrix });
  el.push({ kind: 'text', x: qrX + qrSize / 2, y: qrY + qrSize + 4.6, text: '扫码核验真伪', size: 3, color: COLORS.blue, align: 'center' });

  // Notes, left of the QR and kept 4 modules clear of it.
  const notesRight = qrX - 4 * module - 1;
  const notesWidth = notesRight - left;
  let ny = Math.max(y + 9, qrY + 3);
  const noteSize = 2.9;
  const notes = [
    '说明：',
    '1. 本凭证由道路运输管理机构依据驾驶员诚信考核结果电子签发，与纸质凭证具有同等效力。',
    '2. 凭证二维码含国密 SM2 数字签名，可在 App 内扫码，或用手机浏览器打开二维码链接核验。',
    '3. 为保护个人信息，证件号码已作部分隐藏。',
  ];
  for (const note of notes) {
    for (const line of wrap(note, noteSize, notesWidth, measure)) {
      el.push({ kind: 'text', x: left, y: ny, text: line, size: noteSize, color: COLORS.grey, align: 'left' });
      ny += noteSize * 1.55;
    }
  }
  // Footer.
  el.push({
    kind: 'text',
    x: width / 2,
    y: height - 11.5,
    text: `凭证编号 ${doc.serial} · 核验以扫码结果为准`,
    size: 2.6,
    color: COLORS.grey,
    align: 'center',
  });
  return { width, height, elements: el };
}

// ---------------------------------------------------------------------------------------------------
// Font

const FONT_FAMILY = 'Noto Sans SC';
let fontBuffer: Buffer | undefined;
let canvasFontRegistered = false;

function fontPath(): string {
  return createRequire(import.meta.url).resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf');
}

function loadFont(): Buffer {
  fontBuffer ??= readFileSync(fontPath());
  return fontBuffer;
}

function ensureCanvasFont(): void {
  if (canvasFontRegistered) return;
  if (!GlobalFonts.register(loadFont(), FONT_FAMILY)) throw new Error('could not register the voucher font');
  canvasFontRegistered = true;
}

let measureContext: SKRSContext2D | undefined;

/** Text widths from the canvas with the embedded font (the PDF uses the same font, so they agree). */
const measureText: Measure = (text, sizeMm) => {
  ensureCanvasFont();
  measureContext ??= createCanvas(16, 16).getContext('2d');
  measureContext.font = `${sizeMm * 100}px "${FONT_FAMILY}"`;
  return measureContext.measureText(text).width / 100;
};

export function voucherLayout(doc: VoucherDocument): VoucherLayout {
  return layoutVoucher(doc, measureText);
}

// ---------------------------------------------------------------------------------------------------
// Painters

export async function renderVoucherPng(doc: VoucherDocument): Promise<Buffer> {
  const layout = voucherLayout(doc);
  const k = PNG_PX_PER_MM;
  const canvas = createCanvas(Math.round(layout.width * k), Math.round(layout.height * k));
  const ctx = canvas.getContext('2d');
  for (const e of layout.elements) {
    switch (e.kind) {
      case 'rect':
        if (e.fill) {
          ctx.fillStyle = e.fill;
          ctx.fillRect(e.x * k, e.y * k, e.w * k, e.h * k);
        }
        if (e.stroke) {
          ctx.strokeStyle = e.stroke;
          ctx.lineWidth = (e.lineWidth ?? 0.3) * k;
          ctx.strokeRect(e.x * k, e.y * k, e.w * k, e.h * k);
        }
        break;
      case 'line':
        ctx.strokeStyle = e.stroke;
        ctx.lineWidth = e.lineWidth * k;
        ctx.beginPath();
        ctx.moveTo(e.x1 * k, e.y1 * k);
        ctx.lineTo(e.x2 * k, e.y2 * k);
        ctx.stroke();
        break;
      case 'text':
        ctx.fillStyle = e.color;
        ctx.font = `${e.size * k}px "${FONT_FAMILY}"`;
        ctx.textAlign = e.align;
        ctx.textBaseline = 'alphabetic';
        ctx.fillText(e.text, e.x * k, e.y * k);
        break;
      case 'qr': {
        // Whole pixels per module, no anti-aliasing between modules.
        const m = Math.round(e.module * k);
        const x0 = Math.round(e.x * k);
        const y0 = Math.round(e.y * k);
        ctx.fillStyle = '#000000';
        e.matrix.forEach((row, r) =>
          row.forEach((dark, c) => {
            if (dark) ctx.fillRect(x0 + c * m, y0 + r * m, m, m);
          }),
        );
        break;
      }
    }
  }
  // sharp's PNG encoder is several times faster than Skia's for this page (~10 ms vs ~200 ms).
  return sharp(canvas.data(), { raw: { width: canvas.width, height: canvas.height, channels: 4 } })
    .removeAlpha()
    .png({ compressionLevel: 6 })
    .toBuffer();
}

export async function renderVoucherPdf(doc: VoucherDocument): Promise<Buffer> {
  const layout = voucherLayout(doc);
  const k = PT_PER_MM;
  const pdf = new PDFDocument({
    size: [layout.width * k, layout.height * k],
    margin: 0,
    info: { Title: `${doc.title} ${doc.serial}`, Subject: doc.title, Creator: 'Road Transport Office' },
    autoFirstPage: true,
  });
  const chunks: Buffer[] = [];
  pdf.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
  });
  pdf.registerFont(FONT_FAMILY, loadFont());
  pdf.font(FONT_FAMILY);
  for (const e of layout.elements) {
    switch (e.kind) {
      case 'rect':
        if (e.fill) pdf.rect(e.x * k, e.y * k, e.w * k, e.h * k).fill(e.fill);
        if (e.stroke) pdf.rect(e.x * k, e.y * k, e.w * k, e.h * k).lineWidth((e.lineWidth ?? 0.3) * k).stroke(e.stroke);
        break;
      case 'line':
        pdf.moveTo(e.x1 * k, e.y1 * k).lineTo(e.x2 * k, e.y2 * k).lineWidth(e.lineWidth * k).stroke(e.stroke);
        break;
      case 'text': {
        pdf.fontSize(e.size * k).fillColor(e.color);
        const w = pdf.widthOfString(e.text);
        const x = e.align === 'left' ? e.x * k : e.align === 'center' ? e.x * k - w / 2 : e.x * k - w;
        pdf.text(e.text, x, e.y * k, { baseline: 'alphabetic', lineBreak: false });
        break;
      }
      case 'qr': {
        const m = e.module * k;
        e.matrix.forEach((row, r) =>
          row.forEach((dark, c) => {
            if (dark) pdf.rect(e.x * k + c * m, e.y * k + r * m, m, m);
          }),
        );
        pdf.fill('#000000');
        break;
      }
    }
  }
  pdf.end();
  return done;
}
