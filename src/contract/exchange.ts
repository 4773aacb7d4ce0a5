import { z } from 'zod';
import { CHANGE_TYPES } from '../domain/exchangeChange.ts';
import { categoryPeriodShape } from './certificates.ts';

/** The exchange with the ministerial system (/api/exchange/v1): see docs/exchange.md. */

export const changeCategorySchema = z.object({
  code: z.string(),
  qualifiers: z.array(z.string()),
  ...categoryPeriodShape,
});

export const exchangeChangeSchema = z.object({
  v: z.literal(1),
  id: z.string().uuid(),
  type: z.enum(CHANGE_TYPES),
  occurredAt: z.string(),
  provinceCode: z.string(),
  authority: z.object({ code: z.string(), name: z.string() }),
  certificate: z.object({
    number: z.string(),
    holderIdNumber: z.string(),
    holderName: z.string(),
    quasiDrivingType: z.string(),
    serviceUnit: z.string(),
    fileNumber: z.string(),
    categories: z.array(changeCategorySchema),
  }),
  application: z.object({ reference: z.string(), business: z.string() }).nullable(),
  details: z.record(z.string(), z.unknown()),
});

export const signedChangeSchema = z.object({
  cursor: z.string().describe('Position of this change in the feed; pass it as `after` to continue after it'),
  change: exchangeChangeSchema,
  signature: z.object({
    alg: z.literal('SM2-SM3'),
    kid: z.string().describe('Key id in /.well-known/rto-keys.json'),
    value: z.string().describe('base64url r||s (64 bytes) over the canonical JSON of `change`'),
  }),
});

export const changesQuerySchema = z.object({
  after: z.string().max(20).optional().describe('Cursor of the last change consumed; omit to start from the beginning'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const changesResponseSchema = z.object({
  changes: z.array(signedChangeSchema),
  nextCursor: z.string(),
  hasMore: z.boolean(),
});

const externalIdSchema = z.string().trim().min(1).max(64).describe('The sender’s id of this message: sending it again is answered with the first receipt');

export const inboundVerificationRequestSchema = z.object({
  externalId: externalIdSchema,
  certificateNumber: z.string().trim().min(1).max(32),
  field: z.string().trim().min(1).max(40).describe('The registry item in question, e.g. holderName, validity, serviceUnit'),
  expectedValue: z.string().trim().max(200).default(''),
  note: z.string().trim().max(1000).default(''),
});

export const inboundCorrectionSchema = z.object({
  externalId: externalIdSchema,
  certificateNumber: z.string().trim().min(1).max(32),
  field: z.string().trim().min(1).max(40),
  category: z.string().trim().max(40).optional(),
  value: z.string().trim().max(200),
  note: z.string().trim().max(1000).default(''),
});

export const inboundReceiptSchema = z.object({
  id: z.string().uuid(),
  kind: z.enum(['verification_request', 'registry_correction']),
  state: z.string(),
  provinceCode: z.string(),
  receivedAt: z.string(),
  /** False when this externalId had been received before (nothing new was stored). */
  created: z.boolean(),
});
