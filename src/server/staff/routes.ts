import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema } from '../../contract/common.ts';
import {
  auditQuerySchema,
  auditResponseSchema,
  staffActionRequestSchema,
  staffApplicationDetailSchema,
  staffApplicationParamsSchema,
  staffLoginRequestSchema,
  staffLoginResponseSchema,
  staffMaterialParamsSchema,
  staffMeResponseSchema,
  staffQueueQuerySchema,
  staffQueueResponseSchema,
  totpConfirmRequestSchema,
  totpConfirmResponseSchema,
  totpEnrolmentResponseSchema,
} from '../../contract/staff.ts';
import { clearSessionCookie, setSessionCookie, staffSessionPolicy } from '../auth/session.ts';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { performStaffAction } from './actions.ts';
import { listAudit } from '../audit/log.ts';
import { readStaffApplication, readStaffMaterial, staffApplicationDetail } from './detail.ts';
import { confirmTotpEnrolment, loginStaff, logoutStaff, startTotpEnrolment } from './login.ts';
import { requireStaff, staffOf, staffProfile } from './principal.ts';
import { staffQueue } from './queue.ts';

const errors = Object.fromEntries([400, 401, 403, 404, 409, 422, 429].map((status) => [status, errorBodySchema]));
const tags = ['staff'];

/** The provinces' back office (PRODUCT §5): staff sessions with a second factor, the work queue, casework, audit. */
export async function staffRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const onRequest = requireStaff(ctx);
  // Browsers send the rto_staff_session cookie instead.
  const security: Record<string, string[]>[] = [{ bearer: [] }];

  api.post(
    '/staff/sessions',
    { schema: { tags, body: staffLoginRequestSchema, response: { 201: staffLoginResponseSchema, ...errors } } },
    async (request, reply) => {
      try {
        const { session, member } = await loginStaff(ctx, request.body, request.ip);
        setSessionCookie(ctx, request, reply, staffSessionPolicy, session);
        return reply.status(201).send({
          token: session.token,
          expiresAt: session.absoluteExpiresAt.toISOString(),
          idleExpiresAt: session.idleExpiresAt.toISOString(),
          staff: await staffProfile(ctx.db, member),
        });
      } catch (error) {
        if (error instanceof AppError && error.code === 'STAFF_LOCKED') reply.header('retry-after', String(error.details?.retryAfterSeconds ?? 900));
        throw error;
      }
    },
  );

  api.delete(
    '/staff/sessions/current',
    { onRequest, schema: { tags, security, response: { 204: z.null(), ...errors } } },
    async (request, reply) => {
      await logoutStaff(ctx, staffOf(request), request.ip);
      clearSessionCookie(ctx, request, reply, staffSessionPolicy);
      return reply.status(204).send(null);
    },
  );

  api.get('/staff/me', { onRequest, schema: { tags, security, response: { 200: staffMeResponseSchema, ...errors } } }, async (request) => {
    const who = staffOf(request);
    return { staff: await staffProfile(ctx.db, who), expiresAt: who.absoluteExpiresAt.toISOString(), idleExpiresAt: who.idleExpiresAt.toISOString() };
  });

  api.post(
    '/staff/me/totp/enrolment',
    { onRequest, schema: { tags, security, response: { 201: totpEnrolmentResponseSchema, ...errors } } },
    async (request, reply) => reply.status(201).send(await startTotpEnrolment(ctx, staffOf(request))),
  );

  api.post(
    '/staff/me/totp/confirm',
    { onRequest, schema: { tags, security, body: totpConfirmRequestSchema, response: { 200: totpConfirmResponseSchema, ...errors } } },
    async (request) => {
      await confirmTotpEnrolment(ctx, staffOf(request), request.body.code, request.ip);
      return { confirmed: true as const };
    },
  );

  api.get(
    '/staff/applications',
    { onRequest, schema: { tags, security, querystring: staffQueueQuerySchema, response: { 200: staffQueueResponseSchema, ...errors } } },
    async (request) => staffQueue(ctx, staffOf(request), request.query),
  );

  api.get(
    '/staff/applications/:id',
    { onRequest, schema: { tags, security, params: staffApplicationParamsSchema, response: { 200: staffApplicationDetailSchema, ...errors } } },
    async (request) => readStaffApplication(ctx, staffOf(request), request.params.id, request.ip),
  );

  for (const [suffix, kind] of [['', 'full'], ['/thumbnail', 'thumbnail']] as const) {
    api.get(
      `/staff/applications/:id/materials/:materialKey${suffix}`,
      { onRequest, schema: { tags, security, params: staffMaterialParamsSchema } },
      async (request, reply) => {
        const file = await readStaffMaterial(ctx, staffOf(request), request.params.id, request.params.materialKey, kind, request.ip);
        // Private: every fetch must reach the server to be audited.
        return reply.header('cache-control', 'no-store').type(file.mime).send(file.data);
      },
    );
  }

  api.post(
    '/staff/applications/:id/actions',
    { onRequest, schema: { tags, security, params: staffApplicationParamsSchema, body: staffActionRequestSchema, response: { 200: staffApplicationDetailSchema, ...errors } } },
    async (request) => {
      const who = staffOf(request);
      const updated = await performStaffAction(ctx, who, request.params.id, request.body, request.ip);
      // The driver's SMS is in the outbox now: send it without waiting for the next poll.
      request.server.outboxWorker?.wake();
      return staffApplicationDetail(ctx, ctx.db, updated, who);
    },
  );

  api.get(
    '/staff/audit',
    { onRequest: requireStaff(ctx, ['province_admin', 'system_admin']), schema: { tags, security, querystring: auditQuerySchema, response: { 200: auditResponseSchema, ...errors } } },
    async (request) => listAudit(ctx.db, staffOf(request), request.query),
  );
}
