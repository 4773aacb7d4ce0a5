import sharp from 'sharp';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, addYears, chinaToday } from '../../src/domain/dates.ts';
import { auditLog, certificateCategories, certificates, outbox, vouchers } from '../../src/server/db/schema.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { loginDriver, type DriverLogin } from '../helpers/driverLogin.ts';
import { documentPhoto } from '../helpers/images.ts';
import { multipart } from '../helpers/multipart.ts';
import { raceRounds } from '../helpers/races.ts';
import { cardAnswers, insertCertificate, submittedApplication } from '../helpers/applications.ts';
import { type StaffLogin, staffLogin } from '../helpers/staffLogin.ts';

const DRIVER = '13800000001'; // 王建国, Beijing

describe('staff casework: roles, provinces, actions, registry and audit', () => {
  let t: TestApp;
  const staff: Record<string, StaffLogin> = {};
  let today: string;
  let driver: DriverLogin;

  beforeAll(async () => {
    t = await createTestApp();
    t.clock.set('2026-03-02T02:00:00Z'); // Monday 2 March 2026, 10:00 in Beijing
    today = chinaToday(t.clock.now());
    driver = await loginDriver(t.app, DRIVER);
    for (const username of ['bj-handler', 'bj-reviewer', 'bj-admin', 'sh-handler', 'sh-admin', 'sys-admin']) staff[username] = await staffLogin(t, username);
  });
  afterAll(async () => {
    await t.close();
  });

  const act = (who: string, id: string, body: Record<string, unknown>) =>
    t.app.inject({ method: 'POST', url: `/api/v1/staff/applications/${id}/actions`, headers: staff[who]!.headers, payload: body });
  const view = (who: string, id: string) => t.app.inject({ method: 'GET', url: `/api/v1/staff/applications/${id}`, headers: staff[who]!.headers });

  /** A valid Beijing freight certificate of the demo driver, in its 3rd year. */
  const validCertificate = (extra: Parameters<typeof insertCertificate>[3] = {}) =>
    insertCertificate(t, DRIVER, [{ code: 'freight_driver', firstIssueDate: '2020-05-10', validFrom: '2024-05-10', validTo: '2030-05-09' }], extra);

  it('gives each role its own actions, and another province nothing at all', async () => {
    const application = await submittedApplication(t, { phone: DRIVER, certificateId: await validCertificate(), business: 'replacement', personalInfo: cardAnswers });

    const asHandler = (await view('bj-handler', application.id)).json();
    expect(asHandler.allowedActions.map((a: { action: string }) => a.action).sort()).toEqual(['accept', 'decline', 'return']);
    expect(asHandler.applicant).toMatchObject({ name: '王建国', idNumber: expect.stringMatching(/^110105/) });
    expect((await view('bj-reviewer', application.id)).json().allowedActions).toEqual([]);
    expect((await view('sys-admin', application.id)).json().allowedActions).toEqual([]);

    for (const outsider of ['sh-handler', 'sh-admin']) {
      expect((await view(outsider, application.id)).statusCode).toBe(404);
      const foreign = await act(outsider, application.id, { action: 'accept' });
      expect(foreign.statusCode).toBe(404);
      expect(foreign.json().error.code).toBe('APPLICATION_NOT_FOUND');
    }
    const readOnly = await act('sys-admin', application.id, { action: 'accept' });
    expect(readOnly.statusCode).toBe(403);
    expect(readOnly.json().error.code).toBe('STAFF_READ_ONLY');
    const reviewerAccepts = await act('bj-reviewer', application.id, { action: 'accept' });
    expect(reviewerAccepts.statusCode).toBe(403);
    expect(reviewerAccepts.json().error.code).toBe('ACTION_NOT_ALLOWED_FOR_ROLE');

    const accepted = await act('bj-handler', application.id, { action: 'accept' });
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json().state).toBe('accepted');
    const handlerApproves = await act('bj-handler', application.id, { action: 'approve' });
    expect(handlerApproves.statusCode).toBe(403);
    expect(handlerApproves.json().error.code).toBe('ACTION_NOT_ALLOWED_FOR_ROLE');
    expect((await view('bj-reviewer', application.id)).json().allowedActions.map((a: { action: string }) => a.action).sort()).toEqual(['approve', 'reject', 'return']);
    // A province admin may stand in for both (recorded as the admin's role).
    const adminApproves = await act('bj-admin', application.id, { action: 'approve' });
    expect(adminApproves.statusCode, adminApproves.body).toBe(200);
    const approval = adminApproves.json().timeline.at(-1);
    expect(approval).toMatchObject({ action: 'approve', actorRole: 'province_admin', actorUsername: 'bj-admin' });
  });

  it('asks each action for what it needs: reasons with text, rating, carrier and tracking number', async () => {
    const application = await submittedApplication(t, { phone: DRIVER, certificateId: await validCertificate(), business: 'credit_assessment', personalInfo: { serviceCompany: '' } });
    const expectError = async (body: Record<string, unknown>, status: number, code: string, who = 'bj-handler') => {
      const response = await act(who, application.id, body);
      expect(response.statusCode, `${JSON.stringify(body)} → ${response.body}`).toBe(status);
      expect(response.json().error.code).toBe(code);
    };
    await expectError({ action: 'decline' }, 400, 'REASON_REQUIRED');
    await expectError({ action: 'decline', reason: '材料不全' }, 400, 'REASON_REQUIRED');
    await expectError({ action: 'decline', reasonCodes: ['not_eligible'] }, 400, 'REASON_TEXT_REQUIRED');
    await expectError({ action: 'decline', reasonCodes: ['no_such_reason'], reason: 'x' }, 400, 'UNKNOWN_REASON_CODE');
    await expectError({ action: 'return', reasonCodes: ['material_unclear'], reason: '看不清', materialKeys: ['passport'] }, 400, 'MATERIAL_UNKNOWN');
    await expectError({ action: 'approve', rating: 'AAA' }, 409, 'ILLEGAL_TRANSITION', 'bj-reviewer');
    await expectError({ action: 'accept', expectedVersion: application.version + 5 }, 409, 'STATE_CHANGED');

    expect((await act('bj-handler', application.id, { action: 'accept', expectedVersion: application.version })).statusCode).toBe(200);
    await expectError({ action: 'approve' }, 400, 'RATING_REQUIRED', 'bj-reviewer');
    await expectError({ action: 'reject', reasonCodes: ['education_incomplete'] }, 400, 'REASON_TEXT_REQUIRED', 'bj-reviewer');
    const rejected = await act('bj-reviewer', application.id, { action: 'reject', reasonCodes: ['education_incomplete'], reason: '本周期继续教育仅12学时' });
    expect(rejected.statusCode, rejected.body).toBe(200);
    expect(rejected.json().state).toBe('rejected');

    const card = await submittedApplication(t, { phone: DRIVER, certificateId: await validCertificate(), business: 'replacement', personalInfo: { ...cardAnswers, delivery: 'mail' } });
    await act('bj-handler', card.id, { action: 'accept' });
    await act('bj-reviewer', card.id, { action: 'approve' });
    await expectError({ action: 'hand_over' }, 409, 'ILLEGAL_TRANSITION');
    const noTracking = await act('bj-handler', card.id, { action: 'mail', carrier: 'EMS' });
    expect(noTracking.json().error.code).toBe('TRACKING_NUMBER_REQUIRED');
    const noCarrier = await act('bj-handler', card.id, { action: 'mail', trackingNumber: '1188899' });
    expect(noCarrier.json().error.code).toBe('CARRIER_REQUIRED');
    const mailed = await act('bj-handler', card.id, { action: 'mail', carrier: 'EMS', trackingNumber: 'EA123456789CN' });
    expect(mailed.statusCode, mailed.body).toBe(200);
    expect(mailed.json().state).toBe('completed');
    expect(mailed.json().timeline.at(-1).details).toMatchObject({ carrier: 'EMS', trackingNumber: 'EA123456789CN' });
  });

  it('tells the driver every item to correct at once, and the returned clock pauses', async () => {
    const application = await submittedApplication(t, { phone: DRIVER, certificateId: await validCertificate(), business: 'renewal', personalInfo: cardAnswers });
    const returned = await act('bj-handler', application.id, {
      action: 'return',
      reasonCodes: ['material_unclear', 'photo_nonconforming', 'info_incorrect'],
      reason: '驾驶证照片模糊；二寸照须白底；联系地址缺门牌号',
      materialKeys: ['driving_licence', 'photo_2inch'],
    });
    expect(returned.statusCode, returned.body).toBe(200);
    expect(returned.json().state).toBe('returned');
    expect(returned.json().deadlines.running).toMatchObject({ clock: 'accept', status: 'paused', date: null });

    const seen = (await t.app.inject({ method: 'GET', url: `/api/v1/applications/${application.id}`, headers: driver.headers })).json();
    expect(seen.corrections.reasons.map((r: { code: string }) => r.code)).toEqual(['material_unclear', 'photo_nonconforming', 'info_incorrect']);
    expect(seen.corrections.text).toContain('门牌号');
    const notices = await t.database.db.select().from(outbox).where(eq(outbox.topic, 'sms.application_update'));
    expect(notices.some((n) => n.payload.applicationId === application.id && n.payload.action === 'return')).toBe(true);
  });

  it('a return flags materials: the driver sees them marked, cannot resubmit before replacing each, and both histories name them', async () => {
    const drive = (method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, extra: { payload?: unknown; headers?: Record<string, string> } = {}) =>
      t.app.inject({ method, url: `/api/v1${url}`, headers: { ...driver.headers, ...extra.headers }, ...(extra.payload === undefined ? {} : { payload: extra.payload as string }) });
    const upload = (id: string, key: string, photo: Buffer) => {
      const body = multipart(photo);
      return drive('PUT', `/applications/${id}/materials/${key}`, { payload: body.payload, headers: body.headers });
    };
    const created = await drive('POST', '/applications', { payload: { business: 'replacement', certificateId: await validCertificate() } });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id as string;
    expect((await drive('PATCH', `/applications/${id}`, { payload: { ...cardAnswers, reason: '证件遗失', delivery: 'self_collect' } })).statusCode).toBe(200);
    const photos = { photo_2inch: await documentPhoto(21), driving_licence: await documentPhoto(22), certificate_info_page: await documentPhoto(23), certificate_violation_page: await documentPhoto(24) };
    for (const [key, photo] of Object.entries(photos)) expect((await upload(id, key, photo)).statusCode).toBe(200);
    expect((await drive('POST', `/applications/${id}/submit`)).statusCode).toBe(200);

    const returned = await act('bj-handler', id, { action: 'return', reasonCodes: ['material_unclear'], reason: '二寸照片和驾驶证看不清', materialKeys: ['photo_2inch', 'driving_licence'] });
    expect(returned.statusCode, returned.body).toBe(200);
    const staffEntry = returned.json().timeline.at(-1);
    expect(staffEntry.materials.map((m: { name: { zh: string } }) => m.name.zh)).toEqual(['近期二寸免冠彩色照片', '机动车驾驶证']);
    expect(staffEntry.details.flaggedFiles).toBeUndefined();

    const seen = (await drive('GET', `/applications/${id}`)).json();
    expect(seen.corrections.materials).toEqual([
      { key: 'photo_2inch', name: expect.objectContaining({ zh: '近期二寸免冠彩色照片' }), replaced: false },
      { key: 'driving_licence', name: expect.objectContaining({ zh: '机动车驾驶证' }), replaced: false },
    ]);
    expect(Object.fromEntries(seen.materials.map((m: { key: string; correction: string | null }) => [m.key, m.correction]))).toEqual({
      photo_2inch: 'replace',
      driving_licence: 'replace',
      certificate_info_page: null,
      certificate_violation_page: null,
    });
    expect(seen.missing.replace).toEqual(['photo_2inch', 'driving_licence']);
    expect(seen.timeline.find((e: { action: string }) => e.action === 'return').materials.map((m: { key: string }) => m.key)).toEqual(['photo_2inch', 'driving_licence']);

    // Nothing replaced: refused with the list, in the reader's language, and nothing changes.
    const refused = await drive('POST', `/applications/${id}/submit`, { headers: { 'accept-language': 'en' } });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error).toMatchObject({ code: 'MATERIALS_NOT_REPLACED', message: expect.stringContaining('2 material(s)') });
    expect(refused.json().error.details.materials.map((m: { key: string; replace: boolean }) => [m.key, m.replace])).toEqual([
      ['photo_2inch', true],
      ['driving_licence', true],
    ]);
    // The same picture again is no replacement; a new one is.
    expect((await upload(id, 'photo_2inch', photos.photo_2inch)).statusCode).toBe(200);
    expect((await upload(id, 'driving_licence', await documentPhoto(32))).statusCode).toBe(200);
    const stillOne = await drive('POST', `/applications/${id}/submit`);
    expect(stillOne.statusCode).toBe(422);
    expect(stillOne.json().error.details.materials.map((m: { key: string }) => m.key)).toEqual(['photo_2inch']);
    expect((await drive('GET', `/applications/${id}`)).json().state).toBe('returned');

    expect((await upload(id, 'photo_2inch', await documentPhoto(31))).statusCode).toBe(200);
    const resubmitted = await drive('POST', `/applications/${id}/submit`);
    expect(resubmitted.statusCode, resubmitted.body).toBe(200);
    expect(resubmitted.json().state).toBe('submitted');

    const staffView = (await view('bj-handler', id)).json();
    expect(staffView.materials.filter((m: { correction: string | null }) => m.correction).map((m: { key: string; correction: string }) => [m.key, m.correction])).toEqual([
      ['photo_2inch', 'replaced'],
      ['driving_licence', 'replaced'],
    ]);
    expect(staffView.timeline.find((e: { action: string }) => e.action === 'return').materials.map((m: { key: string }) => m.key)).toEqual(['photo_2inch', 'driving_licence']);
  });

  it('lets exactly one of two staff accepting at once win; the other gets 409 and the fresh state', async () => {
    for (const round of raceRounds()) {
      const application = await submittedApplication(t, { phone: DRIVER, certificateId: await validCertificate(), business: 'replacement', personalInfo: cardAnswers });
      const [a, b] = await Promise.all([act('bj-handler', application.id, { action: 'accept' }), act('bj-admin', application.id, { action: 'accept' })]);
      expect([a!.statusCode, b!.statusCode].sort(), `round ${round}`).toEqual([200, 409]);
      const loser = a!.statusCode === 409 ? a! : b!;
      expect(loser.json().error.details.state).toBe('accepted');
      const detail = (await view('bj-handler', application.id)).json();
      expect(detail.timeline.filter((e: { action: string }) => e.action === 'accept')).toHaveLength(1);
    }
  });

  it('renewal extends the validity of the categories due, from the day after the old expiry', async () => {
    const oldEnd = addDays(today, 20);
    const certificateId = await insertCertificate(t, DRIVER, [
      { code: 'freight_driver', firstIssueDate: '2014-03-22', validFrom: addDays(addYears(oldEnd, -6), 1), validTo: oldEnd },
      { code: 'passenger_driver', firstIssueDate: '2024-01-10', validFrom: '2024-01-10', validTo: '2030-01-09' },
    ]);
    const application = await submittedApplication(t, { phone: DRIVER, certificateId, business: 'renewal', personalInfo: { ...cardAnswers, delivery: 'self_collect' } });
    await act('bj-handler', application.id, { action: 'accept' });
    const approved = await act('bj-reviewer', application.id, { action: 'approve' });
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json().state).toBe('approved');
    const categories = await t.database.db.select().from(certificateCategories).where(eq(certificateCategories.certificateId, certificateId));
    const freight = categories.find((c) => c.code === 'freight_driver')!;
    expect(freight).toMatchObject({ firstIssueDate: '2014-03-22', validFrom: addDays(oldEnd, 1), validTo: addYears(oldEnd, 6) });
    expect(categories.find((c) => c.code === 'passenger_driver')).toMatchObject({ validFrom: '2024-01-10', validTo: '2030-01-09' });

    const ready = await act('bj-handler', application.id, { action: 'ready_for_pickup' });
    expect(ready.json().state).toBe('approved');
    expect(ready.json().allowedActions.map((a: { action: string }) => a.action)).toContain('hand_over');
    expect((await act('bj-handler', application.id, { action: 'mail', carrier: 'EMS', trackingNumber: 'X1' })).statusCode).toBe(409);
    const handed = await act('bj-handler', application.id, { action: 'hand_over' });
    expect(handed.json().state).toBe('completed');
  });

  it('a service-unit change updates the unit, a certificate-info change the quasi-driving type, a replacement nothing', async () => {
    const unitCertificate = await validCertificate({ serviceUnit: '旧单位物流有限公司' });
    const unitChange = await submittedApplication(t, {
      phone: DRIVER,
      certificateId: unitCertificate,
      business: 'change',
      variant: 'service_unit',
      personalInfo: { workUnit: '北京新运物流有限公司', unitPhone: '010-65551234', reason: '更换工作单位' },
    });
    await act('bj-handler', unitChange.id, { action: 'accept' });
    const approved = await act('bj-reviewer', unitChange.id, { action: 'approve' });
    expect(approved.json().certificate.serviceUnit).toBe('北京新运物流有限公司');
    expect(approved.json().timeline.at(-1).details.registry).toEqual({ serviceUnit: { before: '旧单位物流有限公司', after: '北京新运物流有限公司' } });

    const infoCertificate = await validCertificate({ quasiDrivingType: 'B2' });
    const infoChange = await submittedApplication(t, {
      phone: DRIVER,
      certificateId: infoCertificate,
      business: 'change',
      variant: 'certificate_info',
      personalInfo: { ...cardAnswers, quasiDrivingType: 'A1', unitPhone: '010-65551234' },
    });
    await act('bj-handler', infoChange.id, { action: 'accept' });
    await act('bj-reviewer', infoChange.id, { action: 'approve' });
    const [info] = await t.database.db.select().from(certificates).where(eq(certificates.id, infoCertificate));
    expect(info!.quasiDrivingType).toBe('A1');

    const sameCertificate = await validCertificate();
    const before = await t.database.db.select().from(certificateCategories).where(eq(certificateCategories.certificateId, sameCertificate));
    const replacement = await submittedApplication(t, { phone: DRIVER, certificateId: sameCertificate, business: 'replacement', personalInfo: cardAnswers });
    await act('bj-handler', replacement.id, { action: 'accept' });
    await act('bj-reviewer', replacement.id, { action: 'approve' });
    expect(await t.database.db.select().from(certificateCategories).where(eq(certificateCategories.certificateId, sameCertificate))).toEqual(before);
  });

  it('cancellation cancels only the chosen categories and completes at once', async () => {
    const certificateId = await insertCertificate(t, DRIVER, [
      { code: 'freight_driver', firstIssueDate: '2020-05-10', validFrom: '2024-05-10', validTo: '2030-05-09' },
      { code: 'passenger_driver', firstIssueDate: '2021-05-10', validFrom: '2021-05-10', validTo: '2027-05-09' },
    ]);
    const application = await submittedApplication(t, {
      phone: DRIVER,
      certificateId,
      business: 'cancellation',
      personalInfo: { categoriesToCancel: ['passenger_driver'], cancelReason: 'holder_request', contactName: '王建国', contactPhone: DRIVER },
    });
    await act('bj-handler', application.id, { action: 'accept' });
    const approved = await act('bj-reviewer', application.id, { action: 'approve' });
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json().state).toBe('completed');
    expect(approved.json().timeline.map((e: { action: string; actorRole: string }) => `${e.action}:${e.actorRole}`)).toEqual(['submit:driver', 'accept:handler', 'approve:reviewer', 'complete:system']);
    const categories = await t.database.db.select().from(certificateCategories).where(eq(certificateCategories.certificateId, certificateId));
    expect(categories.find((c) => c.code === 'passenger_driver')).toMatchObject({ cancelledAt: today, cancelReason: 'holder_request' });
    expect(categories.find((c) => c.code === 'freight_driver')!.cancelledAt).toBeNull();
  });

  it('runs a credit assessment from the driver’s upload to the voucher, auditing every material read', async () => {
    const mine = (await t.app.inject({ method: 'GET', url: '/api/v1/me/certificates', headers: driver.headers })).json() as { certificates: { id: string; number: string }[] };
    const demoCertificate = mine.certificates.find((c) => !c.number.startsWith('T'))!;
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/applications', headers: driver.headers, payload: { business: 'credit_assessment', certificateId: demoCertificate.id } });
    expect(created.statusCode, created.body).toBe(201);
    const draft = created.json() as { id: string; missing: { materials: string[] } };
    for (const [i, key] of draft.missing.materials.entries()) {
      const body = multipart(await documentPhoto(i + 1));
      const stored = await t.app.inject({ method: 'PUT', url: `/api/v1/applications/${draft.id}/materials/${key}`, headers: { ...driver.headers, ...body.headers }, payload: body.payload });
      expect(stored.statusCode, stored.body).toBe(200);
    }
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/applications/${draft.id}/submit`, headers: driver.headers })).statusCode).toBe(200);

    const detail = (await view('bj-handler', draft.id)).json();
    expect(detail.materials).toHaveLength(3);
    expect(detail.rating.cycle).toEqual({ start: expect.any(String), end: expect.any(String) });
    const first = detail.materials[0];
    const image = await t.app.inject({ method: 'GET', url: first.uploaded.url, headers: staff['bj-handler']!.headers });
    expect(image.statusCode).toBe(200);
    expect(image.headers['content-type']).toBe('image/jpeg');
    expect(image.headers['cache-control']).toBe('no-store');
    expect((await sharp(image.rawPayload).metadata()).width).toBe(1200);
    expect((await t.app.inject({ method: 'GET', url: first.uploaded.thumbnailUrl, headers: staff['bj-handler']!.headers })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: first.uploaded.url, headers: staff['sh-handler']!.headers })).statusCode).toBe(404);
    // Drivers' own material URL does not serve staff, and the staff URL does not serve drivers.
    expect((await t.app.inject({ method: 'GET', url: first.uploaded.url, headers: driver.headers })).statusCode).toBe(401);

    const reads = await t.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.event, 'read_material'), eq(auditLog.targetId, draft.id)))
      .orderBy(auditLog.id);
    expect(reads.map((r) => [r.username, r.role, r.details.materialKey, r.details.kind])).toEqual([
      ['bj-handler', 'handler', first.key, 'full'],
      ['bj-handler', 'handler', first.key, 'thumbnail'],
    ]);
    expect(reads[0]!.ip).toBe('127.0.0.1');

    await act('bj-handler', draft.id, { action: 'accept' });
    const approved = await act('bj-reviewer', draft.id, { action: 'approve', rating: 'AA' });
    expect(approved.statusCode, approved.body).toBe(200);
    const result = approved.json();
    expect(result.state).toBe('completed');
    const approval = result.timeline.find((e: { action: string }) => e.action === 'approve');
    expect(approval.details).toMatchObject({ rating: 'AA', cycle: detail.rating.cycle });
    const [voucher] = await t.database.db.select().from(vouchers).where(eq(vouchers.applicationId, draft.id));
    expect(voucher).toMatchObject({ rating: 'AA', cycleStart: detail.rating.cycle.start, cycleEnd: detail.rating.cycle.end });
    expect(result.rating.voucher).toMatchObject({ serial: voucher!.serial, rating: 'AA' });
    const voucherPng = await t.app.inject({ method: 'GET', url: `/api/v1/applications/${draft.id}/voucher.png`, headers: driver.headers });
    expect(voucherPng.statusCode).toBe(200);

    const actions = await t.database.db.select().from(auditLog).where(and(eq(auditLog.event, 'application_action'), eq(auditLog.targetId, draft.id))).orderBy(auditLog.id);
    expect(actions.map((a) => [a.username, a.details.action, a.details.toState])).toEqual([
      ['bj-handler', 'accept', 'accepted'],
      ['bj-reviewer', 'approve', 'completed'],
    ]);
    expect(actions[1]!.details).toMatchObject({ rating: 'AA', voucherSerial: voucher!.serial });
  });

  it('shows the audit log to province admins for their province only, and to system admins for all', async () => {
    const audit = (who: string, query = '') => t.app.inject({ method: 'GET', url: `/api/v1/staff/audit${query}`, headers: staff[who]!.headers });
    expect((await audit('bj-handler')).statusCode).toBe(403);
    const beijing = (await audit('bj-admin', '?event=read_material')).json();
    expect(beijing.items.length).toBeGreaterThan(0);
    expect(beijing.items.every((e: { provinceCode: string; event: string }) => e.provinceCode === '11' && e.event === 'read_material')).toBe(true);
    const shanghai = (await audit('sh-admin', '?event=read_material')).json();
    expect(shanghai.items).toEqual([]);
    const everyone = (await audit('sys-admin', '?limit=5')).json();
    expect(everyone.items).toHaveLength(5);
    const next = (await audit('sys-admin', `?limit=5&cursor=${everyone.nextCursor}`)).json();
    expect(next.items[0].id).toBeLessThan(everyone.items[4].id);
    const byName = (await audit('bj-admin', `?username=bj-reviewer&from=${today}&to=${today}`)).json();
    expect(byName.items.length).toBeGreaterThan(0);
    expect(byName.items.every((e: { username: string }) => e.username === 'bj-reviewer')).toBe(true);
    expect((await audit('bj-admin', `?from=${addDays(today, 1)}`)).json().items).toEqual([]);
  });
});
