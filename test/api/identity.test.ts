import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderIdCard } from '../../scripts/generate-id-cards.ts';
import { idCheckDigit } from '../../src/domain/idNumber.ts';
import { users } from '../../src/server/db/schema.ts';
import type { IdentityCheckResult } from '../../src/server/identity/identityCheck.ts';
import type { IdCardFields, IdCardReader, IdCardReading } from '../../src/server/identity/ocr.ts';
import { ocrUnreadable } from '../../src/server/identity/ocr.ts';
import { demoIdNumber, demoPeople } from '../../src/server/seed/demo.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { loginDriver, type DriverLogin } from '../helpers/driverLogin.ts';
import { multipart as multipartBody } from '../helpers/multipart.ts';

/** A registry record no account has claimed: the real-name flow links it. */
const unclaimed = demoPeople.find((p) => p.name === '郑晓明')!;
const unclaimedId = demoIdNumber(unclaimed);

/** What the fake reader "reads" next; an Error makes it fail like the engine. */
let nextReading: { fields: IdCardFields; confidence: number; doubts?: IdCardReading['doubts'] } | Error = { fields: {}, confidence: 0 };
const fakeReader: IdCardReader = {
  read: async () => {
    if (nextReading instanceof Error) throw nextReading;
    return { doubts: [], fieldConfidence: {}, ...nextReading, lines: [], durationMs: 1 };
  },
  readBack: async () => ({ fields: {}, confidence: 0, durationMs: 1, doubts: [] }),
};
let identityVerdict: IdentityCheckResult = 'match';

let t: TestApp;
let phoneSeq = 0;
const freshPhone = () => `137${String(20_000_000 + ++phoneSeq).slice(-8)}`;

beforeAll(async () => {
  t = await createTestApp({
    adapters: { idCardReader: fakeReader, identityCheck: { name: 'test', check: async () => identityVerdict } },
  });
});
afterAll(async () => {
  await t?.close();
});

const multipart = (file: Buffer, filename = 'card.jpg', contentType = 'image/jpeg') => multipartBody(file, { filename, contentType });

/** A plain photo-like JPEG, different every call. */
async function somePhoto(): Promise<Buffer> {
  const [r, g, b] = [...randomBytes(3)];
  return sharp({ create: { width: 860, height: 540, channels: 3, background: { r: r!, g: g!, b: b! } } }).jpeg().toBuffer();
}

async function uploadCard(session: DriverLogin, image: Buffer, reading: typeof nextReading = { fields: {}, confidence: 0 }) {
  nextReading = reading;
  const { payload, headers } = multipart(image);
  return t.app.inject({ method: 'POST', url: '/api/v1/identity/id-card-ocr', payload, headers: { ...headers, ...session.headers } });
}

function idNumberOf(region: string, birthDate: string, sequence3: string): string {
  const first17 = `${region}${birthDate.replaceAll('-', '')}${sequence3}`;
  return first17 + idCheckDigit(first17);
}

const verify = (session: DriverLogin, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url: '/api/v1/identity/verification', payload: body, headers: { ...session.headers, ...headers } });

