import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { expect } from 'vitest';
import { currentAgreementVersions } from '../../src/server/auth/agreements.ts';
import { DEMO_PASSWORD, DEMO_TOTP_SECRET } from '../../src/server/seed/demo.ts';
import { totpCodeAt } from '../../src/server/staff/totp.ts';

/** Shared by the business-flow and My Office browser tests. */

export interface DriverSession {
  baseUrl: string;
  token: string;
  /** Calls /api/v1 as this driver from the test (setup and clean-up, not what is under test). */
  api<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
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
  const outbox = (await (await fetch(`${baseUrl}/api/v1/dev/sms-outbox?phone=${phone}`)).json()) as { messages: { code: string | null }[] };
  const code = outbox.messages[0]?.code;
  expect(code).toBeTruthy();
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

/** Small, sharp JPEGs of a document (they pass the server's checks without warnings) and a PDF named .jpg. */
export async function uploadFiles(): Promise<{ photo: (seed: number, width?: number) => Promise<string>; fakeJpeg: string; pdf: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'rto-browser-uploads-'));
  const fakeJpeg = path.join(dir, 'scan.jpg');
  const pdf = path.join(dir, 'scan.pdf');
  const pdfBytes = Buffer.from('%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF');
  await writeFile(fakeJpeg, pdfBytes);
  await writeFile(pdf, pdfBytes);
  return {
    fakeJpeg,
    pdf,
    /** A document photo; below 400 px on its short side the server accepts it with a warning. */
    async photo(seed: number, width = 1000) {
      const lines = Array.from({ length: 16 }, (_, i) => `<rect x="60" y="${50 + i * 34}" width="${500 + ((i * 97 + seed * 31) % 380)}" height="12" fill="#222"/>`).join('');
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1000" height="680"><rect width="100%" height="100%" fill="#f4f1e8"/>${lines}</svg>`;
      const file = path.join(dir, `material-${seed}-${width}.jpg`);
      await writeFile(file, await sharp(Buffer.from(svg)).resize({ width }).jpeg({ quality: 88 }).toBuffer());
      return file;
    },
  };
}

/** A demo staff member signed in with the code their authenticator shows now (once per test file: each code works once). */
export async function loginDemoStaff(baseUrl: string, username: string) {
  const response = await fetch(`${baseUrl}/api/v1/staff/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: DEMO_PASSWORD, totp: totpCodeAt(DEMO_TOTP_SECRET, new Date()) }),
  });
  expect(response.status, await response.clone().text()).toBe(201);
  const { token } = (await response.json()) as { token: string };
  return {
    async act(applicationId: string, action: Record<string, unknown>): Promise<number> {
      const result = await fetch(`${baseUrl}/api/v1/staff/applications/${applicationId}/actions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
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
