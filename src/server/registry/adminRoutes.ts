import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { idParamsSchema, provinceQuerySchema } from '../../contract/admin.ts';
import { errorBodySchema } from '../../contract/common.ts';
import { registrySettingsResponseSchema } from '../../contract/registry.ts';
import { adminProvince } from '../admin/scope.ts';
import { auditChange } from '../audit/log.ts';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { recentInbound } from '../exchange/inbound.ts';
import { listPartners } from '../exchange/partners.ts';
import { staffOf, requireStaff } from '../staff/principal.ts';
import { findImport, lastImport } from './import.ts';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema };

const importNotFound = () => new AppError(404, 'IMPORT_NOT_FOUND', { zh: '未找到该次导入的记录', en: 'No such registry import' });

/** The province admin's settings: the last registry import (refused rows downloadable) and the exchange partners. */
export async function registryAdminRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const admin = requireStaff(ctx, ['province_admin', 'system_admin']);
  const tags = ['staff admin'];

  api.get(
    '/staff/admin/registry',
    { onRequest: admin, schema: { tags, querystring: provinceQuerySchema, response: { 200: registrySettingsResponseSchema, ...errors } } },
    async (request) => {
      const province = await adminProvince(ctx.db, request, request.query.province);
      const last = await lastImport(ctx.db, province.code);
      const partners = await listPartners(ctx.db, province.code);
      return {
        province,
        lastImport: last
          ? {
              id: last.id,
              fileName: last.fileName,
              format: last.format,
              encoding: last.encoding,
              startedAt: last.startedAt.toISOString(),
              finishedAt: last.finishedAt?.toISOString() ?? null,
              rowsTotal: last.rowsTotal,
              inserted: last.rowsInserted,
              updated: last.rowsUpdated,
              unchanged: last.rowsUnchanged,
              refused: last.rowsRefused,
              refusedReport: last.rowsRefused > 0,
              refusedReportTruncated: last.refusedReportTruncated,
            }
          : null,
        // A partner's key never leaves the CLI; here only what tells partners apart and when they last pulled.
        partners: partners.map((p) => ({
          id: p.id,
          name: p.name,
          keyPrefix: p.keyPrefix,
          provinces: p.provinces,
          createdAt: p.createdAt.toISOString(),
          revokedAt: p.revokedAt?.toISOString() ?? null,
          lastPullAt: p.lastPullAt?.toISOString() ?? null,
          lastCursor: p.lastCursor,
        })),
        inbound: await recentInbound(ctx.db, province.code),
      };
    },
  );

  api.get(
    '/staff/admin/registry/imports/:id/refused.csv',
    { onRequest: admin, schema: { tags, params: idParamsSchema, response: { 200: z.string(), ...errors } } },
    async (request, reply) => {
      const who = staffOf(request);
      const row = await findImport(ctx.db, request.params.id);
      // Another province's import does not exist for a province admin.
      if (!row || row.dryRun || (who.role !== 'system_admin' && row.provinceCode !== who.provinceCode)) throw importNotFound();
      if (row.rowsRefused === 0) throw importNotFound();
      await auditChange(ctx.db, request, row.provinceCode, { event: 'registry.refused_rows_download', targetKind: 'registry_import', targetId: row.id, details: { refused: row.rowsRefused } }, ctx.now());
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="refused-rows-${row.startedAt.toISOString().slice(0, 10)}.csv"`)
        .send(row.refusedReport);
    },
  );
}
