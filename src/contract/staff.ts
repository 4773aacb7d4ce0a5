import { z } from 'zod';
import { CREDIT_GRADES } from '../domain/creditAssessment.ts';
import {
  applicationIdParamsSchema,
  applicationStateSchema,
  businessKeySchema,
  materialKeySchema,
  materialParamsSchema,
  reasonOptionSchema,
  timelineEntrySchema,
  uploadedMaterialSchema,
} from './applications.ts';
import { categoryPeriodShape, certificateStatusSchema } from './certificates.ts';
import { codeNameSchema, localizedSchema, provinceCodeSchema } from './common.ts';

/**
 * Staff back office API (PRODUCT §5, §7), all under `/api/v1/staff`. Staff authenticate with the
 * `rto_staff_session` cookie (browsers) or `Authorization: Bearer <token>`; a driver's session never opens
 * these routes. Another province's application answers 404, never 403.
 */

export const staffRoleSchema = z.enum(['handler', 'reviewer', 'province_admin', 'system_admin']);
export type StaffRole = z.infer<typeof staffRoleSchema>;

// ---------------------------------------------------------------------------------------------------
// Sessions and the second factor

/** `POST /staff/sessions`. A wrong username, password or code all answer 401 STAFF_LOGIN_FAILED. */
export const staffLoginRequestSchema = z.object({
  username: z.string().trim().min(1).max(64),
  password: z.string().min(1).max(256),
  /** The 6-digit code of the authenticator app (spaces allowed). */
  totp: z.string().max(16),
});
export type StaffLoginRequest = z.infer<typeof staffLoginRequestSchema>;

export const staffProfileSchema = z.object({
  id: z.uuid(),
  username: z.string(),
  displayName: z.string(),
  role: staffRoleSchema,
  /** Null for system admins, who see every province. */
  province: codeNameSchema.nullable(),
  /** What the console may offer this person. */
  capabilities: z.object({
    /** May act on applications (accept, return, approve, …). False for system admins (read only). */
    process: z.boolean(),
    /** May read the audit log (province admins: their province; system admins: all). */
    audit: z.boolean(),
  }),
});
export type StaffProfile = z.infer<typeof staffProfileSchema>;

export const staffLoginResponseSchema = z.object({
  /** For API clients (`Authorization: Bearer`); browsers use the `rto_staff_session` cookie set alongside. */
  token: z.string(),
  /** Latest end of the session (8 hours after login). */
  expiresAt: z.string(),
  /** End of the session if nothing more happens (15 minutes, moves with activity). */
  idleExpiresAt: z.string(),
  staff: staffProfileSchema,
});
export type StaffLoginResponse = z.infer<typeof staffLoginResponseSchema>;

/** `GET /staff/me`. */
export const staffMeResponseSchema = z.object({ staff: staffProfileSchema, expiresAt: z.string(), idleExpiresAt: z.string() });
export type StaffMeResponse = z.infer<typeof staffMeResponseSchema>;

/** `POST /staff/me/totp/enrolment`: a new secret, pending until confirmed with a code from it. */
export const totpEnrolmentResponseSchema = z.object({
  /** Base32, for typing into an authenticator by hand. */
  secret: z.string(),
  /** otpauth://totp/… URI, the content of the QR code. */
  otpauthUri: z.string(),
  /** PNG data URL of the QR code, for `<img src>`. */
  qrDataUrl: z.string(),
});
export type TotpEnrolmentResponse = z.infer<typeof totpEnrolmentResponseSchema>;

/** `POST /staff/me/totp/confirm`: switches to the pending secret when the code is right (else 400 TOTP_CODE_INVALID). */
export const totpConfirmRequestSchema = z.object({ code: z.string().max(16) });
export const totpConfirmResponseSchema = z.object({ confirmed: z.literal(true) });

// ---------------------------------------------------------------------------------------------------
// Work queue

export const dueFilterSchema = z.enum(['overdue', 'today', 'week']);
export type DueFilter = z.infer<typeof dueFilterSchema>;

