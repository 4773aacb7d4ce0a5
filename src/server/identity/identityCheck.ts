/**
 * The identity service behind real-name authentication (PRODUCT §2.2): does this name belong to this ID
 * number (身份证二要素核验), and is the person holding the phone that person (人脸核身, face comparison with
 * liveness)? One interface; a provider per file under providers/, chosen by IDENTITY_PROVIDER.
 */

/** 'inconclusive': the service answered but could not decide (no record, the authority's database busy). */
export type IdentityCheckResult = 'match' | 'mismatch' | 'inconclusive' | 'unavailable';

export interface FaceCheckSession {
  /** Where the driver's phone goes for the face check; the provider sends it back to the redirect URL. */
  url: string;
  /** The provider's handle of this check (BizToken), to fetch the result with. */
  token: string;
}

export interface FaceCheckOutcome {
  /** 'pending': the driver has not finished; 'unavailable': the service could not be asked. */
  outcome: 'pass' | 'fail' | 'pending' | 'unavailable';
  /** 0..100, where the provider compared faces. */
  similarity?: number;
  /** The provider's own code and words, for the reviewer and the log (no personal data). */
  code?: string;
  message?: string;
  liveness?: 'pass' | 'fail';
  /** The ID number the provider checked, to tie its answer to the submission. */
  idNumber?: string;
}

export interface FaceCheck {
  start(input: { name: string; idNumber: string; redirectUrl: string }): Promise<FaceCheckSession | 'unavailable'>;
  result(token: string): Promise<FaceCheckOutcome>;
}

export interface IdentityCheck {
  readonly name: string;
  /** Every submission goes to a clerk: nothing is bound automatically. */
  readonly manualOnly?: boolean;
  /** `idNumber` is a valid, normalised 18-character number; `name` a normalised Chinese name. */
  check(name: string, idNumber: string): Promise<IdentityCheckResult>;
  /** Absent where the provider has no face check: a move to a new phone then goes to a clerk. */
  readonly faceCheck?: FaceCheck;
}

export type IdentityProviderConfig = {
  IDENTITY_PROVIDER: 'local' | 'manual' | 'tencent';
  TENCENT_SECRET_ID?: string | undefined;
  TENCENT_SECRET_KEY?: string | undefined;
  TENCENT_FACEID_RULE_ID?: string | undefined;
  TENCENT_FACEID_ENDPOINT?: string | undefined;
};
