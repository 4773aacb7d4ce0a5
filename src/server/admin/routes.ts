import { and, eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  businessMaterialsResponseSchema,
  businessParamsSchema,
  calendarChangeResponseSchema,
  calendarQuerySchema,
  calendarResponseSchema,
  contactOrderSchema,
  contactPatchSchema,
  contactSchema,
  contactsListResponseSchema,
  idParamsSchema,
  materialOpsBodySchema,
  materialsResponseSchema,
  newCalendarOverrideSchema,
  newContactSchema,
  newStaffAccountResponseSchema,
  newStaffAccountSchema,
  passwordResetResponseSchema,
  provinceQuerySchema,
  slaResponseSchema,
  staffAccountResponseSchema,
  staffAccountsResponseSchema,
  totpResetResponseSchema,
} from '../../contract/admin.ts';
import { errorBodySchema } from '../../contract/common.ts';
import { calendarCoverage, createWorkingCalendar } from '../../domain/calendar.ts';
import { chinaDate, yearOf } from '../../domain/dates.ts';
import { endSubjectSessions, staffSessionPolicy } from '../auth/session.ts';
import type { AppContext } from '../context.ts';
import { calendarOverrides, contacts, staff } from '../db/schema.ts';
import { SEALED } from '../secrets/secretBox.ts';
import { hashPassword } from '../staff/passwords.ts';
import { requireStaff, staffOf } from '../staff/principal.ts';
import { newTotpEnrolment } from '../staff/totp.ts';
import { overrideExists, overrideNotFound, overridesInYear, overrideView, recomputeDeadlines } from './calendar.ts';
import { contactOfProvince, contactOrderMismatch, contactView, nextSortOrder, provinceContacts } from './contacts.ts';
import { allBusinessMaterials, businessMaterials, businessOps, checkOps, replaceOps } from './materials.ts';
import { auditChange } from '../audit/log.ts';
import { adminProvince } from './scope.ts';
import { slaOverview } from './sla.ts';
import { cannotChangeSelf, generateInitialPassword, manageableStaff, provinceStaff, staffAccountView, usernameTaken } from './staffAccounts.ts';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema, 422: errorBodySchema };

