import { z } from 'zod';
import { localizedSchema } from './common.ts';

/**
 * Separate consent to sensitive personal information (PIPL Art. 29), asked before the ID-card photo is
 * uploaded ('id_card') and before the face check ('face'): what is collected, why, how long it is kept,
 * and what refusing means. Each consent is recorded with the version of the text the driver saw.
 */
export const SENSITIVE_CONSENT_KEYS = ['id_card', 'face'] as const;
export const sensitiveConsentKeySchema = z.enum(SENSITIVE_CONSENT_KEYS);
export type SensitiveConsentKey = z.infer<typeof sensitiveConsentKeySchema>;

export const sensitiveConsentSchema = z.object({
  key: sensitiveConsentKeySchema,
  version: z.string(),
  title: localizedSchema,
  sections: z.array(z.object({ heading: localizedSchema, paragraphs: z.array(localizedSchema) })),
  /** The driver agreed to this version. */
  given: z.boolean(),
  givenAt: z.string().nullable(),
});
export type SensitiveConsent = z.infer<typeof sensitiveConsentSchema>;

/** `GET /identity/consents`. */
export const sensitiveConsentsResponseSchema = z.object({
  /** Whether real-name authentication here includes a face check (and so asks the 'face' consent). */
  faceCheck: z.boolean(),
  consents: z.array(sensitiveConsentSchema),
});
export type SensitiveConsentsResponse = z.infer<typeof sensitiveConsentsResponseSchema>;

/** `POST /identity/consents`: agrees to `key` in the `version` shown. */
export const sensitiveConsentRequestSchema = z.object({ key: sensitiveConsentKeySchema, version: z.string().max(64) });
export type SensitiveConsentRequest = z.infer<typeof sensitiveConsentRequestSchema>;
