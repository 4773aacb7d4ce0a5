import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DomainError } from './errors.ts';
import type { Certificate, CertificateCategory } from './certificate.ts';
import {
  BUSINESSES,
  checkEligibility,
  describeBusiness,
  formIssueMessage,
  getBusiness,
  localizeFormIssues,
  materialIssueMessage,
  materialOverrideSchema,
  materialsFor,
  missingMaterials,
  personalInfoDraftSchema,
  personalInfoSchema,
  personalInfoShape,
  PERSONAL_INFO_FIELD_LABELS,
  resolveVariant,
  type FormLanguage,
  type MaterialOverride,
} from './catalog.ts';

const TODAY = '2026-03-01';
const cat = (code: string, validTo: string, extra: Partial<CertificateCategory> = {}): CertificateCategory => ({
  code,
  firstIssueDate: '2014-06-01',
  validFrom: '2020-06-01',
  validTo,
  ...extra,
});
const cert = (...categories: CertificateCategory[]): Pick<Certificate, 'categories'> => ({ categories });

const base = { name: '张三', sex: 'M', phone: '13800000001' };

function issues(schema: z.ZodType, value: unknown, language: FormLanguage = 'zh'): Record<string, string> {
  const r = schema.safeParse(value);
  if (r.success) return {};
  return Object.fromEntries(r.error.issues.map((i) => [i.path.join('.'), formIssueMessage(i, language)]));
}

describe('catalog', () => {
  it('lists the five businesses, in the guide’s order, with instructions in both languages', () => {
    expect(BUSINESSES.map((b) => b.key)).toEqual(['credit_assessment', 'renewal', 'replacement', 'change', 'cancellation']);
    for (const b of BUSINESSES) {
      expect(b.instructions.zh.length).toBeGreaterThanOrEqual(3);
      expect(b.instructions.en).toHaveLength(b.instructions.zh.length);
    }
    expect(getBusiness('change').variants.map((v) => v.key)).toEqual(['service_unit', 'certificate_info']);
    expect(getBusiness('credit_assessment')).toMatchObject({ producesRating: true, issuesCard: false });
    expect(getBusiness('renewal')).toMatchObject({ producesRating: false, issuesCard: true });
    expect(() => getBusiness('transfer')).toThrow(DomainError);
  });

  it('requires a variant for change and none for the others', () => {
    expect(resolveVariant('renewal')).toBe('default');
    expect(resolveVariant('change', 'service_unit')).toBe('service_unit');
    expect(() => resolveVariant('change')).toThrow(/VARIANT_REQUIRED/);
    expect(() => resolveVariant('renewal', 'service_unit')).toThrow(/UNKNOWN_VARIANT/);
  });
});

