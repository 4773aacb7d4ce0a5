import { eq, inArray } from 'drizzle-orm';
import { addDays, addYears } from '../../src/domain/dates.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeVoucherToken } from '../../src/domain/voucherToken.ts';
import { certificateCategories, voucherChecks, voucherRenderings, vouchers } from '../../src/server/db/schema.ts';
import { decodeQrFromImage } from '../../src/server/vouchers/qrDecode.ts';
import { activeSigningKey } from '../../src/server/vouchers/keyStore.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { loginDriver, type DriverLogin } from '../helpers/driverLogin.ts';
import { acceptedCreditAssessment, approveWithVoucher, certificateOf, insertCertificate, rejectApplication } from '../helpers/applications.ts';

const DAY = 86_400_000;

describe('credit-assessment vouchers', () => {
  let t: TestApp;
  let owner: DriverLogin;
  let other: DriverLogin;

  beforeAll(async () => {
    t = await createTestApp({ env: { PUBLIC_BASE_URL: 'https://rto.example.cn' } });
    t.clock.set('2026-11-20T02:00:00Z');
    owner = await loginDriver(t.app, '13800000001');
    other = await loginDriver(t.app, '13800000002');
  });
  afterAll(async () => {
    await t.close();
  });

  const verify = (token: string, remoteAddress = '203.0.113.1', channel = 'app') =>
    t.app.inject({ method: 'GET', url: `/api/v1/verify/${token}?channel=${channel}`, remoteAddress });

  it('issues a signed voucher on approval and lets only its owner download it as PNG and PDF', async () => {
    const application = await acceptedCreditAssessment(t.database.db, owner.userId, t.clock.now());
    const voucher = await approveWithVoucher(t.database.db, application, 'AA', t.clock.now());
    expect(voucher.serial).toMatch(/^CX2026[34679ACDEFGHJKMNPQRTUVWXY]{8}$/);
    const { claims } = decodeVoucherToken(voucher.token);
    expect(claims).toMatchObject({ serial: voucher.serial, holder: '王*国', rating: 'AA', issuedAt: '2026-11-20', issuer: '北京市交通委员会', issuerCode: '110000' });
    expect(claims.idMasked).toMatch(/^1101\*{10}\d{3}[\dX]$/);
    expect(claims.expiresAt).toBe(`${Number(claims.cycleEnd.slice(0, 4)) + 1}${claims.cycleEnd.slice(4)}`);

    const summary = await t.app.inject({ method: 'GET', url: `/api/v1/applications/${application.id}/voucher`, headers: owner.headers });
    expect(summary.statusCode).toBe(200);
    expect(summary.json()).toMatchObject({
      serial: voucher.serial,
      rating: 'AA',
      issuedOn: '2026-11-20',
      status: 'valid',
      token: voucher.token,
      verifyUrl: `https://rto.example.cn/v/${voucher.token}`,
    });

    const png = await t.app.inject({ method: 'GET', url: `/api/v1/applications/${application.id}/voucher.png`, headers: owner.headers });
    expect(png.statusCode).toBe(200);
    expect(png.headers['content-type']).toBe('image/png');
    expect(png.headers['content-disposition']).toBe(
      `attachment; filename="voucher-${voucher.serial}.png"; filename*=UTF-8''${encodeURIComponent('诚信考核凭证')}-${voucher.serial}.png`,
    );
    const pdf = await t.app.inject({ method: 'GET', url: `/api/v1/applications/${application.id}/voucher.pdf`, headers: owner.headers });
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');

    // Rendered once: stored (through the file storage) and served from it with an ETag, privately.
    const stored = await t.database.db.select().from(voucherRenderings).where(eq(voucherRenderings.voucherId, voucher.id));
    expect(stored.map((r) => r.format).sort()).toEqual(['pdf', 'png']);
    const pngRow = stored.find((r) => r.format === 'png')!;
    expect(pngRow.etag).toBe(png.headers.etag);
    expect(pngRow.bytes).toBe(png.rawPayload.length);
    expect(pngRow.storageKey).toMatch(new RegExp(`^vouchers/${voucher.id}/voucher-[A-Za-z0-9_-]+\\.png$`));
    const again = await t.app.inject({ method: 'GET', url: `/api/v1/applications/${application.id}/voucher.png`, headers: owner.headers });
    expect(again.headers.etag).toBe(png.headers.etag);
    expect(again.headers['cache-control']).toBe('private, no-cache');
    expect(again.rawPayload.equals(png.rawPayload)).toBe(true);
    const unchanged = await t.app.inject({
      method: 'GET',
      url: `/api/v1/applications/${application.id}/voucher.pdf`,
      headers: { ...owner.headers, 'if-none-match': String(pdf.headers.etag) },
    });
    expect(unchanged.statusCode).toBe(304);
    expect(unchanged.rawPayload.length).toBe(0);

    // The QR of the downloaded picture verifies.
    const scanned = await decodeQrFromImage(png.rawPayload);
    expect(scanned).toBe(`https://rto.example.cn/v/${voucher.token}`);
    const result = await verify(scanned!.split('/v/')[1]!);
    expect(result.statusCode).toBe(200);
    expect(result.json()).toMatchObject({ kind: 'voucher', verdict: 'valid', message: '凭证有效', claims: { serial: voucher.serial, holder: '王*国' } });

    for (const suffix of ['voucher', 'voucher.png', 'voucher.pdf']) {
      const foreign = await t.app.inject({ method: 'GET', url: `/api/v1/applications/${application.id}/${suffix}`, headers: other.headers });
      expect(foreign.statusCode).toBe(404);
      const anonymous = await t.app.inject({ method: 'GET', url: `/api/v1/applications/${application.id}/${suffix}` });
      expect(anonymous.statusCode).toBe(401);
    }
    const bogus = await t.app.inject({ method: 'GET', url: '/api/v1/applications/not-a-uuid/voucher.png', headers: owner.headers });
    expect(bogus.statusCode).toBe(404);
  });

  it('answers 404 for an application without a voucher', async () => {
    const application = await acceptedCreditAssessment(t.database.db, owner.userId, t.clock.now());
    const response = await t.app.inject({ method: 'GET', url: `/api/v1/applications/${application.id}/voucher`, headers: owner.headers });
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe('NOT_FOUND');
    await rejectApplication(t.database.db, application, t.clock.now());
  });

  it('supersedes an earlier voucher of the same certificate and cycle, and says so with the date', async () => {
    const first = await approveWithVoucher(t.database.db, await acceptedCreditAssessment(t.database.db, owner.userId, t.clock.now()), 'A', t.clock.now());
    t.clock.advance(DAY);
    const replacedAt = t.clock.now();
    const second = await approveWithVoucher(t.database.db, await acceptedCreditAssessment(t.database.db, owner.userId, replacedAt), 'AAA', replacedAt);
    expect(second.cycleStart).toBe(first.cycleStart);
    const old = await verify(first.token, '203.0.113.2', 'web');
    expect(old.json()).toMatchObject({ verdict: 'superseded', supersededBy: second.serial, supersededAt: replacedAt.toISOString(), message: '凭证已被新凭证取代' });
    expect((await verify(second.token, '203.0.113.2')).json().verdict).toBe('valid');

    // A third voucher supersedes the second; the first keeps the record of what replaced it and when.
    t.clock.advance(DAY);
    const third = await approveWithVoucher(t.database.db, await acceptedCreditAssessment(t.database.db, owner.userId, t.clock.now()), 'AA', t.clock.now());
    expect((await verify(second.token, '203.0.113.2')).json()).toMatchObject({ verdict: 'superseded', supersededBy: third.serial });
    expect((await verify(first.token, '203.0.113.2')).json()).toMatchObject({ verdict: 'superseded', supersededBy: second.serial, supersededAt: replacedAt.toISOString() });
  });

  it('leaves standing the vouchers of another certificate and of another cycle', async () => {
    const standing = await approveWithVoucher(t.database.db, await acceptedCreditAssessment(t.database.db, owner.userId, t.clock.now()), 'AA', t.clock.now());
    const cycle = { start: standing.cycleStart, end: standing.cycleEnd };
    // The same holder's second certificate, rated for the very same cycle.
    const otherCertificateId = await insertCertificate(t, '13800000001', [{ code: 'freight_driver', firstIssueDate: '2019-05-10', validFrom: '2025-05-10', validTo: '2031-05-09' }]);
    t.clock.advance(DAY);
    const otherCertificate = await approveWithVoucher(
      t.database.db,
      await acceptedCreditAssessment(t.database.db, owner.userId, t.clock.now(), { certificateId: otherCertificateId }),
      'AAA',
      t.clock.now(),
      { cycle },
    );
    // The same certificate, rated for the next cycle.
    t.clock.advance(DAY);
    const nextStart = addDays(standing.cycleEnd, 1);
    const nextCycle = await approveWithVoucher(t.database.db, await acceptedCreditAssessment(t.database.db, owner.userId, t.clock.now()), 'A', t.clock.now(), {
      cycle: { start: nextStart, end: addDays(addYears(nextStart, 1), -1) },
    });
    expect(otherCertificate.certificateId).not.toBe(standing.certificateId);
    expect(otherCertificate.cycleStart).toBe(standing.cycleStart);
    expect(nextCycle.certificateId).toBe(standing.certificateId);
    expect(nextCycle.cycleStart).not.toBe(standing.cycleStart);
    for (const [voucher, ip] of [[standing, '203.0.113.21'], [otherCertificate, '203.0.113.22'], [nextCycle, '203.0.113.23']] as const) {
      expect((await verify(voucher.token, ip)).json(), voucher.serial).toMatchObject({ verdict: 'valid', claims: { serial: voucher.serial } });
    }
    const rows = await t.database.db.select().from(vouchers).where(inArray(vouchers.id, [standing.id, otherCertificate.id, nextCycle.id]));
    expect(rows.map((row) => row.supersededBy)).toEqual([null, null, null]);
  });

  it('rates the last complete cycle before submission, counted from the first issue', async () => {
    // First issued 10 May 2019; submitted 20 November 2026, in the cycle that began 10 May 2026.
    const certificateId = await insertCertificate(t, '13800000001', [{ code: 'freight_driver', firstIssueDate: '2019-05-10', validFrom: '2025-05-10', validTo: '2031-05-09' }]);
    const voucher = await approveWithVoucher(t.database.db, await acceptedCreditAssessment(t.database.db, owner.userId, t.clock.now(), { certificateId }), 'AA', t.clock.now());
    expect(voucher).toMatchObject({ cycleStart: '2025-05-10', cycleEnd: '2026-05-09', expiresOn: '2027-05-09' });
    expect(decodeVoucherToken(voucher.token).claims).toMatchObject({ cycleStart: '2025-05-10', cycleEnd: '2026-05-09', expiresAt: '2027-05-09' });
  });

  it('reports a revoked voucher as revoked, in the caller language', async () => {
    const voucher = await approveWithVoucher(t.database.db, await acceptedCreditAssessment(t.database.db, owner.userId, t.clock.now()), 'B', t.clock.now());
    const revokedAt = new Date(t.clock.now().getTime() + 3600_000);
    await t.database.db.update(vouchers).set({ revokedAt, revocationReason: 'rating corrected' }).where(eq(vouchers.id, voucher.id));
    const response = await t.app.inject({ method: 'GET', url: `/api/v1/verify/${voucher.token}`, remoteAddress: '203.0.113.3', headers: { 'accept-language': 'en' } });
    expect(response.json()).toMatchObject({ verdict: 'revoked', revokedAt: revokedAt.toISOString(), message: 'The voucher has been revoked by the issuing authority' });
  });

  it('answers a tampered or unreadable token with invalid (200), never an error', async () => {
    const voucher = await approveWithVoucher(t.database.db, await acceptedCreditAssessment(t.database.db, owner.userId, t.clock.now()), 'AA', t.clock.now());
    const i = voucher.token.length - 20;
    const tampered = voucher.token.slice(0, i) + (voucher.token[i] === 'A' ? 'B' : 'A') + voucher.token.slice(i + 1);
    const bad = await verify(tampered, '203.0.113.4');
    expect(bad.statusCode).toBe(200);
    expect(bad.json()).toMatchObject({ verdict: 'invalid', reason: 'tampered' });
    expect(bad.json().claims).toBeUndefined();
    for (const junk of ['hello', '%E4%BD%A0', 'A'.repeat(3000)]) {
      const response = await verify(junk, '203.0.113.4');
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ verdict: 'invalid', reason: 'malformed' });
    }
    // A verify URL works as well as the bare token.
    const viaUrl = await t.app.inject({ method: 'GET', url: `/api/v1/verify/https://rto.example.cn/v/${voucher.token}`, remoteAddress: '203.0.113.4' });
    expect(viaUrl.json().verdict).toBe('valid');
  });

  it('logs every check with the outcome only, nothing about the checker', async () => {
    await t.app.verifier.checkLog.flush();
    await t.database.db.delete(voucherChecks);
    const voucher = await approveWithVoucher(t.database.db, await acceptedCreditAssessment(t.database.db, owner.userId, t.clock.now()), 'AA', t.clock.now());
    await t.app.inject({
      method: 'GET',
      url: `/api/v1/verify/${voucher.token}?channel=web`,
      remoteAddress: '198.51.100.77',
      headers: { 'user-agent': 'CheckpointScanner/1.0' },
    });
    await verify('garbage', '198.51.100.77');
    // Written in batches off the request path.
    await t.app.verifier.checkLog.flush();
    const rows = await t.database.db.select().from(voucherChecks);
    expect(rows).toHaveLength(2);
    expect(rows.map((r) => [r.serial, r.verdict, r.reason, r.channel, r.checks])).toEqual([
      [voucher.serial, 'valid', null, 'web', 1],
      [null, 'invalid', 'malformed', 'app', 1],
    ]);
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain('198.51.100.77');
    expect(stored).not.toContain('CheckpointScanner');
    expect(Object.keys(rows[0]!).sort()).toEqual(['channel', 'checkedAt', 'checks', 'id', 'reason', 'serial', 'verdict']);
  });

  it('rate limits verification per IP with 429 and Retry-After', async () => {
    for (let i = 0; i < 60; i++) expect((await verify('x', '192.0.2.99')).statusCode).toBe(200);
    const refused = await verify('x', '192.0.2.99');
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.code).toBe('VERIFY_RATE_LIMITED');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect((await verify('x', '192.0.2.100')).statusCode).toBe(200);
  });

  it('rotates keys: new vouchers use the new key, old ones still verify, both are published', async () => {
    const before = await approveWithVoucher(t.database.db, await acceptedCreditAssessment(t.database.db, owner.userId, t.clock.now()), 'AA', t.clock.now());
    const oldKid = (await activeSigningKey(t.database.db, t.secrets)).kid;
    t.clock.advance(DAY);
    const { rotateSigningKey } = await import('../../src/server/vouchers/keyStore.ts');
    const { kid: newKid } = await rotateSigningKey(t.database.db, t.secrets, t.clock.now());
    expect(newKid).not.toBe(oldKid);
    const after = await approveWithVoucher(t.database.db, await acceptedCreditAssessment(t.database.db, owner.userId, t.clock.now()), 'AA', t.clock.now());
    expect(after.kid).toBe(newKid);
    expect(decodeVoucherToken(after.token).claims.kid).toBe(newKid);
    // `before` was superseded by `after` (same cycle); status comes after the signature, which must hold.
    expect((await verify(before.token, '203.0.113.5')).json()).toMatchObject({ verdict: 'superseded', claims: { kid: oldKid } });
    expect((await verify(after.token, '203.0.113.5')).json()).toMatchObject({ verdict: 'valid', claims: { kid: newKid } });

    const keys = await t.app.inject({ method: 'GET', url: '/.well-known/rto-keys.json' });
    expect(keys.statusCode).toBe(200);
    expect(keys.headers['cache-control']).toBe('public, max-age=300');
    const published = keys.json().keys as { kid: string; alg: string; retiredAt?: string; notAfter?: string }[];
    const old = published.find((k) => k.kid === oldKid);
    expect(old).toMatchObject({ alg: 'SM2-SM3', retiredAt: t.clock.now().toISOString() });
    expect(published.find((k) => k.kid === newKid)).toMatchObject({ alg: 'SM2-SM3' });
    expect(published.find((k) => k.kid === newKid)?.retiredAt).toBeUndefined();
    expect(JSON.stringify(published)).not.toMatch(/private/i);
  });

  it('creates a single first key even when two callers race for it', async () => {
    const fresh = await createTestApp();
    try {
      const keys = await Promise.all([activeSigningKey(fresh.database.db, fresh.secrets), activeSigningKey(fresh.database.db, fresh.secrets), activeSigningKey(fresh.database.db, fresh.secrets)]);
      expect(new Set(keys.map((k) => k.kid)).size).toBe(1);
      const published = await fresh.app.inject({ method: 'GET', url: '/.well-known/rto-keys.json' });
      expect(published.json().keys).toHaveLength(1);
    } finally {
      await fresh.close();
    }
  });

  it('shows the driver an electronic certificate whose QR verifies, and reports it once cancelled', async () => {
    // Earlier tests moved the clock past the idle expiry of the first logins.
    owner = await loginDriver(t.app, '13800000001');
    other = await loginDriver(t.app, '13800000002');
    const certificate = await certificateOf(t.database.db, owner.userId);
    const url = `/api/v1/me/certificates/${certificate.id}/e-certificate`;
    const response = await t.app.inject({ method: 'GET', url, headers: owner.headers });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.verifyUrl).toBe(`https://rto.example.cn/v/${body.token}`);
    expect(body.token.startsWith('RT2-')).toBe(true);
    expect(Date.parse(body.qrExpiresAt) - Date.parse(body.qrIssuedAt)).toBe(180_000);
    expect(body.certificate).toMatchObject({ id: certificate.id, holderName: '王建国', issuer: '北京市交通委员会' });
    expect(body.certificate.categories[0]).toMatchObject({ code: 'freight_driver', label: '经营性道路货物运输驾驶员' });

    const checked = await verify(body.token, '203.0.113.6');
    expect(checked.json()).toMatchObject({
      kind: 'certificate',
      verdict: 'valid',
      message: '从业资格证有效',
      certificate: {
        holder: '王*国',
        categories: [
          { code: 'freight_driver', label: '经营性道路货物运输驾驶员' },
          { code: 'passenger_driver', label: '经营性道路旅客运输驾驶员' },
        ],
      },
    });
    expect(JSON.stringify(checked.json())).not.toContain(certificate.holderIdNumber);

    expect((await t.app.inject({ method: 'GET', url, headers: other.headers })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url })).statusCode).toBe(401);

    await t.database.db
      .update(certificateCategories)
      .set({ cancelledAt: '2026-11-21', cancelReason: 'holder_request' })
      .where(eq(certificateCategories.certificateId, certificate.id));
    expect((await verify(body.token, '203.0.113.6')).json()).toMatchObject({ kind: 'certificate', verdict: 'revoked', revokedAt: '2026-11-21' });
  });
});
