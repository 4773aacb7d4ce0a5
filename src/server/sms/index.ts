import { AliyunSmsProvider, type AliyunSmsConfig } from './aliyun.ts';
import { ConsoleSmsProvider } from './console.ts';
import type { SmsLogger, SmsProvider } from './types.ts';

export * from './types.ts';
export { ConsoleSmsProvider, type SmsOutboxEntry } from './console.ts';
export { AliyunSmsProvider, ALIYUN_SMS_DEFAULT_ENDPOINT, type AliyunSmsConfig } from './aliyun.ts';
export { renderSmsText, smsTemplateTexts } from './templates.ts';

export interface SmsConfig {
  provider: 'console' | 'aliyun';
  aliyun?: AliyunSmsConfig;
}

export function createSmsProvider(config: SmsConfig, logger: SmsLogger): SmsProvider {
  switch (config.provider) {
    case 'console':
      return new ConsoleSmsProvider(logger);
    case 'aliyun':
      if (!config.aliyun) throw new Error('SMS provider "aliyun" needs its access key, sign name and template codes');
      return new AliyunSmsProvider(config.aliyun, logger);
    default:
      throw new Error(`Unknown SMS provider: ${String((config as { provider: unknown }).provider)}`);
  }
}
