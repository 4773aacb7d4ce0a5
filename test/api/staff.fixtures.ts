import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { chinaDate } from '../../src/domain/dates.ts';
import { newReference } from '../../src/server/applications/reference.ts';
import { driverActor } from '../../src/server/applications/service.ts';
import { applyTransition, type ApplicationRow } from '../../src/server/applications/transitions.ts';
import { applications, certificateCategories, certificates, users } from '../../src/server/db/schema.ts';
import { DEMO_PASSWORD, DEMO_TOTP_SECRET } from '../../src/server/seed/demo.ts';
import { totpCodeAt } from '../../src/server/staff/totp.ts';
import type { TestApp } from '../helpers/app.ts';

export interface StaffLogin {
  token: string;
  headers: { authorization: string };
  cookie: string;
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
    payload: { username, password: DEMO_PASSWORD, totp: totpCodeAt(DEMO_TOTP_SECRET, t.clock.now()) },
    remoteAddress: options.remoteAddress ?? '10.9.8.7',
  });
  if (response.statusCode !== 201) throw new Error(`staff login ${username} answered ${response.statusCode}: ${response.body}`);
  const token = (response.json() as { token: string }).token;
  return { token, headers: { authorization: `Bearer ${token}` }, cookie: `rto_staff_session=${token}` };
}

export interface CategorySpec {
  code: string;
  firstIssueDate: string;
  validFrom: string;
  validTo: string;
  cancelledAt?: string | null;
}

/** A further registry certificate of a demo driver (one open application per certificate and business). */
export async function insertCertificate(t: TestApp, phone: string, categories: CategorySpec[], extra: { serviceUnit?: string; quasiDrivingType?: string } = {}): Promise<string> {
  const db = t.database.db;
  const [user] = await db.select().from(users).where(eq(users.phone, phone));
  if (!user?.idNumber || !user.name || !user.provinceCode) throw new Error(`${phone} is not a verified demo driver`);
  const [certificate] = await db
    .insert(certificates)
    .values({
      number: `T${randomBytes(8).toString('hex')}`,
      holderIdNumber: user.idNumber,
      holderName: user.name,
      sex: user.sex ?? 'M',
      birthDate: user.birthDate ?? '1985-01-01',
      address: user.address ?? '',
      quasiDrivingType: extra.quasiDrivingType ?? 'A2',
      serviceUnit: extra.serviceUnit ?? '北京顺通物流有限公司',
      issuingAuthorityCode: `${user.provinceCode}0000`,
      provinceCode: user.provinceCode,
    })
    .returning({ id: certificates.id });
  for (const category of categories) {
    await db.insert(certificateCategories).values({ certificateId: certificate!.id, ...category, qualifiers: [] });
  }
  return certificate!.id;
}

export const cardAnswers = { sex: 'M', phone: '13800000001', quasiDrivingType: 'A2', reason: '证件到期', address: '北京市朝阳区建国路88号', contactName: '王建国', contactPhone: '13800000001', delivery: 'mail' };

/**
 * A submitted application written straight through the transition executor (the driver's side is tested
 * in applications.test.ts); `at` is the submission instant.
 */
export async function submittedApplication(
  t: TestApp,
  options: { phone: string; certificateId: string; business: string; variant?: string | null; personalInfo?: Record<string, unknown>; at?: Date },
): Promise<ApplicationRow> {
  const db = t.database.db;
  const at = options.at ?? t.clock.now();
  const [user] = await db.select().from(users).where(eq(users.phone, options.phone));
  const [certificate] = await db.select().from(certificates).where(eq(certificates.id, options.certificateId));
  const [draft] = await db
    .insert(applications)
    .values({
      reference: newReference(options.business, chinaDate(at)),
      userId: user!.id,
      certificateId: certificate!.id,
      business: options.business,
      variant: options.variant ?? null,
      provinceCode: certificate!.provinceCode,
      issuingAuthorityCode: certificate!.issuingAuthorityCode,
      state: 'draft',
      personalInfo: { name: user!.name, ...(options.personalInfo ?? {}) },
      createdAt: at,
      updatedAt: at,
    })
    .returning();
  return db.transaction((tx) => applyTransition(tx, draft!, 'submit', driverActor(user!.id), {}, at));
}
