import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { currentAgreementVersions } from '../../src/server/auth/agreements.ts';
import { documentPhoto, pdfBytes } from './images.ts';
import { staffLoginOverHttp } from './staffLogin.ts';

/** Sessions and setup over real HTTP at a running test server (browser tests). */

export interface DriverSession {
  baseUrl: string;
  token: string;
  /** Calls /api/v1 as this driver from the test (setup and clean-up, not what is under test). */
  api<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
}

/**
 * The newest login code the console SMS provider "sent" to `phone`, read from the dev outbox; waits up to
 * 10 s for it to arrive (a plain loop: this also runs in `beforeAll`, where `expect.poll` may not).
 */
export async function outboxCode(baseUrl: string, phone: string): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const response = await fetch(`${baseUrl}/api/v1/dev/sms-outbox?phone=${phone}`);
    const body = (await response.json()) as { messages: { code: string | null; sentAt: string }[] };
    const code = [...body.messages].sort((a, b) => b.sentAt.localeCompare(a.sentAt))[0]?.code;
    if (code && /^\d{6}$/.test(code)) return code;
    if (Date.now() > deadline) throw new Error(`no login code in the outbox for ${phone}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Logs a demo driver in through the SMS flow once per test file (the SMS limits allow one code a
 * minute per phone); pages get the session as the browser would after logging in.
 */
export async function loginDemoDriver(baseUrl: string, phone: string): Promise<DriverSession> {
  const post = (url: string, body: unknown) =>
    fetch(`${baseUrl}/api/v1${url}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const sent = await post('/auth/sms-codes', { phone });
  expect(sent.status, await sent.clone().text()).toBe(202);
  const code = await outboxCode(baseUrl, phone);
  const session = await post('/auth/sessions', { phone, code, agreementVersion: currentAgreementVersions });
  expect(session.status).toBe(201);
  const { token } = (await session.json()) as { token: string };
  return {
    baseUrl,
    token,
    async api<T>(method: string, url: string, body?: unknown) {
      const response = await fetch(`${baseUrl}/api/v1${url}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
    },
  };
}

/** Puts the driver's session cookie into the page's browser context. */
export async function signIn(page: Page, baseUrl: string, driver: DriverSession): Promise<void> {
  await page.context().addCookies([{ name: 'rto_session', value: driver.token, url: baseUrl, httpOnly: true, sameSite: 'Lax' }]);
}

/** Withdraws or deletes whatever the driver still has open, so the next flow can start. */
export async function closeOpenApplications(driver: DriverSession): Promise<void> {
  const { body } = await driver.api<{ applications: { id: string; state: string }[] }>('GET', '/applications');
  for (const application of body.applications) {
    if (application.state === 'draft') await driver.api('DELETE', `/applications/${application.id}`);
    if (application.state === 'submitted') await driver.api('POST', `/applications/${application.id}/withdraw`);
  }
}

/** Document photos as files to pick in the page (they pass the server's checks without warnings), and a PDF named .jpg. */
export async function uploadFiles(): Promise<{ photo: (seed: number, width?: number) => Promise<string>; fakeJpeg: string; pdf: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'rto-browser-uploads-'));
  const fakeJpeg = path.join(dir, 'scan.jpg');
  const pdf = path.join(dir, 'scan.pdf');
  await writeFile(fakeJpeg, pdfBytes);
  await writeFile(pdf, pdfBytes);
  return {
    fakeJpeg,
    pdf,
    /** A document photo; below 400 px on its short side the server accepts it with a warning. */
    async photo(seed: number, width = 1000) {
      const file = path.join(dir, `material-${seed}-${width}.jpg`);
      await writeFile(file, await documentPhoto(seed, { width }));
      return file;
    },
  };
}

/**
 * A demo staff member signed in at a test server whose clock reads `at` (the server's clock stands
 * still: each code works once per account, so once per test file).
 */
export async function loginDemoStaff(baseUrl: string, username: string, at: Date) {
  const { headers } = await staffLoginOverHttp(baseUrl, username, at);
  return {
    async act(applicationId: string, action: Record<string, unknown>): Promise<number> {
      const result = await fetch(`${baseUrl}/api/v1/staff/applications/${applicationId}/actions`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify(action),
      });
      return result.status;
    },
  };
}

/** Opens, completes and submits an application through the API (setup for My Office tests). */
export async function submitThroughApi(
  driver: DriverSession,
  files: Awaited<ReturnType<typeof uploadFiles>>,
  request: { business: string; variant?: string },
  answers: Record<string, unknown>,
  options: { submit?: boolean } = {},
): Promise<{ id: string; reference: string }> {
  const certificates = await driver.api<{ certificates: { id: string }[] }>('GET', '/me/certificates');
  const created = await driver.api<{ id: string; reference: string }>('POST', '/applications', { ...request, certificateId: certificates.body.certificates[0]!.id });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const { id } = created.body;
  const patched = await driver.api<{ materials: { key: string; required: boolean }[] }>('PATCH', `/applications/${id}`, answers);
  expect(patched.status, JSON.stringify(patched.body)).toBe(200);
  for (const [i, material] of patched.body.materials.filter((m) => m.required).entries()) {
    const form = new FormData();
    form.append('file', new Blob([await readFile(await files.photo(20 + i))], { type: 'image/jpeg' }), 'photo.jpg');
    const stored = await fetch(`${driver.baseUrl}/api/v1/applications/${id}/materials/${material.key}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${driver.token}` },
      body: form,
    });
    expect(stored.status).toBe(200);
  }
  if (options.submit !== false) {
    const submitted = await driver.api('POST', `/applications/${id}/submit`);
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(200);
  }
  return created.body;
}

/** [提交] asks first, showing what goes: confirms that dialog (checks it names the certificate when given). */
export async function submitAndConfirm(page: Page, expectInDialog?: string): Promise<void> {
  await page.getByTestId('submit').click();
  const dialog = page.locator('.van-dialog:visible');
  await dialog.waitFor();
  if (expectInDialog) await expect.poll(() => dialog.innerText()).toContain(expectInDialog);
  await dialog.locator('.van-dialog__confirm').click();
}