describe('personal information forms', () => {
  it('credit assessment: service company may be blank', () => {
    expect(personalInfoSchema('credit_assessment').safeParse({ ...base }).success).toBe(true);
    expect(personalInfoSchema('credit_assessment').safeParse({ ...base, serviceCompany: '' }).success).toBe(true);
    expect(issues(personalInfoSchema('credit_assessment'), { ...base, phone: '12345' })).toEqual({ phone: '手机号码格式不正确，应为11位手机号码' });
  });

  it('renewal: mailing needs an address, self-collection does not', () => {
    const info = { ...base, quasiDrivingType: 'A2', reason: '有效期即将届满', contactName: '张三', contactPhone: '+86 139 1234 5678', delivery: 'mail' };
    expect(issues(personalInfoSchema('renewal'), info)).toEqual({ address: '选择邮寄时请填写邮寄地址' });
    expect(personalInfoSchema('renewal').safeParse({ ...info, delivery: 'self_collect' }).success).toBe(true);
    const parsed = personalInfoSchema('renewal').parse({ ...info, address: ' 北京市东城区某路1号 ' }) as Record<string, unknown>;
    expect(parsed.contactPhone).toBe('13912345678');
    expect(parsed.address).toBe('北京市东城区某路1号');
    expect(issues(personalInfoSchema('renewal'), { ...info, quasiDrivingType: 'Z9', address: 'x' })).toEqual({ quasiDrivingType: '请选择准驾车型' });
  });

  it('change of service unit needs work unit, unit phone (landline allowed) and reason', () => {
    const schema = personalInfoSchema('change', 'service_unit');
    expect(schema.safeParse({ ...base, workUnit: '北京某运输有限公司', unitPhone: '010-12345678', reason: '更换工作单位' }).success).toBe(true);
    expect(Object.keys(issues(schema, { ...base }))).toEqual(['workUnit', 'unitPhone', 'reason']);
  });

  it('cancellation: at least one known category, and "other" needs a description', () => {
    const schema = personalInfoSchema('cancellation');
    const info = { ...base, categoriesToCancel: ['freight_driver'], cancelReason: 'holder_request', contactName: '张三', contactPhone: '13800000001' };
    expect(schema.safeParse(info).success).toBe(true);
    expect(issues(schema, { ...info, categoriesToCancel: [] })).toEqual({ categoriesToCancel: '请至少选择一个要注销的从业资格类别' });
    expect(Object.keys(issues(schema, { ...info, categoriesToCancel: ['pilot'] }))).toEqual(['categoriesToCancel.0']);
    expect(issues(schema, { ...info, cancelReason: 'other' })).toEqual({ reasonText: '选择“其他原因”时请说明注销原因' });
    expect(schema.safeParse({ ...info, cancelReason: 'other', reasonText: '转行' }).success).toBe(true);
    // A death is reported by others and cancelled by staff: the holder's own application cannot give it.
    expect(schema.safeParse({ ...info, cancelReason: 'death' }).success).toBe(false);
  });

  it('drafts accept partial answers but not malformed ones', () => {
    expect(personalInfoDraftSchema('renewal').safeParse({ reason: '到期' }).success).toBe(true);
    expect(personalInfoDraftSchema('renewal').safeParse({ contactPhone: '123' }).success).toBe(false);
  });

  it('every form converts to JSON Schema for the API docs', () => {
    for (const b of BUSINESSES) for (const v of b.variants) expect(() => z.toJSONSchema(personalInfoSchema(b.key, v.key), { io: 'input' })).not.toThrow();
  });
});

