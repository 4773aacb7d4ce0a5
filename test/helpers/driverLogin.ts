import type { App } from '../../src/server/app.ts';
import { currentAgreementVersions } from '../../src/server/auth/agreements.ts';

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

/** Logs `phone` in through the real SMS flow (console provider) and returns its session. */
export async function loginDriver(app: App, phone: string, options: { remoteAddress?: string } = {}): Promise<DriverLogin> {
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
  return { token: body.token, cookie: `rto_session=${body.token}`, headers: { authorization: `Bearer ${body.token}` }, userId: body.user.id };
}
