import { newIdempotencyKey } from './format.ts';

/**
 * One Idempotency-Key per submit attempt, kept (per application, in this tab) until the submit
 * succeeds, so a retry after a lost answer is recognised by the server instead of submitting twice.
 */
const keyName = (id: string) => `rto.submit-key.${id}`;
const fallback = new Map<string, string>();

export function submitKey(id: string): string {
  try {
    const saved = sessionStorage.getItem(keyName(id));
    if (saved) return saved;
    const fresh = newIdempotencyKey();
    sessionStorage.setItem(keyName(id), fresh);
    return fresh;
  } catch {
    let key = fallback.get(id);
    if (!key) fallback.set(id, (key = newIdempotencyKey()));
    return key;
  }
}

export function forgetSubmitKey(id: string): void {
  fallback.delete(id);
  try {
    sessionStorage.removeItem(keyName(id));
  } catch {
    // Nothing kept.
  }
}
