import { z } from 'zod';
import { localizedSchema } from './common.ts';

/** Accounts: SMS login, sessions, the current driver (PRODUCT §2.1, §7). */

const agreementSchema = z.object({
  key: z.enum(['user_agreement', 'privacy_policy']),
  version: z.string(),
  effectiveDate: z.string(),
  title: localizedSchema,
  sections: z.array(z.object({ heading: localizedSchema, paragraphs: z.array(localizedSchema) })),
});

export const agreementsResponseSchema = z.object({ userAgreement: agreementSchema, privacyPolicy: agreementSchema });
export type AgreementsResponse = z.infer<typeof agreementsResponseSchema>;

/** The phone is checked in the handler so a bad one gets its own code (PHONE_INVALID), not VALIDATION_FAILED. */
const phoneInput = z.string().max(32);

export const smsCodeRequestSchema = z.object({ phone: phoneInput });
export type SmsCodeRequest = z.infer<typeof smsCodeRequestSchema>;

export const smsCodeResponseSchema = z.object({
  /** Seconds before another code may be asked for this phone. */
  resendAfterSeconds: z.number().int(),
  /** Seconds the code just sent stays valid. */
  expiresInSeconds: z.number().int(),
});
export type SmsCodeResponse = z.infer<typeof smsCodeResponseSchema>;

/** The versions of both texts the driver was shown and accepted (as given by GET /auth/agreements). */
export const agreementVersionSchema = z.object({ userAgreement: z.string().min(1).max(64), privacyPolicy: z.string().min(1).max(64) });

export const loginRequestSchema = z.object({
  phone: phoneInput,
  code: z.string().max(16),
  agreementVersion: agreementVersionSchema,
});
export type LoginRequest = z.infer<typeof loginRequestSchema>;

export const identitySchema = z.object({
  /** 王*国 */
  nameMasked: z.string(),
  name: z.string(),
  /** 1101**********123X — the full number never leaves the server. */
  idNumberMasked: z.string(),
  sex: z.enum(['M', 'F']),
  ethnicity: z.string(),
  /** YYYY-MM-DD */
  birthDate: z.string(),
  address: z.string(),
  verifiedAt: z.string(),
});

export const meSchema = z.object({
  id: z.string(),
  /** 138****0001 */
  phoneMasked: z.string(),
  verified: z.boolean(),
  identity: identitySchema.nullable(),
  /** Province of the ID number once verified (GB/T 2260 first two digits), else null. */
  provinceCode: z.string().nullable(),
});
export type Me = z.infer<typeof meSchema>;

export const loginResponseSchema = z.object({
  /** For API clients: send as `Authorization: Bearer <token>`. Browsers use the `rto_session` cookie set alongside. */
  token: z.string(),
  /** When the session ends at the latest (absolute lifetime); inactivity ends it earlier. */
  expiresAt: z.string(),
  /** When the session ends if nothing more happens (moves with activity). */
  idleExpiresAt: z.string(),
  /** True when this login created the account. */
  newAccount: z.boolean(),
  user: meSchema,
});
export type LoginResponse = z.infer<typeof loginResponseSchema>;

export const smsOutboxQuerySchema = z.object({ phone: z.string().max(32) });
export const smsOutboxResponseSchema = z.object({
  messages: z.array(
    z.object({
      phone: z.string(),
      template: z.string(),
      text: z.string(),
      /** The login code, when the message carries one. */
      code: z.string().nullable(),
      sentAt: z.string(),
    }),
  ),
});
export type SmsOutboxResponse = z.infer<typeof smsOutboxResponseSchema>;
