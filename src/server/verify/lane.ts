/**
 * The verification API's lane for answers already known: `GET /api/v1/verify/{token}` for a voucher
 * whose answer the verifier holds (verify.ts `knownAnswer`: the register's state in memory is current
 * and the answer was worked out since it last moved) is answered at the HTTP server, before the
 * framework's routing, hooks, validation and serialization — which cost several times the check
 * itself at a roadside rush, when the same few thousand vouchers are checked again and again.
 *
 * It answers exactly as the route does (routes.ts), and only then: the same per-IP limit through the
 * same limiter (decided at once when its counters are in this process; else the answer is looked up
 * again once the limiter has answered), the same body (serialized once by the contract's schema),
 * the same security headers (securityHeaders.ts) and `Cache-Control`, the check logged and counted
 * the same way. Everything else — another method or path, a query other than `channel`, a token
 * with characters a token does not have (so no decoding differs), an answer not known yet (also once
 * the limiter has answered), a refused limit (the route then writes the 429), a stopping instance,
 * any failure — is handed to the framework untouched, with the limit decision already spent on it
 * (limit.ts). Checks answered here are not written to the request log one by one: the check log
 * (voucher_checks) records each.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';
import proxyAddr from '@fastify/proxy-addr';
import { requestLanguage } from '../http/language.ts';
import type { RateDecision, RateLimiter } from '../rateLimit/types.ts';
import type { RequestSeries } from '../ops/metrics.ts';
import { verifyLimit, verifyLimitNow } from './limit.ts';
import type { KnownAnswer, Verifier, VerifyChannel } from './verify.ts';

export const VERIFY_ROUTE = '/api/v1/verify/*';
const PREFIX = '/api/v1/verify/';
/** What a token (or its QR's URL tail) is made of; a path with anything else goes to the framework. */
const TOKEN = /^[A-Za-z0-9._~-]+$/;
const CHANNEL_QUERY = /^channel=(web|app|api)$/;
/** Headers objects kept, one per answer length. */
const HEADER_SETS = 4096;

export interface VerifyLaneOptions {
  verifier: Verifier;
  rateLimiter: RateLimiter;
  /** The security headers of an answer only programs read (securityHeaders.ts). */
  securityHeaders: Record<string, string>;
  series: RequestSeries;
  now: () => Date;
  /** The proxies trusted for the client address: the very function the framework is given. */
  trustProxy: (address: string, hop: number) => boolean;
  /** True once the instance is stopping: the framework answers (503 where it must). */
  stopping: () => boolean;
  logger: Pick<FastifyBaseLogger, 'error'>;
}

/** The framework's handler, or the lane's caller's: it answers whatever the lane does not take. */
export type Handler = (request: IncomingMessage, response: ServerResponse) => void;
export type Lane = (request: IncomingMessage, response: ServerResponse, handler: Handler) => void;
/** A step of the lane: true when it took the request (answered it, or will), false to hand it on. */
type Step = (request: IncomingMessage, response: ServerResponse, handler: Handler) => boolean;

export function verifyLane(options: VerifyLaneOptions): Lane {
  const headers = { ...options.securityHeaders, 'cache-control': 'no-store', 'content-type': 'application/json; charset=utf-8' };
  // The headers of an answer of each length, made once: they differ in nothing else, and answers of
  // genuine vouchers on record come in few lengths, so every check shares a few objects (kept to
  // HEADER_SETS; past that, made for the check).
  const headersByLength = new Map<number, OutgoingHttpHeaders>();
  const headersFor = (bytes: number) => {
    let made = headersByLength.get(bytes);
    if (!made) {
      made = { ...headers, 'content-length': bytes };
      if (headersByLength.size < HEADER_SETS) headersByLength.set(bytes, made);
    }
    return made;
  };

  // The request series answered checks count in, looked up once.
  let answeredSeries: ReturnType<RequestSeries> | undefined;
  const answer = (request: IncomingMessage, response: ServerResponse, known: KnownAnswer, now: Date, channel: VerifyChannel, started: number) => {
    if (requestLanguage(request) === 'en') {
      response.writeHead(200, headersFor(known.enBytes));
      response.end(known.en);
    } else {
      response.writeHead(200, headersFor(known.zhBytes));
      response.end(known.zh);
    }
    options.verifier.recordKnown(known, now, channel);
    answeredSeries ??= options.series('GET', 200, VERIFY_ROUTE);
    answeredSeries.record((performance.now() - started) / 1000);
  };

  /**
   * Runs a step of the lane, which says whether it took the request. The framework's handler is called
   * here only, for what the step did not take or failed on before answering: once at most, and
   * outside the step's own failures. An answer written whole (a failure came after, in the logging)
   * is left to be delivered on its connection; one cut short is torn down, so no client takes half.
   */
  const settle = (request: IncomingMessage, response: ServerResponse, handler: Handler, step: Step) => {
    let taken: boolean;
    try {
      taken = step(request, response, handler);
    } catch (error) {
      options.logger.error({ err: error }, 'verification lane failed');
      taken = response.headersSent;
      if (taken && !response.writableEnded) response.destroy();
    }
    if (!taken) handler(request, response);
  };

  /** Once the limiter has answered (Redis): the answer is looked up again, so a revocation meanwhile is not missed. */
  const afterLimit = (token: string, channel: VerifyChannel, started: number, decision: RateDecision): Step => (request, response) => {
    const later = options.now();
    const known = decision.allowed ? options.verifier.knownAnswer(token, later) : undefined;
    if (!known) return false;
    answer(request, response, known, later, channel, started);
    return true;
  };

  /**
   * Answers the request when it can, and says whether it did (or will, once the limiter has answered);
   * false hands it to the framework. No closure per request: this runs for every check at a rush.
   */
  const take: Step = (request, response, handler) => {
    const url = request.url ?? '';
    if (request.method !== 'GET' || !url.startsWith(PREFIX) || options.stopping()) return false;
    const queryAt = url.indexOf('?', PREFIX.length);
    const token = queryAt < 0 ? url.slice(PREFIX.length) : url.slice(PREFIX.length, queryAt);
    let channel: VerifyChannel = 'api';
    if (queryAt >= 0) {
      const match = CHANNEL_QUERY.exec(url.slice(queryAt + 1));
      if (!match) return false;
      channel = match[1] as VerifyChannel;
    }
    // Only a token whose answer is known now is taken.
    const now = options.now();
    const known = TOKEN.test(token) ? options.verifier.knownAnswer(token, now) : undefined;
    if (!known) return false;
    const started = performance.now();
    const clientIp = proxyAddr(request, options.trustProxy);
    // Counters in this process: decided at once, so the answer just looked up is still the one.
    const decision = verifyLimitNow(options.rateLimiter, request, clientIp);
    if (decision) {
      if (!decision.allowed) return false;
      answer(request, response, known, now, channel, started);
      return true;
    }
    verifyLimit(options.rateLimiter, request, clientIp)
      .then(
        (decision) => settle(request, response, handler, afterLimit(token, channel, started, decision)),
        // The limiter could not answer (Redis down): the route meets the same failure and answers it.
        () => handler(request, response),
      )
      // Only the framework's handler can throw here: the request is in no state to be answered.
      .catch((error: unknown) => {
        options.logger.error({ err: error }, 'verification lane: the framework failed on a request handed on');
        response.destroy();
      });
    return true;
  };

  return (request, response, handler) => settle(request, response, handler, take);
}
