import { randomUUID } from 'node:crypto';
import { aliyunSignedQuery } from './aliyunSignature.ts';
import { maskPhone, SmsSendError, type SmsLogger, type SmsMessage, type SmsProvider, type SmsTemplate } from './types.ts';

export interface AliyunSmsConfig {
  accessKeyId: string;
  accessKeySecret: string;
  /** The approved signature (签名), e.g. 道路运政一网通办. */
  signName: string;
  /** The approved template code (e.g. SMS_123456789) for each template. */
  templateCodes: Record<SmsTemplate, string>;
  /** Defaults to https://dysmsapi.aliyuncs.com/ */
  endpoint?: string;
  /** Defaults to cn-hangzhou. */
  regionId?: string;
  /** Defaults to 5000 ms. */
  timeoutMs?: number;
}

export const ALIYUN_SMS_DEFAULT_ENDPOINT = 'https://dysmsapi.aliyuncs.com/';
export const ALIYUN_SMS_API_VERSION = '2017-05-25';

interface AliyunResponse {
  Code?: unknown;
  Message?: unknown;
  RequestId?: unknown;
  BizId?: unknown;
}

/** Aliyun SMS (Dysmsapi SendSms) over its signed HTTP API. */
export class AliyunSmsProvider implements SmsProvider {
  readonly name = 'aliyun';
  readonly #config: Required<AliyunSmsConfig>;
  readonly #logger: SmsLogger | undefined;

  constructor(config: AliyunSmsConfig, logger?: SmsLogger) {
    for (const key of ['accessKeyId', 'accessKeySecret', 'signName'] as const) {
      if (!config[key]) throw new Error(`Aliyun SMS: ${key} is not configured`);
    }
    for (const template of ['login_code', 'application_update', 'verification_answered'] as const) {
      if (!config.templateCodes[template]) throw new Error(`Aliyun SMS: no template code for ${template}`);
    }
    this.#config = {
      ...config,
      endpoint: config.endpoint ?? ALIYUN_SMS_DEFAULT_ENDPOINT,
      regionId: config.regionId ?? 'cn-hangzhou',
      timeoutMs: config.timeoutMs ?? 5000,
    };
    this.#logger = logger;
  }

  async send(message: SmsMessage): Promise<void> {
    const config = this.#config;
    const params: Record<string, string> = {
      AccessKeyId: config.accessKeyId,
      Action: 'SendSms',
      Format: 'JSON',
      PhoneNumbers: message.phone,
      RegionId: config.regionId,
      SignName: config.signName,
      SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: randomUUID(),
      SignatureVersion: '1.0',
      TemplateCode: config.templateCodes[message.template],
      TemplateParam: JSON.stringify(message.params),
      // Aliyun wants seconds precision: yyyy-MM-ddTHH:mm:ssZ
      Timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      Version: ALIYUN_SMS_API_VERSION,
    };
    const url = new URL(config.endpoint);
    url.search = aliyunSignedQuery(params, config.accessKeySecret);

    let body: AliyunResponse;
    try {
      const response = await fetch(url, { method: 'GET', signal: AbortSignal.timeout(config.timeoutMs) });
      const text = await response.text();
      try {
        body = JSON.parse(text) as AliyunResponse;
      } catch {
        throw this.#fail(message, 'INVALID_RESPONSE', `HTTP ${response.status}, body is not JSON`);
      }
    } catch (error) {
      if (error instanceof SmsSendError) throw error;
      const name = (error as { name?: string }).name;
      if (name === 'TimeoutError' || name === 'AbortError') {
        throw this.#fail(message, 'TIMEOUT', `no answer within ${config.timeoutMs} ms`, error);
      }
      throw this.#fail(message, 'NETWORK_ERROR', describeNetworkError(error), error);
    }

    if (body.Code !== 'OK') {
      const code = typeof body.Code === 'string' && body.Code ? body.Code : 'INVALID_RESPONSE';
      const text = typeof body.Message === 'string' ? body.Message : 'no message';
      throw this.#fail(message, code, text, undefined, body.RequestId);
    }
  }

  #fail(message: SmsMessage, code: string, text: string, cause?: unknown, requestId?: unknown): SmsSendError {
    this.#logger?.warn(
      { sms: { provider: this.name, phone: maskPhone(message.phone), template: message.template, code, requestId } },
      `SMS not accepted by Aliyun: ${text}`,
    );
    return new SmsSendError(this.name, code, text, { cause });
  }
}

function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
