import type { App } from '../../src/server/app.ts';
import { currentAgreementVersions } from '../../src/server/auth/agreements.ts';
import { sensitiveConsentTexts } from '../../src/server/identity/consent.ts';

/** The newest login code the console provider "sent" to `phone`. */
export async function lastCodeFor(app: App, phone: string): Promise<string> {
  const response = await app.inject({ method: 'GET', url: `/api/v1/dev/sms-outbox?phone=${phone}` });
  const code = (response.json() as { messages: { code: string | null }[] }).messages[0]?.code;
  if (!code) throw new Error(`no code in the outbox for ${phone}`);
  return code;
}

export interface DriverLogin {
  token: string;
  /** The Cookie header value the browser would send. */
  cookie: string;
  headers: { authorization: string };
  userId: string;
}

/**
 * Logs `phone` in through the real SMS flow (console provider) and returns its session. The driver
 * also gives the separate consents to their ID card and face data (identity/consent.ts) unless
 * `sensitiveConsent: false`, as a driver who goes on to real-name authentication does.
 */
export async function loginDriver(app: App, phone: string, options: { remoteAddress?: string; sensitiveConsent?: boolean } = {}): Promise<DriverLogin> {
  const remoteAddress = options.remoteAddress ?? `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
  const sent = await app.inject({ method: 'POST', url: '/api/v1/auth/sms-codes', payload: { phone }, remoteAddress });
  if (sent.statusCode !== 202) throw new Error(`sms-codes answered ${sent.statusCode}: ${sent.body}`);
  const code = await lastCodeFor(app, phone);
  const response = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/sessions',
    payload: { phone, code, agreementVersion: currentAgreementVersions },
    remoteAddress,
  });
  if (response.statusCode !== 201) throw new Error(`sessions answered ${response.statusCode}: ${response.body}`);
  const body = response.json() as { token: string; user: { id: string } };
  if (options.sensitiveConsent !== false) {
    for (const key of ['id_card', 'face'] as const) {
      const consent = await app.inject({ method: 'POST', url: '/api/v1/identity/consents', payload: { key, version: sensitiveConsentTexts[key].version }, headers: { authorization: `Bearer ${body.token}` } });
      if (consent.statusCode !== 201) throw new Error(`consents answered ${consent.statusCode}: ${consent.body}`);
    }
  }
  return { token: body.token, cookie: `rto_session=${body.token}`, headers: { authorization: `Bearer ${body.token}` }, userId: body.user.id };
}
