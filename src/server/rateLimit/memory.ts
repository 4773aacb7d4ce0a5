import { allowed, validateRules, type RateDecision, type RateLimiter, type RateRule } from './types.ts';

/** A key's events under one rule, oldest first, as pairs: time in ms, then the reservation's number. */
type EventLog = number[];

/**
 * The event logs of one rule, in two generations: logs touched since `startedAt` are in `current`,
 * the others in `previous`. A generation lasts a window: when one ends, `previous` is dropped whole —
 * its logs were last touched at least a window ago, so every event in them has left its window — and
 * `current` becomes `previous`. Memory stays bounded by the keys of the last two windows without a
 * walk over them (at a roadside rush, 400 000 clients a window, a walk that forgot idle keys as it
 * went cost more than the rest of the limiter).
 */
class RuleLogs {
  current = new Map<string, EventLog>();
  previous = new Map<string, EventLog>();

  constructor(
    readonly windowMs: number,
    private startedAt: number,
  ) {}

  /** Starts a new generation once the current one has lasted a window (or both, after two). */
  turn(now: number): void {
    const age = now - this.startedAt;
    if (age < this.windowMs) return;
    // Nothing was touched for a window since the current generation's first: all of it is old too.
    this.previous = age >= 2 * this.windowMs ? new Map() : this.current;
    this.current = new Map();
    this.startedAt = now;
  }

  /** The key's log, brought into the current generation. */
  get(key: string): EventLog | undefined {
    const log = this.current.get(key);
    if (log) return log;
    const old = this.previous.get(key);
    if (old) {
      this.previous.delete(key);
      this.current.set(key, old);
    }
    return old;
  }

  delete(key: string): void {
    this.current.delete(key);
    this.previous.delete(key);
  }
}

/** Counters in this process only: for development and a single instance. */
export class MemoryRateLimiter implements RateLimiter {
  readonly #now: () => number;
  /** By rule name, then window length: a name used with another window counts apart. */
  readonly #rules = new Map<string, Map<number, RuleLogs>>();
  /** Reservations are numbered: they only need to be told apart within this process. */
  #reservations = 0;

  /** `now` returns milliseconds (default Date.now), injectable for tests. */
  constructor(options: { now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
  }

  async check(key: string, rules: RateRule[]): Promise<RateDecision> {
    validateRules(rules);
    const now = this.#now();
    const logs = rules.map((rule) => this.#logs(rule, now));
    return this.#decide(rules, logs, this.#liveLogs(logs, key, now), now);
  }

  async consume(key: string, rules: RateRule[]): Promise<RateDecision> {
    return this.consumeNow(key, rules);
  }

  // Decide and record in one synchronous step: one step for every concurrent caller in this process.
  // Each rule's logs and the key's log in them are looked up once, for the decision and the record:
  // at a rush most keys are new, and each look into maps that large is memory far away.
  consumeNow(key: string, rules: RateRule[]): RateDecision {
    validateRules(rules);
    const now = this.#now();
    const logs = rules.map((rule) => this.#logs(rule, now));
    const live = this.#liveLogs(logs, key, now);
    const decision = this.#decide(rules, logs, live, now);
    if (!decision.allowed) return decision;
    const reservation = ++this.#reservations;
    for (let i = 0; i < rules.length; i++) {
      const log = live[i];
      if (log) log.push(now, reservation);
      else logs[i]!.current.set(key, [now, reservation]);
    }
    return { allowed: true, retryAfterSeconds: 0, reservation: String(reservation) };
  }

  async release(key: string, rules: RateRule[], reservation: string): Promise<void> {
    const id = Number(reservation);
    for (const rule of rules) {
      const log = this.#rules.get(rule.name)?.get(rule.windowSeconds * 1000)?.get(key);
      if (!log) continue;
      for (let i = 1; i < log.length; i += 2) {
        if (log[i] === id) {
          log.splice(i - 1, 2);
          break;
        }
      }
    }
  }

  async reset(key: string, rules?: RateRule[]): Promise<void> {
    if (rules) {
      for (const rule of rules) this.#rules.get(rule.name)?.get(rule.windowSeconds * 1000)?.delete(key);
      return;
    }
    for (const byWindow of this.#rules.values()) for (const logs of byWindow.values()) logs.delete(key);
  }

  async close(): Promise<void> {}

  /** Event logs held, over all rules: what the limiter's memory grows with. */
  get logsHeld(): number {
    let held = 0;
    for (const byWindow of this.#rules.values()) for (const logs of byWindow.values()) held += logs.current.size + logs.previous.size;
    return held;
  }

  #logs(rule: RateRule, now: number): RuleLogs {
    const windowMs = rule.windowSeconds * 1000;
    let byWindow = this.#rules.get(rule.name);
    if (!byWindow) this.#rules.set(rule.name, (byWindow = new Map()));
    let logs = byWindow.get(windowMs);
    if (!logs) byWindow.set(windowMs, (logs = new RuleLogs(windowMs, now)));
    logs.turn(now);
    return logs;
  }

  /** The key's log under each rule with the events that left the window dropped; undefined where none is left. */
  #liveLogs(logs: RuleLogs[], key: string, now: number): (EventLog | undefined)[] {
    return logs.map((ruleLogs) => {
      const log = ruleLogs.get(key);
      return log && this.#prune(ruleLogs, key, log, now) > 0 ? log : undefined;
    });
  }

  #decide(rules: RateRule[], logs: RuleLogs[], live: (EventLog | undefined)[], now: number): RateDecision {
    let worst: { waitMs: number; rule: string } | undefined;
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i]!;
      const log = live[i];
      const events = log ? log.length / 2 : 0;
      if (events < rule.limit) continue;
      // The event that must leave the window before one more fits.
      const waitMs = rule.limit === 0 ? logs[i]!.windowMs : log![(events - rule.limit) * 2]! + logs[i]!.windowMs - now;
      if (!worst || waitMs > worst.waitMs) worst = { waitMs, rule: rule.name };
    }
    if (!worst) return allowed;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(worst.waitMs / 1000)), rule: worst.rule };
  }

  /** Drops the log's events that have left the window and says how many are left; an empty log is forgotten. */
  #prune(logs: RuleLogs, key: string, log: EventLog, now: number): number {
    const since = now - logs.windowMs;
    let firstLive = 0;
    while (firstLive < log.length && log[firstLive]! <= since) firstLive += 2;
    if (firstLive === log.length) {
      logs.delete(key);
      return 0;
    }
    if (firstLive > 0) log.splice(0, firstLive);
    return log.length / 2;
  }
}
