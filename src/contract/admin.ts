import { z } from 'zod';
import { materialOverrideSchema } from '../domain/catalog.ts';
import { businessKeySchema } from './applications.ts';
import { catalogMaterialSchema } from './catalog.ts';
import { codeNameSchema, localizedSchema, provinceCodeSchema } from './common.ts';
import { PRINTED_ITEMS, verificationFieldSchema, verificationRequestStateSchema } from './certificates.ts';

/**
 * Province administration, the SLA overview and the information-verification queue, all under
 * `/api/v1/staff`. Province admins work on their own province (`province` is optional for them and must
 * be their own: another province answers 403 PROVINCE_FORBIDDEN; another province's item by id answers
 * 404). System admins may act on any province and must name it with `province` where a province is
 * needed (400 PROVINCE_REQUIRED). Every change is written to the audit log as `admin.*` / `verification.*`.
 */

export { provinceCodeSchema };
export const provinceQuerySchema = z.object({ province: provinceCodeSchema.optional() });
export const provinceRefSchema = codeNameSchema;
const isoDateSchema = z.iso.date();

// ---------------------------------------------------------------------------------------------------
// SLA overview: GET /staff/sla?province=  (province_admin: own; system_admin: any, or every province without it)

export const slaDeadlineRowSchema = z.object({
  id: z.uuid(),
  reference: z.string(),
  business: businessKeySchema,
  businessName: localizedSchema,
  state: z.enum(['submitted', 'accepted']),
  provinceCode: z.string(),
  issuingAuthorityCode: z.string(),
  clock: z.enum(['accept', 'decide']),
  deadline: z.string(),
  /** 0 = due today; negative = working days overdue. */
  remainingWorkingDays: z.number().int(),
});
export type SlaDeadlineRow = z.infer<typeof slaDeadlineRowSchema>;

export const slaAverageSchema = z.object({
  /** Applications that reached the step within the window. */
  count: z.number().int(),
  /** Mean working days (province calendar, time returned for correction excluded), 1 decimal; null without any. */
  averageWorkingDays: z.number().nullable(),
});

export const slaAuthoritySchema = z.object({
  code: z.string(),
  name: localizedSchema,
  provinceCode: z.string(),
  /** Open applications with a running clock (submitted or accepted). */
  running: z.number().int(),
  dueToday: z.number().int(),
  overdue: z.number().int(),
  /** Submission → acceptance, for acceptances in the window. */
  toAccept: slaAverageSchema,
  /** Acceptance → approval or rejection, for decisions in the window. */
  toDecide: slaAverageSchema,
});

export const slaResponseSchema = z.object({
  province: provinceRefSchema.nullable(),
  /** China-time today, which due/overdue refer to. */
  today: z.string(),
  /** The averages' window: the last 30 days up to today, inclusive. */
  window: z.object({ from: z.string(), to: z.string(), days: z.number().int() }),
  totals: slaAuthoritySchema.omit({ code: true, name: true, provinceCode: true }),
  authorities: z.array(slaAuthoritySchema),
  /** At most 200 each, most urgent first. */
  dueToday: z.array(slaDeadlineRowSchema),
  overdue: z.array(slaDeadlineRowSchema),
});
export type SlaResponse = z.infer<typeof slaResponseSchema>;

// ---------------------------------------------------------------------------------------------------
// Working-day calendar: /staff/admin/calendar

export const calendarQuerySchema = z.object({ province: provinceCodeSchema.optional(), year: z.coerce.number().int().min(2000).max(2100).optional() });

export const calendarOverrideSchema = z.object({
  id: z.uuid(),
  /** Null for a nationwide override (read only here). */
  provinceCode: z.string().nullable(),
  date: z.string(),
  kind: z.enum(['workday', 'holiday']),
  note: z.string(),
});
export type CalendarOverrideView = z.infer<typeof calendarOverrideSchema>;

/** `GET /staff/admin/calendar?province=&year=` (year defaults to this year). */
export const calendarResponseSchema = z.object({
  province: provinceRefSchema,
  year: z.number().int(),
  /** Whether the State Council's arrangement for `year` is in the shipped data; if not, weekends + overrides only. */
  hasOfficialData: z.boolean(),
  coverage: z.object({ firstYear: z.number().int(), lastYear: z.number().int() }),
  /** The province's overrides in `year`, by date. */
  overrides: z.array(calendarOverrideSchema),
  /** Nationwide overrides in `year` (apply unless the province overrides the same date). */
  nationalOverrides: z.array(calendarOverrideSchema),
});

