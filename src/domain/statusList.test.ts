import { describe, expect, it } from 'vitest';
import { generateSigningKey } from './sm2Signature.ts';
import { decodeStatusBits, openStatusList, readStatusList, signStatusList, STATUS_LIST_MIN_ENTRIES, statusListEntries } from './statusList.ts';

const key = generateSigningKey();
const keySet = { keys: [{ kid: key.kid, publicKeyHex: key.publicKeyHex, documents: ['status_list' as const] }] };
const fields = { issued: '2026-06-01T00:00:00.000Z', nextUpdate: '2026-06-02T00:00:00.000Z' };

describe('status list', () => {
  it('is padded to a multiple of 131 072 entries, never fewer', () => {
    expect(statusListEntries(0)).toBe(STATUS_LIST_MIN_ENTRIES);
    expect(statusListEntries(131_071)).toBe(131_072);
    expect(statusListEntries(131_072)).toBe(262_144);
    expect(statusListEntries(1_000_000)).toBe(8 * 131_072);
  });

  it('is the same size on the wire whichever entries are set, and reads back exactly its own entry', () => {
    const a = signStatusList({ ...fields, entries: 131_072, marks: [{ index: 5, revoked: true }] }, key);
    const b = signStatusList({ ...fields, entries: 131_072, marks: [{ index: 100_000, superseded: true }] }, key);
    expect(decodeStatusBits(a.encodedList, a.entries)).toHaveLength(32_768);
    expect(Math.abs(a.encodedList.length - b.encodedList.length)).toBeLessThan(8);
    const opened = openStatusList(b, keySet);
    const now = Date.parse('2026-06-01T12:00:00Z');
    expect(readStatusList(opened, 100_000, now)).toMatchObject({ revoked: false, superseded: true, stale: false });
    expect(readStatusList(opened, 99_999, now)).toMatchObject({ revoked: false, superseded: false });
    expect(readStatusList(opened, 131_072, now)).toEqual({ problem: 'not_listed' });
    expect(readStatusList(opened, 5, Date.parse('2026-06-03T00:00:00Z'))).toMatchObject({ stale: true });
  });

  it('refuses a list below the minimum size, a changed list and a key not trusted for status lists', () => {
    const list = signStatusList({ ...fields, entries: 131_072, marks: [] }, key);
    expect(openStatusList({ ...list, entries: 1024 }, keySet)).toEqual({ ok: false, problem: 'malformed' });
    expect(openStatusList({ ...list, issued: '2026-06-01T00:00:01.000Z' }, keySet)).toEqual({ ok: false, problem: 'tampered' });
    expect(openStatusList(list, { keys: [{ ...keySet.keys[0]!, documents: ['voucher'] }] })).toEqual({ ok: false, problem: 'unknown_key' });
    expect(openStatusList(list, { keys: [] })).toEqual({ ok: false, problem: 'unknown_key' });
  });
});
