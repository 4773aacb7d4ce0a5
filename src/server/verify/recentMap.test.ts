import { describe, expect, it } from 'vitest';
import { RecentMap } from './recentMap.ts';

describe('RecentMap', () => {
  it('keeps the last `keep` entries and never holds more than twice that, however many come', () => {
    const map = new RecentMap<number, string>(5);
    for (let i = 0; i < 1000; i++) {
      map.set(i, `v${i}`);
      expect(map.size).toBeLessThanOrEqual(10);
    }
    for (let i = 995; i < 1000; i++) expect(map.get(i)).toBe(`v${i}`);
    expect(map.get(0)).toBeUndefined();
  });

  it('keeps an entry that is read while new ones keep coming', () => {
    const map = new RecentMap<string, number>(5);
    map.set('hot', 1);
    for (let i = 0; i < 200; i++) {
      map.set(`cold${i}`, i);
      // Read at least once every `keep` new entries.
      if (i % 4 === 0) expect(map.get('hot')).toBe(1);
    }
    expect(map.get('hot')).toBe(1);
    expect(map.get('cold0')).toBeUndefined();
  });

  it('replaces a value, deletes and clears', () => {
    const map = new RecentMap<string, number>(2);
    map.set('a', 1);
    map.set('b', 2);
    map.set('c', 3); // a, b move to the previous generation
    map.set('a', 10);
    expect(map.get('a')).toBe(10);
    expect(map.size).toBe(3);
    map.delete('b');
    expect(map.get('b')).toBeUndefined();
    map.clear();
    expect(map.size).toBe(0);
    expect(map.get('a')).toBeUndefined();
  });
});