/** Province administration (PRODUCT §5): SLA overview, calendar overrides, contacts, materials, staff accounts. */
export async function adminRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const admin = requireStaff(ctx, ['province_admin', 'system_admin']);
  /** Where an item found by id may live: the admin's province, or anywhere for system admins. */
  const idScope = (request: Parameters<typeof staffOf>[0]) => {
    const who = staffOf(request);
    return who.role === 'system_admin' ? null : who.provinceCode;
  };
  const tags = ['staff admin'];

  // ---- SLA overview -----------------------------------------------------------------------------

  api.get('/staff/sla', { onRequest: admin, schema: { tags, querystring: provinceQuerySchema, response: { 200: slaResponseSchema, ...errors } } }, async (request) => {
    const who = staffOf(request);
    // System admins without `province` see every province.
    const province = who.role === 'system_admin' && !request.query.province ? null : await adminProvince(ctx.db, request, request.query.province);
    return slaOverview(ctx.db, province, ctx.now());
  });

  // ---- Working-day calendar ---------------------------------------------------------------------

  api.get(
    '/staff/admin/calendar',
    { onRequest: admin, schema: { tags, querystring: calendarQuerySchema, response: { 200: calendarResponseSchema, ...errors } } },
    async (request) => {
      const province = await adminProvince(ctx.db, request, request.query.province);
      const year = request.query.year ?? yearOf(chinaDate(ctx.now()));
      const coverage = calendarCoverage();
      return {
        province,
        year,
        hasOfficialData: createWorkingCalendar().hasOfficialData(year),
        coverage: { firstYear: coverage.firstYear, lastYear: coverage.lastYear },
        overrides: (await overridesInYear(ctx.db, province.code, year)).map(overrideView),
        nationalOverrides: (await overridesInYear(ctx.db, null, year)).map(overrideView),
      };
    },
  );

  api.post(
    '/staff/admin/calendar/overrides',
    { onRequest: admin, schema: { tags, body: newCalendarOverrideSchema, response: { 201: calendarChangeResponseSchema, ...errors } } },
    async (request, reply) => {
      const province = await adminProvince(ctx.db, request, request.body.province);
      const { date, kind, note } = request.body;
      const now = ctx.now();
      const result = await ctx.db.transaction(async (tx) => {
        const [existing] = await tx
          .select({ id: calendarOverrides.id })
          .from(calendarOverrides)
          .where(and(eq(calendarOverrides.provinceCode, province.code), eq(calendarOverrides.date, date)));
        if (existing) throw overrideExists(date);
        const [row] = await tx.insert(calendarOverrides).values({ provinceCode: province.code, date, kind, note }).returning();
        const recomputedApplications = await recomputeDeadlines(tx, province.code, date);
        await auditChange(tx, request, province.code, { event: 'admin.calendar.create', targetKind: 'calendar_override', targetId: row!.id, details: { date, kind, note, recomputedApplications } }, now);
        return { override: overrideView(row!), recomputedApplications };
      });
      return reply.status(201).send(result);
    },
  );

  api.delete(
    '/staff/admin/calendar/overrides/:id',
    { onRequest: admin, schema: { tags, params: idParamsSchema, response: { 200: calendarChangeResponseSchema, ...errors } } },
    async (request) => {
      const scope = idScope(request);
      const now = ctx.now();
      return ctx.db.transaction(async (tx) => {
        const [row] = await tx.select().from(calendarOverrides).where(eq(calendarOverrides.id, request.params.id));
        // Nationwide overrides are not a province's to delete; another province's do not exist for this admin.
        if (!row || row.provinceCode === null || (scope && row.provinceCode !== scope)) throw overrideNotFound();
        await tx.delete(calendarOverrides).where(eq(calendarOverrides.id, row.id));
        const recomputedApplications = await recomputeDeadlines(tx, row.provinceCode, row.date);
        await auditChange(tx, request, row.provinceCode, { event: 'admin.calendar.delete', targetKind: 'calendar_override', targetId: row.id, details: { date: row.date, kind: row.kind, recomputedApplications } }, now);
        return { override: overrideView(row), recomputedApplications };
      });
    },
  );

  // ---- Contacts (联系我们) -------------------------------------------------------------------------

  api.get(
    '/staff/admin/contacts',
    { onRequest: admin, schema: { tags, querystring: provinceQuerySchema, response: { 200: contactsListResponseSchema, ...errors } } },
    async (request) => {
      const province = await adminProvince(ctx.db, request, request.query.province);
      return { province, contacts: (await provinceContacts(ctx.db, province.code)).map(contactView) };
    },
  );

  api.post('/staff/admin/contacts', { onRequest: admin, schema: { tags, body: newContactSchema, response: { 201: contactSchema, ...errors } } }, async (request, reply) => {
    const province = await adminProvince(ctx.db, request, request.body.province);
    const { name, title, phone, hours, nameEn, titleEn, hoursEn } = request.body;
    const now = ctx.now();
    const row = await ctx.db.transaction(async (tx) => {
      const [created] = await tx
        .insert(contacts)
        .values({ provinceCode: province.code, name, title, phone, hours, nameEn, titleEn, hoursEn, sortOrder: await nextSortOrder(tx, province.code) })
        .returning();
      await auditChange(tx, request, province.code, { event: 'admin.contact.create', targetKind: 'contact', targetId: created!.id, details: { name, title, phone, hours, nameEn, titleEn, hoursEn } }, now);
      return created!;
    });
    return reply.status(201).send(contactView(row));
  });

  api.patch(
    '/staff/admin/contacts/:id',
    { onRequest: admin, schema: { tags, params: idParamsSchema, body: contactPatchSchema, response: { 200: contactSchema, ...errors } } },
    async (request) => {
      const now = ctx.now();
      return ctx.db.transaction(async (tx) => {
        const before = await contactOfProvince(tx, request.params.id, idScope(request));
        const [row] = await tx.update(contacts).set(request.body).where(eq(contacts.id, before.id)).returning();
        const changed = Object.fromEntries(
          Object.entries(request.body).filter(([key, value]) => before[key as keyof typeof before] !== value).map(([key, value]) => [key, { from: before[key as keyof typeof before], to: value }]),
        );
        await auditChange(tx, request, before.provinceCode, { event: 'admin.contact.update', targetKind: 'contact', targetId: before.id, details: { changed } }, now);
        return contactView(row!);
      });
    },
  );

  api.delete('/staff/admin/contacts/:id', { onRequest: admin, schema: { tags, params: idParamsSchema, response: { 204: z.null(), ...errors } } }, async (request, reply) => {
    const now = ctx.now();
    await ctx.db.transaction(async (tx) => {
      const row = await contactOfProvince(tx, request.params.id, idScope(request));
      await tx.delete(contacts).where(eq(contacts.id, row.id));
      await auditChange(tx, request, row.provinceCode, { event: 'admin.contact.delete', targetKind: 'contact', targetId: row.id, details: { name: row.name, phone: row.phone } }, now);
    });
    return reply.status(204).send(null);
  });

  api.put(
    '/staff/admin/contacts/order',
    { onRequest: admin, schema: { tags, body: contactOrderSchema, response: { 200: contactsListResponseSchema, ...errors } } },
    async (request) => {
      const province = await adminProvince(ctx.db, request, request.body.province);
      const { ids } = request.body;
      const now = ctx.now();
      const rows = await ctx.db.transaction(async (tx) => {
        const current = await provinceContacts(tx, province.code);
        const known = new Set(current.map((c) => c.id));
        if (ids.length !== current.length || new Set(ids).size !== ids.length || !ids.every((id) => known.has(id))) throw contactOrderMismatch();
        for (const [index, id] of ids.entries()) await tx.update(contacts).set({ sortOrder: index + 1 }).where(eq(contacts.id, id));
        await auditChange(tx, request, province.code, { event: 'admin.contact.reorder', targetKind: 'contact', targetId: null, details: { ids } }, now);
        return provinceContacts(tx, province.code);
      });
      return { province, contacts: rows.map(contactView) };
    },
  );

  // ---- Materials per business ---------------------------------------------------------------------

  api.get(
    '/staff/admin/materials',
    { onRequest: admin, schema: { tags, querystring: provinceQuerySchema, response: { 200: materialsResponseSchema, ...errors } } },
    async (request) => {
      const province = await adminProvince(ctx.db, request, request.query.province);
      return { province, businesses: await allBusinessMaterials(ctx.db, province.code) };
    },
  );

  api.get(
    '/staff/admin/materials/:business',
    { onRequest: admin, schema: { tags, params: businessParamsSchema, querystring: provinceQuerySchema, response: { 200: businessMaterialsResponseSchema, ...errors } } },
    async (request) => {
      const province = await adminProvince(ctx.db, request, request.query.province);
      return { province, materials: businessMaterials(request.params.business, await businessOps(ctx.db, province.code, request.params.business)) };
    },
  );

  api.put(
    '/staff/admin/materials/:business',
    { onRequest: admin, schema: { tags, params: businessParamsSchema, body: materialOpsBodySchema, response: { 200: businessMaterialsResponseSchema, ...errors } } },
    async (request) => {
      const province = await adminProvince(ctx.db, request, request.body.province);
      const { business } = request.params;
      const { ops } = request.body;
      checkOps(business, ops);
      const now = ctx.now();
      await ctx.db.transaction(async (tx) => {
        const before = await businessOps(tx, province.code, business);
        await replaceOps(tx, province.code, business, ops, now);
        await auditChange(tx, request, province.code, { event: 'admin.materials.update', targetKind: 'material_overrides', targetId: business, details: { before, after: ops } }, now);
      });
      return { province, materials: businessMaterials(business, ops) };
    },
  );

  // ---- Staff accounts -------------------------------------------------------------------------------

  api.get(
    '/staff/admin/staff',
    { onRequest: admin, schema: { tags, querystring: provinceQuerySchema, response: { 200: staffAccountsResponseSchema, ...errors } } },
    async (request) => {
      const province = await adminProvince(ctx.db, request, request.query.province);
      return { province, staff: (await provinceStaff(ctx.db, province.code)).map(staffAccountView) };
    },
  );

  api.post(
    '/staff/admin/staff',
    { onRequest: admin, schema: { tags, body: newStaffAccountSchema, response: { 201: newStaffAccountResponseSchema, ...errors } } },
    async (request, reply) => {
      const province = await adminProvince(ctx.db, request, request.body.province);
      const { username, displayName, role } = request.body;
      const initialPassword = generateInitialPassword();
      const [passwordHash, totp] = await Promise.all([hashPassword(initialPassword), newTotpEnrolment(username)]);
      const now = ctx.now();
      const row = await ctx.db.transaction(async (tx) => {
        const [created] = await tx
          .insert(staff)
          .values({ username, displayName, role, provinceCode: province.code, passwordHash, totpSecret: ctx.secrets.seal(SEALED.totpSecret, totp.secret), createdAt: now })
          .onConflictDoNothing()
          .returning();
        if (!created) throw usernameTaken();
        await auditChange(tx, request, province.code, { event: 'admin.staff.create', targetKind: 'staff', targetId: created.id, details: { username, role } }, now);
        return created;
      });
      return reply.status(201).send({ staff: staffAccountView(row), initialPassword, totp });
    },
  );

  api.post(
    '/staff/admin/staff/:id/disable',
    { onRequest: admin, schema: { tags, params: idParamsSchema, response: { 200: staffAccountResponseSchema, ...errors } } },
    async (request) => {
      const now = ctx.now();
      return ctx.db.transaction(async (tx) => {
        const target = await manageableStaff(tx, request.params.id, idScope(request));
        if (target.id === staffOf(request).id) throw cannotChangeSelf();
        const [row] = await tx.update(staff).set({ disabledAt: target.disabledAt ?? now }).where(eq(staff.id, target.id)).returning();
        await endSubjectSessions(tx, staffSessionPolicy, target.id, now);
        await auditChange(tx, request, target.provinceCode, { event: 'admin.staff.disable', targetKind: 'staff', targetId: target.id, details: { username: target.username } }, now);
        return { staff: staffAccountView(row!) };
      });
    },
  );

  api.post(
    '/staff/admin/staff/:id/enable',
    { onRequest: admin, schema: { tags, params: idParamsSchema, response: { 200: staffAccountResponseSchema, ...errors } } },
    async (request) => {
      const now = ctx.now();
      return ctx.db.transaction(async (tx) => {
        const target = await manageableStaff(tx, request.params.id, idScope(request));
        const [row] = await tx.update(staff).set({ disabledAt: null, failedLogins: 0, lockedUntil: null }).where(eq(staff.id, target.id)).returning();
        await auditChange(tx, request, target.provinceCode, { event: 'admin.staff.enable', targetKind: 'staff', targetId: target.id, details: { username: target.username } }, now);
        return { staff: staffAccountView(row!) };
      });
    },
  );

  api.post(
    '/staff/admin/staff/:id/reset-password',
    { onRequest: admin, schema: { tags, params: idParamsSchema, response: { 200: passwordResetResponseSchema, ...errors } } },
    async (request) => {
      const now = ctx.now();
      const initialPassword = generateInitialPassword();
      const passwordHash = await hashPassword(initialPassword);
      return ctx.db.transaction(async (tx) => {
        const target = await manageableStaff(tx, request.params.id, idScope(request));
        const [row] = await tx.update(staff).set({ passwordHash, failedLogins: 0, lockedUntil: null }).where(eq(staff.id, target.id)).returning();
        await endSubjectSessions(tx, staffSessionPolicy, target.id, now);
        await auditChange(tx, request, target.provinceCode, { event: 'admin.staff.reset_password', targetKind: 'staff', targetId: target.id, details: { username: target.username } }, now);
        return { staff: staffAccountView(row!), initialPassword };
      });
    },
  );

  api.post(
    '/staff/admin/staff/:id/reset-totp',
    { onRequest: admin, schema: { tags, params: idParamsSchema, response: { 200: totpResetResponseSchema, ...errors } } },
    async (request) => {
      const now = ctx.now();
      return ctx.db.transaction(async (tx) => {
        const target = await manageableStaff(tx, request.params.id, idScope(request));
        const totp = await newTotpEnrolment(target.username);
        const [row] = await tx
          .update(staff)
          .set({ totpSecret: ctx.secrets.seal(SEALED.totpSecret, totp.secret), totpPendingSecret: null, totpLastCounter: null })
          .where(eq(staff.id, target.id))
          .returning();
        await endSubjectSessions(tx, staffSessionPolicy, target.id, now);
        await auditChange(tx, request, target.provinceCode, { event: 'admin.staff.reset_totp', targetKind: 'staff', targetId: target.id, details: { username: target.username } }, now);
        return { staff: staffAccountView(row!), totp };
      });
    },
  );
}
