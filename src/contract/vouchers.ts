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
  /** When the QR was made and until when it is accepted (short-lived e-certificate QR). */
  qrIssuedAt: z.string().optional(),
  qrExpiresAt: z.string().optional(),
});

export const verdictSchema = z.enum(['valid', 'invalid', 'revoked', 'superseded', 'authentic_unchecked']);
export type Verdict = z.infer<typeof verdictSchema>;

export const verifyReasonSchema = z.enum(['malformed', 'unsupported_version', 'tampered', 'unknown_key', 'not_yet_valid', 'expired', 'qr_expired', 'not_on_record']);

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
  /** Offline only: issue time of the status list the verdict rests on ("状态截至 …"). */
  statusAsOf: z.string().optional(),
  /** Offline only: why the status list was not used, or that it is stale. */
  statusList: z.enum(['malformed', 'tampered', 'unknown_key', 'not_listed', 'stale']).optional(),
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
  /** The QR is accepted from qrIssuedAt until qrExpiresAt (a few minutes); the app fetches a new one before. */
  qrIssuedAt: z.string(),
  qrExpiresAt: z.string(),
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
      /** The kinds of document the key may sign (absent: any, in key sets published before trust lists). */
      documents: z.array(z.enum(['voucher', 'certificate', 'status_list', 'trust_list'])).optional(),
      retiredAt: z.string().optional(),
    }),
  ),
  /** The trust list envelope (src/domain/trustList.ts): absent only in key sets saved by older apps. */
  type: z.literal('RtoTrustList').optional(),
  version: z.literal(1).optional(),
  issued: z.string().optional(),
  signatures: z.array(z.object({ kid: z.string(), signature: z.string() })).optional(),
});

/** GET /.well-known/rto-status.json (src/domain/statusList.ts). */
export const statusListSchema = z.object({
  type: z.literal('RtoStatusList'),
  version: z.literal(1),
  kid: z.string(),
  issued: z.string(),
  nextUpdate: z.string(),
  entries: z.number().int(),
  bitsPerEntry: z.literal(2),
  encodedList: z.string(),
  signature: z.string(),
});
export type PublishedKeySet = z.infer<typeof publishedKeySetSchema>;
