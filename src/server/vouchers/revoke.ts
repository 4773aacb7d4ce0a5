import { and, eq, isNull } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema } from '../../contract/common.ts';
import type { AppContext } from '../context.ts';
import { applications, vouchers } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { writeAudit } from '../audit/log.ts';
import { requireStaff, staffOf } from '../staff/principal.ts';
import { normalizeVoucherSerial } from './issue.ts';

export const revokeVoucherBodySchema = z.object({
  /** Why, for the audit trail and for whoever checks the voucher afterwards. */
  reason: z.string().trim().min(2).max(200),
});
export const revokedVoucherSchema = z.object({ serial: z.string(), revokedAt: z.string(), reason: z.string() });

const voucherNotFound = () => new AppError(404, 'VOUCHER_NOT_FOUND', { zh: '没有找到该凭证', en: 'Voucher not found' });

/**
 * Revoking a voucher (e.g. issued on a rating later found wrong): from then on every check answers
 * "revoked" with the date. Reviewers and admins of the issuing province only; audited; final.
 */
export async function voucherRevocationRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  api.post(
    '/staff/vouchers/:serial/revoke',
    {
      onRequest: requireStaff(ctx, ['reviewer', 'province_admin']),
      schema: {
        tags: ['staff'],
        security: [{ bearer: [] }, { staffCookie: [] }],
        params: z.object({ serial: z.string().max(64) }),
        body: revokeVoucherBodySchema,
        response: { 200: revokedVoucherSchema, 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema },
      },
    },
    async (request) => {
      const who = staffOf(request);
      const serial = normalizeVoucherSerial(request.params.serial);
      const now = ctx.now();
      const revoked = await ctx.db.transaction(async (tx) => {
        const [found] = await tx
          .select({ voucher: vouchers, provinceCode: applications.provinceCode })
          .from(vouchers)
          .innerJoin(applications, eq(applications.id, vouchers.applicationId))
          .where(eq(vouchers.serial, serial));
        if (!found || (who.provinceCode !== null && found.provinceCode !== who.provinceCode)) throw voucherNotFound();
        const [revoked] = await tx
          .update(vouchers)
          .set({ revokedAt: now, revocationReason: request.body.reason })
          .where(and(eq(vouchers.id, found.voucher.id), isNull(vouchers.revokedAt)))
          .returning();
        if (!revoked) {
          throw new AppError(409, 'VOUCHER_ALREADY_REVOKED', { zh: '该凭证已撤销', en: 'This voucher has already been revoked' });
        }
        await writeAudit(tx, who, request.ip, { event: 'voucher.revoke', targetKind: 'voucher', targetId: serial, details: { reason: request.body.reason } }, now);
        return { serial, revokedAt: now.toISOString(), reason: request.body.reason };
      });
      // This instance answers "revoked" from the next check on; the others within VERIFY_STATUS_MAX_AGE_MS.
      ctx.verifier.state.invalidate();
      return revoked;
    },
  );
}
