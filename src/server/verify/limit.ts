import type { IncomingMessage } from 'node:http';
import type { RateDecision, RateLimiter, RateRule } from '../rateLimit/types.ts';

/** Per client IP: generous for a checkpoint scanning a queue of drivers, useless for enumerating. */
export const verifyIpRules: RateRule[] = [{ name: 'verify-ip-minute', limit: 60, windowSeconds: 60 }];

/** Where a request keeps the limit decision spent on it, whichever of the lane and the route asked first. */
const SPENT_LIMIT = Symbol('verify limit spent');
type LimitCarrier = IncomingMessage & { [SPENT_LIMIT]?: Promise<RateDecision> };

/**
 * The per-IP limit for one verification request, spent once: the lane (lane.ts) asks before it
 * answers, and a request it then hands on brings that decision to the route (routes.ts), which asks
 * here too and gets the same one rather than counting the check twice.
 */
export function verifyLimit(limiter: RateLimiter, request: IncomingMessage, clientIp: string): Promise<RateDecision> {
  const carrier = request as LimitCarrier;
  return (carrier[SPENT_LIMIT] ??= limiter.consume(`verify-ip:${clientIp}`, verifyIpRules));
}
