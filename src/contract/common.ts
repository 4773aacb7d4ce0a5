import { z } from 'zod';

/** Text in both shipped languages. */
export const localizedSchema = z.object({ zh: z.string(), en: z.string() });

/** Every error answer of the API. */
export const errorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()).optional() }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;
