import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyTransition, type ApplicationRow } from '../../src/server/applications/transitions.ts';
import { provinceCalendar } from '../../src/server/calendar/workingCalendar.ts';
import { applications, auditLog, contacts } from '../../src/server/db/schema.ts';
import { totpCodeAt } from '../../src/server/staff/totp.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { loginDriver } from '../helpers/driverLogin.ts';
import { handlerActor, insertCertificate, reviewerActor, submittedApplication } from '../helpers/applications.ts';
import { type StaffLogin, staffLogin } from '../helpers/staffLogin.ts';

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
interface ErrorBody {
  error: { code: string; details?: { fields?: { path: string }[] } };
}

const handler = handlerActor;
const reviewer = reviewerActor;
const validCategory = [{ code: 'freight_driver', firstIssueDate: '2020-01-01', validFrom: '2020-01-01', validTo: '2029-12-31' }];

describe('province administration', () => {
  let t: TestApp;
  let bjAdmin: StaffLogin;
  let shAdmin: StaffLogin;
  let sysAdmin: StaffLogin;
  let bjHandler: StaffLogin;

  beforeAll(async () => {
    t = await createTestApp();
    // Tuesday 10 March 2026, 10:00 in China: no holiday near, so working days are easy to count by hand.
    t.clock.set('2026-03-10T02:00:00Z');
    bjAdmin = await staffLogin(t, 'bj-admin');
    shAdmin = await staffLogin(t, 'sh-admin');
    sysAdmin = await staffLogin(t, 'sys-admin');
    bjHandler = await staffLogin(t, 'bj-handler');
  });
  afterAll(async () => {
    await t.close();
  });

  const call = (as: { headers: Record<string, string> } | null, method: Method, url: string, payload?: unknown) =>
    t.app.inject({ method, url: `/api/v1${url}`, headers: as?.headers ?? {}, ...(payload === undefined ? {} : { payload: payload as object }) });
  const code = (response: { json(): unknown }) => (response.json() as ErrorBody).error.code;
  const auditRows = (event: string) => t.database.db.select().from(auditLog).where(eq(auditLog.event, event));

  describe('who may manage what', () => {
    it('is for province and system admins only', async () => {
      expect((await call(null, 'GET', '/staff/admin/contacts')).statusCode).toBe(401);
      const driver = await loginDriver(t.app, '13800000001');
      expect((await call(driver, 'GET', '/staff/admin/contacts')).statusCode).toBe(401);
      const handlerAnswer = await call(bjHandler, 'GET', '/staff/admin/contacts');
      expect(handlerAnswer.statusCode).toBe(403);
      expect(code(handlerAnswer)).toBe('STAFF_ROLE_FORBIDDEN');
      expect((await call(bjHandler, 'GET', '/staff/sla')).statusCode).toBe(403);
    });

    it('keeps a province admin to their province; a system admin names the province', async () => {
      for (const url of ['/staff/admin/contacts?province=11', '/staff/admin/calendar?province=11', '/staff/admin/materials?province=11', '/staff/admin/staff?province=11', '/staff/sla?province=11']) {
        const response = await call(shAdmin, 'GET', url);
        expect(response.statusCode, url).toBe(403);
        expect(code(response)).toBe('PROVINCE_FORBIDDEN');
      }
      const own = await call(shAdmin, 'GET', '/staff/admin/contacts');
      expect((own.json() as { province: { code: string } }).province.code).toBe('31');

      const unnamed = await call(sysAdmin, 'GET', '/staff/admin/contacts');
      expect(unnamed.statusCode).toBe(400);
      expect(code(unnamed)).toBe('PROVINCE_REQUIRED');
      expect((await call(sysAdmin, 'GET', '/staff/admin/contacts?province=99')).statusCode).toBe(404);
      expect((await call(sysAdmin, 'GET', '/staff/admin/contacts?province=11')).statusCode).toBe(200);
    });
  });

  describe('contacts (联系我们)', () => {
    it('creates, updates, reorders and deletes the province’s contacts, each change audited, and the public list follows', async () => {
      const created = await call(bjAdmin, 'POST', '/staff/admin/contacts', { name: '张科长', title: '从业资格科', phone: '010-6666 1234', hours: '工作日 9:00–17:00' });
      expect(created.statusCode).toBe(201);
      const contact = created.json() as { id: string; sortOrder: number };

      const patched = await call(bjAdmin, 'PATCH', `/staff/admin/contacts/${contact.id}`, { phone: '010-6666 4321', nameEn: 'Section Chief Zhang' });
      expect(patched.json()).toMatchObject({ nameEn: 'Section Chief Zhang', titleEn: '' });
      expect(patched.json()).toMatchObject({ name: '张科长', phone: '010-6666 4321' });

      const list = (await call(bjAdmin, 'GET', '/staff/admin/contacts')).json() as { contacts: { id: string; name: string }[] };
      expect(list.contacts.at(-1)!.id).toBe(contact.id);
      const reversed = list.contacts.map((c) => c.id).reverse();
      const reordered = await call(bjAdmin, 'PUT', '/staff/admin/contacts/order', { ids: reversed });
      expect(reordered.statusCode).toBe(200);
      const publicList = (await call(null, 'GET', '/contacts?province=11')).json() as { contacts: { name: string; phone: string }[] };
      expect(publicList.contacts[0]).toEqual(expect.objectContaining({ name: '张科长', phone: '010-6666 4321', nameEn: 'Section Chief Zhang' }));

      const incomplete = await call(bjAdmin, 'PUT', '/staff/admin/contacts/order', { ids: reversed.slice(1) });
      expect(incomplete.statusCode).toBe(400);
      expect(code(incomplete)).toBe('CONTACT_ORDER_MISMATCH');

      expect((await call(bjAdmin, 'DELETE', `/staff/admin/contacts/${contact.id}`)).statusCode).toBe(204);
      expect(await t.database.db.select().from(contacts).where(eq(contacts.id, contact.id))).toEqual([]);

      for (const event of ['admin.contact.create', 'admin.contact.update', 'admin.contact.reorder', 'admin.contact.delete']) {
        const rows = await auditRows(event);
        expect(rows, event).toHaveLength(1);
        expect(rows[0]).toMatchObject({ username: 'bj-admin', role: 'province_admin', provinceCode: '11' });
      }
      expect((await auditRows('admin.contact.update'))[0]!.details).toEqual({ changed: { phone: { from: '010-6666 1234', to: '010-6666 4321' }, nameEn: { from: '', to: 'Section Chief Zhang' } } });
    });

    it('refuses bad input with the field named, and another province’s contact is not there', async () => {
      const bad = await call(bjAdmin, 'POST', '/staff/admin/contacts', { name: '', phone: 'call me' });
      expect(bad.statusCode).toBe(400);
      expect(code(bad)).toBe('VALIDATION_FAILED');
      expect((bad.json() as ErrorBody).error.details!.fields!.map((f) => f.path).sort()).toEqual(['name', 'phone']);

      const [beijing] = await t.database.db.select().from(contacts).where(eq(contacts.provinceCode, '11'));
      for (const [method, url, body] of [
        ['PATCH', `/staff/admin/contacts/${beijing!.id}`, { name: 'x' }],
        ['DELETE', `/staff/admin/contacts/${beijing!.id}`, undefined],
      ] as const) {
        const response = await call(shAdmin, method, url, body);
        expect(response.statusCode).toBe(404);
        expect(code(response)).toBe('CONTACT_NOT_FOUND');
      }
      // The system admin may edit any province's.
      expect((await call(sysAdmin, 'PATCH', `/staff/admin/contacts/${beijing!.id}`, { hours: '工作日 8:30–17:30' })).statusCode).toBe(200);
      const [audited] = await auditRows('admin.contact.update').then((rows) => rows.filter((r) => r.username === 'sys-admin'));
      expect(audited).toMatchObject({ role: 'system_admin', provinceCode: '11', targetId: beijing!.id });
    });
  });

  describe('working-day calendar', () => {
    it('shows whether the year has official data', async () => {
      const current = (await call(bjAdmin, 'GET', '/staff/admin/calendar')).json() as { year: number; hasOfficialData: boolean; coverage: { lastYear: number } };
      expect(current).toMatchObject({ year: 2026, hasOfficialData: true });
      const beyond = (await call(bjAdmin, 'GET', `/staff/admin/calendar?year=${current.coverage.lastYear + 1}`)).json() as { hasOfficialData: boolean };
      expect(beyond.hasOfficialData).toBe(false);
    });

    it('an override moves the deadlines of the province’s running applications, and deleting it moves them back', async () => {
      const certificateId = await insertCertificate(t, '13800000001', validCategory);
      // Submitted Tuesday 10 March: acceptance due Thursday 12 March.
      const application = await submittedApplication(t, { phone: '13800000001', certificateId, business: 'credit_assessment' });
      const deadline = async () => (await t.database.db.select().from(applications).where(eq(applications.id, application.id)))[0]!.acceptDeadline;
      expect(await deadline()).toBe('2026-03-12');

      const added = await call(bjAdmin, 'POST', '/staff/admin/calendar/overrides', { date: '2026-03-11', kind: 'holiday', note: '系统升级停办' });
      expect(added.statusCode).toBe(201);
      const body = added.json() as { override: { id: string; provinceCode: string }; recomputedApplications: number };
      expect(body.override.provinceCode).toBe('11');
      expect(body.recomputedApplications).toBeGreaterThanOrEqual(1);
      expect(await deadline()).toBe('2026-03-13');
      expect((await provinceCalendar(t.database.db, '11')).isWorkingDay('2026-03-11')).toBe(false);
      expect((await provinceCalendar(t.database.db, '31')).isWorkingDay('2026-03-11')).toBe(true);

      const listed = (await call(bjAdmin, 'GET', '/staff/admin/calendar?year=2026')).json() as { overrides: { date: string; kind: string; note: string }[] };
      expect(listed.overrides).toEqual([expect.objectContaining({ date: '2026-03-11', kind: 'holiday', note: '系统升级停办' })]);

      const twice = await call(bjAdmin, 'POST', '/staff/admin/calendar/overrides', { date: '2026-03-11', kind: 'workday' });
      expect(twice.statusCode).toBe(409);
      expect(code(twice)).toBe('CALENDAR_OVERRIDE_EXISTS');
      const badDate = await call(bjAdmin, 'POST', '/staff/admin/calendar/overrides', { date: '2026-02-30', kind: 'holiday' });
      expect(code(badDate)).toBe('VALIDATION_FAILED');
      const badKind = await call(bjAdmin, 'POST', '/staff/admin/calendar/overrides', { date: '2026-03-20', kind: 'half_day' });
      expect(code(badKind)).toBe('VALIDATION_FAILED');

      const foreign = await call(shAdmin, 'DELETE', `/staff/admin/calendar/overrides/${body.override.id}`);
      expect(foreign.statusCode).toBe(404);
      expect((await call(bjAdmin, 'DELETE', `/staff/admin/calendar/overrides/${body.override.id}`)).statusCode).toBe(200);
      expect(await deadline()).toBe('2026-03-12');

      expect((await auditRows('admin.calendar.create'))[0]).toMatchObject({ username: 'bj-admin', provinceCode: '11', details: expect.objectContaining({ date: '2026-03-11', kind: 'holiday' }) });
      expect(await auditRows('admin.calendar.delete')).toHaveLength(1);
      await applyTransition(t.database.db, { ...(await t.database.db.select().from(applications).where(eq(applications.id, application.id)))[0]! }, 'decline', handler, { reasonCodes: ['duplicate'] }, t.clock.now());
    });
  });

  describe('materials per business', () => {
    it('replaces the province’s operations and shows the effective list; drivers of the province see it, others not', async () => {
      const before = (await call(bjAdmin, 'GET', '/staff/admin/materials/renewal')).json() as { materials: { ops: unknown[]; variants: { effective: { key: string }[]; catalog: { key: string }[] }[] } };
      expect(before.materials.ops).toEqual([]);
      expect(before.materials.variants[0]!.effective.map((m) => m.key)).toEqual(before.materials.variants[0]!.catalog.map((m) => m.key));

      const ops = [
        { op: 'add', business: 'renewal', material: { key: 'health_certificate', name: { zh: '体检证明', en: 'Health certificate' }, example: { zh: '二级以上医院出具', en: 'From a grade-2 hospital or above' }, required: true } },
        { op: 'remove', business: 'renewal', key: 'certificate_violation_page' },
        { op: 'replace', business: 'renewal', key: 'driving_licence', material: { required: false } },
      ];
      const saved = await call(bjAdmin, 'PUT', '/staff/admin/materials/renewal', { ops });
      expect(saved.statusCode).toBe(200);
      const effective = (saved.json() as { materials: { variants: { effective: { key: string; required: boolean; source: string }[] }[] } }).materials.variants[0]!.effective;
      expect(effective.map((m) => m.key)).toEqual(['photo_2inch', 'driving_licence', 'certificate_info_page', 'health_certificate']);
      expect(effective.find((m) => m.key === 'driving_licence')).toMatchObject({ required: false, source: 'province' });

      const catalog = async (province: string) =>
        ((await call(null, 'GET', `/catalog/businesses?province=${province}`)).json() as { businesses: { key: string; materials: { key: string }[] }[] }).businesses
          .find((b) => b.key === 'renewal')!
          .materials.map((m) => m.key);
      expect(await catalog('11')).toContain('health_certificate');
      expect(await catalog('31')).not.toContain('health_certificate');
      expect((await auditRows('admin.materials.update'))[0]).toMatchObject({ provinceCode: '11', targetId: 'renewal' });

      // Clearing the list restores the catalog's defaults.
      await call(bjAdmin, 'PUT', '/staff/admin/materials/renewal', { ops: [] });
      expect(await catalog('11')).toContain('certificate_violation_page');
    });

    it('refuses operations that cannot apply, with a code', async () => {
      const cases: [unknown[], string][] = [
        [[{ op: 'remove', business: 'replacement', key: 'driving_licence' }], 'MATERIAL_OVERRIDE_BUSINESS_MISMATCH'],
        [[{ op: 'remove', business: 'renewal', key: 'no_such_material' }], 'MATERIAL_NOT_FOUND'],
        [[{ op: 'remove', business: 'renewal', key: 'driving_licence', variant: 'service_unit' }], 'UNKNOWN_VARIANT'],
        [[{ op: 'add', business: 'renewal', material: { key: 'Bad Key', name: { zh: 'x', en: 'x' }, example: { zh: 'x', en: 'x' }, required: true } }], 'VALIDATION_FAILED'],
        [[{ op: 'rename', business: 'renewal', key: 'driving_licence' }], 'VALIDATION_FAILED'],
      ];
      for (const [ops, expected] of cases) {
        const response = await call(bjAdmin, 'PUT', '/staff/admin/materials/renewal', { ops });
        expect(response.statusCode, expected).toBe(400);
        expect(code(response)).toBe(expected);
      }
      // A bad key is explained in the reader's language, not as a message key.
      const badKey = { ops: [{ op: 'add', business: 'renewal', material: { key: 'Bad Key', name: { zh: 'x', en: 'x' }, example: { zh: 'x', en: 'x' }, required: true } }] };
      for (const [language, expected] of [['en', /lower-case/i], ['zh-CN', /小写字母/]] as const) {
        const response = await t.app.inject({
          method: 'PUT',
          url: '/api/v1/staff/admin/materials/renewal',
          headers: { ...bjAdmin.headers, 'accept-language': language },
          payload: badKey,
        });
        const fields = (response.json() as { error: { details: { fields: { message: string }[] } } }).error.details.fields;
        expect(fields.map((field) => field.message).join(' ')).toMatch(expected);
        expect(fields.map((field) => field.message).join(' ')).not.toMatch(/material\./);
      }
      // A removal after the add of the same key is fine: each op applies to the list as the ones before left it.
      const ok = await call(bjAdmin, 'PUT', '/staff/admin/materials/renewal', {
        ops: [
          { op: 'add', business: 'renewal', material: { key: 'extra', name: { zh: '附加', en: 'Extra' }, example: { zh: 'x', en: 'x' }, required: false } },
          { op: 'remove', business: 'renewal', key: 'extra' },
        ],
      });
      expect(ok.statusCode).toBe(200);
      expect((await call(shAdmin, 'PUT', '/staff/admin/materials/renewal', { province: '11', ops: [] })).statusCode).toBe(403);
    });
  });

  describe('staff accounts', () => {
    it('creates an account with a one-time password and TOTP secret that work for login', async () => {
      const created = await call(bjAdmin, 'POST', '/staff/admin/staff', { username: 'bj-handler-2', displayName: '北京受理员二', role: 'handler' });
      expect(created.statusCode).toBe(201);
      const body = created.json() as { staff: { id: string; provinceCode: string; role: string }; initialPassword: string; totp: { secret: string; otpauthUri: string; qrDataUrl: string } };
      expect(body.staff).toMatchObject({ provinceCode: '11', role: 'handler' });
      expect(body.initialPassword).toMatch(/^.{16}$/);
      expect(body.totp.otpauthUri).toMatch(/^otpauth:\/\/totp\//);
      expect(body.totp.qrDataUrl).toMatch(/^data:image\/png;base64,/);
      // Neither secret is written to the audit log.
      const [audit] = await auditRows('admin.staff.create');
      expect(JSON.stringify(audit)).not.toContain(body.initialPassword);
      expect(JSON.stringify(audit)).not.toContain(body.totp.secret);

      const login = async (password: string) => {
        t.clock.advance(30_000);
        return t.app.inject({ method: 'POST', url: '/api/v1/staff/sessions', payload: { username: 'bj-handler-2', password, totp: totpCodeAt(body.totp.secret, t.clock.now()) } });
      };
      const first = await login(body.initialPassword);
      expect(first.statusCode).toBe(201);
      const session = { headers: { authorization: `Bearer ${(first.json() as { token: string }).token}` } };

      const reset = await call(bjAdmin, 'POST', `/staff/admin/staff/${body.staff.id}/reset-password`);
      const newPassword = (reset.json() as { initialPassword: string }).initialPassword;
      expect(newPassword).not.toBe(body.initialPassword);
      expect((await call(session, 'GET', '/staff/me')).statusCode).toBe(401);
      expect((await login(body.initialPassword)).statusCode).toBe(401);
      const second = await login(newPassword);
      expect(second.statusCode).toBe(201);
      const secondSession = { headers: { authorization: `Bearer ${(second.json() as { token: string }).token}` } };

      const disabled = await call(bjAdmin, 'POST', `/staff/admin/staff/${body.staff.id}/disable`);
      expect((disabled.json() as { staff: { disabledAt: string | null } }).staff.disabledAt).not.toBeNull();
      expect((await call(secondSession, 'GET', '/staff/me')).statusCode).toBe(401);
      expect((await login(newPassword)).statusCode).toBe(401);

      const listed = (await call(bjAdmin, 'GET', '/staff/admin/staff')).json() as { staff: { username: string }[] };
      expect(listed.staff.map((s) => s.username)).toEqual(expect.arrayContaining(['bj-admin', 'bj-handler', 'bj-reviewer', 'bj-handler-2']));
      expect(listed.staff.map((s) => s.username)).not.toContain('sh-admin');
      for (const event of ['admin.staff.create', 'admin.staff.reset_password', 'admin.staff.disable']) expect(await auditRows(event), event).toHaveLength(1);
    });

    it('refuses duplicate names, roles beyond province admin, other provinces’ accounts and disabling oneself', async () => {
      const duplicate = await call(bjAdmin, 'POST', '/staff/admin/staff', { username: 'bj-reviewer', displayName: 'x', role: 'reviewer' });
      expect(duplicate.statusCode).toBe(409);
      expect(code(duplicate)).toBe('USERNAME_TAKEN');
      const tooHigh = await call(bjAdmin, 'POST', '/staff/admin/staff', { username: 'bj-root', displayName: 'x', role: 'system_admin' });
      expect(code(tooHigh)).toBe('VALIDATION_FAILED');
      const badName = await call(bjAdmin, 'POST', '/staff/admin/staff', { username: 'Bad Name', displayName: 'x', role: 'handler' });
      expect(code(badName)).toBe('VALIDATION_FAILED');

      const staffList = (await call(sysAdmin, 'GET', '/staff/admin/staff?province=11')).json() as { staff: { id: string; username: string }[] };
      const bjReviewer = staffList.staff.find((s) => s.username === 'bj-reviewer')!;
      const bjAdminAccount = staffList.staff.find((s) => s.username === 'bj-admin')!;
      for (const action of ['disable', 'reset-password', 'reset-totp']) {
        const response = await call(shAdmin, 'POST', `/staff/admin/staff/${bjReviewer.id}/${action}`);
        expect(response.statusCode, action).toBe(404);
        expect(code(response)).toBe('STAFF_NOT_FOUND');
      }
      const self = await call(bjAdmin, 'POST', `/staff/admin/staff/${bjAdminAccount.id}/disable`);
      expect(self.statusCode).toBe(422);
      expect(code(self)).toBe('CANNOT_DISABLE_SELF');

      const sysCreate = await call(sysAdmin, 'POST', '/staff/admin/staff', { username: 'sh-admin-2', displayName: '上海管理员二', role: 'province_admin', province: '31' });
      expect(sysCreate.statusCode).toBe(201);
      expect((sysCreate.json() as { staff: { provinceCode: string } }).staff.provinceCode).toBe('31');
      expect(code(await call(sysAdmin, 'POST', '/staff/admin/staff', { username: 'nowhere', displayName: 'x', role: 'handler' }))).toBe('PROVINCE_REQUIRED');
    });
  });

  describe('SLA overview', () => {
    it('counts due today and overdue per issuing authority, and averages working days to accept and decide', async () => {
      const at = (iso: string) => new Date(iso);
      const make = async (submittedAt: string) => {
        const certificateId = await insertCertificate(t, '13800000001', validCategory);
        return submittedApplication(t, { phone: '13800000001', certificateId, business: 'credit_assessment', at: at(submittedAt) });
      };
      // Today is Tuesday 10 March. Submitted Thu 5 March: due Mon 9 March, overdue.
      const overdue = await make('2026-03-05T02:00:00Z');
      // Submitted Fri 6 March: due Tue 10 March, today.
      const dueToday = await make('2026-03-06T02:00:00Z');
      // Accepted after 1 and 3 working days; one decided 2 working days after acceptance.
      const quick: ApplicationRow = await make('2026-03-02T02:00:00Z');
      const quickAccepted = await applyTransition(t.database.db, quick, 'accept', handler, {}, at('2026-03-03T02:00:00Z'));
      await applyTransition(t.database.db, quickAccepted, 'approve', reviewer, { rating: 'AA' }, at('2026-03-05T02:00:00Z'));
      const slow = await make('2026-03-02T03:00:00Z');
      await applyTransition(t.database.db, slow, 'accept', handler, {}, at('2026-03-05T03:00:00Z'));
      // Long ago: outside the 30-day window.
      let old = await make('2026-01-05T02:00:00Z');
      old = await applyTransition(t.database.db, old, 'accept', handler, {}, at('2026-01-09T02:00:00Z'));

      const response = await call(bjAdmin, 'GET', '/staff/sla');
      expect(response.statusCode).toBe(200);
      const sla = response.json() as {
        today: string;
        window: { from: string };
        authorities: { code: string; running: number; dueToday: number; overdue: number; toAccept: { count: number; averageWorkingDays: number | null }; toDecide: { count: number; averageWorkingDays: number | null } }[];
        dueToday: { reference: string; remainingWorkingDays: number }[];
        overdue: { reference: string; remainingWorkingDays: number; clock: string }[];
      };
      expect(sla.today).toBe('2026-03-10');
      expect(sla.window.from).toBe('2026-02-09');
      const beijing = sla.authorities.find((a) => a.code === '110000')!;
      // Running: overdue, dueToday, slow (decision due today, 3 working days after Thursday), old.
      expect(beijing).toMatchObject({ running: 4, dueToday: 2, overdue: 2 });
      // The old application (accepted 9 Jan, decision due mid-January) is overdue too.
      expect(sla.overdue.map((r) => r.reference).sort()).toEqual([overdue.reference, old.reference].sort());
      expect(sla.overdue.find((r) => r.reference === overdue.reference)).toMatchObject({ remainingWorkingDays: -1, clock: 'accept' });
      expect(sla.dueToday).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ reference: dueToday.reference, remainingWorkingDays: 0, clock: 'accept' }),
          expect.objectContaining({ reference: slow.reference, remainingWorkingDays: 0, clock: 'decide' }),
        ]),
      );
      expect(sla.dueToday).toHaveLength(2);
      expect(beijing.toAccept).toEqual({ count: 2, averageWorkingDays: 2 });
      expect(beijing.toDecide).toEqual({ count: 1, averageWorkingDays: 2 });

      const shanghai = (await call(shAdmin, 'GET', '/staff/sla')).json() as { authorities: { code: string; overdue: number }[]; overdue: unknown[] };
      expect(shanghai.authorities.map((a) => a.code)).toEqual(['310000']);
      expect(shanghai.overdue).toEqual([]);
      const everywhere = (await call(sysAdmin, 'GET', '/staff/sla')).json() as { province: unknown; authorities: { code: string }[] };
      expect(everywhere.province).toBeNull();
      expect(everywhere.authorities.map((a) => a.code)).toEqual(expect.arrayContaining(['110000', '310000']));
    });
  });
});
