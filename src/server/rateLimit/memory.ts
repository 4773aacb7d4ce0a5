import { allowed, validateRules, type RateDecision, type RateLimiter, type RateRule } from './types.ts';

interface Window {
  windowMs: number;
  /** Event times in ms, oldest first. */
  events: number[];
  /** The reservation of each event, same order. */
  ids: number[];
}

/** Counters in this process only: for development and a single instance. */
export class MemoryRateLimiter implements RateLimiter {
  readonly #now: () => number;
  readonly #windows = new Map<string, Window>();
  #sweepCursor: MapIterator<[string, Window]> = this.#windows.entries();
  /** Reservations are numbered: they only need to be told apart within this process. */
  #reservations = 0;

  /** `now` returns milliseconds (default Date.now), injectable for tests. */
  constructor(options: { now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
  }

  async check(key: string, rules: RateRule[]): Promise<RateDecision> {
    validateRules(rules);
    return this.#decide(key, rules, this.#now());
  }

  async consume(key: string, rules: RateRule[]): Promise<RateDecision> {
    return this.consumeNow(key, rules);
  }

  // Decide and record in one synchronous step: one step for every concurrent caller in this process.
  consumeNow(key: string, rules: RateRule[]): RateDecision {
    validateRules(rules);
    const now = this.#now();
    const decision = this.#decide(key, rules, now);
    if (!decision.allowed) return decision;
    const reservation = ++this.#reservations;
    for (const rule of rules) {
      const id = storageKey(key, rule);
      let window = this.#windows.get(id);
      if (!window) {
        window = { windowMs: rule.windowSeconds * 1000, events: [], ids: [] };
        this.#windows.set(id, window);
      }
      window.events.push(now);
      window.ids.push(reservation);
    }
    this.#sweep(now, rules.length + 2);
    return { allowed: true, retryAfterSeconds: 0, reservation: String(reservation) };
  }

  async release(key: string, rules: RateRule[], reservation: string): Promise<void> {
    for (const rule of rules) {
      const window = this.#windows.get(storageKey(key, rule));
      const index = window?.ids.indexOf(Number(reservation)) ?? -1;
      if (window && index >= 0) {
        window.events.splice(index, 1);
        window.ids.splice(index, 1);
      }
    }
  }

  async reset(key: string, rules?: RateRule[]): Promise<void> {
    if (rules) {
      for (const rule of rules) this.#windows.delete(storageKey(key, rule));
      return;
    }
    const prefix = `${key}\u0000`;
    for (const id of this.#windows.keys()) if (id.startsWith(prefix)) this.#windows.delete(id);
  }

  async close(): Promise<void> {}

  #decide(key: string, rules: RateRule[], now: number): RateDecision {
    let worst: { waitMs: number; rule: string } | undefined;
    for (const rule of rules) {
      const windowMs = rule.windowSeconds * 1000;
      const events = this.#live(storageKey(key, rule), now);
      if (events.length < rule.limit) continue;
      // The event that must leave the window before one more fits.
      const blocking = events[events.length - rule.limit];
      const waitMs = blocking === undefined ? windowMs : blocking + windowMs - now;
      if (!worst || waitMs > worst.waitMs) worst = { waitMs, rule: rule.name };
    }
    if (!worst) return allowed;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(worst.waitMs / 1000)), rule: worst.rule };
  }

  #live(id: string, now: number): number[] {
    const window = this.#windows.get(id);
    return window ? this.#prune(id, window, now) : [];
  }

  /** The window's events still inside it; an empty window is forgotten. */
  #prune(id: string, window: Window, now: number): number[] {
    if (window.events.length > 0 && window.events[0]! > now - window.windowMs) return window.events;
    const firstLive = window.events.findIndex((at) => at > now - window.windowMs);
    if (firstLive === -1) {
      this.#windows.delete(id);
      return [];
    }
    if (firstLive > 0) {
      window.events.splice(0, firstLive);
      window.ids.splice(0, firstLive);
    }
    return window.events;
  }

  /**
   * Forgets a few idle windows per call (two more than the call may add), walking the map round, so
   * the walk outpaces new keys: memory stays bounded by the clients
   * of the last window, at a constant cost per request (a full walk every so often stalled every
   * thousandth request for as long as the map was big — 400 000 clients at a roadside rush).
   */
  #sweep(now: number, count: number): void {
    for (let i = 0; i < count; i++) {
      const next = this.#sweepCursor.next();
      if (next.done) {
        this.#sweepCursor = this.#windows.entries();
        return;
      }
      this.#prune(next.value[0], next.value[1], now);
    }
  }
}

function storageKey(key: string, rule: RateRule): string {
  return `${key}\u0000${rule.name}`;
}
