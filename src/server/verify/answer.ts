import { verifyResponseSchema, type VerifyResponse } from '../../contract/vouchers.ts';
import type { VerifyOutcome } from './verify.ts';

/** The API's answer for an outcome, in the caller's language. */
export function toVerifyResponse(outcome: VerifyOutcome, lang: 'zh' | 'en'): VerifyResponse {
  const { messages, ...rest } = outcome;
  return { ...rest, message: messages[lang], messages };
}

/**
 * The answer as the contract's schema serializes it, once per answer object and language: the
 * verifier hands out the same object for a voucher while nothing about it changed (verify.ts).
 */
const serialized = new WeakMap<VerifyOutcome, Partial<Record<'zh' | 'en', string>>>();
export function serializedAnswer(outcome: VerifyOutcome, lang: 'zh' | 'en'): string {
  let byLanguage = serialized.get(outcome);
  if (!byLanguage) serialized.set(outcome, (byLanguage = {}));
  return (byLanguage[lang] ??= JSON.stringify(verifyResponseSchema.parse(toVerifyResponse(outcome, lang))));
}