describe('form messages in Chinese and English', () => {
  const renewal = { ...base, quasiDrivingType: 'A2', reason: '有效期即将届满', contactName: '张三', contactPhone: '13912345678', delivery: 'self_collect' };
  const cancellation = { ...base, categoriesToCancel: ['freight_driver'], cancelReason: 'holder_request', contactName: '张三', contactPhone: '13800000001' };
  const both = (schema: z.ZodType, value: unknown) => ({ zh: issues(schema, value, 'zh'), en: issues(schema, value, 'en') });

  it('names the field that is missing or too long', () => {
    expect(both(personalInfoSchema('renewal'), { ...renewal, contactName: '' })).toEqual({
      zh: { contactName: '请填写联系人' },
      en: { contactName: 'Enter the contact name' },
    });
    expect(both(personalInfoSchema('renewal'), { ...renewal, contactName: undefined })).toEqual({
      zh: { contactName: '请填写联系人' },
      en: { contactName: 'Enter the contact name' },
    });
    expect(both(personalInfoSchema('renewal'), { ...renewal, reason: '长'.repeat(201) })).toEqual({
      zh: { reason: '申请原因不能超过200个字' },
      en: { reason: 'The reason for applying can be at most 200 characters' },
    });
  });

  it('explains what a phone number must look like', () => {
    expect(both(personalInfoSchema('renewal'), { ...renewal, contactPhone: '12345' })).toEqual({
      zh: { contactPhone: '联系电话格式不正确，应为11位手机号码' },
      en: { contactPhone: 'The contact phone number is not valid: enter an 11-digit mobile number' },
    });
    expect(both(personalInfoSchema('renewal'), { ...renewal, contactPhone: ' ' })).toEqual({
      zh: { contactPhone: '请填写联系电话' },
      en: { contactPhone: 'Enter the contact phone number' },
    });
    const unit = { ...base, workUnit: '北京某运输有限公司', reason: '更换工作单位', unitPhone: '12' };
    expect(both(personalInfoSchema('change', 'service_unit'), unit)).toEqual({
      zh: { unitPhone: '单位电话格式不正确（手机号码或固定电话，如010-12345678）' },
      en: { unitPhone: "The unit's phone number is not valid: enter a mobile number or a landline such as 010-12345678" },
    });
  });

  it('asks for a choice, and for the mailing address when mailing', () => {
    expect(both(personalInfoSchema('renewal'), { ...renewal, delivery: 'drone' })).toEqual({
      zh: { delivery: '请选择领证方式' },
      en: { delivery: 'Choose how to collect the certificate' },
    });
    expect(both(personalInfoSchema('renewal'), { ...renewal, delivery: 'mail' })).toEqual({
      zh: { address: '选择邮寄时请填写邮寄地址' },
      en: { address: 'Enter the mailing address to have the certificate mailed' },
    });
  });

  it('cancellation: categories and the explanation of "other"', () => {
    const schema = personalInfoSchema('cancellation');
    expect(both(schema, { ...cancellation, cancelReason: 'other' })).toEqual({
      zh: { reasonText: '选择“其他原因”时请说明注销原因' },
      en: { reasonText: 'Explain the reason for cancelling when you choose "Other reason"' },
    });
    expect(issues(schema, { ...cancellation, categoriesToCancel: [] }, 'en')).toEqual({ categoriesToCancel: 'Choose at least one category to cancel' });
    expect(both(schema, { ...cancellation, categoriesToCancel: ['pilot'] })).toEqual({
      zh: { 'categoriesToCancel.0': '从业资格类别无效' },
      en: { 'categoriesToCancel.0': 'This qualification category does not exist' },
    });
    expect(issues(schema, { ...cancellation, categoriesToCancel: ['freight_driver', 'freight_driver'] }, 'en')).toEqual({ categoriesToCancel: 'Choose each category only once' });
    expect(issues(schema, { ...cancellation, categoriesToCancel: undefined })).toEqual({ categoriesToCancel: '请选择要注销的从业资格类别' });
  });

  it('gives each refused answer a stable code and its path', () => {
    const r = personalInfoSchema('renewal').safeParse({ ...renewal, contactPhone: '1', contactName: '', delivery: 'mail' });
    expect(r.success).toBe(false);
    expect(localizeFormIssues(r.error!.issues, 'en')).toEqual([
      { path: 'contactName', code: 'REQUIRED', message: 'Enter the contact name' },
      { path: 'contactPhone', code: 'INVALID_MOBILE', message: 'The contact phone number is not valid: enter an 11-digit mobile number' },
      { path: 'address', code: 'ADDRESS_REQUIRED_FOR_MAIL', message: 'Enter the mailing address to have the certificate mailed' },
    ]);
    const mail = personalInfoSchema('renewal').safeParse({ ...renewal, delivery: 'mail' });
    expect(localizeFormIssues(mail.error!.issues, 'zh')).toEqual([{ path: 'address', code: 'ADDRESS_REQUIRED_FOR_MAIL', message: '选择邮寄时请填写邮寄地址' }]);
  });

  it('speaks plainly about zod’s own checks too', () => {
    const r = personalInfoDraftSchema('credit_assessment').safeParse({ serviceCompany: 42 });
    expect(localizeFormIssues(r.error!.issues, 'zh')).toEqual([{ path: 'serviceCompany', code: 'INVALID', message: '服务单位格式不正确' }]);
    expect(formIssueMessage({ code: 'too_big', path: ['address'], message: 'Too big: expected string to have <=200 characters', maximum: 200 }, 'en')).toBe(
      'The address can be at most 200 characters',
    );
    expect(formIssueMessage({ code: 'custom', path: [], message: 'Invalid input' }, 'en')).toBe('This field is not valid');
  });

  it('labels every field of every form in both languages', () => {
    for (const b of BUSINESSES) {
      for (const v of b.variants) {
        for (const key of Object.keys(personalInfoShape(b.key, v.key).shape)) {
          const label = PERSONAL_INFO_FIELD_LABELS[key as keyof typeof PERSONAL_INFO_FIELD_LABELS];
          expect(label?.zh, key).toBeTruthy();
          expect(label?.en, key).toBeTruthy();
        }
      }
    }
  });
});