describe('reading the ID card', () => {
  it('stores the photo for the driver and returns what was read', async () => {
    const session = await loginDriver(t.app, freshPhone());
    const fields = { name: unclaimed.name, sex: 'M' as const, ethnicity: '汉', birthDate: unclaimed.birthDate, address: unclaimed.address, idNumber: unclaimedId };
    const response = await uploadCard(session, await somePhoto(), { fields, confidence: 0.93 });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ fields, confidence: 0.93, hint: null });
    expect(body.warnings.map((w: { code: string }) => w.code)).not.toContain('OCR_LOW_CONFIDENCE');
    expect(body.photoId).toMatch(/^[0-9a-f]{64}\.jpg$/);
    expect(body.side).toBe('portrait');
    const { LocalFileStorage } = await import('../../src/server/storage/index.ts');
    const storage = new LocalFileStorage((t.config.storage as { root: string }).root);
    expect(await storage.exists(`identity/${session.userId}/${body.photoId}`)).toBe(true);
  });

  it('is no dead end when no ID number could be read: empty fields and a hint to retake or type', async () => {
    const session = await loginDriver(t.app, freshPhone());
    const response = await uploadCard(session, await somePhoto(), { fields: {}, confidence: 0 });
    expect(response.statusCode).toBe(200);
    expect(response.json().fields).toEqual({});
    expect(response.json().hint.zh).toMatch(/光线/);
    expect(response.json().hint.en).toMatch(/type the details/);
  });

  it('warns when the number read fails its check digit', async () => {
    const session = await loginDriver(t.app, freshPhone());
    const wrongDigit = unclaimedId.slice(0, 17) + (unclaimedId[17] === '1' ? '2' : '1');
    const response = await uploadCard(session, await somePhoto(), { fields: { idNumber: wrongDigit }, confidence: 0.5 });
    expect(response.json().warnings.map((w: { code: string }) => w.code)).toContain('OCR_ID_NUMBER_DOUBTFUL');
    expect(response.json().hint).not.toBeNull();
  });

  it('passes on why the cross-checks emptied a field, in both languages', async () => {
    const session = await loginDriver(t.app, freshPhone());
    const doubt = {
      field: 'idNumber' as const,
      code: 'OCR_ID_NUMBER_BIRTHDATE_MISMATCH',
      zh: '身份证号码中的出生日期与“出生”一栏不一致，号码可能识别有误，请对照证件填写',
      en: 'The birth date in the ID number differs from the one printed beside 出生; type the number from the card',
    };
    const response = await uploadCard(session, await somePhoto(), { fields: { name: unclaimed.name, birthDate: unclaimed.birthDate }, confidence: 0.3, doubts: [doubt] });
    expect(response.statusCode).toBe(200);
    expect(response.json().fields.idNumber).toBeUndefined();
    expect(response.json().warnings).toContainEqual({ code: doubt.code, zh: doubt.zh, en: doubt.en });
  });

  it('answers an engine failure with 422 OCR_UNREADABLE and still gives the photo id for typing the fields', async () => {
    const session = await loginDriver(t.app, freshPhone());
    const response = await uploadCard(session, await somePhoto(), ocrUnreadable({ reason: 'engine crashed' }));
    expect(response.statusCode).toBe(422);
    expect(response.json().error.code).toBe('OCR_UNREADABLE');
    expect(response.json().error.details.photoId).toMatch(/^[0-9a-f]{64}\.jpg$/);
    expect(response.body).not.toMatch(/engine crashed/);
    const other = await uploadCard(session, await somePhoto(), new Error('native 1234'));
    expect(other.json().error.code).toBe('OCR_UNREADABLE');
  });

  it('refuses what is not a picture, no file, and callers without a session', async () => {
    const session = await loginDriver(t.app, freshPhone());
    const pdf = multipart(Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\n'), 'card.jpg');
    const notImage = await t.app.inject({ method: 'POST', url: '/api/v1/identity/id-card-ocr', payload: pdf.payload, headers: { ...pdf.headers, ...session.headers } });
    expect(notImage.statusCode).toBe(415);
    expect(notImage.json().error.code).toBe('UPLOAD_UNSUPPORTED_TYPE');
    const json = await t.app.inject({ method: 'POST', url: '/api/v1/identity/id-card-ocr', payload: { file: 'x' }, headers: session.headers });
    expect(json.statusCode).toBe(415);
    const anonymous = await t.app.inject({ method: 'POST', url: '/api/v1/identity/id-card-ocr', ...multipart(await somePhoto()) });
    expect(anonymous.statusCode).toBe(401);
  });
});

