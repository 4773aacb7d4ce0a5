import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { accountClosedSchema } from '../../contract/account.ts';
import { errorBodySchema } from '../../contract/common.ts';
import { chinaDate } from '../../domain/dates.ts';
import { writeDriverAudit } from '../audit/log.ts';
import { clearSessionCookie, driverOf, driverSessionPolicy, requireDriver, unauthenticated } from '../auth/session.ts';
import type { AppContext } from '../context.ts';
import { buildAccountExport } from './export.ts';
import { closeAccount } from './closing.ts';

const security: { [label: string]: string[] }[] = [{ bearer: [] }, { cookie: [] }];

/** The driver's rights over their data: download it (PIPL Art. 45), close the account (Art. 47). */
export async function accountRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get(
    '/me/export',
    {
      onRequest: requireDriver(ctx),
      schema: {
        tags: ['auth'],
        summary: 'Download my data: a zip with my-data.json (see the AccountExport schema) and the pictures I uploaded',
        security,
      },
    },
    async (request, reply) => {
      const driver = driverOf(request);
      const now = ctx.now();
      const built = await buildAccountExport(ctx, driver.userId, now);
      if (!built) throw unauthenticated();
      await writeDriverAudit(ctx.db, { id: driver.userId, provinceCode: driver.provinceCode }, request.ip ?? null, { event: 'account.export', details: { bytes: built.zip.length, applications: built.data.applications.length } }, now);
      const name = `my-data-${chinaDate(now)}.zip`;
      return reply
        .type('application/zip')
        .header('content-disposition', `attachment; filename="${name}"; filename*=UTF-8''${encodeURIComponent(`我的数据-${chinaDate(now)}.zip`)}`)
        .header('cache-control', 'private, no-store')
        .send(Buffer.from(built.zip.buffer, built.zip.byteOffset, built.zip.byteLength));
    },
  );

  api.delete(
    '/me',
    {
      onRequest: requireDriver(ctx),
      schema: {
        tags: ['auth'],
        summary: 'Close my account (注销账号); refused while an application, a verification request or a real-name review is open',
        security,
        response: { 200: accountClosedSchema, 401: errorBodySchema, 409: errorBodySchema },
      },
    },
    async (request, reply) => {
      const closed = await closeAccount(ctx, driverOf(request).userId, request.ip ?? null);
      request.server.outboxWorker?.wake();
      clearSessionCookie(ctx, request, reply, driverSessionPolicy);
      return closed;
    },
  );
}
