import { z } from 'zod';
import { CREDIT_GRADES } from '../domain/creditAssessment.ts';

/**
 * Vouchers (诚信考核凭证), the electronic qualification certificate's QR, and public verification
 * (PRODUCT §6, §7). Everything a verifier sees is masked.
 */

const rating = z.enum(CREDIT_GRADES);
const day = z.string().describe('YYYY-MM-DD, China time');

/** GET /applications/{id}/voucher — what the app's voucher page shows. */
export const voucherSummarySchema = z.object({
  serial: z.string(),
  rating,
  ratingLabel: z.object({ zh: z.string(), en: z.string() }),
  cycle: z.object({ start: day, end: day }),
  issuedOn: day,
  /** Last day the voucher is valid. */
  expiresOn: day,
  issuer: z.string(),
  /** The issuing authority in both languages (the voucher itself is printed in Chinese). */
  issuerName: z.object({ zh: z.string(), en: z.string() }),
  /** The QR's content: `{base}/v/{token}`. */
  verifyUrl: z.string(),
  token: z.string(),
  pngUrl: z.string(),
  pdfUrl: z.string(),
  status: z.enum(['valid', 'revoked', 'superseded']),
  revokedAt: z.string().optional(),
  supersededAt: z.string().optional(),
});
export type VoucherSummary = z.infer<typeof voucherSummarySchema>;

export const voucherClaimsSchema = z.object({
  serial: z.string(),
  holder: z.string(),
  idMasked: z.string(),
  certificateNumberMasked: z.string().optional(),
  rating,
  cycleStart: day,
  cycleEnd: day,
  issuer: z.string(),
  issuerCode: z.string(),
  issuedAt: day,
  expiresAt: day,
  kid: z.string(),
});

export const certificateClaimsSchema = z.object({
  certificateNumberMasked: z.string(),
  holder: z.string(),
  idMasked: z.string(),
  categories: z.array(z.object({ code: z.string(), label: z.string(), validTo: day })),
  issuer: z.string(),
  issuerCode: z.string(),
  issuedAt: day,
  expiresAt: day,
  kid: z.string(),
});

export const verdictSchema = z.enum(['valid', 'invalid', 'revoked', 'superseded', 'authentic_unchecked']);
export type Verdict = z.infer<typeof verdictSchema>;

export const verifyReasonSchema = z.enum(['malformed', 'tampered', 'unknown_key', 'not_yet_valid', 'expired', 'not_on_record']);

/** GET /verify/{token}: always 200 for an answer (a bad token is the answer `invalid`), 429 when rate limited. */
export const verifyResponseSchema = z.object({
  /** What the token is; absent when it could not be read at all. */
  kind: z.enum(['voucher', 'certificate']).optional(),
  verdict: verdictSchema,
  reason: verifyReasonSchema.optional(),
  /** In the caller's language (lang cookie, then Accept-Language). */
  message: z.string(),
  messages: z.object({ zh: z.string(), en: z.string() }),
  /** Present whenever the signature verified; masked data only. */
  claims: voucherClaimsSchema.optional(),
  certificate: certificateClaimsSchema.optional(),
  revokedAt: z.string().optional(),
  supersededAt: z.string().optional(),
  /** Serial of the voucher that replaced this one. */
  supersededBy: z.string().optional(),
  /** The day (China time) the verdict applies to. */
  checkedOn: day,
});
export type VerifyResponse = z.infer<typeof verifyResponseSchema>;

export const verifyChannelSchema = z.enum(['web', 'app', 'api']);

/** GET /me/certificates/{id}/e-certificate */
export const eCertificateSchema = z.object({
  token: z.string(),
  verifyUrl: z.string(),
  certificate: z.object({
    id: z.string(),
    numberMasked: z.string(),
    holderName: z.string(),
    idMasked: z.string(),
    categories: z.array(z.object({ code: z.string(), label: z.string(), validFrom: day, validTo: day })),
    issuer: z.string(),
  }),
  issuedOn: day,
  expiresOn: day,
});
export type ECertificate = z.infer<typeof eCertificateSchema>;

/** GET /.well-known/rto-keys.json */
export const publishedKeySetSchema = z.object({
  keys: z.array(
    z.object({
      kid: z.string(),
      alg: z.literal('SM2-SM3'),
      publicKeyHex: z.string(),
      createdAt: z.string(),
      /** First and last China-time day the key may have signed on (the verifier enforces them). */
      notBefore: day.optional(),
      notAfter: day.optional(),
      retiredAt: z.string().optional(),
    }),
  ),
});
export type PublishedKeySet = z.infer<typeof publishedKeySetSchema>;
