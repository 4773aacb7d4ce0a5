/**
 * Vouchers rendered once: the PNG and the PDF of a voucher are rendered the first time either is asked
 * for, stored through the file storage (encrypted there like every stored file) and recorded in
 * voucher_renderings with their ETag; later downloads are read from storage. The rendering holds the
 * verify URL, so it is kept for the base URL it was made with (PUBLIC_BASE_URL in production); a
 * request arriving under another base gets a fresh rendering that is not stored.
 *
 * Each rendering is stored under a key naming its own content hash, so two first downloads racing
 * each other cannot leave a row pointing at the other's bytes.
 */
import { createHash } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { AppContext } from '../context.ts';
import { voucherRenderings } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { voucherDocument } from './document.ts';
import type { VoucherRow } from './issue.ts';
import { renderVoucherPdf, renderVoucherPng } from './render.ts';

export type VoucherFormat = 'png' | 'pdf';

export const VOUCHER_CONTENT_TYPES: Record<VoucherFormat, string> = { png: 'image/png', pdf: 'application/pdf' };

export interface VoucherFile {
  body: Buffer;
  etag: string;
  /** Whether it came from storage (false: rendered for this request). */
  stored: boolean;
}

const digest = (body: Buffer): string => createHash('sha256').update(body).digest('base64url').slice(0, 27);

export async function voucherFile(
  ctx: Pick<AppContext, 'db' | 'storage' | 'logger'>,
  voucher: VoucherRow,
  format: VoucherFormat,
  baseUrl: string,
): Promise<VoucherFile> {
  const [row] = await ctx.db
    .select()
    .from(voucherRenderings)
    .where(and(eq(voucherRenderings.voucherId, voucher.id), eq(voucherRenderings.format, format)));
  if (row && row.baseUrl === baseUrl) {
    try {
      return { body: await ctx.storage.get(row.storageKey), etag: row.etag, stored: true };
    } catch (error) {
      if (!(error instanceof AppError && error.code === 'FILE_NOT_FOUND')) throw error;
      ctx.logger.warn({ voucherId: voucher.id, format }, 'stored voucher rendering missing: rendering it again');
    }
  }
  const doc = await voucherDocument(ctx.db, voucher, baseUrl);
  const body = format === 'png' ? await renderVoucherPng(doc) : await renderVoucherPdf(doc);
  const hash = digest(body);
  const etag = `"${hash}"`;
  if (!row || row.baseUrl === baseUrl) {
    const storageKey = `vouchers/${voucher.id}/voucher-${hash}.${format}`;
    await ctx.storage.put(storageKey, body, VOUCHER_CONTENT_TYPES[format]);
    await ctx.db
      .insert(voucherRenderings)
      .values({ voucherId: voucher.id, format, baseUrl, storageKey, etag, bytes: body.length })
      .onConflictDoUpdate({ target: [voucherRenderings.voucherId, voucherRenderings.format], set: { baseUrl, storageKey, etag, bytes: body.length } });
  }
  return { body, etag, stored: false };
}
