import type { FastifyInstance, RouteOptions } from 'fastify';
import { OPERATIONS, operationKey, type OperationDoc } from '../../contract/operations.ts';

export function errorCodesText(doc: OperationDoc): string {
  if (doc.errors.length === 0) return '';
  return `\n\n**Errors**\n\n${doc.errors.map((e) => `- \`${e.status} ${e.code}\` — ${e.when}`).join('\n')}`;
}

/**
 * Gives every operation of /api/docs its summary, description and error codes from one table
 * (contract/operations.ts), so route files stay about behaviour. Register before the routes.
 */
export function applyOperationDescriptions(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD') continue;
      const doc = OPERATIONS[operationKey(method, route.url ?? '')];
      if (!doc) continue;
      const schema = (route.schema ?? {}) as Record<string, unknown>;
      route.schema = {
        ...schema,
        summary: doc.summary,
        description: `${doc.description}\n\n*For:* ${doc.audience}${errorCodesText(doc)}`,
        ...(doc.errors.length ? { 'x-error-codes': doc.errors.map((e) => e.code) } : {}),
      } as RouteOptions['schema'];
    }
  });
}
