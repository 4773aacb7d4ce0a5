import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { eq, and } from 'drizzle-orm';
import { errorBodySchema } from '../../contract/common.ts';
import { changesQuerySchema, changesResponseSchema, inboundCorrectionSchema, inboundReceiptSchema, inboundVerificationRequestSchema } from '../../contract/exchange.ts';
import type { AppContext } from '../context.ts';
import { certificates, exchangeInbound } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { changesAfter, parseCursor } from './feed.ts';
import { certificateNumberIs } from '../registry/certificates.ts';
import { partnerForKey, recordCall, recordPull, type PartnerRow } from './partners.ts';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 404: errorBodySchema };

const keyRefused = (reason: 'missing' | 'unknown' | 'revoked') =>
  reason === 'missing'
    ? new AppError(401, 'EXCHANGE_KEY_MISSING', { zh: '缺少接口密钥（Authorization: Bearer …）', en: 'The API key is missing (Authorization: Bearer …)' })
    : reason === 'revoked'
      ? new AppError(401, 'EXCHANGE_KEY_REVOKED', { zh: '该接口密钥已被吊销', en: 'This API key has been revoked' })
      : new AppError(401, 'EXCHANGE_KEY_INVALID', { zh: '接口密钥无效', en: 'The API key is not valid' });

const certificateNotFound = () =>
  new AppError(404, 'CERTIFICATE_NOT_FOUND', { zh: '在授权的省份中未找到该证号', en: 'No certificate with this number in the provinces this key may see' });

/**
 * The exchange with the ministerial system, under /api/exchange/v1 (docs/exchange.md). Partners
 * authenticate with their API key as a bearer token; every call, refused ones too, is recorded.
 */
export async function exchangeRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const partners = new WeakMap<FastifyRequest, PartnerRow>();
  const callDetails = new WeakMap<FastifyRequest, Record<string, unknown>>();
  const partnerOf = (request: FastifyRequest) => partners.get(request)!;

  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization;
    const key = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    const check = await partnerForKey(ctx.db, key);
    if (check.partner) partners.set(request, check.partner);
    if (!check.ok) {
      callDetails.set(request, { refused: check.reason });
      throw keyRefused(check.reason);
    }
  });
  // Recorded before the answer leaves (onSend), so no answered call goes unrecorded.
  app.addHook('onSend', async (request, reply, payload) => {
    try {
      await recordCall(
        ctx.db,
        {
          partnerId: partners.get(request)?.id ?? null,
          method: request.method,
          route: request.routeOptions.url ?? request.url.split('?')[0]!,
          status: reply.statusCode,
          ip: request.ip,
          details: callDetails.get(request) ?? {},
        },
        ctx.now(),
      );
    } catch (error) {
      request.log.error({ err: error }, 'exchange call not recorded');
    }
    return payload;
  });

  api.get('/changes', { schema: { tags: ['exchange'], security: [{ bearer: [] }], querystring: changesQuerySchema, response: { 200: changesResponseSchema, ...errors } } }, async (request) => {
    const partner = partnerOf(request);
    const after = parseCursor(request.query.after);
    if (after === null) throw new AppError(400, 'CURSOR_INVALID', { zh: '游标无效：请使用上一页返回的 nextCursor', en: 'Not a cursor: pass the nextCursor of the previous page' });
    const page = await changesAfter(ctx.db, partner.provinces, after, request.query.limit);
    callDetails.set(request, { after: String(after), returned: page.changes.length, nextCursor: page.nextCursor });
    await recordPull(ctx.db, partner.id, page.nextCursor, ctx.now());
    return page;
  });

  const receive = async (
    request: FastifyRequest,
    kind: 'verification_request' | 'registry_correction',
    body: { externalId: string; certificateNumber: string } & Record<string, unknown>,
  ) => {
    const partner = partnerOf(request);
    const [certificate] = await ctx.db
      .select({ id: certificates.id, provinceCode: certificates.provinceCode })
      .from(certificates)
      .where(certificateNumberIs(body.certificateNumber.toUpperCase()));
    if (!certificate || !partner.provinces.includes(certificate.provinceCode)) throw certificateNotFound();
    const now = ctx.now();
    const [created] = await ctx.db
      .insert(exchangeInbound)
      .values({ partnerId: partner.id, kind, externalId: body.externalId, provinceCode: certificate.provinceCode, certificateId: certificate.id, body, receivedAt: now })
      .onConflictDoNothing()
      .returning();
    const row =
      created ??
      (await ctx.db
        .select()
        .from(exchangeInbound)
        .where(and(eq(exchangeInbound.partnerId, partner.id), eq(exchangeInbound.kind, kind), eq(exchangeInbound.externalId, body.externalId))))[0]!;
    callDetails.set(request, { kind, externalId: body.externalId, inboundId: row.id, created: !!created });
    return { id: row.id, kind: row.kind, state: row.state, provinceCode: row.provinceCode, receivedAt: row.receivedAt.toISOString(), created: !!created };
  };

  api.post(
    '/verification-requests',
    { schema: { tags: ['exchange'], security: [{ bearer: [] }], body: inboundVerificationRequestSchema, response: { 202: inboundReceiptSchema, 200: inboundReceiptSchema, ...errors } } },
    async (request, reply) => {
      const receipt = await receive(request, 'verification_request', request.body);
      return reply.code(receipt.created ? 202 : 200).send(receipt);
    },
  );

  api.post(
    '/registry-corrections',
    { schema: { tags: ['exchange'], security: [{ bearer: [] }], body: inboundCorrectionSchema, response: { 202: inboundReceiptSchema, 200: inboundReceiptSchema, ...errors } } },
    async (request, reply) => {
      const receipt = await receive(request, 'registry_correction', request.body);
      return reply.code(receipt.created ? 202 : 200).send(receipt);
    },
  );
}
