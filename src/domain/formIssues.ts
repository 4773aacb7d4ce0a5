/**
 * What the personal-information forms say when an answer is refused, in Chinese and English.
 *
 * The schemas in catalog.ts carry a stable key as their zod message (`form.REQUIRED`), never text:
 * the server answers in the request's language and the web in the screen's, both from this table.
 */

import type { Localized } from './errors.ts';

export type FormLanguage = keyof Localized;

/** Every field a business form may have. */
export const PERSONAL_INFO_FIELDS = [
  'name',
  'sex',
  'phone',
  'serviceCompany',
  'workUnit',
  'unitPhone',
  'quasiDrivingType',
  'categoriesToCancel',
  'cancelReason',
  'reasonText',
  'reason',
  'contactName',
  'contactPhone',
  'delivery',
  'address',
] as const;
export type PersonalInfoField = (typeof PERSONAL_INFO_FIELDS)[number];

export function isPersonalInfoField(key: string): key is PersonalInfoField {
  return (PERSONAL_INFO_FIELDS as readonly string[]).includes(key);
}

/** The label shown next to each field (short enough for a phone). */
export const PERSONAL_INFO_FIELD_LABELS: Record<PersonalInfoField, Localized> = {
  name: { zh: '姓名', en: 'Name' },
  sex: { zh: '性别', en: 'Sex' },
  phone: { zh: '手机号码', en: 'Mobile' },
  serviceCompany: { zh: '服务单位', en: 'Service company' },
  workUnit: { zh: '工作单位', en: 'Work unit' },
  unitPhone: { zh: '单位电话', en: 'Unit phone' },
  quasiDrivingType: { zh: '准驾车型', en: 'Licence class' },
  categoriesToCancel: { zh: '注销类别', en: 'Categories to cancel' },
  cancelReason: { zh: '注销原因', en: 'Reason' },
  reasonText: { zh: '原因说明', en: 'Explanation' },
  reason: { zh: '申请原因', en: 'Reason for applying' },
  contactName: { zh: '联系人', en: 'Contact' },
  contactPhone: { zh: '联系电话', en: 'Contact phone' },
  delivery: { zh: '领证方式', en: 'Collection' },
  address: { zh: '联系地址', en: 'Address' },
};

/** The address field's label once the driver chose to have the certificate mailed. */
export const MAILING_ADDRESS_LABEL: Localized = { zh: '邮寄地址', en: 'Mailing address' };

/** The label of a field as the form shows it: the address becomes the mailing address when mailing. */
export function personalInfoFieldLabel(key: string, language: FormLanguage, info: Record<string, unknown> = {}): string {
  if (key === 'address' && info.delivery === 'mail') return MAILING_ADDRESS_LABEL[language];
  return isPersonalInfoField(key) ? PERSONAL_INFO_FIELD_LABELS[key][language] : key;
}

/** How a message names each field: a full phrase, where the label is a caption. */
const SUBJECTS: Record<PersonalInfoField, Localized> = {
  name: { zh: '姓名', en: 'the name' },
  sex: { zh: '性别', en: 'your sex' },
  phone: { zh: '手机号码', en: 'the mobile number' },
  serviceCompany: { zh: '服务单位', en: 'the service company' },
  workUnit: { zh: '工作单位', en: 'the work unit' },
  unitPhone: { zh: '单位电话', en: "the unit's phone number" },
  quasiDrivingType: { zh: '准驾车型', en: 'the licence class' },
  categoriesToCancel: { zh: '要注销的从业资格类别', en: 'the categories to cancel' },
  cancelReason: { zh: '注销原因', en: 'the reason for cancelling' },
  reasonText: { zh: '注销原因说明', en: 'the explanation of the reason' },
  reason: { zh: '申请原因', en: 'the reason for applying' },
  contactName: { zh: '联系人', en: 'the contact name' },
  contactPhone: { zh: '联系电话', en: 'the contact phone number' },
  delivery: { zh: '领证方式', en: 'how to collect the certificate' },
  address: { zh: '联系地址', en: 'the address' },
};
const UNKNOWN_SUBJECT: Localized = { zh: '此项', en: 'this field' };

/** Stable codes of refused answers, as the API reports them per field. */
export const FORM_ISSUE_CODES = [
  'REQUIRED',
  'TOO_LONG',
  'INVALID_MOBILE',
  'INVALID_PHONE',
  'CHOICE_REQUIRED',
  'CATEGORY_REQUIRED',
  'CATEGORY_DUPLICATE',
  'UNKNOWN_CATEGORY',
  'ADDRESS_REQUIRED_FOR_MAIL',
  'REASON_TEXT_REQUIRED',
  'INVALID',
] as const;
export type FormIssueCode = (typeof FORM_ISSUE_CODES)[number];

