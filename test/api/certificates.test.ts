import { eq } from 'drizzle-orm';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verificationRequests } from '../../src/server/db/schema.ts';
import { demoIdNumber, demoPeople } from '../../src/server/seed/demo.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { loginDriver, type DriverLogin } from '../helpers/driverLogin.ts';
import { multipart as multipartBody } from '../helpers/multipart.ts';

let t: TestApp;
let wang: DriverLogin;
let li: DriverLogin;

beforeAll(async () => {
  t = await createTestApp();
  wang = await loginDriver(t.app, '13800000001');
  li = await loginDriver(t.app, '13800000002');
});
afterAll(async () => {
  await t?.close();
});

const get = (url: string, session?: DriverLogin) => t.app.inject({ method: 'GET', url: `/api/v1${url}`, headers: session?.headers ?? {} });

type Certificate = {
  id: string;
  number: string;
  status: { status: string; reason: { zh: string } };
  categories: { code: string; status: string; qualifiers: { code: string; name: { zh: string } }[]; reason: { zh: string }; label: { zh: string } }[];
  issuingAuthority: { name: { zh: string } };
  province: { code: string };
  holderIdNumberMasked: string;
};

async function certificatesOf(phone: string): Promise<Certificate[]> {
  const session = await loginDriver(t.app, phone);
  const response = await get('/me/certificates', session);
  expect(response.statusCode).toBe(200);
  return response.json().certificates;
}

const multipart = (file: Buffer) => multipartBody(file, { filename: 'page.jpg' });

describe('my certificates', () => {
  it('lists the certificates held under the verified ID number, with categories and statuses', async () => {
    const response = await get('/me/certificates', wang);
    expect(response.statusCode).toBe(200);
    const [certificate, ...others] = response.json().certificates as Certificate[];
    expect(others).toHaveLength(0);
    const idNumber = demoIdNumber(demoPeople[0]!);
    expect(certificate).toMatchObject({
      number: idNumber,
      holderName: '王建国',
      quasiDrivingType: 'A2',
      serviceUnit: '北京顺通物流有限公司',
      issuingAuthority: { code: '110000', name: { zh: '北京市交通委员会' } },
      province: { code: '11', name: { zh: '北京市' } },
      status: { status: 'valid', label: { zh: '有效' } },
    });
    expect(certificate!.holderIdNumberMasked).toBe(`${idNumber.slice(0, 4)}**********${idNumber.slice(-4)}`);
    expect(certificate!.categories).toHaveLength(2);
    expect(certificate!.categories[0]).toMatchObject({ code: 'freight_driver', name: { zh: '经营性道路货物运输驾驶员' }, status: 'valid', qualifiers: [] });
    expect(certificate!.categories[0]!.reason.zh).toMatch(/^有效期至\d{4}-\d{2}-\d{2}/);
    expect(certificate!.categories[1]).toMatchObject({ code: 'passenger_driver', status: 'valid' });
  });

  it('shows qualifiers and several categories', async () => {
    const [certificate] = await certificatesOf('13800000003');
    const dangerous = certificate!.categories.find((c) => c.code === 'dg_driver')!;
    expect(dangerous.qualifiers).toEqual([{ code: 'highly_toxic', name: { zh: '剧毒化学品', en: 'highly toxic chemicals' } }]);
    expect(dangerous.label.zh).toBe('道路危险货物运输驾驶员（剧毒化学品）');
    expect(certificate!.categories.map((c) => c.code).sort()).toEqual(['dg_driver', 'freight_driver']);
  });

  it('gives the reason for expired, cancelled and grace-period certificates', async () => {
    const [cancelled] = await certificatesOf('13800000010');
    expect(cancelled!.status.status).toBe('cancelled');
    expect(cancelled!.status.reason.zh).toMatch(/注销.*持证人申请注销/);
    const [expired] = await certificatesOf('13800000009');
    expect(expired!.status.status).toBe('expired');
    expect(expired!.status.reason.zh).toMatch(/超过180日/);
    const [grace] = await certificatesOf('13800000007');
    expect(grace!.status.status).toBe('grace');
  });

  it('needs a verified driver', async () => {
    const anonymous = await get('/me/certificates');
    expect(anonymous.statusCode).toBe(401);
    const unverified = await loginDriver(t.app, '13900001111');
    const response = await get('/me/certificates', unverified);
    expect(response.statusCode).toBe(403);
    expect(response.json().error.code).toBe('REAL_NAME_REQUIRED');
  });
});

