import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApplicationState } from '../../domain/stateMachine.ts';
import {
  applicationDetailSchema,
  applicationIdParamsSchema,
  applicationListSchema,
  createApplicationBodySchema,
  imageWarningSchema,
  listApplicationsQuerySchema,
  materialParamsSchema,
  updatePersonalInfoBodySchema,
} from '../../contract/applications.ts';
import { errorBodySchema } from '../../contract/common.ts';
import { driverOf, requireVerifiedDriver } from '../auth/session.ts';
import type { AppContext } from '../context.ts';
import { requestLanguage } from '../http/language.ts';
import { receiveImage } from '../images/upload.ts';
import {
  applicationDetail,
  createApplication,
  deleteMaterial,
  discardDraft,
  listApplications,
  materialFile,
  ownApplication,
  putMaterial,
  submitApplication,
  updatePersonalInfo,
  withdrawApplication,
} from './service.ts';

const errors = Object.fromEntries([400, 401, 403, 404, 409, 413, 415, 422, 429].map((status) => [status, errorBodySchema]));
const API_BASE = '/api/v1';

const idempotencyKeySchema = z.string().trim().min(8).max(128).regex(/^[A-Za-z0-9._:-]+$/);

/** The driver's applications: one generic engine for every business in the catalog (PRODUCT §3, §4). */
export async function applicationRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const onRequest = requireVerifiedDriver(ctx);
  const detail = async (userId: string, id: string) => applicationDetail(ctx.db, await ownApplication(ctx.db, userId, id), API_BASE);

  api.post(
    '/applications',
    { onRequest, schema: { tags: ['applications'], body: createApplicationBodySchema, response: { 201: applicationDetailSchema, ...errors } } },
    async (request, reply) => {
      const { userId } = driverOf(request);
      const created = await createApplication(ctx, userId, request.body);
      return reply.status(201).send(await applicationDetail(ctx.db, created, API_BASE));
    },
  );

  api.get(
    '/applications',
    { onRequest, schema: { tags: ['applications'], querystring: listApplicationsQuerySchema, response: { 200: applicationListSchema, ...errors } } },
    async (request) => ({ applications: await listApplications(ctx.db, driverOf(request).userId, request.query.state as ApplicationState | undefined) }),
  );

  api.get(
    '/applications/:id',
    { onRequest, schema: { tags: ['applications'], params: applicationIdParamsSchema, response: { 200: applicationDetailSchema, ...errors } } },
    async (request) => detail(driverOf(request).userId, request.params.id),
  );

  api.patch(
    '/applications/:id',
    { onRequest, schema: { tags: ['applications'], params: applicationIdParamsSchema, body: updatePersonalInfoBodySchema, response: { 200: applicationDetailSchema, ...errors } } },
    async (request) => {
      const { userId } = driverOf(request);
      const updated = await updatePersonalInfo(ctx, userId, request.params.id, request.body, requestLanguage(request));
      return applicationDetail(ctx.db, updated, API_BASE);
    },
  );

  api.delete(
    '/applications/:id',
    { onRequest, schema: { tags: ['applications'], params: applicationIdParamsSchema, response: { 204: z.null(), ...errors } } },
    async (request, reply) => {
      await discardDraft(ctx, driverOf(request).userId, request.params.id);
      return reply.status(204).send(null);
    },
  );

  api.put(
    '/applications/:id/materials/:materialKey',
    {
      onRequest,
      schema: {
        tags: ['applications'],
        consumes: ['multipart/form-data'],
        params: materialParamsSchema,
        response: { 200: z.object({ materialKey: z.string(), warnings: z.array(imageWarningSchema) }), ...errors },
      },
    },
    async (request) => {
      const { userId } = driverOf(request);
      // Cheap checks first: a driver uploading to someone else's application learns nothing and sends nothing.
      await ownApplication(ctx.db, userId, request.params.id);
      const image = await receiveImage(ctx, request, userId);
      return putMaterial(ctx, userId, request.params.id, request.params.materialKey, image);
    },
  );

  api.delete(
    '/applications/:id/materials/:materialKey',
    { onRequest, schema: { tags: ['applications'], params: materialParamsSchema, response: { 204: z.null(), ...errors } } },
    async (request, reply) => {
      await deleteMaterial(ctx, driverOf(request).userId, request.params.id, request.params.materialKey);
      return reply.status(204).send(null);
    },
  );

  for (const [suffix, kind] of [['', 'full'], ['/thumbnail', 'thumb']] as const) {
    api.get(
      `/applications/:id/materials/:materialKey${suffix}`,
      { onRequest, schema: { tags: ['applications'], params: materialParamsSchema } },
      async (request, reply) => {
        const file = await materialFile(ctx, driverOf(request).userId, request.params.id, request.params.materialKey, kind);
        return reply.header('cache-control', 'private, max-age=300').type(file.mime).send(file.data);
      },
    );
  }

  api.post(
    '/applications/:id/submit',
    {
      onRequest,
      schema: {
        tags: ['applications'],
        params: applicationIdParamsSchema,
        headers: z.object({ 'idempotency-key': idempotencyKeySchema.optional() }),
        response: { 200: applicationDetailSchema, ...errors },
      },
    },
    async (request) => {
      const { userId } = driverOf(request);
      const submitted = await submitApplication(ctx, userId, request.params.id, request.headers['idempotency-key'], requestLanguage(request));
      return applicationDetail(ctx.db, submitted, API_BASE);
    },
  );

  api.post(
    '/applications/:id/withdraw',
    { onRequest, schema: { tags: ['applications'], params: applicationIdParamsSchema, response: { 200: applicationDetailSchema, ...errors } } },
    async (request) => {
      const { userId } = driverOf(request);
      const withdrawn = await withdrawApplication(ctx, userId, request.params.id);
      return applicationDetail(ctx.db, withdrawn, API_BASE);
    },
  );
}
