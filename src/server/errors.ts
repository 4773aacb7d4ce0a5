import { DomainError, type Localized } from '../domain/errors.ts';

/**
 * An error a client caused or may act on, answered as `{ error: { code, message } }` with `status`.
 * Anything that is not an AppError or DomainError is a bug and is answered as a generic 500.
 */
export class AppError extends Error {
  readonly status: number;
  readonly code: string;
  readonly messages: Localized;
  readonly details: Record<string, unknown> | undefined;

  constructor(status: number, code: string, messages: Localized, details?: Record<string, unknown>) {
    super(`${code}: ${messages.en}`);
    this.name = 'AppError';
    this.status = status;
    this.code = code;
    this.messages = messages;
    this.details = details;
  }

  static fromDomain(error: DomainError): AppError {
    return new AppError(error.status, error.code, error.messages, error.details);
  }
}

export const notFound = (what: Localized = { zh: '未找到', en: 'Not found' }) => new AppError(404, 'NOT_FOUND', what);