describe('submitting the verification', () => {
  /** The reader confidently saw exactly these details on the photo. */
  const readingOf = (person: { name: string; idNumber: string; sex: 'M' | 'F'; birthDate: string; address: string; ethnicity?: string }) => ({
    fields: { name: person.name, idNumber: person.idNumber, sex: person.sex, birthDate: person.birthDate, address: person.address, ethnicity: person.ethnicity ?? '汉' },
    confidence: 0.95,
  });

  it('verifies the driver, keeps the photo as evidence and links the registry certificates by ID number', async () => {
    const session = await loginDriver(t.app, freshPhone());
    const upload = await uploadCard(session, await somePhoto(), readingOf({ ...unclaimed, idNumber: unclaimedId }));
    const response = await verify(session, {
      name: unclaimed.name,
      idNumber: unclaimedId.toLowerCase(),
      sex: unclaimed.sex,
      ethnicity: '汉族',
      birthDate: unclaimed.birthDate,
      address: unclaimed.address,
      photoId: upload.json().photoId,
    });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.outcome).toBe('verified');
    expect(body.certificatesFound).toBe(1);
    expect(body.user).toMatchObject({ verified: true, provinceCode: '11' });
    expect(body.user.identity).toMatchObject({ name: unclaimed.name, ethnicity: '汉', birthDate: unclaimed.birthDate, sex: 'M' });
    expect(body.user.identity.idNumberMasked).toBe(`${unclaimedId.slice(0, 4)}**********${unclaimedId.slice(-4)}`);
    const [row] = await t.database.db.select().from(users).where(eq(users.id, session.userId));
    expect(row!.idPhotoKey).toBe(`identity/${session.userId}/${upload.json().photoId}`);
    expect(row!.idNumber).toBe(unclaimedId);

    const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: session.headers });
    expect(me.json().verified).toBe(true);
    const again = await verify(session, { name: unclaimed.name, idNumber: unclaimedId, sex: 'M', ethnicity: '汉', birthDate: unclaimed.birthDate, address: unclaimed.address, photoId: upload.json().photoId });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('ALREADY_VERIFIED');
  });

  describe('refusals', () => {
    let session: DriverLogin;
    let photoId: string;
    const valid = { name: '钱多多', idNumber: idNumberOf('320102', '1990-04-15', '123'), sex: 'M' as const, ethnicity: '汉', birthDate: '1990-04-15', address: '江苏省南京市玄武区珠江路1号' };
    beforeAll(async () => {
      session = await loginDriver(t.app, freshPhone());
      photoId = (await uploadCard(session, await somePhoto(), readingOf(valid))).json().photoId;
    });
    const attempt = (changes: Record<string, unknown>) => verify(session, { ...valid, photoId, ...changes });

    it.each([
      ['ID_FORMAT', { idNumber: '32010219900415123' }],
      ['ID_CHECKSUM', { idNumber: valid.idNumber.slice(0, 17) + (valid.idNumber[17] === '0' ? '1' : '0') }],
      ['ID_BIRTHDATE', { idNumber: idNumberOf('320102', '1990-02-30', '123'), birthDate: '1990-02-30' }],
      ['ID_REGION', { idNumber: idNumberOf('999999', '1990-04-15', '123') }],
      ['ID_BIRTHDATE_MISMATCH', { birthDate: '1990-04-16' }],
      ['ID_SEX_MISMATCH', { sex: 'F' }],
      ['NAME_INVALID', { name: 'Zhang San' }],
      ['NAME_INVALID', { name: '钱' }],
      ['NAME_INVALID', { name: '·钱多' }],
      ['ADDRESS_INVALID', { address: '南京' }],
      ['PHOTO_NOT_FOUND', { photoId: `${'0'.repeat(64)}.jpg` }],
    ])('%s', async (code, changes) => {
      const response = await attempt(changes);
      expect(response.statusCode).toBe(422);
      expect(response.json().error.code).toBe(code);
      expect(response.json().error.message).toBeTruthy();
    });

    it('names every problem at once, in the user language', async () => {
      const response = await verify(session, { ...valid, photoId, name: 'X', sex: 'F', birthDate: '1991-01-01' }, { 'accept-language': 'en' });
      const problems = response.json().error.details.problems as { field: string; code: string; message: string }[];
      expect(problems.map((p) => p.code)).toEqual(['NAME_INVALID', 'ID_SEX_MISMATCH', 'ID_BIRTHDATE_MISMATCH']);
      expect(problems[0]!.message).toMatch(/Chinese characters/);
    });

    it('refuses the photo of another driver as if it did not exist', async () => {
      const other = await loginDriver(t.app, freshPhone());
      const othersPhoto = (await uploadCard(other, await somePhoto())).json().photoId;
      const response = await attempt({ photoId: othersPhoto });
      expect(response.json().error.code).toBe('PHOTO_NOT_FOUND');
    });

    it('passes on what the identity check says, and binds nothing', async () => {
      identityVerdict = 'mismatch';
      try {
        const mismatch = await attempt({});
        expect(mismatch.statusCode).toBe(422);
        expect(mismatch.json().error.code).toBe('IDENTITY_MISMATCH');
        identityVerdict = 'unavailable';
        const unavailable = await attempt({});
        expect(unavailable.statusCode).toBe(503);
        expect(unavailable.json().error.code).toBe('IDENTITY_CHECK_UNAVAILABLE');
      } finally {
        identityVerdict = 'match';
      }
      const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: session.headers });
      expect(me.json().verified).toBe(false);
    });
  });

  it('accepts a minority name with the middle dot (and its look-alikes)', async () => {
    const session = await loginDriver(t.app, freshPhone());
    const person = { name: '阿卜杜·热合曼', idNumber: idNumberOf('650102', '1988-03-02', '135'), sex: 'M' as const, birthDate: '1988-03-02', address: '新疆维吾尔自治区乌鲁木齐市天山区解放路1号', ethnicity: '维吾尔' };
    const photoId = (await uploadCard(session, await somePhoto(), readingOf(person))).json().photoId;
    const response = await verify(session, { ...person, name: '阿卜杜•热合曼', photoId });
    expect(response.statusCode).toBe(200);
    expect(response.json().outcome).toBe('verified');
    expect(response.json().user.identity.name).toBe('阿卜杜·热合曼');
    expect(response.json().certificatesFound).toBe(0);
  });

  it('needs a session', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/identity/verification', payload: {} });
    expect(response.statusCode).toBe(401);
  });
});

describe('reading a real card photo with the offline OCR engine', () => {
  let real: TestApp;
  beforeAll(async () => {
    real = await createTestApp();
  });
  afterAll(async () => {
    await real?.close();
  });

  it('reads the fields of a rendered ID card', async () => {
    const truth = { name: unclaimed.name, sex: unclaimed.sex, ethnicity: unclaimed.ethnicity, birthDate: unclaimed.birthDate, address: unclaimed.address, idNumber: unclaimedId };
    const image = await renderIdCard(truth, { jpegQuality: 90 });
    const session = await loginDriver(real.app, freshPhone());
    const { payload, headers } = multipart(image);
    const response = await real.app.inject({ method: 'POST', url: '/api/v1/identity/id-card-ocr', payload, headers: { ...headers, ...session.headers } });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.fields.idNumber).toBe(unclaimedId);
    expect(body.fields.name).toBe(unclaimed.name);
    expect(body.hint).toBeNull();
    expect(body.confidence).toBeGreaterThan(0.5);
  }, 120_000);
});
