import sharp from 'sharp';
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { applications, certificates, materialOverrides, users } from '../../src/server/db/schema.ts';
import { applyTransition } from '../../src/server/applications/transitions.ts';
import { handlerActor, reviewerActor } from '../helpers/applications.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { loginDriver, type DriverLogin } from '../helpers/driverLogin.ts';
import { documentPhoto } from '../helpers/images.ts';
import { multipart } from '../helpers/multipart.ts';
import { raceRounds } from '../helpers/races.ts';
import { userPhoneIs } from '../../src/server/auth/accounts.ts';

interface Detail {
  id: string;
  reference: string;
  state: string;
  personalInfo: Record<string, unknown>;
  materials: { key: string; required: boolean; uploaded: unknown }[];
  allowedActions: string[];
  acceptDeadline: string | null;
  missing: { fields: string[]; materials: string[] };
  timeline: { action: string }[];
}

describe('applications: one engine for every business', () => {
  let t: TestApp;
  let driver: DriverLogin;
  let certificateId: string;

  beforeAll(async () => {
    t = await createTestApp();
    // 2026-03-02 is a Monday in China: deadlines below are easy to check by hand.
    t.clock.set('2026-03-02T02:00:00Z');
    driver = await loginDriver(t.app, '13800000001');
    const certificates = await t.app.inject({ method: 'GET', url: '/api/v1/me/certificates', headers: driver.headers });
    certificateId = (certificates.json() as { certificates: { id: string }[] }).certificates[0]!.id;
  });
  afterAll(async () => {
    await t.close();
  });

  /** Each test starts with nothing open on the certificate, whatever the previous one left. */
  afterEach(async () => {
    const list = (await inject('GET', '/applications')).json() as { applications: { id: string; state: string }[] };
    for (const application of list.applications) {
      if (application.state === 'draft') await inject('DELETE', `/applications/${application.id}`);
      if (application.state === 'submitted') await inject('POST', `/applications/${application.id}/withdraw`);
      if (application.state === 'accepted') {
        const [row] = await t.database.db.select().from(applications).where(eq(applications.id, application.id));
        await t.database.db.transaction((tx) =>
          applyTransition(tx, row!, 'reject', reviewerActor, { reasonCodes: ['not_qualified'] }, t.clock.now()),
        );
      }
    }
  });

  const inject = (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({ method, url: `/api/v1${url}`, headers: { ...driver.headers, ...headers }, ...(payload === undefined ? {} : { payload: payload as object }) });

  async function upload(id: string, key: string, file?: Buffer, name = 'photo.jpg', type = 'image/jpeg', as = driver) {
    const body = multipart(file ?? (await documentPhoto()), { filename: name, contentType: type });
    return t.app.inject({ method: 'PUT', url: `/api/v1/applications/${id}/materials/${key}`, headers: { ...as.headers, ...body.headers }, payload: body.payload });
  }

  async function completeAndSubmit(business: string, variant: string | undefined, answers: Record<string, unknown>) {
    t.clock.advance(60_000);
    const created = await inject('POST', '/applications', { business, certificateId, ...(variant ? { variant } : {}) });
    expect(created.statusCode, created.body).toBe(201);
    const draft = created.json() as Detail;
    const patched = await inject('PATCH', `/applications/${draft.id}`, answers);
    expect(patched.statusCode, patched.body).toBe(200);
    for (const material of (patched.json() as Detail).materials.filter((m) => m.required)) {
      const stored = await upload(draft.id, material.key);
      expect(stored.statusCode, stored.body).toBe(200);
    }
    const submitted = await inject('POST', `/applications/${draft.id}/submit`, undefined, { 'idempotency-key': `submit-${draft.id}` });
    expect(submitted.statusCode, submitted.body).toBe(200);
    return submitted.json() as Detail;
  }

  it('runs a credit assessment from draft to submitted, with the acceptance deadline in working days', async () => {
    const created = await inject('POST', '/applications', { business: 'credit_assessment', certificateId });
    expect(created.statusCode, created.body).toBe(201);
    const draft = created.json() as Detail;
    expect(draft.state).toBe('draft');
    expect(draft.reference).toMatch(/^CX-260302-[34679ACDEFGHJKMNPQRTUVWXY]{7}$/);
    // Prefilled from the account and certificate.
    expect(draft.personalInfo).toMatchObject({ name: '王建国', phone: '13800000001', serviceCompany: '北京顺通物流有限公司' });
    expect(draft.missing.materials).toEqual(['education_record', 'certificate_info_page', 'certificate_violation_page']);

    const early = await inject('POST', `/applications/${draft.id}/submit`);
    expect(early.statusCode).toBe(422);
    expect(early.json().error.code).toBe('APPLICATION_INCOMPLETE');
    expect(early.json().error.details.materials).toHaveLength(3);

    for (const key of draft.missing.materials) expect((await upload(draft.id, key)).statusCode).toBe(200);
    const submitted = await inject('POST', `/applications/${draft.id}/submit`, undefined, { 'idempotency-key': 'credit-1-abcdef' });
    expect(submitted.statusCode, submitted.body).toBe(200);
    const detail = submitted.json() as Detail;
    expect(detail.state).toBe('submitted');
    // Submitted Monday 2 March 2026: two working days later is Wednesday 4 March.
    expect(detail.acceptDeadline).toBe('2026-03-04');
    expect(detail.allowedActions).toEqual(['withdraw']);
    expect(detail.timeline.map((entry) => entry.action)).toEqual(['submit']);

    // A retried submit with the same key gives the same application, not an error and not a copy.
    const retried = await inject('POST', `/applications/${draft.id}/submit`, undefined, { 'idempotency-key': 'credit-1-abcdef' });
    expect(retried.statusCode).toBe(200);
    expect((retried.json() as Detail).id).toBe(draft.id);
    expect((retried.json() as Detail).timeline).toHaveLength(1);
    const again = await inject('POST', `/applications/${draft.id}/submit`);
    expect(again.statusCode).toBe(409);

    // Only one open application per certificate and business.
    const second = await inject('POST', '/applications', { business: 'credit_assessment', certificateId });
    expect(second.statusCode).toBe(409);
    expect(second.json().error).toMatchObject({ code: 'APPLICATION_ALREADY_OPEN', details: { applicationId: draft.id } });

    const withdrawn = await inject('POST', `/applications/${draft.id}/withdraw`);
    expect(withdrawn.statusCode).toBe(200);
    expect((withdrawn.json() as Detail).state).toBe('withdrawn');
    const withdrawAgain = await inject('POST', `/applications/${draft.id}/withdraw`);
    expect(withdrawAgain.statusCode).toBe(409);
    expect(withdrawAgain.json().error.code).toBe('ILLEGAL_TRANSITION');
  });

  it('runs renewal, replacement, both changes and cancellation', async () => {
    const card = { quasiDrivingType: 'A2', reason: '证件到期', address: '北京市朝阳区建国路88号', contactName: '王建国', contactPhone: '13800000001', delivery: 'mail' };
    const replacement = await completeAndSubmit('replacement', undefined, { ...card, reason: '证件遗失', delivery: 'self_collect' });
    expect(replacement.state).toBe('submitted');
    const serviceUnit = await completeAndSubmit('change', 'service_unit', { workUnit: '北京新运物流有限公司', unitPhone: '010-65551234', reason: '更换工作单位' });
    expect(serviceUnit.materials.map((m) => m.key)).toEqual(['photo_2inch', 'employment_contract']);
    // Both change variants are one business: a second open change for the same certificate is refused.
    const certificateInfo = await inject('POST', '/applications', { business: 'change', variant: 'certificate_info', certificateId });
    expect(certificateInfo.statusCode).toBe(409);
    await inject('POST', `/applications/${serviceUnit.id}/withdraw`);
    const infoChange = await completeAndSubmit('change', 'certificate_info', { ...card, unitPhone: '010-65551234', reason: '准驾车型变化' });
    expect(infoChange.state).toBe('submitted');
    const cancellation = await completeAndSubmit('cancellation', undefined, {
      categoriesToCancel: ['freight_driver', 'passenger_driver'],
      cancelReason: 'holder_request',
      contactName: '王建国',
      contactPhone: '13800000001',
    });
    // Cancelling every category needs no certificate pages, and the driver is told when they would be needed.
    expect(cancellation.materials.filter((m) => m.required).map((m) => m.key)).toEqual(['id_card_front', 'id_card_back', 'photo_2inch_white']);
    const infoPage = cancellation.materials.find((m) => m.key === 'certificate_info_page') as { condition?: { zh: string } } | undefined;
    expect(infoPage?.condition?.zh).toMatch(/部分/);
    const list = await inject('GET', '/applications?state=submitted');
    expect((list.json() as { applications: { id: string }[] }).applications.map((a) => a.id)).toEqual([cancellation.id, infoChange.id, replacement.id]);
  });

  it('refuses renewal outside the renewal window and keeps mailing honest', async () => {
    // 马超 (13800000013) holds a certificate valid for years: its renewal window is far off.
    const ma = await loginDriver(t.app, '13800000013');
    const maCertificate = ((await t.app.inject({ method: 'GET', url: '/api/v1/me/certificates', headers: ma.headers })).json() as { certificates: { id: string }[] }).certificates[0]!.id;
    const renewal = await t.app.inject({ method: 'POST', url: '/api/v1/applications', payload: { business: 'renewal', certificateId: maCertificate }, headers: ma.headers });
    expect(renewal.statusCode).toBe(422);
    expect(renewal.json().error.code).toBe('RENEWAL_NOT_OPEN');

    // Mailing a certificate needs somewhere to mail it to: no submission without an address.
    const created = await inject('POST', '/applications', { business: 'replacement', certificateId });
    expect(created.statusCode, created.body).toBe(201);
    const draft = created.json() as Detail;
    const answers = { quasiDrivingType: 'A2', reason: '证件遗失', contactName: '王建国', contactPhone: '13800000001' };
    expect((await inject('PATCH', `/applications/${draft.id}`, { ...answers, delivery: 'mail', address: '  ' })).statusCode).toBe(200);
    const refused = await inject('POST', `/applications/${draft.id}/submit`, undefined, { 'accept-language': 'en' });
    expect(refused.statusCode).toBe(422);
    const fields = refused.json().error.details.fields as { path: string; code: string; message: string }[];
    expect(fields.find((f) => f.path === 'address')).toMatchObject({ code: 'ADDRESS_REQUIRED_FOR_MAIL', message: expect.stringMatching(/mail/i) });
    const inChinese = (await inject('POST', `/applications/${draft.id}/submit`)).json().error.details.fields as { path: string; message: string }[];
    expect(inChinese.find((f) => f.path === 'address')?.message).toMatch(/邮寄地址/);
    expect(((await inject('GET', `/applications/${draft.id}`)).json() as Detail).state).toBe('draft');
    // Collecting it in person needs no address: that field no longer blocks.
    await inject('PATCH', `/applications/${draft.id}`, { delivery: 'self_collect' });
    const collect = await inject('POST', `/applications/${draft.id}/submit`, undefined, { 'accept-language': 'en' });
    expect(((collect.json().error?.details?.fields ?? []) as { path: string }[]).map((f) => f.path)).not.toContain('address');
    await inject('DELETE', `/applications/${draft.id}`);
  });

  it('validates answers with the shared schema and keeps the verified name', async () => {
    const created = await inject('POST', '/applications', { business: 'credit_assessment', certificateId });
    const draft = created.json() as Detail;
    const rename = await inject('PATCH', `/applications/${draft.id}`, { name: '李四' });
    expect(rename.statusCode).toBe(422);
    expect(rename.json().error.code).toBe('NAME_NOT_EDITABLE');
    const badPhone = await inject('PATCH', `/applications/${draft.id}`, { phone: '12345' });
    expect(badPhone.statusCode).toBe(400);
    expect(badPhone.json().error.details.fields[0].path).toBe('phone');
    expect(badPhone.json().error.details.fields[0]).toMatchObject({ code: 'INVALID_MOBILE', message: '手机号码格式不正确，应为11位手机号码' });
    const inEnglish = await inject('PATCH', `/applications/${draft.id}`, { phone: '12345' }, { 'accept-language': 'en-GB,en;q=0.9' });
    expect(inEnglish.statusCode).toBe(400);
    expect(inEnglish.json().error.details.fields).toEqual([
      { path: 'phone', code: 'INVALID_MOBILE', message: 'The mobile number is not valid: enter an 11-digit mobile number' },
    ]);
    const tooLong = await inject('PATCH', `/applications/${draft.id}`, { serviceCompany: '长'.repeat(101) }, { 'accept-language': 'en' });
    expect(tooLong.json().error.details.fields).toEqual([{ path: 'serviceCompany', code: 'TOO_LONG', message: 'The service company can be at most 100 characters' }]);
    const ok = await inject('PATCH', `/applications/${draft.id}`, { serviceCompany: '' });
    expect(ok.statusCode).toBe(200);
    const discarded = await inject('DELETE', `/applications/${draft.id}`);
    expect(discarded.statusCode).toBe(204);
    expect((await inject('GET', `/applications/${draft.id}`)).statusCode).toBe(404);
  });

  it('tells what blocks a submission field by field, in the reader’s language', async () => {
    const created = await inject('POST', '/applications', { business: 'change', variant: 'service_unit', certificateId });
    expect(created.statusCode, created.body).toBe(201);
    const draft = created.json() as Detail;
    const inEnglish = await inject('POST', `/applications/${draft.id}/submit`, undefined, { 'accept-language': 'en' });
    expect(inEnglish.statusCode).toBe(422);
    const fields = inEnglish.json().error.details.fields as { path: string; code: string; message: string }[];
    expect(fields.find((f) => f.path === 'unitPhone')).toEqual({ path: 'unitPhone', code: 'REQUIRED', message: "Enter the unit's phone number" });
    expect(fields.find((f) => f.path === 'reason')).toEqual({ path: 'reason', code: 'REQUIRED', message: 'Enter the reason for applying' });
    const inChinese = await inject('POST', `/applications/${draft.id}/submit`);
    expect((inChinese.json().error.details.fields as { path: string; message: string }[]).find((f) => f.path === 'unitPhone')?.message).toBe('请填写单位电话');
  });

  it('refuses bad uploads with a specific code and stores good ones without metadata', async () => {
    const draft = (await inject('POST', '/applications', { business: 'credit_assessment', certificateId })).json() as Detail;
    const key = 'education_record';
    const tooLarge = await upload(draft.id, key, Buffer.alloc(10 * 1024 * 1024 + 1, 0xff));
    expect(tooLarge.statusCode).toBe(413);
    expect(tooLarge.json().error.code).toBe('UPLOAD_TOO_LARGE');
    const pdf = await upload(draft.id, key, Buffer.from('%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF'), 'scan.jpg', 'image/jpeg');
    expect(pdf.statusCode).toBe(415);
    expect(pdf.json().error.code).toBe('UPLOAD_UNSUPPORTED_TYPE');
    const empty = await upload(draft.id, key, Buffer.alloc(0));
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error.code).toBe('UPLOAD_EMPTY');
    const photo = await documentPhoto(7);
    const truncated = await upload(draft.id, key, photo.subarray(0, Math.floor(photo.length / 2)));
    expect(truncated.statusCode).toBe(422);
    expect(truncated.json().error.code).toBe('UPLOAD_UNREADABLE');
    const hugePng = await sharp({ create: { width: 12000, height: 12000, channels: 3, background: { r: 0, g: 0, b: 0 } } }).png({ compressionLevel: 9 }).toBuffer();
    const huge = await upload(draft.id, key, hugePng, 'huge.png', 'image/png');
    expect(huge.statusCode).toBe(422);
    expect(huge.json().error.code).toBe('UPLOAD_TOO_MANY_PIXELS');
    const unknownMaterial = await upload(draft.id, 'driving_licence');
    expect(unknownMaterial.statusCode).toBe(404);
    // None of the refusals stored anything.
    expect(((await inject('GET', `/applications/${draft.id}`)).json() as Detail).materials.every((m) => m.uploaded === null)).toBe(true);

    const withGps = await sharp(await documentPhoto(3)).withExif({ IFD0: { Make: 'PhoneMaker' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '39/1 54/1 0/1' } }).jpeg().toBuffer();
    expect((await sharp(withGps).metadata()).exif).toBeDefined();
    expect((await upload(draft.id, key, withGps)).statusCode).toBe(200);
    const stored = await inject('GET', `/applications/${draft.id}/materials/${key}`);
    expect(stored.statusCode).toBe(200);
    expect((await sharp(stored.rawPayload).metadata()).exif).toBeUndefined();
    const thumbnail = await inject('GET', `/applications/${draft.id}/materials/${key}/thumbnail`);
    expect(Math.max((await sharp(thumbnail.rawPayload).metadata()).width ?? 0, 1)).toBeLessThanOrEqual(320);
    // Replace, then delete before submitting.
    expect((await upload(draft.id, key, await documentPhoto(4, { format: 'png' }), 'p.png', 'image/png')).statusCode).toBe(200);
    expect((await inject('DELETE', `/applications/${draft.id}/materials/${key}`)).statusCode).toBe(204);
    expect((await inject('DELETE', `/applications/${draft.id}/materials/${key}`)).statusCode).toBe(404);
    await inject('DELETE', `/applications/${draft.id}`);
  });

  it('flags a blurry photo before submission without blocking it', async () => {
    const draft = (await inject('POST', '/applications', { business: 'credit_assessment', certificateId })).json() as Detail;
    const blurry = await sharp(await documentPhoto(5)).blur(6).jpeg().toBuffer();
    const stored = await upload(draft.id, 'education_record', blurry);
    expect(stored.statusCode).toBe(200);
    expect(stored.json().warnings.map((w: { code: string }) => w.code)).toContain('IMAGE_BLURRY');
    await inject('DELETE', `/applications/${draft.id}`);
  });

  it('hides another driver’s application entirely', async () => {
    const other = await loginDriver(t.app, '13800000002');
    const draft = (await inject('POST', '/applications', { business: 'credit_assessment', certificateId })).json() as Detail;
    const asOther = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
      t.app.inject({ method, url: `/api/v1${url}`, headers: other.headers, ...(payload ? { payload } : {}) });
    for (const response of [
      await asOther('GET', `/applications/${draft.id}`),
      await asOther('PATCH', `/applications/${draft.id}`, { serviceCompany: 'x' }),
      await asOther('POST', `/applications/${draft.id}/submit`),
      await asOther('POST', `/applications/${draft.id}/withdraw`),
      await asOther('DELETE', `/applications/${draft.id}`),
      await upload(draft.id, 'education_record', undefined, 'a.jpg', 'image/jpeg', other),
      await asOther('GET', `/applications/${draft.id}/materials/education_record`),
    ]) {
      expect(response.statusCode).toBe(404);
    }
    // Nor can they open an application on a certificate that is not theirs.
    expect((await asOther('POST', '/applications', { business: 'credit_assessment', certificateId })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/applications' })).statusCode).toBe(401);
    await inject('DELETE', `/applications/${draft.id}`);
  });

  it('refuses a transition on a stale copy of the application: 409 STATE_CHANGED, the log unchanged', async () => {
    const submitted = await completeAndSubmit('credit_assessment', undefined, { serviceCompany: '' });
    const [stale] = await t.database.db.select().from(applications).where(eq(applications.id, submitted.id));
    // A handler accepts first and commits.
    await t.database.db.transaction((tx) => applyTransition(tx, stale!, 'accept', handlerActor, {}, t.clock.now()));
    // The driver's withdraw was decided on the copy read before: the state machine allows it from
    // "submitted", so only the version check can stop it.
    const late = t.database.db.transaction((tx) => applyTransition(tx, stale!, 'withdraw', { actor: 'driver', kind: 'driver', id: driver.userId, role: 'driver' }, {}, t.clock.now()));
    await expect(late).rejects.toMatchObject({ status: 409, code: 'STATE_CHANGED', details: { state: 'accepted' } });
    const final = (await inject('GET', `/applications/${submitted.id}`)).json() as Detail;
    expect(final.state).toBe('accepted');
    expect(final.timeline.map((entry) => entry.action)).toEqual(['submit', 'accept']);
  });

  it('lets exactly one of a withdraw and an acceptance win a race', async () => {
    for (const round of raceRounds()) {
      const submitted = await completeAndSubmit('credit_assessment', undefined, { serviceCompany: '' });
      const [row] = await t.database.db.select().from(applications).where(eq(applications.id, submitted.id));
      const accept = t.database.db.transaction((tx) =>
        applyTransition(tx, row!, 'accept', handlerActor, {}, t.clock.now()),
      );
      const withdraw = inject('POST', `/applications/${submitted.id}/withdraw`);
      const [accepted, withdrawn] = await Promise.allSettled([accept, withdraw]);
      const withdrawWon = withdrawn.status === 'fulfilled' && withdrawn.value.statusCode === 200;
      const acceptWon = accepted.status === 'fulfilled';
      expect(withdrawWon !== acceptWon, `round ${round}`).toBe(true);
      if (!withdrawWon && withdrawn.status === 'fulfilled') {
        expect(withdrawn.value.statusCode).toBe(409);
        expect(withdrawn.value.json().error.message).toMatch(/已受理/);
      }
      if (!acceptWon) expect(accepted.status === 'rejected' && accepted.reason).toMatchObject({ code: 'STATE_CHANGED' });
      const final = (await inject('GET', `/applications/${submitted.id}`)).json() as Detail;
      expect(final.state).toBe(withdrawWon ? 'withdrawn' : 'accepted');
      expect(final.timeline).toHaveLength(2);
      if (acceptWon) {
        // Leave nothing open for the next round and the tests that follow.
        const [fresh] = await t.database.db.select().from(applications).where(eq(applications.id, submitted.id));
        await t.database.db.transaction((tx) =>
          applyTransition(tx, fresh!, 'reject', reviewerActor, { reasonCodes: ['not_qualified'] }, t.clock.now()),
        );
      }
    }
  });

  it('holds one open application per certificate and business even when the first check misses it', async () => {
    // An open application the newest-row check does not see: an older draft, with a closed one after it
    // (as when two requests both passed the check). Only the database's unique index can refuse now.
    const [user] = await t.database.db.select().from(users).where(userPhoneIs('13800000001'));
    const [certificate] = await t.database.db.select().from(certificates).where(eq(certificates.id, certificateId));
    const base = { userId: user!.id, certificateId, business: 'credit_assessment', provinceCode: certificate!.provinceCode, issuingAuthorityCode: certificate!.issuingAuthorityCode, personalInfo: {} };
    const older = new Date(t.clock.now().getTime() - 3_600_000);
    const [open] = await t.database.db
      .insert(applications)
      .values({ ...base, reference: 'CA20260302RACE0001', state: 'draft', createdAt: older, updatedAt: older })
      .returning();
    await t.database.db.insert(applications).values({ ...base, reference: 'CA20260302RACE0002', state: 'withdrawn', createdAt: t.clock.now(), updatedAt: t.clock.now() });
    const before = await t.database.db.select({ id: applications.id }).from(applications).where(eq(applications.certificateId, certificateId));

    const second = await inject('POST', '/applications', { business: 'credit_assessment', certificateId });
    expect(second.statusCode, second.body).toBe(409);
    expect(second.json().error.code).toBe('APPLICATION_ALREADY_OPEN');
    // The unique-index answer cannot name the open application (the check that can did not see it).
    expect(second.json().error.details).toBeUndefined();
    const after = await t.database.db.select({ id: applications.id }).from(applications).where(eq(applications.certificateId, certificateId));
    expect(after).toHaveLength(before.length);
    await t.database.db.delete(applications).where(eq(applications.id, open!.id));
  });

  it('returns for correction with every item at once, pauses the clock, and resumes on resubmission', async () => {
    const submitted = await completeAndSubmit('credit_assessment', undefined, { serviceCompany: '北京顺通物流有限公司' });
    expect(submitted.acceptDeadline).toBe('2026-03-04');
    const [row] = await t.database.db.select().from(applications).where(eq(applications.id, submitted.id));
    await t.database.db.transaction((tx) =>
      applyTransition(
        tx,
        row!,
        'return',
        handlerActor,
        { reasonCodes: ['material_unclear', 'info_incorrect'], reason: '学习记录照片模糊；服务单位名称有误' },
        t.clock.now(),
      ),
    );
    const returned = (await inject('GET', `/applications/${submitted.id}`)).json() as Detail & { corrections: { reasons: { code: string }[]; text: string } };
    expect(returned.state).toBe('returned');
    expect(returned.acceptDeadline).toBeNull();
    expect(returned.corrections.reasons.map((r) => r.code)).toEqual(['material_unclear', 'info_incorrect']);
    expect(returned.corrections.text).toMatch(/服务单位/);
    expect(returned.allowedActions).toEqual(['resubmit']);

    // The driver corrects on Thursday and resubmits: the two working days count from then.
    t.clock.set('2026-03-05T03:00:00Z');
    driver = await loginDriver(t.app, '13800000001'); // the old session has long expired
    expect((await inject('PATCH', `/applications/${submitted.id}`, { serviceCompany: '北京顺通物流股份有限公司' })).statusCode).toBe(200);
    expect((await upload(submitted.id, 'education_record', await documentPhoto(9))).statusCode).toBe(200);
    const resubmitted = await inject('POST', `/applications/${submitted.id}/submit`);
    expect(resubmitted.statusCode, resubmitted.body).toBe(200);
    const detail = resubmitted.json() as Detail;
    expect(detail.state).toBe('submitted');
    expect(detail.timeline.map((entry) => entry.action)).toEqual(['submit', 'return', 'resubmit']);
    // Returned on the day of submission (Mon): nothing used; resumed Thu → Mon 9 March is the second working day.
    expect(detail.acceptDeadline).toBe('2026-03-09');
    await inject('POST', `/applications/${submitted.id}/withdraw`);
  });

  it('uses the province’s own materials', async () => {
    await t.database.db.insert(materialOverrides).values({
      provinceCode: '11',
      business: 'credit_assessment',
      overrides: {
        ops: [{ op: 'add', business: 'credit_assessment', material: { key: 'safety_pledge', name: { zh: '安全承诺书', en: 'Safety pledge' }, example: { zh: '签字的承诺书', en: 'Signed pledge' }, required: true } }],
      },
    });
    const catalog = await t.app.inject({ method: 'GET', url: '/api/v1/catalog/businesses', headers: driver.headers });
    const credit = (catalog.json() as { businesses: { key: string; materials: { key: string }[] }[] }).businesses.find((b) => b.key === 'credit_assessment')!;
    expect(credit.materials.map((m) => m.key)).toContain('safety_pledge');
    const shanghai = await t.app.inject({ method: 'GET', url: '/api/v1/catalog/businesses?province=31' });
    expect((shanghai.json() as { businesses: { key: string; materials: { key: string }[] }[] }).businesses[0]!.materials.map((m) => m.key)).not.toContain('safety_pledge');
    const draft = (await inject('POST', '/applications', { business: 'credit_assessment', certificateId })).json() as Detail;
    expect(draft.missing.materials).toContain('safety_pledge');
    await inject('DELETE', `/applications/${draft.id}`);
    await t.database.db.delete(materialOverrides);
  });

  it('sends a driver who has not verified their real name to do that first', async () => {
    const unverified = await loginDriver(t.app, '13800000019');
    const [user] = await t.database.db.select().from(users).where(userPhoneIs('13800000019'));
    expect(user?.verifiedAt).toBeNull();
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/applications', headers: unverified.headers, payload: { business: 'credit_assessment', certificateId } });
    expect(response.statusCode).toBe(403);
    expect(response.json().error.code).toBe('REAL_NAME_REQUIRED');
  });
});
