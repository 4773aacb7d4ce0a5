import { z } from 'zod';
import { REAL_NAME_REJECTION_REASONS } from '../domain/identityMatch.ts';
import { localizedSchema, provinceCodeSchema } from './common.ts';

/** The staff console's real-name review queue (实名认证审核, PRODUCT §2.2). */

export const realNameReviewStates = ['pending', 'approved', 'rejected'] as const;

export const realNameQueueQuerySchema = z.object({
  state: z.enum(realNameReviewStates).default('pending'),
  province: provinceCodeSchema.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

const identityFieldsSchema = z.object({
  name: z.string().nullable(),
  idNumber: z.string().nullable(),
  sex: z.string().nullable(),
  ethnicity: z.string().nullable(),
  birthDate: z.string().nullable(),
  address: z.string().nullable(),
});

export const realNameReviewSummarySchema = z.object({
  id: z.string(),
  reference: z.string(),
  state: z.enum(realNameReviewStates),
  provinceCode: z.string(),
  /** 王** and 110101********1234: the list shows no one in full. */
  nameMasked: z.string(),
  idNumberMasked: z.string(),
  phoneMasked: z.string(),
  reviewReasons: z.array(z.object({ code: z.string(), label: localizedSchema })),
  submittedAt: z.string(),
  deadline: z.string().nullable(),
  deadlineStatus: z.enum(['on_time', 'due_today', 'overdue']).nullable(),
  decidedAt: z.string().nullable(),
});
export type RealNameReviewSummary = z.infer<typeof realNameReviewSummarySchema>;

export const realNameQueueResponseSchema = z.object({
  items: z.array(realNameReviewSummarySchema),
  counts: z.record(z.string(), z.number()),
  today: z.string(),
});

export const realNameReviewDetailSchema = realNameReviewSummarySchema.extend({
  /** What the driver submitted, in full: reading it is audited. */
  submitted: identityFieldsSchema,
  /** What the reader found on the photo, with its confidence. */
  reading: identityFieldsSchema.extend({ confidence: z.number() }),
  back: z.object({ issuingAuthority: z.string().nullable(), validFrom: z.string().nullable(), validTo: z.string().nullable() }).nullable(),
  differences: z.array(z.object({ field: z.string(), kind: z.string(), read: z.string().nullable(), submitted: z.string() })),
  registry: z.array(z.object({ certificateNumber: z.string(), holderName: z.string(), sameName: z.boolean(), issuingAuthority: z.string() })),
  identityCheck: z.object({ provider: z.string(), result: z.string(), faceResult: z.string().nullable(), similarity: z.number().nullable() }),
  /** The ID number is bound to another phone today: approving moves it here and ends that phone's sessions. */
  boundElsewhere: z.object({ phoneMasked: z.string() }).nullable(),
  hasBackPhoto: z.boolean(),
  rejectionReasons: z.array(z.object({ code: z.string(), label: localizedSchema })),
  note: z.string().nullable(),
  decidedBy: z.string().nullable(),
});
export type RealNameReviewDetail = z.infer<typeof realNameReviewDetailSchema>;

export const realNameRejectSchema = z
  .object({
    reasons: z.array(z.enum(REAL_NAME_REJECTION_REASONS)).min(1).max(REAL_NAME_REJECTION_REASONS.length),
    note: z.string().trim().max(500).default(''),
  })
  .refine((body) => !body.reasons.includes('OTHER') || body.note.length > 0, { message: 'OTHER needs a note', path: ['note'] });
export type RealNameReject = z.infer<typeof realNameRejectSchema>;

export const realNamePhotoParamsSchema = z.object({ id: z.uuid(), side: z.enum(['portrait', 'back']) });

/** `GET|PUT /staff/admin/identity-settings`: what a province asks of real-name authentication. */
export const identitySettingsSchema = z.object({
  province: z.object({ code: z.string(), name: localizedSchema }),
  /** The back of the ID card (国徽面) is asked for, and an expired card is refused. */
  requiresIdCardBack: z.boolean(),
});
export type IdentitySettings = z.infer<typeof identitySettingsSchema>;
export const identitySettingsUpdateSchema = z.object({ province: provinceCodeSchema.optional(), requiresIdCardBack: z.boolean() });
