/**
 * A bounded map that keeps what was used lately, in two generations: entries set or read since the
 * current generation began are in `current`, the others in `previous`. When `current` holds `keep`
 * entries it becomes `previous` and the old `previous` is dropped whole. An entry read or set within
 * the last `keep` new entries stays; at most 2 × `keep` are held.
 *
 * Made for a lookup on every check at a roadside rush: a hit is one plain Map lookup, where an LRU
 * list moves the entry and its neighbours on every read — memory far apart, which at that rate
 * cost more than the lookup.
 */
export class RecentMap<K, V> {
  private current = new Map<K, V>();
  private previous = new Map<K, V>();
  private readonly keep: number;

  constructor(keep: number) {
    this.keep = Math.max(1, Math.floor(keep));
  }

  get(key: K): V | undefined {
    const value = this.current.get(key);
    if (value !== undefined) return value;
    const old = this.previous.get(key);
    if (old === undefined) return undefined;
    this.previous.delete(key);
    this.put(key, old);
    return old;
  }

  set(key: K, value: V): void {
    this.previous.delete(key);
    this.put(key, value);
  }

  delete(key: K): void {
    this.current.delete(key);
    this.previous.delete(key);
  }

  clear(): void {
    this.current = new Map();
    this.previous = new Map();
  }

  /** Entries held, both generations. */
  get size(): number {
    return this.current.size + this.previous.size;
  }

  private put(key: K, value: V): void {
    if (!this.current.has(key) && this.current.size >= this.keep) {
      this.previous = this.current;
      this.current = new Map();
    }
    this.current.set(key, value);
  }
}
