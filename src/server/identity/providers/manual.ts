import type { IdentityCheck, IdentityCheckResult } from '../identityCheck.ts';

/**
 * IDENTITY_PROVIDER=manual: a province without a contract with an identity service has every
 * real-name submission checked by its clerks against the photo and the registry.
 */
export class ManualReviewIdentityCheck implements IdentityCheck {
  readonly name = 'manual';
  readonly manualOnly = true;
  async check(): Promise<IdentityCheckResult> {
    return 'inconclusive';
  }
}
