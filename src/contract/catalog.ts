import { z } from 'zod';
import { localizedSchema } from './common.ts';

export const healthResponseSchema = z.object({ status: z.literal('ok'), version: z.string() });

export const provincesResponseSchema = z.object({
  provinces: z.array(z.object({ code: z.string(), name: localizedSchema })),
});
export type ProvincesResponse = z.infer<typeof provincesResponseSchema>;

/** One entry per business and variant (变更 has two). */
export const businessesResponseSchema = z.object({
  businesses: z.array(
    z.object({
      key: z.string(),
      variant: z.string().nullable(),
      name: localizedSchema,
      summary: localizedSchema,
    }),
  ),
});
export type BusinessesResponse = z.infer<typeof businessesResponseSchema>;

export const contactsQuerySchema = z.object({ province: z.string().regex(/^\d{2}$/) });
export const contactsResponseSchema = z.object({
  province: z.object({ code: z.string(), name: localizedSchema }),
  contacts: z.array(z.object({ name: z.string(), title: z.string(), phone: z.string(), hours: z.string() })),
});
export type ContactsResponse = z.infer<typeof contactsResponseSchema>;
