import type { IdentityCheck, IdentityCheckResult } from '../identityCheck.ts';

/**
 * Development only: applies no outside check (the verification has already enforced the check digit,
 * birth date, region, name format, the photo and the registry) and so answers 'match'. Production
 * refuses to start with it (config.ts).
 */
export class LocalRulesIdentityCheck implements IdentityCheck {
  readonly name = 'local';
  async check(): Promise<IdentityCheckResult> {
    return 'match';
  }
}
