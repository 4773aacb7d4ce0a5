/** Telephone numbers of mainland China. */

const MOBILE = /^1[3-9]\d{9}$/;
// Area code 0 + 2–3 digits, local number 7–8 digits, optional extension; or a 400/800 service number.
const LANDLINE = /^(?:0\d{2,3}-?\d{7,8}(?:-\d{1,6})?|[48]00-?\d{3}-?\d{4})$/;

/** Strips spaces, dashes, dots, parentheses and a +86 / 0086 / 86 country prefix. The result may still be invalid. */
export function normalizeMobile(input: string): string {
  let s = String(input ?? '').replace(/[\s\-().\u00a0]/g, '');
  if (s.startsWith('+86')) s = s.slice(3);
  else if (s.startsWith('0086')) s = s.slice(4);
  else if (s.length === 13 && s.startsWith('86')) s = s.slice(2);
  return s;
}

/** An 11-digit mainland mobile number (1[3-9]…), exactly as stored: use normalizeMobile first for user input. */
export function isMobile(value: string): boolean {
  return MOBILE.test(value);
}

/** The normalized mobile number, or null when the input is not one. */
export function parseMobile(input: string): string | null {
  const s = normalizeMobile(input);
  return isMobile(s) ? s : null;
}

/** A mobile or fixed-line number (unit phones are often landlines such as 010-12345678). */
export function isPhoneNumber(input: string): boolean {
  const trimmed = String(input ?? '').trim().replace(/\s+/g, '');
  return isMobile(normalizeMobile(trimmed)) || LANDLINE.test(trimmed);
}

/** '13800000001' → '138****0001'. Other strings keep their first 3 and last 4 characters. */
export function maskPhone(phone: string): string {
  const s = normalizeMobile(phone);
  if (s.length <= 7) return '*'.repeat(s.length);
  return s.slice(0, 3) + '*'.repeat(s.length - 7) + s.slice(-4);
}
