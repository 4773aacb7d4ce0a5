import { randomInt } from 'node:crypto';

/** Letters and digits that cannot be mistaken for one another when read aloud or copied (no 0/O, 1/I/L, 2/Z, 5/S, 8/B). */
export const REFERENCE_ALPHABET = '34679ACDEFGHJKMNPQRTUVWXY';

const BUSINESS_PREFIX: Record<string, string> = {
  credit_assessment: 'CX',
  renewal: 'HZ',
  replacement: 'BZ',
  change: 'BG',
  cancellation: 'ZX',
};

/**
 * A reference people can read out on the phone: business prefix, the China-time date of creation
 * (YYMMDD) and seven random characters from the unambiguous alphabet (25^7 ≈ 6·10^9 a day).
 * Example: HZ-261126-K7MXP3A.
 */
export function newReference(business: string, chinaDate: string): string {
  const prefix = BUSINESS_PREFIX[business] ?? 'YW';
  let random = '';
  for (let i = 0; i < 7; i += 1) random += REFERENCE_ALPHABET[randomInt(REFERENCE_ALPHABET.length)];
  return `${prefix}-${chinaDate.slice(2).replaceAll('-', '')}-${random}`;
}

/** Accepts what people type: lower case, spaces, missing dashes. */
export function normalizeReference(input: string): string {
  const compact = input.toUpperCase().replace(/[^0-9A-Z]/g, '');
  return compact.length === 15 ? `${compact.slice(0, 2)}-${compact.slice(2, 8)}-${compact.slice(8)}` : input.trim().toUpperCase();
}
