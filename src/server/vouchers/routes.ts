import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema } from '../../contract/common.ts';
import { eCertificateSchema, voucherSummarySchema } from '../../contract/vouchers.ts';
import { driverOf, requireDriver, requireVerifiedDriver } from '../auth/session.ts';
import type { AppContext } from '../context.ts';
import { attachmentDisposition, ownVoucher, publicBase, voucherSummary } from './document.ts';
import { ownECertificate } from './eCertificate.ts';
import { VOUCHER_CONTENT_TYPES, voucherFile } from './renderings.ts';

const security: { [label: string]: string[] }[] = [{ bearer: [] }, { cookie: [] }];
const errors = { 401: errorBodySchema, 404: errorBodySchema };
const idParams = z.object({ id: z.string().max(64) });

/**
 * The driver's own voucher (owner only: 404 for anyone else or when there is none) and
 * electronic certificate. Files are rendered once and served from storage (renderings.ts) with an ETag
 * (304 when the app already holds it); private caching only.
 */
export async function voucherRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const prefix = app.prefix;

  api.get(
    '/applications/:id/voucher',
    { onRequest: requireDriver(ctx), schema: { tags: ['vouchers'], security, params: idParams, response: { 200: voucherSummarySchema, ...errors } } },
    async (request) => {
      const voucher = await ownVoucher(ctx.db, request.params.id, driverOf(request).userId);
      return voucherSummary(ctx.db, voucher, publicBase(ctx.config, request), prefix);
    },
  );

  for (const format of ['png', 'pdf'] as const) {
    api.get(
      `/applications/:id/voucher.${format}`,
      {
        onRequest: requireDriver(ctx),
        schema: {
          tags: ['vouchers'],
          summary: format === 'png' ? 'Voucher as a PNG picture (save to album)' : 'Voucher as a PDF (share)',
          security,
          params: idParams,
        },
      },
      async (request, reply) => {
        const voucher = await ownVoucher(ctx.db, request.params.id, driverOf(request).userId);
        const file = await voucherFile(ctx, voucher, format, publicBase(ctx.config, request));
        reply.header('etag', file.etag).header('cache-control', 'private, no-cache');
        const held = String(request.headers['if-none-match'] ?? '').split(',').map((t) => t.trim().replace(/^W\//, ''));
        if (held.includes(file.etag)) return reply.code(304).send();
        return reply
          .type(VOUCHER_CONTENT_TYPES[format])
          .header('content-disposition', attachmentDisposition(voucher.serial, format))
          .send(file.body);
      },
    );
  }

  api.get(
    '/me/certificates/:id/e-certificate',
    {
      onRequest: requireVerifiedDriver(ctx),
      schema: { tags: ['vouchers'], security, params: idParams, response: { 200: eCertificateSchema, ...errors, 403: errorBodySchema, 422: errorBodySchema } },
    },
    async (request, reply) => {
      reply.header('cache-control', 'private, no-store');
      return ownECertificate(ctx.db, ctx.secrets, request.params.id, driverOf(request).userId, ctx.now(), publicBase(ctx.config, request));
    },
  );
}
