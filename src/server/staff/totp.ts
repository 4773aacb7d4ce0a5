import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';

/**
 * Time-based one-time codes (RFC 6238: SHA-1, 6 digits, 30 s), the cryptographic second factor of staff
 * logins. A code is accepted one step either side of now (clock drift), and each step's code only once.
 */
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_WINDOW_STEPS = 1;
export const TOTP_ISSUER = 'RTO 道路运政';

function totpFor(secretBase32: string, label = 'staff'): TOTP {
  return new TOTP({ issuer: TOTP_ISSUER, label, secret: Secret.fromBase32(secretBase32), algorithm: 'SHA1', digits: 6, period: TOTP_PERIOD_SECONDS });
}

/** Digits only: authenticator apps show "123 456". */
export function normalizeTotpCode(input: string): string {
  return input.replace(/\s+/g, '');
}

/**
 * The time step the code belongs to, when it is right within the window; null otherwise. Callers refuse
 * a step at or before the last one accepted, so a code seen over someone's shoulder cannot be replayed.
 */
export function matchingTotpStep(secretBase32: string, code: string, now: Date): number | null {
  const token = normalizeTotpCode(code);
  if (!/^\d{6}$/.test(token)) return null;
  const totp = totpFor(secretBase32);
  const delta = totp.validate({ token, timestamp: now.getTime(), window: TOTP_WINDOW_STEPS });
  if (delta === null) return null;
  return totp.counter({ timestamp: now.getTime() }) + delta;
}

/** The code an authenticator shows at `now` (tests, demo tooling). */
export function totpCodeAt(secretBase32: string, now: Date): string {
  return totpFor(secretBase32).generate({ timestamp: now.getTime() });
}

export interface TotpEnrolment {
  secret: string;
  otpauthUri: string;
  qrDataUrl: string;
}

/** A fresh 160-bit secret with its otpauth URI and QR code for an authenticator app. */
export async function newTotpEnrolment(username: string): Promise<TotpEnrolment> {
  const secret = new Secret({ size: 20 }).base32;
  const otpauthUri = totpFor(secret, username).toString();
  const qrDataUrl = await QRCode.toDataURL(otpauthUri, { errorCorrectionLevel: 'M', margin: 2, width: 240 });
  return { secret, otpauthUri, qrDataUrl };
}
