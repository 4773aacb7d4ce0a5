import type { FastifyBaseLogger } from 'fastify';
import type { Config } from './config.ts';
import type { IdentityCheck } from './identity/identityCheck.ts';
import { createIdentityCheck } from './identity/providers/index.ts';
import { createIdCardReader, type IdCardReader } from './identity/ocr.ts';
import { createRateLimiter, type RateLimiter } from './rateLimit/index.ts';
import { createSmsProvider, type SmsProvider } from './sms/index.ts';
import { fieldKeys } from './secrets/fieldCipher.ts';
import { createFileStorage, EncryptedFileStorage, type FileStorage } from './storage/index.ts';
import { createWeChatClient, type WeChatClient } from './wechat/client.ts';

/** The outside world behind small interfaces; tests replace any of them. */
export interface Adapters {
  sms: SmsProvider;
  rateLimiter: RateLimiter;
  storage: FileStorage;
  idCardReader: IdCardReader;
  identityCheck: IdentityCheck;
  /** WeChat login; undefined when no WeChat app is configured (the login page then offers SMS only). */
  wechat: WeChatClient | undefined;
}

export function createAdapters(config: Config, logger: FastifyBaseLogger, overrides: Partial<Adapters> = {}): Adapters {
  return {
    sms:
      overrides.sms ??
      createSmsProvider(
        config.sms.SMS_PROVIDER === 'aliyun'
          ? {
              provider: 'aliyun',
              aliyun: {
                accessKeyId: config.sms.ALIYUN_SMS_ACCESS_KEY_ID!,
                accessKeySecret: config.sms.ALIYUN_SMS_ACCESS_KEY_SECRET!,
                signName: config.sms.ALIYUN_SMS_SIGN_NAME!,
                templateCodes: {
                  login_code: config.sms.ALIYUN_SMS_TEMPLATE_LOGIN!,
                  application_update: config.sms.ALIYUN_SMS_TEMPLATE_UPDATE ?? config.sms.ALIYUN_SMS_TEMPLATE_LOGIN!,
                  verification_answered: config.sms.ALIYUN_SMS_TEMPLATE_VERIFICATION ?? config.sms.ALIYUN_SMS_TEMPLATE_UPDATE ?? config.sms.ALIYUN_SMS_TEMPLATE_LOGIN!,
                  account_closed: config.sms.ALIYUN_SMS_TEMPLATE_ACCOUNT_CLOSED ?? config.sms.ALIYUN_SMS_TEMPLATE_UPDATE ?? config.sms.ALIYUN_SMS_TEMPLATE_LOGIN!,
                },
                ...(config.sms.ALIYUN_SMS_ENDPOINT ? { endpoint: config.sms.ALIYUN_SMS_ENDPOINT } : {}),
              },
            }
          : { provider: 'console' },
        logger,
      ),
    rateLimiter: overrides.rateLimiter ?? createRateLimiter(config.redisUrl ? { redisUrl: config.redisUrl } : {}),
    // Files are encrypted under the data key on their way to the disk or the bucket.
    storage: overrides.storage ?? new EncryptedFileStorage(createFileStorage(config.storage), fieldKeys),
    idCardReader: overrides.idCardReader ?? createIdCardReader(),
    identityCheck: overrides.identityCheck ?? createIdentityCheck(config.identity, logger),
    wechat: 'wechat' in overrides ? overrides.wechat : createWeChatClient(config.wechat),
  };
}
