import { DEMO_PASSWORD, DEMO_TOTP_SECRET } from '../../src/server/seed/demo.ts';
import { totpCodeAt } from '../../src/server/staff/totp.ts';
import type { TestApp } from './app.ts';

export interface StaffLogin {
  token: string;
  headers: { authorization: string };
  cookie: string;
}

/** What a demo staff member types at the login page at `at`: username, password and the authenticator's code. */
export function demoStaffCredentials(username: string, at: Date) {
  return { username, password: DEMO_PASSWORD, totp: totpCodeAt(DEMO_TOTP_SECRET, at) };
}

function staffSession(token: string): StaffLogin {
  return { token, headers: { authorization: `Bearer ${token}` }, cookie: `rto_staff_session=${token}` };
}

/**
 * Logs a demo staff member in with the code their authenticator shows at the test clock's time. The clock
 * first moves to the next 30-second step, as each step's code is accepted only once per account.
 */
export async function staffLogin(t: TestApp, username: string, options: { remoteAddress?: string } = {}): Promise<StaffLogin> {
  t.clock.advance(30_000);
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/v1/staff/sessions',
    payload: demoStaffCredentials(username, t.clock.now()),
    remoteAddress: options.remoteAddress ?? '10.9.8.7',
  });
  if (response.statusCode !== 201) throw new Error(`staff login ${username} answered ${response.statusCode}: ${response.body}`);
  return staffSession((response.json() as { token: string }).token);
}

/**
 * Logs a demo staff member in over HTTP at a running test server whose clock reads `at` (each code works
 * once per account: once per test file unless the server's clock moves on).
 */
export async function staffLoginOverHttp(baseUrl: string, username: string, at: Date): Promise<StaffLogin> {
  const response = await fetch(`${baseUrl}/api/v1/staff/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(demoStaffCredentials(username, at)),
  });
  const body = await response.text();
  if (response.status !== 201) throw new Error(`staff login ${username} answered ${response.status}: ${body}`);
  return staffSession((JSON.parse(body) as { token: string }).token);
}
