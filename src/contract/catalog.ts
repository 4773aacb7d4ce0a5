import { z } from 'zod';
import { codeNameSchema, localizedSchema, provinceCodeSchema } from './common.ts';

export const healthResponseSchema = z.object({ status: z.literal('ok'), version: z.string() });

export const provincesResponseSchema = z.object({
  provinces: z.array(codeNameSchema),
});
export type ProvincesResponse = z.infer<typeof provincesResponseSchema>;

export const catalogMaterialSchema = z.object({
  key: z.string(),
  name: localizedSchema,
  example: localizedSchema,
  required: z.boolean(),
  /** When requiredness depends on the answers (e.g. partial cancellation), what it depends on. */
  condition: localizedSchema.optional(),
  source: z.enum(['catalog', 'province']),
});

/** One entry per business and variant (变更 has two), with the caller's province's materials. */
export const businessesResponseSchema = z.object({
  provinceCode: z.string().nullable(),
  businesses: z.array(
    z.object({
      key: z.string(),
      variant: z.string().nullable(),
      name: localizedSchema,
      summary: localizedSchema,
      instructions: z.object({ zh: z.array(z.string()), en: z.array(z.string()) }),
      issuesCard: z.boolean(),
      producesRating: z.boolean(),
      materials: z.array(catalogMaterialSchema),
    }),
  ),
});
export const businessesQuerySchema = z.object({ province: provinceCodeSchema.optional() });
export type BusinessesResponse = z.infer<typeof businessesResponseSchema>;

export const contactsQuerySchema = z.object({ province: provinceCodeSchema });
export const contactsResponseSchema = z.object({
  province: codeNameSchema,
  /** `nameEn` / `titleEn` / `hoursEn`: the English the province entered ('' when none). */
  contacts: z.array(z.object({ name: z.string(), title: z.string(), phone: z.string(), hours: z.string(), nameEn: z.string(), titleEn: z.string(), hoursEn: z.string() })),
});
export type ContactsResponse = z.infer<typeof contactsResponseSchema>;