describe('information-verification requests', () => {
  let wangCertificate: Certificate;
  let liCertificate: Certificate;
  beforeAll(async () => {
    wangCertificate = (await get('/me/certificates', wang)).json().certificates[0];
    liCertificate = (await get('/me/certificates', li)).json().certificates[0];
  });

  const file = (session: DriverLogin, certificateId: string, body: Record<string, unknown>) =>
    t.app.inject({ method: 'POST', url: `/api/v1/me/certificates/${certificateId}/verification-requests`, payload: body, headers: session.headers });

  it('files a request to the issuing authority and lists it', async () => {
    const response = await file(wang, wangCertificate.id, { field: 'address', expectedValue: '北京市朝阳区建国路89号', note: '门牌号有误' });
    expect(response.statusCode).toBe(201);
    const created = response.json();
    expect(created).toMatchObject({
      certificateId: wangCertificate.id,
      certificateNumber: wangCertificate.number,
      field: 'address',
      fieldLabel: { zh: '住址' },
      expectedValue: '北京市朝阳区建国路89号',
      note: '门牌号有误',
      hasPhoto: false,
      state: 'submitted',
      stateLabel: { zh: '待受理' },
      issuingAuthority: { code: '110000' },
      acceptedAt: null,
      answerDeadline: null,
    });
    const [row] = await t.database.db.select().from(verificationRequests).where(eq(verificationRequests.id, created.id));
    expect(row!.provinceCode).toBe('11');

    const listed = await get('/me/verification-requests', wang);
    expect(listed.json().requests.map((r: { id: string }) => r.id)).toContain(created.id);
    const others = await get('/me/verification-requests', li);
    expect(others.json().requests.map((r: { id: string }) => r.id)).not.toContain(created.id);
  });

  it('refuses a second open request about the same item', async () => {
    await file(wang, wangCertificate.id, { field: 'serviceUnit', expectedValue: '北京顺通物流股份有限公司' });
    const again = await file(wang, wangCertificate.id, { field: 'serviceUnit', expectedValue: '北京顺通物流股份有限公司' });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('VERIFICATION_REQUEST_OPEN');
  });

  it('answers 404 for another driver’s certificate, an unknown one and a malformed id', async () => {
    for (const id of [liCertificate.id, '00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      const response = await file(wang, id, { field: 'other', expectedValue: 'x' });
      expect(response.statusCode).toBe(404);
      expect(response.json().error.code).toBe('CERTIFICATE_NOT_FOUND');
    }
  });

  it('accepts a photo the driver uploaded, and only their own', async () => {
    const image = await sharp({ create: { width: 800, height: 600, channels: 3, background: { r: 200, g: 190, b: 180 } } }).jpeg().toBuffer();
    const upload = await t.app.inject({ method: 'POST', url: '/api/v1/me/verification-requests/photos', ...withHeaders(multipart(image), li) });
    expect(upload.statusCode).toBe(201);
    const { photoId } = upload.json();
    const withPhoto = await file(li, liCertificate.id, { field: 'quasiDrivingType', expectedValue: 'A1A2', photoId });
    expect(withPhoto.statusCode).toBe(201);
    expect(withPhoto.json().hasPhoto).toBe(true);
    const stolen = await file(wang, wangCertificate.id, { field: 'fileNumber', expectedValue: '110000000001', photoId });
    expect(stolen.statusCode).toBe(422);
    expect(stolen.json().error.code).toBe('PHOTO_NOT_FOUND');
  });

  it('validates the item and the value', async () => {
    const badField = await file(wang, wangCertificate.id, { field: 'salary', expectedValue: 'more' });
    expect(badField.statusCode).toBe(400);
    const empty = await file(wang, wangCertificate.id, { field: 'sex', expectedValue: '   ' });
    expect(empty.statusCode).toBe(400);
  });
});

function withHeaders(form: { payload: Buffer; headers: Record<string, string> }, session: DriverLogin) {
  return { payload: form.payload, headers: { ...form.headers, ...session.headers } };
}
