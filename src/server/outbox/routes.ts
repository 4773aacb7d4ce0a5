import { and, desc, eq, inArray } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { errorBodySchema } from '../../contract/common.ts';
import { notificationsQuerySchema, notificationsResponseSchema, type Notification } from '../../contract/notifications.ts';
import { businessName } from '../../domain/catalog.ts';
import type { Localized } from '../../domain/errors.ts';
import { STATE_LABELS, type ApplicationState } from '../../domain/stateMachine.ts';
import { driverOf, requireDriver } from '../auth/session.ts';
import type { AppContext } from '../context.ts';
import { applicationActions, applications } from '../db/schema.ts';
import { DRIVER_NOTIFIED_ACTIONS, isNotifiedAction, updateMessage } from './applicationUpdates.ts';
import { OutboxWorker, type OutboxWorkerOptions } from './worker.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Delivers the outbox; started by the server (`startServer`), stopped when the app closes. */
    outboxWorker: OutboxWorker;
  }
}

/** Creates the app's outbox worker (not started: the server starts it, tests drive it by hand). */
export function registerOutboxWorker(app: FastifyInstance, ctx: AppContext, options: OutboxWorkerOptions = {}): OutboxWorker {
  const worker = new OutboxWorker(ctx, options);
  app.decorate('outboxWorker', worker);
  // The delivery in hand gets the shutdown grace; after it, its claim is handed back (rolled back).
  app.addHook('onClose', () => worker.stop(ctx.config.shutdownGraceMs));
  return worker;
}

/** A business no longer in the catalogue still names itself in old notifications. */
function notifiedBusinessName(business: string, variant: string | null): Localized {
  try {
    return businessName(business, variant);
  } catch {
    return { zh: business, en: business };
  }
}

/** My Office notifications: the driver's application updates, newest first, from the action log. */
export async function outboxRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get(
    '/me/notifications',
    {
      onRequest: requireDriver(ctx),
      schema: { tags: ['applications'], querystring: notificationsQuerySchema, response: { 200: notificationsResponseSchema, 401: errorBodySchema } },
    },
    async (request) => {
      const rows = await ctx.db
        .select({
          id: applicationActions.id,
          action: applicationActions.action,
          toState: applicationActions.toState,
          reasonCodes: applicationActions.reasonCodes,
          reasonText: applicationActions.reasonText,
          payload: applicationActions.payload,
          at: applicationActions.createdAt,
          applicationId: applications.id,
          reference: applications.reference,
          business: applications.business,
          variant: applications.variant,
        })
        .from(applicationActions)
        .innerJoin(applications, eq(applications.id, applicationActions.applicationId))
        .where(and(eq(applications.userId, driverOf(request).userId), inArray(applicationActions.action, [...DRIVER_NOTIFIED_ACTIONS])))
        .orderBy(desc(applicationActions.createdAt), desc(applicationActions.id))
        .limit(request.query.limit);
      const notifications: Notification[] = [];
      for (const row of rows) {
        if (!isNotifiedAction(row.action)) continue;
        const state = row.toState as ApplicationState;
        notifications.push({
          id: String(row.id),
          applicationId: row.applicationId,
          reference: row.reference,
          business: row.business,
          businessName: notifiedBusinessName(row.business, row.variant),
          action: row.action,
          state,
          stateLabel: STATE_LABELS[state] ?? { zh: state, en: state },
          message: updateMessage(row.action, state, { reasonCodes: row.reasonCodes, reasonText: row.reasonText, payload: row.payload }),
          at: row.at.toISOString(),
        });
      }
      return { notifications };
    },
  );
}