describe('materials', () => {
  it('follows the guide for each business', () => {
    expect(materialsFor('credit_assessment').map((m) => m.key)).toEqual(['education_record', 'certificate_info_page', 'certificate_violation_page']);
    expect(materialsFor('renewal').map((m) => m.key)).toEqual(['photo_2inch', 'driving_licence', 'certificate_info_page', 'certificate_violation_page']);
    expect(materialsFor('change', 'service_unit').map((m) => m.key)).toEqual(['photo_2inch', 'employment_contract']);
    for (const m of materialsFor('renewal')) {
      expect(m.required).toBe(true);
      expect(m.example.zh.length).toBeGreaterThan(5);
    }
  });

  it('asks for the certificate pages only when a cancellation keeps some category', () => {
    const c = cert(cat('freight_driver', '2027-01-01'), cat('dg_driver', '2027-01-01'), cat('passenger_driver', '2027-01-01', { cancelledAt: '2024-01-01' }));
    const required = (info: Record<string, unknown>) =>
      materialsFor('cancellation', undefined, info, [], { certificate: c })
        .filter((m) => m.required)
        .map((m) => m.key);
    expect(required({ categoriesToCancel: ['freight_driver'] })).toEqual(['id_card_front', 'id_card_back', 'certificate_info_page', 'certificate_violation_page', 'photo_2inch_white']);
    // All remaining categories cancelled (the already-cancelled one doesn't count).
    expect(required({ categoriesToCancel: ['freight_driver', 'dg_driver'] })).toEqual(['id_card_front', 'id_card_back', 'photo_2inch_white']);
    const conditional = materialsFor('cancellation').find((m) => m.key === 'certificate_info_page');
    expect(conditional).toMatchObject({ required: true, condition: { zh: '仅注销部分从业资格类别时需要' } });
  });

  it('applies a province’s overrides: add, replace, remove, scoped to business and variant', () => {
    const overrides: MaterialOverride[] = [
      materialOverrideSchema.parse({ op: 'remove', business: 'renewal', key: 'certificate_violation_page' }),
      materialOverrideSchema.parse({
        op: 'add',
        business: 'renewal',
        material: { key: 'health_certificate', name: { zh: '体检证明', en: 'Medical certificate' }, example: { zh: '县级以上医院体检证明', en: '' }, required: false },
      }),
      materialOverrideSchema.parse({ op: 'replace', business: 'renewal', key: 'driving_licence', material: { required: false } }),
      materialOverrideSchema.parse({ op: 'remove', business: 'change', variant: 'certificate_info', key: 'employment_contract' }),
    ];
    const renewal = materialsFor('renewal', undefined, undefined, overrides);
    expect(renewal.map((m) => [m.key, m.required, m.source])).toEqual([
      ['photo_2inch', true, 'catalog'],
      ['driving_licence', false, 'province'],
      ['certificate_info_page', true, 'catalog'],
      ['health_certificate', false, 'province'],
    ]);
    expect(materialsFor('replacement', undefined, undefined, overrides)).toHaveLength(4);
    expect(materialsFor('change', 'certificate_info', undefined, overrides).map((m) => m.key)).toEqual(['photo_2inch']);
    expect(materialsFor('change', 'service_unit', undefined, overrides).map((m) => m.key)).toEqual(['photo_2inch', 'employment_contract']);
    expect(materialOverrideSchema.safeParse({ op: 'remove', business: 'renewal', key: 'Bad Key' }).success).toBe(false);
  });

  it('refuses a malformed material key with a message in either language', () => {
    const parsed = materialOverrideSchema.safeParse({ op: 'remove', business: 'renewal', key: 'Bad Key' });
    expect(parsed.success).toBe(false);
    const message = parsed.error?.issues[0]?.message ?? '';
    expect(materialIssueMessage(message, 'zh')).toBe('材料标识须以小写字母开头，只能包含小写字母、数字和下划线，最多 50 个字符');
    expect(materialIssueMessage(message, 'en')).toMatch(/^The material key must start with a lower-case letter/);
    // Messages that are not a material issue's key stay as they are.
    expect(materialIssueMessage('Invalid input', 'en')).toBe('Invalid input');
  });

  it('lists the required materials still missing', () => {
    const missing = missingMaterials(materialsFor('renewal'), ['photo_2inch', 'driving_licence']).map((m) => m.key);
    expect(missing).toEqual(['certificate_info_page', 'certificate_violation_page']);
  });

  it('describes a business as plain JSON', () => {
    const d = describeBusiness('change');
    expect(JSON.parse(JSON.stringify(d))).toEqual(d);
    expect(d.variants).toHaveLength(2);
  });
});

