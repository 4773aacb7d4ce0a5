/**
 * The verification API's lane for answers already known: `GET /api/v1/verify/{token}` for a voucher
 * whose answer the verifier holds (verify.ts `knownAnswer`: the register's state in memory is current
 * and the answer was worked out since it last moved) is answered at the HTTP server, before the
 * framework's routing, hooks, validation and serialization — which cost several times the check
 * itself at a roadside rush, when the same few thousand vouchers are checked again and again.
 *
 * It answers exactly as the route does (routes.ts), and only then: the same per-IP limit through the
 * same limiter, the same body (serialized once by the contract's schema), the same security headers
 * (securityHeaders.ts) and `Cache-Control`, the check logged and counted the same way. Everything
 * else — another method or path, a query other than `channel`, a token with characters a token does
 * not have (so no decoding differs), an answer not known yet, a refused limit (the route then writes
 * the 429), a stopping instance, any failure — is handed to the framework untouched. Checks answered
 * here are not written to the request log one by one: the check log (voucher_checks) records each.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';
import { requestLanguage } from '../http/language.ts';
import type { RateLimiter } from '../rateLimit/types.ts';
import type { RequestSeries } from '../ops/metrics.ts';
import { serializedAnswer, verifyIpRules } from './routes.ts';
import type { Verifier, VerifyChannel } from './verify.ts';

export const VERIFY_ROUTE = '/api/v1/verify/*';
const PREFIX = '/api/v1/verify/';
/** What a token (or its QR's URL tail) is made of; a path with anything else goes to the framework. */
const TOKEN = /^[A-Za-z0-9._~-]+$/;
const CHANNEL_QUERY = /^channel=(web|app|api)$/;

export interface VerifyLaneOptions {
  verifier: Verifier;
  rateLimiter: RateLimiter;
  /** The security headers of an answer only programs read (securityHeaders.ts). */
  securityHeaders: Record<string, string>;
  series: RequestSeries;
  now: () => Date;
  trustProxy: boolean;
  /** True once the instance is stopping: the framework answers (503 where it must). */
  stopping: () => boolean;
}

export type Lane = (request: IncomingMessage, response: ServerResponse, next: () => void) => void;

export function verifyLane(options: VerifyLaneOptions): Lane {
  // The client address exactly as the framework works it out (its own proxy-addr, same trust).
  const trust = options.trustProxy ? () => true : () => false;
  const headers = { ...options.securityHeaders, 'cache-control': 'no-store', 'content-type': 'application/json; charset=utf-8' };

  return (request, response, next) => {
    const url = request.url ?? '';
    if (request.method !== 'GET' || !url.startsWith(PREFIX) || options.stopping()) return next();
    const queryAt = url.indexOf('?', PREFIX.length);
    const token = queryAt < 0 ? url.slice(PREFIX.length) : url.slice(PREFIX.length, queryAt);
    let channel: VerifyChannel = 'api';
    if (queryAt >= 0) {
      const match = CHANNEL_QUERY.exec(url.slice(queryAt + 1));
      if (!match) return next();
      channel = match[1] as VerifyChannel;
    }
    if (!TOKEN.test(token)) return next();
    const started = performance.now();
    const now = options.now();
    const outcome = options.verifier.knownAnswer(token, now);
    if (!outcome) return next();
    options.rateLimiter.consume(`verify-ip:${proxyAddr(request, trust)}`, verifyIpRules).then(
      (decision) => {
        if (!decision.allowed || response.headersSent) return next();
        const body = serializedAnswer(outcome, requestLanguage(request));
        response.writeHead(200, { ...headers, 'content-length': Buffer.byteLength(body) });
        response.end(body);
        options.verifier.record(outcome, now, channel);
        const labelled = options.series('GET', 200, VERIFY_ROUTE);
        labelled.count.inc();
        labelled.time.observe((performance.now() - started) / 1000);
      },
      // The limiter could not answer (Redis down): the route meets the same failure and answers it.
      () => next(),
    );
  };
}
