import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema } from '../../contract/common.ts';
import { publishedKeySetSchema, statusListSchema, verifyChannelSchema, verifyResponseSchema } from '../../contract/vouchers.ts';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { requestLanguage } from '../http/language.ts';
import { serializedAnswer } from './answer.ts';
import { verifyLimit } from './limit.ts';

/** Public keys change only on rotation; a short cache lets verifiers pick up a new key within minutes. */
export const KEY_SET_CACHE_SECONDS = 300;
/** A revocation reaches offline verifiers that are online now and then within this time. */
export const STATUS_LIST_CACHE_SECONDS = 300;

const verifyRateLimited = (retryAfterSeconds: number) =>
  new AppError(
    429,
    'VERIFY_RATE_LIMITED',
    { zh: `核验过于频繁，请${retryAfterSeconds}秒后再试`, en: `Too many checks; try again in ${retryAfterSeconds} seconds` },
    { retryAfterSeconds },
  );

/**
 * GET /api/v1/verify/{token} — public. A token that cannot be read is an answer (200, verdict
 * `invalid`, reason `malformed`), not an error; 429 VERIFY_RATE_LIMITED past 60 checks a minute per IP.
 * `?channel=web|app|api` says where the check came from (for the statistics; default api).
 */
export async function verifyRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  // A wildcard, not `:token`: tokens are longer than the router's 100-character parameter limit.
  api.get(
    '/verify/*',
    {
      // A short answer checked at a roadside rush: compressing it costs more than it saves, and it has no body to inflate.
      compress: false,
      decompress: false,
      schema: {
        tags: ['verify'],
        summary: 'Verify a voucher or electronic certificate token (public)',
        params: z.object({ '*': z.string() }),
        querystring: z.object({ channel: verifyChannelSchema.optional() }),
        response: { 200: verifyResponseSchema, 429: errorBodySchema },
      },
    },
    async (request, reply) => {
      // A request the lane took and handed on has spent its limit there already (lane.ts).
      const decision = await verifyLimit(ctx.rateLimiter, request.raw, request.ip);
      if (!decision.allowed) {
        const retryAfterSeconds = Math.max(1, Math.ceil(decision.retryAfterSeconds));
        reply.header('retry-after', String(retryAfterSeconds));
        throw verifyRateLimited(retryAfterSeconds);
      }
      const outcome = await ctx.verifier.verify(request.params['*'], ctx.now(), request.query.channel ?? 'api');
      return reply
        .header('cache-control', 'no-store')
        .type('application/json; charset=utf-8')
        .send(serializedAnswer(outcome, requestLanguage(request)) as never);
    },
  );
}

/** Answers 304 when the client already holds `etag`; else sets the caching headers. */
function conditional(request: { headers: Record<string, string | string[] | undefined> }, reply: { header(name: string, value: string): unknown; code(status: number): unknown }, etag: string, maxAge: number): boolean {
  reply.header('etag', etag);
  reply.header('cache-control', `public, max-age=${maxAge}`);
  const held = request.headers['if-none-match'];
  const tags = (Array.isArray(held) ? held.join(',') : (held ?? '')).split(',').map((t) => t.trim().replace(/^W\//, ''));
  if (tags.includes(etag) || tags.includes('*')) {
    reply.code(304);
    return true;
  }
  return false;
}

/**
 * At the root, for offline verifiers: GET /.well-known/rto-keys.json (the signed trust list) and GET
 * /.well-known/rto-status.json (the signed, padded status list). Both carry an ETag (304 on a match).
 */
export async function wellKnownRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  api.get(
    '/.well-known/rto-keys.json',
    {
      schema: {
        tags: ['verify'],
        summary: 'Trust list: the SM2 keys that sign vouchers, e-certificates and the status list, signed',
        response: { 200: publishedKeySetSchema },
      },
    },
    async (request, reply) => {
      const published = await ctx.publication.trustList();
      if (conditional(request, reply, published.etag, KEY_SET_CACHE_SECONDS)) return reply.send('' as never);
      return published.body;
    },
  );
  api.get(
    '/.well-known/rto-status.json',
    {
      schema: {
        tags: ['verify'],
        summary: 'Status list: revoked and superseded vouchers and e-certificates as a signed, padded bitstring',
        response: { 200: statusListSchema },
      },
    },
    async (request, reply) => {
      const published = await ctx.publication.statusList(ctx.now());
      if (conditional(request, reply, published.etag, STATUS_LIST_CACHE_SECONDS)) return reply.send('' as never);
      return published.body;
    },
  );
}
