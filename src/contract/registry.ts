import { z } from 'zod';
import { provinceRefSchema } from './admin.ts';

/** The province admin's view of the registry import and the exchange partners (settings page). */
export const registryImportSummarySchema = z.object({
  id: z.string(),
  fileName: z.string(),
  format: z.string(),
  encoding: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  rowsTotal: z.number(),
  inserted: z.number(),
  updated: z.number(),
  unchanged: z.number(),
  refused: z.number(),
  /** The refused rows' report can be downloaded (GET …/imports/:id/refused.csv). */
  refusedReport: z.boolean(),
  /** The stored report holds only its first lines; the full one is beside the imported file. */
  refusedReportTruncated: z.boolean(),
});
export type RegistryImportSummary = z.infer<typeof registryImportSummarySchema>;

export const exchangePartnerViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  keyPrefix: z.string(),
  provinces: z.array(z.string()),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
  lastPullAt: z.string().nullable(),
  lastCursor: z.string().nullable(),
});
export type ExchangePartnerView = z.infer<typeof exchangePartnerViewSchema>;

/** A request or correction the national system sent about one of the province's certificates. */
export const inboundItemViewSchema = z.object({
  id: z.string(),
  kind: z.enum(['verification_request', 'registry_correction']),
  partnerName: z.string(),
  externalId: z.string(),
  certificateNumber: z.string(),
  field: z.string(),
  /** The registry item's name, or the field as sent when it is not one the registry knows. */
  fieldLabel: z.object({ zh: z.string(), en: z.string() }),
  value: z.string(),
  note: z.string(),
  state: z.string(),
  receivedAt: z.string(),
});
export type InboundItemView = z.infer<typeof inboundItemViewSchema>;

export const registrySettingsResponseSchema = z.object({
  province: provinceRefSchema,
  lastImport: registryImportSummarySchema.nullable(),
  partners: z.array(exchangePartnerViewSchema),
  /** The latest requests and corrections received from exchange partners (newest first, at most 20). */
  inbound: z.array(inboundItemViewSchema),
});
export type RegistrySettingsResponse = z.infer<typeof registrySettingsResponseSchema>;