/** `POST /staff/admin/calendar/overrides` → 201 { override, recomputedApplications }. 409 CALENDAR_OVERRIDE_EXISTS for a date already overridden. */
export const newCalendarOverrideSchema = z.object({
  province: provinceCodeSchema.optional(),
  date: isoDateSchema,
  kind: z.enum(['workday', 'holiday']),
  note: z.string().trim().max(100).default(''),
});
/** The open applications whose cached deadlines were recomputed with the changed calendar. */
export const calendarChangeResponseSchema = z.object({ override: calendarOverrideSchema, recomputedApplications: z.number().int() });
export const idParamsSchema = z.object({ id: z.uuid() });
// DELETE /staff/admin/calendar/overrides/:id → 200 { override (as it was), recomputedApplications }

// ---------------------------------------------------------------------------------------------------
// Contacts (联系我们): /staff/admin/contacts

/** Landlines (010-12328, 0571-8888 8888), hotlines (12328) and mobiles. */
export const contactPhoneSchema = z
  .string()
  .trim()
  .regex(/^\+?[0-9][0-9\- ()]{3,22}[0-9]$/, { error: '请输入有效的电话号码' });

export const contactSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  title: z.string(),
  phone: z.string(),
  hours: z.string(),
  nameEn: z.string(),
  titleEn: z.string(),
  hoursEn: z.string(),
  sortOrder: z.number().int(),
});
export type ContactView = z.infer<typeof contactSchema>;

export const contactsListResponseSchema = z.object({ province: provinceRefSchema, contacts: z.array(contactSchema) });

/** `POST /staff/admin/contacts` → 201 contact (appended at the end of the list). */
export const newContactSchema = z.object({
  province: provinceCodeSchema.optional(),
  name: z.string().trim().min(1).max(100),
  title: z.string().trim().max(100).default(''),
  phone: contactPhoneSchema,
  hours: z.string().trim().max(200).default(''),
  nameEn: z.string().trim().max(200).default(''),
  titleEn: z.string().trim().max(200).default(''),
  hoursEn: z.string().trim().max(200).default(''),
});
/** `PATCH /staff/admin/contacts/:id` → 200 contact. */
export const contactPatchSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    title: z.string().trim().max(100),
    phone: contactPhoneSchema,
    hours: z.string().trim().max(200),
    nameEn: z.string().trim().max(200),
    titleEn: z.string().trim().max(200),
    hoursEn: z.string().trim().max(200),
  })
  .partial();
/** `PUT /staff/admin/contacts/order`: every contact id of the province, once, in the new order (else 400 CONTACT_ORDER_MISMATCH) → 200 list. */
export const contactOrderSchema = z.object({ province: provinceCodeSchema.optional(), ids: z.array(z.uuid()).max(200) });
// DELETE /staff/admin/contacts/:id → 204

// ---------------------------------------------------------------------------------------------------
// Materials per business: /staff/admin/materials

export const businessParamsSchema = z.object({ business: businessKeySchema });

/** A material as drivers of the province see it (the same shape as the public catalogue's). */
export const effectiveMaterialSchema = catalogMaterialSchema;

export const businessMaterialsSchema = z.object({
  business: businessKeySchema,
  name: localizedSchema,
  /** The province's operations, in the order they apply. */
  ops: z.array(materialOverrideSchema),
  variants: z.array(
    z.object({
      variant: z.string(),
      name: localizedSchema,
      /** The catalog's defaults. */
      catalog: z.array(effectiveMaterialSchema),
      /** What drivers of the province are asked for. */
      effective: z.array(effectiveMaterialSchema),
    }),
  ),
});
export type BusinessMaterials = z.infer<typeof businessMaterialsSchema>;

/** `GET /staff/admin/materials?province=` */
export const materialsResponseSchema = z.object({ province: provinceRefSchema, businesses: z.array(businessMaterialsSchema) });
/** `GET /staff/admin/materials/:business?province=` */
export const businessMaterialsResponseSchema = z.object({ province: provinceRefSchema, materials: businessMaterialsSchema });

/**
 * `PUT /staff/admin/materials/:business` replaces the province's operations for the business → 200 as GET.
 * 400 VALIDATION_FAILED (an op's shape), MATERIAL_OVERRIDE_BUSINESS_MISMATCH (op for another business),
 * UNKNOWN_VARIANT, MATERIAL_NOT_FOUND (replace/remove of a key not in the list at that point).
 */
export const materialOpsBodySchema = z.object({ province: provinceCodeSchema.optional(), ops: z.array(materialOverrideSchema).max(100) });

// ---------------------------------------------------------------------------------------------------
// Staff accounts: /staff/admin/staff

/** Roles a province admin may give; system admins are made outside the console. */
export const manageableRoleSchema = z.enum(['handler', 'reviewer', 'province_admin']);

export const staffAccountSchema = z.object({
  id: z.uuid(),
  username: z.string(),
  displayName: z.string(),
  role: z.enum(['handler', 'reviewer', 'province_admin', 'system_admin']),
  provinceCode: z.string().nullable(),
  disabledAt: z.string().nullable(),
  /** Set while locked out after failed logins. */
  lockedUntil: z.string().nullable(),
  createdAt: z.string(),
});
export type StaffAccount = z.infer<typeof staffAccountSchema>;

