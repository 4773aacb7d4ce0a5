import type { IdentityCheck, IdentityProviderConfig } from '../identityCheck.ts';
import { LocalRulesIdentityCheck } from './localRules.ts';
import { ManualReviewIdentityCheck } from './manual.ts';
import { TencentFaceIdCheck } from './tencentFaceId.ts';

/** The configured identity service (config.ts has already refused 'local' in production). */
export function createIdentityCheck(config: IdentityProviderConfig, logger?: { warn(details: Record<string, unknown>, message: string): void }): IdentityCheck {
  switch (config.IDENTITY_PROVIDER) {
    case 'manual':
      return new ManualReviewIdentityCheck();
    case 'tencent':
      return new TencentFaceIdCheck({
        secretId: config.TENCENT_SECRET_ID!,
        secretKey: config.TENCENT_SECRET_KEY!,
        ruleId: config.TENCENT_FACEID_RULE_ID!,
        ...(config.TENCENT_FACEID_ENDPOINT ? { endpoint: config.TENCENT_FACEID_ENDPOINT } : {}),
        ...(logger ? { logger } : {}),
      });
    default:
      return new LocalRulesIdentityCheck();
  }
}
