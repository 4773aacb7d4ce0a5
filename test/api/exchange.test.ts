import { readFile } from 'node:fs/promises';
import { sm2 } from 'sm-crypto-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChange, type SignedChange } from '../../src/domain/exchangeChange.ts';
import { exchangeCalls, exchangeChanges, exchangeInbound, users, verificationRequests } from '../../src/server/db/schema.ts';
import { userPhoneIs } from '../../src/server/auth/accounts.ts';
import { addPartner, revokePartner } from '../../src/server/exchange/partners.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { cardAnswers, certificateOf, submittedApplication } from '../helpers/applications.ts';
import { staffLogin, type StaffLogin } from '../helpers/staffLogin.ts';

/**
 * The exchange with the ministerial system: every decision of a province is in the signed feed, in
 * order, once; a partner sees only its provinces; keys are checked, revocable, and every call is kept.
 */

let t: TestApp;
let beijingKey: string;
let shanghaiKey: string;
let revokedKey: string;
const staff: Record<string, StaffLogin> = {};

const feed = (key: string | undefined, query = '') =>
  t.app.inject({ method: 'GET', url: `/api/exchange/v1/changes${query}`, headers: key ? { authorization: `Bearer ${key}` } : {} });

async function act(username: string, applicationId: string, body: Record<string, unknown>) {
  staff[username] ??= await staffLogin(t, username);
  const response = await t.app.inject({ method: 'POST', url: `/api/v1/staff/applications/${applicationId}/actions`, payload: body, headers: staff[username]!.headers });
  expect(response.statusCode, response.body).toBe(200);
}

async function certificateIdOf(phone: string) {
  const [user] = await t.database.db.select().from(users).where(userPhoneIs(phone));
  return (await certificateOf(t.database.db, user!.id)).id;
}

beforeAll(async () => {
  t = await createTestApp();
  const now = t.clock.now();
  beijingKey = (await addPartner(t.database.db, '部级道路运输管理信息系统（北京）', ['11'], now)).key;
  shanghaiKey = (await addPartner(t.database.db, '部级道路运输管理信息系统（上海）', ['31'], now)).key;
  revokedKey = (await addPartner(t.database.db, '旧接口', ['11', '31'], now)).key;

  // Beijing: a renewal approved, then a credit assessment rated; Shanghai: a credit assessment rated; one declined (no change).
  const renewal = await submittedApplication(t, { phone: '13800000001', certificateId: await certificateIdOf('13800000001'), business: 'renewal', personalInfo: cardAnswers });
  await act('bj-handler', renewal.id, { action: 'accept' });
  await act('bj-reviewer', renewal.id, { action: 'approve' });
  const assessment = await submittedApplication(t, { phone: '13800000001', certificateId: await certificateIdOf('13800000001'), business: 'credit_assessment' });
  await act('bj-handler', assessment.id, { action: 'accept' });
  await act('bj-reviewer', assessment.id, { action: 'approve', rating: 'AA' });
  const shanghai = await submittedApplication(t, { phone: '13800000002', certificateId: await certificateIdOf('13800000002'), business: 'credit_assessment' });
  await act('sh-handler', shanghai.id, { action: 'accept' });
  await act('sh-reviewer', shanghai.id, { action: 'approve', rating: 'AAA' });
  const declined = await submittedApplication(t, { phone: '13800000013', certificateId: await certificateIdOf('13800000013'), business: 'credit_assessment' });
  await act('bj-handler', declined.id, { action: 'decline', reasonCodes: ['other'], reason: '材料不符' });
});
afterAll(async () => {
  await t?.close();
});