export const staffAccountsResponseSchema = z.object({ province: provinceRefSchema, staff: z.array(staffAccountSchema) });

/** `POST /staff/admin/staff` → 201. 409 USERNAME_TAKEN. */
export const newStaffAccountSchema = z.object({
  province: provinceCodeSchema.optional(),
  username: z
    .string()
    .trim()
    .regex(/^[a-z][a-z0-9._-]{2,31}$/, { error: '用户名为3–32位小写字母、数字、点、下划线或连字符，以字母开头' }),
  displayName: z.string().trim().min(1).max(64),
  role: manageableRoleSchema,
});

export const totpSetupSchema = z.object({ secret: z.string(), otpauthUri: z.string(), qrDataUrl: z.string() });

/** Shown once: the initial password and the authenticator secret are not stored in readable form elsewhere. */
export const newStaffAccountResponseSchema = z.object({ staff: staffAccountSchema, initialPassword: z.string(), totp: totpSetupSchema });
/** `POST /staff/admin/staff/:id/reset-password` → 200 (lockout cleared, sessions ended). */
export const passwordResetResponseSchema = z.object({ staff: staffAccountSchema, initialPassword: z.string() });
/** `POST /staff/admin/staff/:id/reset-totp` → 200 (sessions ended). */
export const totpResetResponseSchema = z.object({ staff: staffAccountSchema, totp: totpSetupSchema });
// POST /staff/admin/staff/:id/disable | /enable → 200 { staff }. 422 CANNOT_DISABLE_SELF.
export const staffAccountResponseSchema = z.object({ staff: staffAccountSchema });

// ---------------------------------------------------------------------------------------------------
// Information-verification requests (信息核查): /staff/verification-requests

export const verificationQueueQuerySchema = z.object({
  state: verificationRequestStateSchema.optional(),
  province: provinceCodeSchema.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** Registry items a correction may change. Category dates need `category` (its code). */
export const CORRECTION_FIELDS = [
  ...PRINTED_ITEMS,
  'categoryFirstIssueDate',
  'categoryValidFrom',
  'categoryValidTo',
] as const;
export const correctionFieldSchema = z.enum(CORRECTION_FIELDS);

export const staffVerificationRequestSchema = z.object({
  id: z.uuid(),
  state: verificationRequestStateSchema,
  stateLabel: localizedSchema,
  field: verificationFieldSchema,
  fieldLabel: localizedSchema,
  /** What the driver says the certificate should show. */
  expectedValue: z.string(),
  /** What the registry shows now (for category items: every category's dates). */
  registryValue: z.string(),
  note: z.string(),
  hasPhoto: z.boolean(),
  provinceCode: z.string(),
  certificate: z.object({
    id: z.uuid(),
    number: z.string(),
    holderName: z.string(),
    /** 1101**********123X */
    holderIdNumberMasked: z.string(),
    issuingAuthority: codeNameSchema,
    categories: z.array(z.object({ code: z.string(), firstIssueDate: z.string(), validFrom: z.string(), validTo: z.string() })),
  }),
  createdAt: z.string(),
  acceptedAt: z.string().nullable(),
  /** 2 working days after acceptance (province calendar). */
  answerDeadline: z.string().nullable(),
  deadlineStatus: z.enum(['on_time', 'due_today', 'overdue']).nullable(),
  answeredAt: z.string().nullable(),
  answer: z.string().nullable(),
});
export type StaffVerificationRequest = z.infer<typeof staffVerificationRequestSchema>;

export const verificationQueueResponseSchema = z.object({
  items: z.array(staffVerificationRequestSchema),
  counts: z.record(z.string(), z.number().int()),
  today: z.string(),
});

/**
 * `POST /staff/verification-requests/:id/answer` → 200 the request. From `submitted` (accepting it at once)
 * or `accepted`; else 409 VERIFICATION_REQUEST_STATE. 'corrected' needs `correction` (400 CORRECTION_REQUIRED)
 * and changes the registry in the same transaction (400 CORRECTION_INVALID, 409 CERTIFICATE_NUMBER_TAKEN,
 * 422 CATEGORY_NOT_FOUND / AUTHORITY_NOT_IN_PROVINCE).
 */
export const verificationAnswerSchema = z.object({
  outcome: z.enum(['corrected', 'explained']),
  /** Shown to the driver. */
  answer: z.string().trim().min(1).max(1000),
  correction: z
    .object({
      field: correctionFieldSchema,
      value: z.string().trim().min(1).max(200),
      /** Category code, for the category* fields. */
      category: z.string().max(64).optional(),
    })
    .optional(),
});
export type VerificationAnswer = z.infer<typeof verificationAnswerSchema>;
// POST /staff/verification-requests/:id/accept → 200 the request; 409 VERIFICATION_REQUEST_STATE unless submitted.
