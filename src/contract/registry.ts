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

export const registrySettingsResponseSchema = z.object({
  province: provinceRefSchema,
  lastImport: registryImportSummarySchema.nullable(),
  partners: z.array(exchangePartnerViewSchema),
});
export type RegistrySettingsResponse = z.infer<typeof registrySettingsResponseSchema>;