const KEY_PREFIX = 'form.';

/** The zod `error` option that marks an issue with a stable code (the text comes from `formIssueMessage`). */
export function formError(code: FormIssueCode): { error: string } {
  return { error: `${KEY_PREFIX}${code}` };
}

/** The parts of a zod issue the messages need (zod's own issue type fits). */
export interface FormIssueInput {
  code: string;
  path: readonly PropertyKey[];
  message: string;
  maximum?: number | bigint;
  minimum?: number | bigint;
}

/** A refused answer as the API and the web report it. */
export interface FormFieldIssue {
  /** Dotted path: `contactPhone`, `categoriesToCancel.0`. */
  path: string;
  code: FormIssueCode;
  message: string;
}

function isFormIssueCode(value: string): value is FormIssueCode {
  return (FORM_ISSUE_CODES as readonly string[]).includes(value);
}

/** The stable code of an issue: the schema's own key, or one inferred from zod's built-in checks. */
export function formIssueCode(issue: FormIssueInput): FormIssueCode {
  if (issue.message.startsWith(KEY_PREFIX)) {
    const code = issue.message.slice(KEY_PREFIX.length);
    if (isFormIssueCode(code)) return code;
  }
  switch (issue.code) {
    case 'too_big':
      return 'TOO_LONG';
    case 'too_small':
      return Number(issue.minimum ?? 1) <= 1 ? 'REQUIRED' : 'INVALID';
    case 'invalid_value':
      return 'CHOICE_REQUIRED';
    default:
      return 'INVALID';
  }
}

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

const TEMPLATES: Record<FormIssueCode, (subject: Localized, issue: FormIssueInput) => Localized> = {
  REQUIRED: (s) => ({ zh: `请填写${s.zh}`, en: `Enter ${s.en}` }),
  TOO_LONG: (s, issue) =>
    issue.maximum === undefined
      ? { zh: `${s.zh}过长`, en: `${capitalize(s.en)} is too long` }
      : { zh: `${s.zh}不能超过${issue.maximum}个字`, en: `${capitalize(s.en)} can be at most ${issue.maximum} characters` },
  INVALID_MOBILE: (s) => ({ zh: `${s.zh}格式不正确，应为11位手机号码`, en: `${capitalize(s.en)} is not valid: enter an 11-digit mobile number` }),
  INVALID_PHONE: (s) => ({
    zh: `${s.zh}格式不正确（手机号码或固定电话，如010-12345678）`,
    en: `${capitalize(s.en)} is not valid: enter a mobile number or a landline such as 010-12345678`,
  }),
  CHOICE_REQUIRED: (s) => ({ zh: `请选择${s.zh}`, en: `Choose ${s.en}` }),
  CATEGORY_REQUIRED: () => ({ zh: '请至少选择一个要注销的从业资格类别', en: 'Choose at least one category to cancel' }),
  CATEGORY_DUPLICATE: () => ({ zh: '从业资格类别不能重复', en: 'Choose each category only once' }),
  UNKNOWN_CATEGORY: () => ({ zh: '从业资格类别无效', en: 'This qualification category does not exist' }),
  ADDRESS_REQUIRED_FOR_MAIL: () => ({ zh: '选择邮寄时请填写邮寄地址', en: 'Enter the mailing address to have the certificate mailed' }),
  REASON_TEXT_REQUIRED: () => ({ zh: '选择“其他原因”时请说明注销原因', en: 'Explain the reason for cancelling when you choose "Other reason"' }),
  INVALID: (s) => ({ zh: `${s.zh}格式不正确`, en: `${capitalize(s.en)} is not valid` }),
};

/** The issue's message in both languages. */
export function formIssueMessages(issue: FormIssueInput): Localized {
  const field = String(issue.path[0] ?? '');
  const subject = isPersonalInfoField(field) ? SUBJECTS[field] : UNKNOWN_SUBJECT;
  return TEMPLATES[formIssueCode(issue)](subject, issue);
}

/** The issue's message in one language. */
export function formIssueMessage(issue: FormIssueInput, language: FormLanguage): string {
  return formIssueMessages(issue)[language];
}

/** Issues as the API reports them: dotted path, stable code, message in the reader's language. */
export function localizeFormIssues(issues: readonly FormIssueInput[], language: FormLanguage): FormFieldIssue[] {
  return issues.map((issue) => ({ path: issue.path.map(String).join('.'), code: formIssueCode(issue), message: formIssueMessage(issue, language) }));
}
