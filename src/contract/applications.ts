import { z } from 'zod';
import { BUSINESS_KEYS, CHANGE_VARIANTS } from '../domain/businessKeys.ts';
import { APPLICATION_STATES } from '../domain/stateMachine.ts';
import { localizedSchema } from './common.ts';

export const businessKeySchema = z.enum(BUSINESS_KEYS);
export const applicationStateSchema = z.enum(APPLICATION_STATES);

export const createApplicationBodySchema = z.object({
  business: businessKeySchema,
  certificateId: z.uuid(),
  variant: z.enum(CHANGE_VARIANTS).optional(),
});

export const listApplicationsQuerySchema = z.object({
  state: applicationStateSchema.optional(),
});

export const applicationIdParamsSchema = z.object({ id: z.uuid() });
export const materialKeySchema = z.string().regex(/^[a-z0-9_]{1,64}$/);
export const materialParamsSchema = z.object({ id: z.uuid(), materialKey: materialKeySchema });

export const imageWarningSchema = z.object({ code: z.string(), zh: z.string(), en: z.string() });

/** An uploaded material picture. `warnings`: the quality pre-check findings shown at upload (blur, too dark, …). */
export const uploadedMaterialSchema = z.object({
  mime: z.string(),
  width: z.number(),
  height: z.number(),
  bytes: z.number(),
  uploadedAt: z.string(),
  warnings: z.array(imageWarningSchema),
  url: z.string(),
  thumbnailUrl: z.string(),
});

export const materialStatusSchema = z.object({
  key: z.string(),
  name: localizedSchema,
  example: localizedSchema,
  required: z.boolean(),
  /** When requiredness depends on the answers (e.g. only for a partial cancellation), what it depends on. */
  condition: localizedSchema.optional(),
  /** After a return that flagged this material: 'replace' until a new picture is uploaded, then 'replaced'. */
  correction: z.enum(['replace', 'replaced']).nullable(),
  uploaded: uploadedMaterialSchema.nullable(),
});

/** A reason code with its label, as offered to staff and shown to the driver. */
export const reasonOptionSchema = z.object({ code: z.string(), label: localizedSchema });

export const timelineEntrySchema = z.object({
  action: z.string(),
  label: localizedSchema,
  fromState: z.string().nullable(),
  toState: z.string(),
  actorRole: z.string(),
  at: z.string(),
  reasons: z.array(reasonOptionSchema),
  reasonText: z.string().nullable(),
  /** A return's materials to upload again. */
  materials: z.array(z.object({ key: z.string(), name: localizedSchema })),
  details: z.record(z.string(), z.unknown()),
});

export const applicationSummarySchema = z.object({
  id: z.uuid(),
  reference: z.string(),
  business: businessKeySchema,
  variant: z.string().nullable(),
  businessName: localizedSchema,
  certificate: z.object({ id: z.uuid(), number: z.string(), categories: z.array(localizedSchema) }),
  state: applicationStateSchema,
  stateLabel: localizedSchema,
  acceptDeadline: z.string().nullable(),
  decideDeadline: z.string().nullable(),
  createdAt: z.string(),
  submittedAt: z.string().nullable(),
  updatedAt: z.string(),
});
export type ApplicationSummary = z.infer<typeof applicationSummarySchema>;

export const applicationDetailSchema = applicationSummarySchema.extend({
  personalInfo: z.record(z.string(), z.unknown()),
  materials: z.array(materialStatusSchema),
  timeline: z.array(timelineEntrySchema),
  allowedActions: z.array(z.string()),
  /** The latest return for correction: every item to correct, told at once (一次性告知). */
  corrections: z
    .object({
      reasons: z.array(reasonOptionSchema),
      text: z.string().nullable(),
      at: z.string(),
      /** The materials to upload again, and whether each has been replaced since. */
      materials: z.array(z.object({ key: z.string(), name: localizedSchema, replaced: z.boolean() })),
    })
    .nullable(),
  /** What still blocks submission: answers, missing materials, flagged materials not yet replaced. */
  missing: z.object({ fields: z.array(z.string()), materials: z.array(z.string()), replace: z.array(z.string()) }),
});
export type ApplicationDetail = z.infer<typeof applicationDetailSchema>;

export const applicationListSchema = z.object({ applications: z.array(applicationSummarySchema) });

export const updatePersonalInfoBodySchema = z.record(z.string(), z.unknown());