describe('eligibility', () => {
  const valid = cert(cat('freight_driver', '2027-06-30'));
  const dueSoon = cert(cat('freight_driver', '2026-03-20'));
  const grace = cert(cat('freight_driver', '2026-01-01'));
  const expired = cert(cat('freight_driver', '2025-06-01'));
  const cancelled = cert(cat('freight_driver', '2027-06-30', { cancelledAt: '2025-01-01', cancelReason: 'holder_request' }));

  it('credit assessment and change need a valid certificate', () => {
    expect(checkEligibility('credit_assessment', valid, TODAY)).toMatchObject({ eligible: true, code: 'ELIGIBLE' });
    expect(checkEligibility('credit_assessment', grace, TODAY)).toMatchObject({ eligible: false, code: 'CERTIFICATE_NOT_VALID' });
    expect(checkEligibility('change', expired, TODAY)).toMatchObject({ eligible: false, code: 'CERTIFICATE_EXPIRED' });
    expect(checkEligibility('change', cancelled, TODAY)).toMatchObject({ eligible: false, code: 'CERTIFICATE_CANCELLED' });
    expect(checkEligibility('credit_assessment', cert(cat('dg_escort', '2027-06-30')), TODAY)).toMatchObject({ eligible: false, code: 'NO_DRIVER_CATEGORY' });
  });

  it('renewal opens 30 days before expiry and stays open through the grace period', () => {
    expect(checkEligibility('renewal', valid, TODAY)).toMatchObject({ eligible: false, code: 'RENEWAL_NOT_OPEN' });
    expect(checkEligibility('renewal', valid, TODAY).reason.zh).toContain('2027-05-31');
    expect(checkEligibility('renewal', dueSoon, TODAY).eligible).toBe(true);
    expect(checkEligibility('renewal', grace, TODAY).eligible).toBe(true);
    expect(checkEligibility('renewal', expired, TODAY)).toMatchObject({ eligible: false, code: 'CERTIFICATE_EXPIRED' });
  });

  it('replacement accepts valid or grace; cancellation anything not fully cancelled', () => {
    expect(checkEligibility('replacement', grace, TODAY).eligible).toBe(true);
    expect(checkEligibility('replacement', expired, TODAY).eligible).toBe(false);
    expect(checkEligibility('cancellation', expired, TODAY).eligible).toBe(true);
    expect(checkEligibility('cancellation', cancelled, TODAY)).toMatchObject({ eligible: false, code: 'CERTIFICATE_CANCELLED' });
  });
});

describe('business definitions carry their form, materials and eligibility', () => {
  it('exposes the same schema and rules through the table and the functions', () => {
    const renewal = getBusiness('renewal');
    expect(renewal.variants[0]!.fields).toBe(personalInfoSchema('renewal'));
    expect(renewal.variants[0]!.materials.map((m) => m.key)).toEqual(materialsFor('renewal').map((m) => m.key));
    const c = cert(cat('freight_driver', '2026-01-01'));
    expect(renewal.eligibility(c, TODAY)).toEqual(checkEligibility('renewal', c, TODAY));
  });
});

describe('age limit', () => {
  it('refuses renewal once every remaining category is over its age limit', () => {
    const dueSoon = [cat('freight_driver', '2026-03-20')];
    expect(checkEligibility('renewal', { categories: dueSoon, birthDate: '1966-03-01' }, TODAY)).toMatchObject({ eligible: false, code: 'OVER_AGE_LIMIT' });
    expect(checkEligibility('renewal', { categories: dueSoon, birthDate: '1966-03-02' }, TODAY).eligible).toBe(true);
    const withTaxi = [...dueSoon, cat('taxi_cruising', '2026-03-20')];
    expect(checkEligibility('renewal', { categories: withTaxi, birthDate: '1950-01-01' }, TODAY).eligible).toBe(true);
  });
});
