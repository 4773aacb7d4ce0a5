/** Text shown to people, in both languages the product ships (zh-CN default, en). */
export interface Localized {
  zh: string;
  en: string;
}

/**
 * A broken domain rule. `code` is stable (clients and tests key on it); `messages` is what a person
 * reads. The server maps it to HTTP 422 unless the raiser knows better (`status`).
 */
export class DomainError extends Error {
  readonly code: string;
  readonly messages: Localized;
  readonly details: Record<string, unknown> | undefined;
  readonly status: number;

  constructor(code: string, messages: Localized, options: { details?: Record<string, unknown>; status?: number } = {}) {
    super(`${code}: ${messages.en}`);
    this.name = 'DomainError';
    this.code = code;
    this.messages = messages;
    this.details = options.details;
    this.status = options.status ?? 422;
  }
}
