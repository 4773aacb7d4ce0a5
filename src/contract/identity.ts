import { z } from 'zod';
import { meSchema } from './auth.ts';
import { localizedSchema } from './common.ts';

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

export const idCardOcrResponseSchema = z.object({
  /** Reference the stored (re-encoded) photo in POST /identity/verification. */
  photoId: photoIdSchema,
  /** What could be read; missing fields are typed by the driver. */
  fields: idCardFieldsSchema,
  /** 0..1 */
  confidence: z.number(),
  /** Image-quality and reading doubts the driver may act on (IMAGE_BLURRY, IMAGE_TOO_SMALL, OCR_ID_NUMBER_DOUBTFUL, OCR_LOW_CONFIDENCE). */
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
});
export type VerificationRequest = z.infer<typeof verificationRequestSchema>;

export const verificationResponseSchema = z.object({
  user: meSchema,
  /** Certificates of the registry now linked through the ID number (see GET /me/certificates). */
  certificatesFound: z.number().int(),
});
export type VerificationResponse = z.infer<typeof verificationResponseSchema>;

/** details.problems of a refused verification: every problem found, not only the first. */
export const verificationProblemSchema = z.object({ field: z.string(), code: z.string(), message: z.string() });
