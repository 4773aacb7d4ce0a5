import { AppError } from '../errors.ts';

/** Templates the system sends; each maps to one template registered with the SMS provider. */
export type SmsTemplate = 'login_code' | 'application_update' | 'verification_answered' | 'account_closed';

export interface SmsMessage {
  /** 11-digit mainland mobile number. */
  phone: string;
  template: SmsTemplate;
  params: Record<string, string>;
}

export interface SmsProvider {
  readonly name: string;
  /** Resolves once the provider accepted the message; throws SmsSendError otherwise. */
  send(message: SmsMessage): Promise<void>;
}

/** The subset of a pino logger the SMS adapters use. */
export interface SmsLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/** The provider did not accept the message (refused, unreachable or too slow). */
export class SmsSendError extends Error {
  readonly provider: string;
  /** The provider's own code (e.g. Aliyun `isv.BUSINESS_LIMIT_CONTROL`), or TIMEOUT / NETWORK_ERROR / INVALID_RESPONSE. */
  readonly providerCode: string;

  constructor(provider: string, providerCode: string, message: string, options?: { cause?: unknown }) {
    super(`${provider}: ${providerCode}: ${message}`, options);
    this.name = 'SmsSendError';
    this.provider = provider;
    this.providerCode = providerCode;
  }
}

/** What the client is told when the provider failed: the provider's details stay in the logs. */
export const smsSendFailed = (error?: SmsSendError) =>
  new AppError(
    502,
    'SMS_SEND_FAILED',
    { zh: '短信发送失败，请稍后重试', en: 'Could not send the SMS, please try again' },
    error ? { provider: error.provider } : undefined,
  );

/** Providers log phones masked (138****0001), so logs never hold a whole phone number. */
export { maskPhone } from '../../domain/phone.ts';
