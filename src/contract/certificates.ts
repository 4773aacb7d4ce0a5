import { z } from 'zod';
import { CERTIFICATE_STATUSES } from '../domain/certificate.ts';
import { codeNameSchema, localizedSchema } from './common.ts';
import { photoIdSchema, warningSchema } from './identity.ts';

/** The driver's certificates from the registry and information-verification requests (PRODUCT §2.3, §7). */

export const certificateStatusSchema = z.enum(CERTIFICATE_STATUSES);

/** A category's dates and cancellation, as the registry keeps them (YYYY-MM-DD). */
export const categoryPeriodShape = {
  firstIssueDate: z.string(),
  validFrom: z.string(),
  validTo: z.string(),
  cancelledAt: z.string().nullable(),
  cancelReason: z.string().nullable(),
};

export const certificateCategoryViewSchema = z.object({
  code: z.string(),
  name: localizedSchema,
  /** Name with qualifiers, e.g. 道路危险货物运输驾驶员（爆炸品）. */
  label: localizedSchema,
  qualifiers: z.array(codeNameSchema),
  ...categoryPeriodShape,
  status: certificateStatusSchema,
  statusLabel: localizedSchema,
  /** Why, in words a driver understands (shown next to a greyed-out category). */
  reason: localizedSchema,
  daysToExpiry: z.number().int(),
  renewalWindowOpen: z.boolean(),
});

export const certificateViewSchema = z.object({
  id: z.string(),
  number: z.string(),
  /** 档案号 */
  fileNumber: z.string(),
  holderName: z.string(),
  holderIdNumberMasked: z.string(),
  sex: z.enum(['M', 'F']),
  birthDate: z.string(),
  nationality: z.string(),
  address: z.string(),
  /** 准驾车型 */
  quasiDrivingType: z.string(),
  issuingAuthority: codeNameSchema,
  province: codeNameSchema,
  serviceUnit: z.string(),
  /** Overall: the best of the categories. */
  status: z.object({
    status: certificateStatusSchema,
    label: localizedSchema,
    reason: localizedSchema,
    /** Earliest valid-to among the categories not cancelled. */
    expiresOn: z.string().nullable(),
    renewalWindowOpen: z.boolean(),
  }),
  categories: z.array(certificateCategoryViewSchema),
});
export type CertificateView = z.infer<typeof certificateViewSchema>;

export const myCertificatesResponseSchema = z.object({ certificates: z.array(certificateViewSchema) });
export type MyCertificatesResponse = z.infer<typeof myCertificatesResponseSchema>;

/** The certificate's printed items held as one value each (the categories carry their own dates). */
export const PRINTED_ITEMS = [
  'holderName',
  'sex',
  'birthDate',
  'nationality',
  'address',
  'number',
  'fileNumber',
  'quasiDrivingType',
  'serviceUnit',
  'issuingAuthority',
] as const;

/** Which printed item the driver says is wrong. */
export const VERIFICATION_FIELDS = [
  ...PRINTED_ITEMS,
  'categories',
  'validity',
  'other',
] as const;
export const verificationFieldSchema = z.enum(VERIFICATION_FIELDS);

export const certificateIdParamsSchema = z.object({ id: z.string().max(64) });

export const newVerificationRequestSchema = z.object({
  field: verificationFieldSchema,
  /** What the certificate should say. */
  expectedValue: z.string().trim().min(1).max(200),
  note: z.string().trim().max(500).optional(),
  /** From POST /me/verification-requests/photos. */
  photoId: photoIdSchema.optional(),
});
export type NewVerificationRequest = z.infer<typeof newVerificationRequestSchema>;

export const verificationRequestStateSchema = z.enum(['submitted', 'accepted', 'corrected', 'explained']);

export const verificationRequestViewSchema = z.object({
  id: z.string(),
  certificateId: z.string(),
  certificateNumber: z.string(),
  field: verificationFieldSchema,
  fieldLabel: localizedSchema,
  expectedValue: z.string(),
  note: z.string(),
  hasPhoto: z.boolean(),
  state: verificationRequestStateSchema,
  stateLabel: localizedSchema,
  /** The original issuing authority, which answers. */
  issuingAuthority: codeNameSchema,
  createdAt: z.string(),
  acceptedAt: z.string().nullable(),
  /** Set on acceptance: 2 working days after it. */
  answerDeadline: z.string().nullable(),
  answeredAt: z.string().nullable(),
  answer: z.string().nullable(),
});
export type VerificationRequestView = z.infer<typeof verificationRequestViewSchema>;

export const myVerificationRequestsResponseSchema = z.object({ requests: z.array(verificationRequestViewSchema) });

export const verificationPhotoResponseSchema = z.object({ photoId: photoIdSchema, warnings: z.array(warningSchema) });
