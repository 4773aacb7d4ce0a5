export interface RateRule {
  /** Stable name, part of the storage key (e.g. 'sms-phone-minute'). */
  name: string;
  /** Events allowed within any window; 0 blocks every event. */
  limit: number;
  windowSeconds: number;
}

export interface RateDecision {
  allowed: boolean;
  /** Seconds until the event would be allowed again; 0 when allowed. */
  retryAfterSeconds: number;
  /** The rule that refused (the one that frees last), when not allowed. */
  rule?: string;
  /** When `consume` allowed: what `release` takes to give the slot back (e.g. the provider failed). */
  reservation?: string;
}

/**
 * Sliding-window counters: an event counts against a rule for `windowSeconds` after it happened.
 * `check` only looks; `consume` checks and records the event under every rule in one atomic step, and
 * only when all of them allow it — so concurrent callers (on any number of instances) cannot overshoot.
 * Reserve first with `consume`, do the costly thing, and `release` the reservation if it failed.
 */
export interface RateLimiter {
  check(key: string, rules: RateRule[]): Promise<RateDecision>;
  consume(key: string, rules: RateRule[]): Promise<RateDecision>;
  /**
   * `consume` decided at once, where the counters are in this process (memory): the caller goes on
   * without a turn of the event loop. Absent where the decision needs a round trip (Redis).
   */
  consumeNow?(key: string, rules: RateRule[]): RateDecision;
  /** Gives back a slot `consume` took (its decision's `reservation`); unknown reservations are ignored. */
  release(key: string, rules: RateRule[], reservation: string): Promise<void>;
  reset?(key: string, rules?: RateRule[]): Promise<void>;
  /** Resolves when the shared store answers (readiness); absent when there is none to ask. */
  ping?(): Promise<void>;
  close?(): Promise<void>;
}

/** Rule lists found valid: most callers pass the same constant list on every request. */
const validated = new WeakSet<RateRule[]>();

export function validateRules(rules: RateRule[]): void {
  if (validated.has(rules)) return;
  const names = new Set<string>();
  for (const rule of rules) {
    if (!Number.isInteger(rule.limit) || rule.limit < 0) throw new Error(`Rate rule ${rule.name}: limit must be a whole number ≥ 0`);
    if (!(rule.windowSeconds > 0)) throw new Error(`Rate rule ${rule.name}: windowSeconds must be > 0`);
    if (!rule.name || names.has(rule.name)) throw new Error(`Rate rule names must be present and distinct: ${rule.name}`);
    names.add(rule.name);
  }
  // Only a frozen list stays valid: anything else may be changed after it was checked.
  if (Object.isFrozen(rules) && rules.every((rule) => Object.isFrozen(rule))) validated.add(rules);
}

export const allowed: RateDecision = Object.freeze({ allowed: true, retryAfterSeconds: 0 });