describe('GET /api/exchange/v1/changes', () => {
  it('lists the province’s decisions in order, each signed and verifiable with the published key', async () => {
    const response = await feed(beijingKey);
    expect(response.statusCode).toBe(200);
    const page = response.json() as { changes: (SignedChange & { cursor: string })[]; nextCursor: string; hasMore: boolean };
    expect(page.changes.map((c) => c.change.type)).toEqual(['certificate.renewed', 'credit_assessment.rated']);
    expect(page.hasMore).toBe(false);
    const [renewed, rated] = page.changes;
    expect(Number(renewed!.cursor)).toBeLessThan(Number(rated!.cursor));
    expect(renewed!.change).toMatchObject({ provinceCode: '11', authority: { code: '110000', name: '北京市交通委员会' }, application: { business: 'renewal' } });
    expect((renewed!.change.details.renewed as { code: string }[]).map((r) => r.code)).toContain('freight_driver');
    expect(rated!.change.details).toMatchObject({ rating: 'AA', voucherSerial: expect.stringMatching(/^CX\d{4}/) });
    expect(rated!.change.certificate.holderName).toBe('王建国');

    const keys = (await t.app.inject({ method: 'GET', url: '/.well-known/rto-keys.json' })).json().keys as { kid: string; publicKeyHex: string }[];
    for (const signed of page.changes) {
      const key = keys.find((k) => k.kid === signed.signature.kid)!;
      expect(verifyChange(signed, key.publicKeyHex)).toBe(true);
      // The way docs/exchange.md tells integrators to check it, with the library's own SM3 hashing.
      const canonical = (v: unknown): string =>
        v === null || typeof v !== 'object'
          ? JSON.stringify(v)
          : Array.isArray(v)
            ? `[${v.map(canonical).join(',')}]`
            : `{${Object.keys(v).filter((k) => (v as Record<string, unknown>)[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
      const signatureHex = Buffer.from(signed.signature.value, 'base64url').toString('hex');
      expect(sm2.doVerifySignature(new TextEncoder().encode(canonical(signed.change)), signatureHex, key.publicKeyHex, { hash: true, der: false })).toBe(true);
      // Any change to the content breaks the signature.
      expect(verifyChange({ ...signed, change: { ...signed.change, provinceCode: '31' } }, key.publicKeyHex)).toBe(false);
    }
  });

  it('pages with the cursor; the same cursor gives the same changes (idempotent to consume)', async () => {
    const first = (await feed(beijingKey, '?limit=1')).json();
    expect(first.changes).toHaveLength(1);
    expect(first.hasMore).toBe(true);
    const second = (await feed(beijingKey, `?limit=1&after=${first.nextCursor}`)).json();
    expect(second.changes.map((c: SignedChange) => c.change.type)).toEqual(['credit_assessment.rated']);
    const again = (await feed(beijingKey, `?limit=1&after=${first.nextCursor}`)).json();
    expect(again.changes[0].change.id).toBe(second.changes[0].change.id);
    expect(again.changes[0].signature).toEqual(second.changes[0].signature);
    const end = (await feed(beijingKey, `?after=${second.nextCursor}`)).json();
    expect(end).toEqual({ changes: [], nextCursor: second.nextCursor, hasMore: false });
    expect((await feed(beijingKey, '?after=abc')).json().error.code).toBe('CURSOR_INVALID');
  });

  it('a partner for province 11 sees nothing of 31, and the other way round', async () => {
    const beijing = (await feed(beijingKey)).json().changes as SignedChange[];
    const shanghai = (await feed(shanghaiKey)).json().changes as SignedChange[];
    expect(beijing.every((c) => c.change.provinceCode === '11')).toBe(true);
    expect(shanghai.map((c) => [c.change.provinceCode, c.change.type, c.change.details.rating])).toEqual([['31', 'credit_assessment.rated', 'AAA']]);
    expect(JSON.stringify(beijing)).not.toContain('李秀英');
    // The declined application decided nothing about the certificate: no change.
    const all = await t.database.db.select().from(exchangeChanges);
    expect(all).toHaveLength(3);
  });

  it('refuses a missing, unknown or revoked key, and records every call', async () => {
    expect((await feed(undefined)).json().error.code).toBe('EXCHANGE_KEY_MISSING');
    expect((await feed('rtox_not-a-key')).json().error.code).toBe('EXCHANGE_KEY_INVALID');
    expect((await feed(revokedKey)).statusCode).toBe(200);
    await revokePartner(t.database.db, '旧接口', t.clock.now());
    const refused = await feed(revokedKey);
    expect(refused.statusCode).toBe(401);
    expect(refused.json().error.code).toBe('EXCHANGE_KEY_REVOKED');
    const calls = await t.database.db.select().from(exchangeCalls);
    expect(calls.filter((c) => c.status === 401).length).toBeGreaterThanOrEqual(3);
    expect(calls.some((c) => c.status === 401 && (c.details as { refused?: string }).refused === 'revoked' && c.partnerId)).toBe(true);
    expect(calls.some((c) => c.status === 200 && c.route === '/api/exchange/v1/changes' && (c.details as { returned?: number }).returned === 2)).toBe(true);
  });
});

describe('inbound from the national system', () => {
  it('takes an information-verification request once per externalId, in the partner’s provinces only', async () => {
    const [user] = await t.database.db.select().from(users).where(userPhoneIs('13800000001'));
    const number = (await certificateOf(t.database.db, user!.id)).number;
    const body = { externalId: 'MOT-2026-000123', certificateNumber: number, field: 'serviceUnit', expectedValue: '北京新运物流有限公司', note: '全国系统比对发现服务单位不一致' };
    const post = (key: string) => t.app.inject({ method: 'POST', url: '/api/exchange/v1/verification-requests', payload: body, headers: { authorization: `Bearer ${key}` } });
    const first = await post(beijingKey);
    expect(first.statusCode).toBe(202);
    expect(first.json()).toMatchObject({ kind: 'verification_request', provinceCode: '11', state: 'received', created: true });
    const again = await post(beijingKey);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ id: first.json().id, created: false });
    expect((await post(shanghaiKey)).json().error.code).toBe('CERTIFICATE_NOT_FOUND');
    expect(await t.database.db.select().from(exchangeInbound)).toHaveLength(1);
  });
});

describe('docs/exchange.md', () => {
  it('its examples replay against the API with the documented status and shape', async () => {
    const doc = await readFile('docs/exchange.md', 'utf8');
    const blocks = [...doc.matchAll(/```http\n([\s\S]*?)```\s*```json\n([\s\S]*?)```/g)];
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    const shape = (value: unknown): unknown =>
      Array.isArray(value) ? (value.length ? [shape(value[0])] : []) : value && typeof value === 'object' ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shape(v)]).sort()) : typeof value;
    for (const [, request, response] of blocks) {
      const [requestLine, ...rest] = request!.trim().split('\n');
      const [method, url] = requestLine!.split(' ');
      const blank = rest.indexOf('');
      const headerLines = blank < 0 ? rest : rest.slice(0, blank);
      const payload = blank < 0 ? undefined : rest.slice(blank + 1).join('\n');
      const headers = Object.fromEntries(headerLines.map((line) => [line.split(':')[0]!.toLowerCase(), line.slice(line.indexOf(':') + 1).trim().replace('rtox_EXAMPLE_KEY_FOR_PROVINCE_11', beijingKey)]));
      const [statusLine, ...json] = response!.trim().split('\n');
      const status = Number(statusLine!.split(' ')[1]);
      let body = payload;
      if (body) {
        const [user] = await t.database.db.select().from(users).where(userPhoneIs('13800000001'));
        body = body.replace('110105198503120018', (await certificateOf(t.database.db, user!.id)).number);
      }
      const actual = await t.app.inject({ method: method as 'GET' | 'POST', url: url!, headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { payload: body } : {}) });
      expect(actual.statusCode, `${requestLine}: ${actual.body}`).toBe(status);
      expect(shape(actual.json()), requestLine).toEqual(shape(JSON.parse(json.join('\n'))));
    }
  });
});

describe('every kind of decision enters the feed', () => {
  it('a cancellation and an answered information-verification request, after what was read before', async () => {
    const before = (await feed(beijingKey)).json().nextCursor as string;
    const certificateId = await certificateIdOf('13800000013');
    const cancellation = await submittedApplication(t, {
      phone: '13800000013',
      certificateId,
      business: 'cancellation',
      personalInfo: { categoriesToCancel: ['freight_driver'], cancelReason: 'holder_request', contactName: '马超', contactPhone: '13800000013' },
    });
    await act('bj-handler', cancellation.id, { action: 'accept' });
    await act('bj-reviewer', cancellation.id, { action: 'approve' });

    const [user] = await t.database.db.select().from(users).where(userPhoneIs('13800000013'));
    const [request] = await t.database.db
      .insert(verificationRequests)
      .values({ userId: user!.id, certificateId, provinceCode: '11', field: 'serviceUnit', expectedValue: '北京长途客运集团有限公司' })
      .returning();
    const answered = await t.app.inject({
      method: 'POST',
      url: `/api/v1/staff/verification-requests/${request!.id}/answer`,
      payload: { outcome: 'corrected', answer: '已更正服务单位', correction: { field: 'serviceUnit', value: '北京长途客运集团有限公司' } },
      headers: staff['bj-handler']!.headers,
    });
    expect(answered.statusCode, answered.body).toBe(200);

    const page = (await feed(beijingKey, `?after=${before}`)).json() as { changes: SignedChange[] };
    expect(page.changes.map((c) => c.change.type)).toEqual(['certificate.cancelled', 'verification.answered']);
    const [cancelled, answer] = page.changes;
    expect(cancelled!.change.details).toMatchObject({ cancelled: ['freight_driver'], cancelReason: 'holder_request' });
    expect(cancelled!.change.certificate.categories.find((c) => c.code === 'freight_driver')!.cancelledAt).not.toBeNull();
    expect(answer!.change.details).toMatchObject({ requestId: request!.id, outcome: 'corrected', correction: { field: 'serviceUnit', to: '北京长途客运集团有限公司' } });
    expect(answer!.change.certificate.serviceUnit).toBe('北京长途客运集团有限公司');
    expect(answer!.change.application).toBeNull();
    const keys = (await t.app.inject({ method: 'GET', url: '/.well-known/rto-keys.json' })).json().keys as { kid: string; publicKeyHex: string }[];
    for (const signed of page.changes) expect(verifyChange(signed, keys.find((k) => k.kid === signed.signature.kid)!.publicKeyHex)).toBe(true);
  });
});
