import { z } from 'zod';

/** Text in both shipped languages. */
export const localizedSchema = z.object({ zh: z.string(), en: z.string() });

/** Something known by its code and shown by its name: a province, an issuing authority, a qualifier. */
export const codeNameSchema = z.object({ code: z.string(), name: localizedSchema });

/** A GB/T 2260 province code: the first two digits of a region code. */
export const provinceCodeSchema = z.string().regex(/^\d{2}$/);

/** Every error answer of the API. */
export const errorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()).optional() }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;
