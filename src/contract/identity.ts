import { z } from 'zod';
import { meSchema } from './auth.ts';
import { localizedSchema } from './common.ts';
import { REAL_NAME_REJECTION_REASONS } from '../domain/identityMatch.ts';

/** Real-name verification (PRODUCT §2.2, §7). */

/** An uploaded photo of the caller's own, as returned by an upload; opaque to clients. */
export const photoIdSchema = z.string().regex(/^[0-9a-f]{64}\.(jpg|png)$/);

export const idCardFieldsSchema = z.object({
  name: z.string().optional(),
  sex: z.enum(['M', 'F']).optional(),
  ethnicity: z.string().optional(),
  /** YYYY-MM-DD */
  birthDate: z.string().optional(),
  address: z.string().optional(),
  idNumber: z.string().optional(),
});

export const warningSchema = z.object({ code: z.string(), zh: z.string(), en: z.string() });

/** `POST /identity/id-card-ocr?side=back`: the 国徽面, for provinces that ask for it. */
export const idCardSideQuerySchema = z.object({ side: z.enum(['portrait', 'back']).default('portrait') });

export const idCardBackFieldsSchema = z.object({
  issuingAuthority: z.string().optional(),
  /** YYYY-MM-DD */
  validFrom: z.string().optional(),
  /** YYYY-MM-DD, or 'long-term' (长期) */
  validTo: z.string().optional(),
});

export const idCardOcrResponseSchema = z.object({
  /** Reference the stored (re-encoded) photo in POST /identity/verification; valid for 30 minutes, once. */
  photoId: photoIdSchema,
  side: z.enum(['portrait', 'back']),
  /** The back side's reading (side=back only). */
  back: idCardBackFieldsSchema.optional(),
  /** The back side shows a validity that has ended. */
  expired: z.boolean().optional(),
  /** What could be read; missing fields are typed by the driver. */
  fields: idCardFieldsSchema,
  /** 0..1 */
  confidence: z.number(),
  /** Image-quality and reading doubts the driver may act on (IMAGE_BLURRY, IMAGE_TOO_SMALL, OCR_ID_NUMBER_DOUBTFUL, OCR_LOW_CONFIDENCE, and the cross-checks' OCR_* reasons for an emptied field). */
  warnings: z.array(warningSchema),
  /** Set when no valid ID number was read: retake in good light or type the fields. */
  hint: localizedSchema.nullable(),
});
export type IdCardOcrResponse = z.infer<typeof idCardOcrResponseSchema>;

export const verificationRequestSchema = z.object({
  name: z.string().max(64),
  idNumber: z.string().max(32),
  sex: z.enum(['M', 'F']),
  ethnicity: z.string().max(32),
  /** YYYY-MM-DD */
  birthDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  address: z.string().max(200),
  photoId: photoIdSchema,
  /** The back side's photo, where the ID number's province asks for it. */
  backPhotoId: photoIdSchema.optional(),
});
export type VerificationRequest = z.infer<typeof verificationRequestSchema>;

/** A real-name submission as its driver sees it. */
export const realNameSubmissionSchema = z.object({
  reference: z.string(),
  state: z.enum(['verified', 'face_check', 'pending', 'approved', 'rejected', 'failed']),
  submittedAt: z.string(),
  /** YYYY-MM-DD: the province decides by this day (pending only). */
  deadline: z.string().nullable(),
  /** Why a person looks at it. */
  reviewReasons: z.array(localizedSchema),
  /** 一次性告知: every reason it was refused, and the clerk's note. */
  rejectionReasons: z.array(localizedSchema),
  note: z.string().nullable(),
  decidedAt: z.string().nullable(),
});
export type RealNameSubmission = z.infer<typeof realNameSubmissionSchema>;

export const verificationResponseSchema = z.object({
  /** verified: bound now; review: waiting for the province; face_check: open faceCheckUrl on the phone first. */
  outcome: z.enum(['verified', 'review', 'face_check']),
  user: meSchema,
  /** Certificates of the registry now linked through the ID number (see GET /me/certificates); 0 unless verified. */
  certificatesFound: z.number().int(),
  submission: realNameSubmissionSchema.nullable(),
  faceCheckUrl: z.string().nullable(),
});
export type VerificationResponse = z.infer<typeof verificationResponseSchema>;

/** details.problems of a refused verification: every problem found, not only the first. */
export const verificationProblemSchema = z.object({ field: z.string(), code: z.string(), message: z.string() });

/** `POST /identity/face-check` after the provider sends the phone back with its token. */
export const faceCheckCompleteSchema = z.object({ token: z.string().min(8).max(128).regex(/^[A-Za-z0-9-]+$/) });

/** `GET /identity/real-name`: where the driver stands, so a reload loses nothing. */
export const realNameStatusSchema = z.object({
  status: z.enum(['none', 'verified', 'face_check', 'pending', 'rejected', 'failed']),
  submission: realNameSubmissionSchema.nullable(),
  /** The last unused photo of each side and its reading (photos expire after 30 minutes). */
  portrait: idCardOcrResponseSchema.nullable(),
  back: idCardOcrResponseSchema.nullable(),
  /** Provinces (GB/T 2260 first two digits) whose ID numbers need the back side too. */
  provincesRequiringBack: z.array(z.string()),
  /** An unfinished face check continues here (status face_check). */
  faceCheckUrl: z.string().nullable(),
});
export type RealNameStatus = z.infer<typeof realNameStatusSchema>;

export const realNameRejectionReasonSchema = z.enum(REAL_NAME_REJECTION_REASONS);
