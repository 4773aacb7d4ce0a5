import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { idParamsSchema, staffVerificationRequestSchema, verificationAnswerSchema, verificationQueueQuerySchema, verificationQueueResponseSchema } from '../../contract/admin.ts';
import { errorBodySchema } from '../../contract/common.ts';
import { auditChange } from '../audit/log.ts';
import type { AppContext } from '../context.ts';
import { recordVerificationAnswerChange } from '../exchange/decisions.ts';
import { provinceScope } from './access.ts';
import { requireStaff, staffOf } from './principal.ts';
import { acceptVerificationRequest, answerVerificationRequest, correctionOnRecord, listVerificationRequests, verificationRequestNotFound, verificationRequestView } from './verificationRequests.ts';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema, 422: errorBodySchema };

/** The issuing province's queue of information-verification requests (信息核查). */
export async function verificationRequestRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const read = requireStaff(ctx);
  // System admins read every province but answer none (no casework outside one's own province).
  const act = requireStaff(ctx, ['handler', 'reviewer', 'province_admin']);

  api.get(
    '/staff/verification-requests',
    { onRequest: read, schema: { tags: ['staff'], querystring: verificationQueueQuerySchema, response: { 200: verificationQueueResponseSchema, ...errors } } },
    async (request) => {
      const scope = { provinceCode: provinceScope(staffOf(request), request.query.province) };
      return listVerificationRequests(ctx.db, scope, { state: request.query.state, limit: request.query.limit }, ctx.now());
    },
  );

  api.get(
    '/staff/verification-requests/:id',
    { onRequest: read, schema: { tags: ['staff'], params: idParamsSchema, response: { 200: staffVerificationRequestSchema, ...errors } } },
    async (request) => {
      const scope = provinceScope(staffOf(request));
      const view = await verificationRequestView(ctx.db, request.params.id, ctx.now());
      // Another province's request does not exist for this staff member.
      if (scope && view.provinceCode !== scope) throw verificationRequestNotFound();
      return view;
    },
  );

  api.post(
    '/staff/verification-requests/:id/accept',
    { onRequest: act, schema: { tags: ['staff'], params: idParamsSchema, response: { 200: staffVerificationRequestSchema, ...errors } } },
    async (request) => {
      const now = ctx.now();
      const scope = { provinceCode: provinceScope(staffOf(request)) };
      await ctx.db.transaction(async (tx) => {
        const accepted = await acceptVerificationRequest(tx, request.params.id, scope, now);
        await auditChange(tx, request, accepted.provinceCode, { event: 'verification.accept', targetKind: 'verification_request', targetId: request.params.id, details: { answerDeadline: accepted.answerDeadline } }, now);
      });
      return verificationRequestView(ctx.db, request.params.id, now);
    },
  );

  api.post(
    '/staff/verification-requests/:id/answer',
    { onRequest: act, schema: { tags: ['staff'], params: idParamsSchema, body: verificationAnswerSchema, response: { 200: staffVerificationRequestSchema, ...errors } } },
    async (request) => {
      const now = ctx.now();
      const scope = { provinceCode: provinceScope(staffOf(request)) };
      await ctx.db.transaction(async (tx) => {
        const answered = await answerVerificationRequest(tx, request.params.id, scope, request.body, now);
        await recordVerificationAnswerChange(
          tx,
          ctx.secrets,
          { requestId: request.params.id, certificateId: answered.certificateId, outcome: request.body.outcome, answer: request.body.answer, correction: answered.correction },
          now,
        );
        await auditChange(
          tx,
          request,
          answered.provinceCode,
          {
            event: 'verification.answer',
            targetKind: 'verification_request',
            targetId: request.params.id,
            details: { outcome: request.body.outcome, ...(answered.correction ? { correction: correctionOnRecord(answered.correction) } : {}) },
          },
          now,
        );
      });
      return verificationRequestView(ctx.db, request.params.id, now);
    },
  );
}