/** States a staff member can see (drafts belong to the driver alone). */
export const staffVisibleStateSchema = applicationStateSchema.exclude(['draft']);

/**
 * `GET /staff/applications`. Without `state`, the open work: submitted, accepted, returned, approved.
 * `due`: overdue = running deadline before today; today = due today; week = due from today to this Sunday.
 * `q`: a reference (any case, dashes optional) or the last 4 characters of the applicant's ID number.
 * `province`: system admins only (others always get their own province).
 */
export const staffQueueQuerySchema = z.object({
  state: staffVisibleStateSchema.optional(),
  business: businessKeySchema.optional(),
  authority: z.string().regex(/^[0-9A-Za-z]{1,12}$/).optional(),
  due: dueFilterSchema.optional(),
  q: z.string().trim().max(64).optional(),
  province: provinceCodeSchema.optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
export type StaffQueueQuery = z.infer<typeof staffQueueQuerySchema>;

export const deadlineStatusSchema = z.enum(['on_time', 'due_today', 'overdue', 'paused']);

/** The clock that runs now: acceptance (submitted) or decision (accepted); paused while returned. */
export const runningDeadlineSchema = z.object({
  clock: z.enum(['accept', 'decide']),
  /** YYYY-MM-DD, null while paused. */
  date: z.string().nullable(),
  status: deadlineStatusSchema,
  /** Working days left: 0 on the day, negative when overdue, null while paused. */
  remainingWorkingDays: z.number().int().nullable(),
});
export type RunningDeadline = z.infer<typeof runningDeadlineSchema>;

export const staffQueueRowSchema = z.object({
  id: z.uuid(),
  reference: z.string(),
  business: businessKeySchema,
  variant: z.string().nullable(),
  businessName: localizedSchema,
  applicant: z.object({
    /** 王*国 */
    nameMasked: z.string(),
    /** 1101**********123X */
    idNumberMasked: z.string(),
    /** 123X */
    idTail: z.string(),
  }),
  /** Masked like an ID number, which it usually is: 1101**********123X */
  certificateNumber: z.string(),
  provinceCode: z.string(),
  issuingAuthority: codeNameSchema,
  state: staffVisibleStateSchema,
  stateLabel: localizedSchema,
  /** Null when no clock runs (approved and waiting for fulfilment, or closed). */
  deadline: runningDeadlineSchema.nullable(),
  submittedAt: z.string().nullable(),
  updatedAt: z.string(),
});
export type StaffQueueRow = z.infer<typeof staffQueueRowSchema>;

export const staffQueueResponseSchema = z.object({
  items: z.array(staffQueueRowSchema),
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: z.string().nullable(),
  /**
   * Open applications (submitted, accepted, returned, approved) per state in the province (or every
   * province for system admins, unless `province`), ignoring the other filters. Empty on cursor pages.
   */
  counts: z.record(z.string(), z.number().int()),
  /** The office's today (China time), which deadline statuses refer to. */
  today: z.string(),
});
export type StaffQueueResponse = z.infer<typeof staffQueueResponseSchema>;

// ---------------------------------------------------------------------------------------------------
// One application

export const staffApplicationParamsSchema = applicationIdParamsSchema;
export const staffMaterialParamsSchema = materialParamsSchema;

export { reasonOptionSchema };

export const STAFF_ACTIONS = ['accept', 'return', 'decline', 'approve', 'reject', 'mail', 'ready_for_pickup', 'hand_over', 'complete'] as const;
export const staffActionSchema = z.enum(STAFF_ACTIONS);
export type StaffAction = z.infer<typeof staffActionSchema>;

/** An action offered now, with what the form must ask for. */
export const allowedStaffActionSchema = z.object({
  action: staffActionSchema,
  label: localizedSchema,
  /** return/decline/reject: at least one code from `reasons[action]` and a free-text explanation. */
  requiresReason: z.boolean(),
  /** approve of a credit assessment: AAA / AA / A / B. */
  requiresRating: z.boolean(),
  /** mail: carrier and tracking number. */
  requiresTracking: z.boolean(),
});
export type AllowedStaffAction = z.infer<typeof allowedStaffActionSchema>;

export const staffCategorySchema = z.object({
  code: z.string(),
  label: localizedSchema,
  qualifiers: z.array(z.string()),
  ...categoryPeriodShape,
  status: certificateStatusSchema,
  statusLabel: localizedSchema,
});

export const staffMaterialSchema = z.object({
  key: z.string(),
  name: localizedSchema,
  required: z.boolean(),
  /** Flagged by the latest return: 'replace' until the driver uploads a new picture, then 'replaced'. */
  correction: z.enum(['replace', 'replaced']).nullable(),
  /** `url` serves the full-size image; every fetch is audited. */
  uploaded: uploadedMaterialSchema
    .extend({
      /** The stored quality measurements as they are. */
      quality: z.record(z.string(), z.unknown()),
    })
    .nullable(),
});

export const clockSchema = z.object({
  startedOn: z.string(),
  deadline: z.string().nullable(),
  paused: z.boolean(),
  metOn: z.string().nullable(),
});

export const staffApplicationDetailSchema = z.object({
  id: z.uuid(),
  reference: z.string(),
  business: businessKeySchema,
  variant: z.string().nullable(),
  businessName: localizedSchema,
  state: staffVisibleStateSchema,
  stateLabel: localizedSchema,
  /** Send back as `expectedVersion` with an action so a change made meanwhile answers 409. */
  version: z.number().int(),
  provinceCode: z.string(),
  issuingAuthority: codeNameSchema,
  createdAt: z.string(),
  submittedAt: z.string().nullable(),
  updatedAt: z.string(),
  /** The applicant as verified; full name and ID number are shown to the province's staff (the read is audited). */
  applicant: z.object({
    userId: z.uuid(),
    name: z.string(),
    idNumber: z.string(),
    sex: z.string().nullable(),
    birthDate: z.string().nullable(),
    ethnicity: z.string().nullable(),
    address: z.string().nullable(),
    phone: z.string(),
  }),
  /** The driver's answers to the business's form (contact, delivery, new unit, categories to cancel, …). */
  personalInfo: z.record(z.string(), z.unknown()),
  certificate: z.object({
    id: z.uuid(),
    number: z.string(),
    holderName: z.string(),
    holderIdNumber: z.string(),
    sex: z.string(),
    birthDate: z.string(),
    nationality: z.string(),
    address: z.string(),
    fileNumber: z.string(),
    quasiDrivingType: z.string(),
    serviceUnit: z.string(),
    issuingAuthority: codeNameSchema,
    status: certificateStatusSchema,
    categories: z.array(staffCategorySchema),
  }),
  materials: z.array(staffMaterialSchema),
  timeline: z.array(timelineEntrySchema.extend({ actorUsername: z.string().nullable() })),
  deadlines: z.object({
    accept: clockSchema.nullable(),
    decide: clockSchema.nullable(),
    running: runningDeadlineSchema.nullable(),
  }),
  /** What this staff member may do now (empty for system admins and closed applications). */
  allowedActions: z.array(allowedStaffActionSchema),
  reasons: z.object({ return: z.array(reasonOptionSchema), decline: z.array(reasonOptionSchema), reject: z.array(reasonOptionSchema) }),
  /** Credit assessment only: the grades to choose from and the cycle an approval rates. */
  rating: z
    .object({
      grades: z.array(z.object({ grade: z.enum(CREDIT_GRADES), label: localizedSchema })),
      cycle: z.object({ start: z.string(), end: z.string() }).nullable(),
      /** The voucher issued on approval, once there is one. */
      voucher: z.object({ serial: z.string(), rating: z.string(), issuedOn: z.string(), revokedAt: z.string().nullable(), revocationReason: z.string().nullable() }).nullable(),
    })
    .nullable(),
});
export type StaffApplicationDetail = z.infer<typeof staffApplicationDetailSchema>;

/**
 * `POST /staff/applications/:id/actions`. Answers the fresh detail. Errors: 400 REASON_REQUIRED /
 * REASON_TEXT_REQUIRED / UNKNOWN_REASON_CODE / RATING_REQUIRED / TRACKING_NUMBER_REQUIRED /
 * CARRIER_REQUIRED / MATERIAL_UNKNOWN; 403 ACTION_NOT_ALLOWED_FOR_ROLE / STAFF_READ_ONLY;
 * 409 ILLEGAL_TRANSITION or STATE_CHANGED with `details.state` (someone acted first); 422 for registry rules.
 */
export const staffActionRequestSchema = z.object({
  action: staffActionSchema,
  /** return / decline / reject: codes from the detail's `reasons` lists (a return lists every item at once). */
  reasonCodes: z.array(z.string().max(64)).max(20).optional(),
  /** Free-text explanation, required with return / decline / reject. */
  reason: z.string().trim().max(1000).optional(),
  /** return: the materials the driver must upload again (keys from `materials`). */
  materialKeys: z.array(materialKeySchema).max(20).optional(),
  /** approve of a credit assessment. */
  rating: z.enum(CREDIT_GRADES).optional(),
  /** mail */
  carrier: z.string().trim().max(64).optional(),
  trackingNumber: z.string().trim().max(64).optional(),
  /** The `version` the staff member saw; a different current version answers 409 STATE_CHANGED. */
  expectedVersion: z.number().int().min(0).optional(),
});
export type StaffActionRequest = z.infer<typeof staffActionRequestSchema>;

// ---------------------------------------------------------------------------------------------------
// Audit log

/** Events of the staff sessions and casework (the admin and verification parts add their own, dotted). */
export const AUDIT_EVENTS = [
  'login',
  'login_failed',
  'logout',
  'totp_enrolled',
  'read_application',
  'read_material',
  'application_action',
] as const;
export const auditEventSchema = z.enum(AUDIT_EVENTS);

/** Every event the audit log holds, for filtering it: the casework's above plus the other parts' dotted ones. */
export const AUDIT_FILTER_EVENTS = [
  ...AUDIT_EVENTS,
  'admin.calendar.create',
  'admin.calendar.delete',
  'admin.contact.create',
  'admin.contact.update',
  'admin.contact.delete',
  'admin.contact.reorder',
  'admin.identity.update',
  'admin.materials.update',
  'admin.staff.create',
  'admin.staff.disable',
  'admin.staff.enable',
  'admin.staff.reset_password',
  'admin.staff.reset_totp',
  'real_name.read',
  'real_name.read_photo',
  'real_name.approve',
  'real_name.reject',
  'verification.accept',
  'verification.answer',
  'voucher.revoke',
] as const;

/** `GET /staff/audit` — province admins (their province) and system admins (all, or `province`). Newest first. */
export const auditQuerySchema = z.object({
  /** YYYY-MM-DD (China time), inclusive. */
  from: z.iso.date().optional(),
  to: z.iso.date().optional(),
  username: z.string().trim().max(64).optional(),
  /** One of AUDIT_EVENTS, or another part's event such as 'admin.staff.create' or 'verification.answer'. */
  event: z.string().regex(/^[a-z_.:]{1,64}$/).optional(),
  province: provinceCodeSchema.optional(),
  /** Entries about one target, e.g. an application id. */
  targetId: z.string().max(64).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type AuditQuery = z.infer<typeof auditQuerySchema>;

export const auditEntrySchema = z.object({
  id: z.number().int(),
  at: z.string(),
  username: z.string(),
  role: z.string(),
  provinceCode: z.string().nullable(),
  event: z.string(),
  targetKind: z.string(),
  targetId: z.string().nullable(),
  ip: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

export const auditResponseSchema = z.object({ items: z.array(auditEntrySchema), nextCursor: z.string().nullable() });
export type AuditResponse = z.infer<typeof auditResponseSchema>;
