/**
 * The identity check behind real-name verification (PRODUCT §2.2): does this name belong to this ID
 * number? Production plugs in an authoritative service (e.g. the public-security identity check);
 * the default applies local rules only, which the verification route has already enforced (check
 * digit, birth date, region, name format), so it answers 'match'.
 */
export type IdentityCheckResult = 'match' | 'mismatch' | 'unavailable';

export interface IdentityCheck {
  readonly name: string;
  /** `idNumber` is a valid, normalised 18-character number; `name` a trimmed Chinese name. */
  check(name: string, idNumber: string): Promise<IdentityCheckResult>;
}

export class LocalRulesIdentityCheck implements IdentityCheck {
  readonly name = 'local-rules';
  async check(): Promise<IdentityCheckResult> {
    return 'match';
  }
}

export function createIdentityCheck(): IdentityCheck {
  return new LocalRulesIdentityCheck();
}
