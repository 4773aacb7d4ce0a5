import type { IncomingMessage } from 'node:http';
import type { RateDecision, RateLimiter, RateRule } from '../rateLimit/types.ts';

/** Per client IP: generous for a checkpoint scanning a queue of drivers, useless for enumerating. */
export const verifyIpRules = Object.freeze([Object.freeze({ name: 'verify-ip-minute', limit: 60, windowSeconds: 60 })]) as RateRule[];

/** Where a request keeps the limit decision spent on it, whichever of the lane and the route asked first. */
const SPENT_LIMIT = Symbol('verify limit spent');
type LimitCarrier = IncomingMessage & { [SPENT_LIMIT]?: RateDecision | Promise<RateDecision> };

const spend = (limiter: RateLimiter, clientIp: string): RateDecision | Promise<RateDecision> => {
  const key = `verify-ip:${clientIp}`;
  if (!limiter.consumeNow) return limiter.consume(key, verifyIpRules);
  try {
    return limiter.consumeNow(key, verifyIpRules);
  } catch (error) {
    return Promise.reject(error);
  }
};

/**
 * The per-IP limit for one verification request, spent once: the lane (lane.ts) asks before it
 * answers, and a request it then hands on brings that decision to the route (routes.ts), which asks
 * here too and gets the same one rather than counting the check twice.
 */
export function verifyLimit(limiter: RateLimiter, request: IncomingMessage, clientIp: string): Promise<RateDecision> {
  const carrier = request as LimitCarrier;
  return Promise.resolve((carrier[SPENT_LIMIT] ??= spend(limiter, clientIp)));
}

/**
 * The same decision when the limiter gives it at once (its counters are in this process), else
 * undefined — then only `verifyLimit` can tell, after a turn of the event loop.
 */
export function verifyLimitNow(limiter: RateLimiter, request: IncomingMessage, clientIp: string): RateDecision | undefined {
  const carrier = request as LimitCarrier;
  const spent = (carrier[SPENT_LIMIT] ??= spend(limiter, clientIp));
  return spent instanceof Promise ? undefined : spent;
}
