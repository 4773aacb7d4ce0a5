import { z } from 'zod';
import { localizedSchema } from './common.ts';

/** One change of an application the driver is told about (also sent by SMS). */
export const notificationSchema = z.object({
  /** Stable id (of the logged action). */
  id: z.string(),
  applicationId: z.uuid(),
  reference: z.string(),
  business: z.string(),
  businessName: localizedSchema,
  action: z.enum(['accept', 'return', 'decline', 'approve', 'reject', 'mail', 'ready_for_pickup']),
  /** The application's state right after the change. */
  state: z.string(),
  stateLabel: localizedSchema,
  /** What happened and what to do, in both languages (items to correct, reasons, tracking number). */
  message: localizedSchema,
  at: z.string(),
});
export type Notification = z.infer<typeof notificationSchema>;

export const notificationsQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export const notificationsResponseSchema = z.object({ notifications: z.array(notificationSchema) });
