/**
 * The API description integrators read at /api/docs: per operation (method + route) a summary, what it
 * does, whom it serves, and the error codes it answers with. Applied to the routes by
 * server/http/operationDocs.ts; a test checks every route has an entry.
 */

export interface OperationError {
  status: number;
  code: string;
  when: string;
}

export interface OperationDoc {
  summary: string;
  description: string;
  audience: string;
  errors: OperationError[];
}

export const operationKey = (method: string, url: string) => `${method.toUpperCase()} ${url}`;

export const OPERATIONS: Record<string, OperationDoc> = {};
