import type { DataKey } from './sealedBox.ts';

/**
 * The data keys an instance holds: the current one seals everything new; previous ones (during a key
 * rotation, `RTO_DATA_KEY_PREVIOUS`) still open what they sealed until `rto keys reseal` has moved it.
 */
export interface KeyRing {
  readonly current: DataKey;
  /** Current first, then the previous keys. */
  readonly all: readonly DataKey[];
  byId(id: string): DataKey | undefined;
}

export function keyRing(current: DataKey, previous: readonly DataKey[] = []): KeyRing {
  const all = [current, ...previous.filter((key) => key.id !== current.id)];
  const byId = new Map(all.map((key) => [key.id, key]));
  return { current, all, byId: (id) => byId.get(id) };
}
