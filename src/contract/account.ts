import { z } from 'zod';

/**
 * The driver's rights over their data (PIPL Arts. 45, 47): a copy of everything the service holds
 * about them (`GET /me/export`, a zip) and closing the account (`DELETE /me`, 注销账号).
 */

/** `my-data.json` inside the export zip. Files are listed with their path inside the zip. */
export const exportedFileSchema = z.object({ path: z.string(), mime: z.string(), bytes: z.number().int() });

export const exportedTimelineEntrySchema = z.object({
  action: z.string(),
  fromState: z.string().nullable(),
  toState: z.string(),
  actorRole: z.string(),
  at: z.string(),
  reasonCodes: z.array(z.string()),
  reasonText: z.string().nullable(),
});

export const accountExportSchema = z.object({
  format: z.literal('rto-my-data/1'),
  exportedAt: z.string(),
  account: z.object({
    id: z.string(),
    phone: z.string(),
    createdAt: z.string(),
    consents: z.array(z.object({ agreement: z.string(), version: z.string(), acceptedAt: z.string() })),
  }),
  identity: z
    .object({
      name: z.string(),
      idNumber: z.string(),
      sex: z.string().nullable(),
      ethnicity: z.string().nullable(),
      birthDate: z.string().nullable(),
      address: z.string().nullable(),
      provinceCode: z.string().nullable(),
      verifiedAt: z.string(),
      idCardPhoto: exportedFileSchema.nullable(),
    })
    .nullable(),
  realNameSubmissions: z.array(
    z.object({
      reference: z.string(),
      state: z.string(),
      claimed: z.record(z.string(), z.string()),
      createdAt: z.string(),
      decidedAt: z.string().nullable(),
      rejectionReasons: z.array(z.string()),
      photos: z.array(exportedFileSchema),
    }),
  ),
  certificates: z.array(z.object({ number: z.string(), holderName: z.string(), provinceCode: z.string(), categories: z.array(z.object({ code: z.string(), validFrom: z.string(), validTo: z.string() })) })),
  applications: z.array(
    z.object({
      reference: z.string(),
      business: z.string(),
      variant: z.string().nullable(),
      state: z.string(),
      certificateNumber: z.string().nullable(),
      personalInfo: z.record(z.string(), z.unknown()),
      createdAt: z.string(),
      submittedAt: z.string().nullable(),
      timeline: z.array(exportedTimelineEntrySchema),
      materials: z.array(exportedFileSchema.extend({ materialKey: z.string(), uploadedAt: z.string() })),
      voucher: z.object({ serial: z.string(), rating: z.string(), issuedOn: z.string(), expiresOn: z.string(), revoked: z.boolean() }).nullable(),
    }),
  ),
  verificationRequests: z.array(
    z.object({
      field: z.string(),
      expectedValue: z.string(),
      note: z.string(),
      state: z.string(),
      createdAt: z.string(),
      answeredAt: z.string().nullable(),
      answer: z.string().nullable(),
      photo: exportedFileSchema.nullable(),
    }),
  ),
});
export type AccountExport = z.infer<typeof accountExportSchema>;

/** `DELETE /me` — 200 when closed. Refused (409 ACCOUNT_CLOSING_BLOCKED) while something is still being handled. */
export const accountClosedSchema = z.object({
  closedAt: z.string(),
  /** What the office keeps as the law requires, no longer linked to a phone or a person's account. */
  kept: z.object({ applications: z.number().int(), vouchers: z.number().int(), verificationRequests: z.number().int() }),
  /** Drafts nobody submitted, thrown away with their uploads. */
  discardedDrafts: z.number().int(),
});
export type AccountClosed = z.infer<typeof accountClosedSchema>;

/** Why closing is refused now: `details.blocking` of ACCOUNT_CLOSING_BLOCKED. */
export const closingBlockerSchema = z.object({
  kind: z.enum(['application', 'verification_request', 'real_name_review']),
  reference: z.string(),
  state: z.string(),
});
export type ClosingBlocker = z.infer<typeof closingBlockerSchema>;
