import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { expect } from 'vitest';
import { currentAgreementVersions } from '../../src/server/auth/agreements.ts';

/** Shared by the business-flow and My Office browser tests. */

export interface DriverSession {
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
export async function uploadFiles(): Promise<{ photo: (seed: number) => Promise<string>; fakeJpeg: string; pdf: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'rto-browser-uploads-'));
  const fakeJpeg = path.join(dir, 'scan.jpg');
  const pdf = path.join(dir, 'scan.pdf');
  const pdfBytes = Buffer.from('%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF');
  await writeFile(fakeJpeg, pdfBytes);
  await writeFile(pdf, pdfBytes);
  return {
    fakeJpeg,
    pdf,
    async photo(seed: number) {
      const lines = Array.from({ length: 16 }, (_, i) => `<rect x="60" y="${50 + i * 34}" width="${500 + ((i * 97 + seed * 31) % 380)}" height="12" fill="#222"/>`).join('');
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1000" height="680"><rect width="100%" height="100%" fill="#f4f1e8"/>${lines}</svg>`;
      const file = path.join(dir, `material-${seed}.jpg`);
      await writeFile(file, await sharp(Buffer.from(svg)).jpeg({ quality: 88 }).toBuffer());
      return file;
    },
  };
}
