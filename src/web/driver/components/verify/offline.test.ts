import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { PublishedKeySet, StatusList } from '../../../shared/api.ts';
import { tokenFromScan, verifyOffline } from './offline.ts';

interface Vector {
  token: string;
  keySet: PublishedKeySet;
  today: string;
  now?: string;
  statusList?: StatusList;
  expected: { status: string; reason?: string; claims?: Record<string, string> };
}

const vector = (name: string) => JSON.parse(readFileSync(new URL(`../../../../../test/vectors/${name}.json`, import.meta.url), 'utf8')) as Vector;

describe('tokenFromScan', () => {
  const token = vector('authentic-unchecked').token;

  it('finds the token in a verify URL of any host, with or without a query, and takes a bare token', () => {
    expect(tokenFromScan(`https://rto.example.cn/v/${token}`)).toBe(token);
    expect(tokenFromScan(`  http://127.0.0.1:3000/v/${token}/?channel=web \n`)).toBe(token);
    expect(tokenFromScan(token)).toBe(token);
  });

  it('refuses what is not one of our QR codes', () => {
    expect(tokenFromScan('https://example.com/hello')).toBeNull();
    expect(tokenFromScan('WIFI:S:office;T:WPA;P:secret;;')).toBeNull();
    expect(tokenFromScan(`javascript:alert(1)//v/${token}`)).toBeNull();
    expect(tokenFromScan('https://rto.example.cn/v/short')).toBeNull();
    expect(tokenFromScan(`https://rto.example.cn/v/${token}!`)).toBeNull();
  });
});

describe('verifyOffline', () => {
  it('vouches for a good signature but not for the status', async () => {
    const v = vector('authentic-unchecked');
    const result = await verifyOffline(v.token, v.keySet, v.today);
    expect(result).toMatchObject({ verdict: 'authentic_unchecked', kind: 'voucher', offline: true, checkedOn: v.today, claims: v.expected.claims });
  });

  it.each(['tampered-signature', 'expired', 'malformed-base64', 'unknown-key'])('answers invalid with the reason for %s', async (name) => {
    const v = vector(name);
    const result = await verifyOffline(v.token, v.keySet, v.today);
    expect(result.verdict).toBe('invalid');
    expect(result.reason).toBe(v.expected.reason);
  });

  it.each([
    ['valid-per-list', 'valid'],
    ['revoked-per-list', 'revoked'],
    ['superseded-per-list', 'superseded'],
    ['stale-list', 'authentic_unchecked'],
    ['list-signature-tampered', 'authentic_unchecked'],
    ['list-unknown-key', 'authentic_unchecked'],
  ])('uses the kept status list: %s gives %s, with the list time', async (name, verdict) => {
    const v = vector(name);
    const result = await verifyOffline(v.token, v.keySet, v.today, { statusList: v.statusList!, now: Date.parse(v.now!) });
    expect(result.verdict).toBe(verdict);
    expect(result.offline).toBe(true);
    if (name.endsWith('per-list') || name === 'stale-list') expect(result.statusAsOf).toBe('2025-06-01T00:00:00.000Z');
    if (name === 'stale-list') expect(result.statusList).toBe('stale');
  });
});
