import type { z } from 'zod';
import type { BusinessKey } from '../../../../domain/businessKeys.ts';
import type { FormIssueInput, FormLanguage, PersonalInfoField } from '../../../../domain/catalog.ts';
import { CANCEL_REASON_LABELS, type CancelReason } from '../../../../domain/certificate.ts';
import { QUASI_DRIVING_TYPE_LABELS, type QuasiDrivingType } from '../../../../domain/quasiDriving.ts';
import type { AppLocale } from '../../../shared/locale.ts';
import { formRules } from './formRules.ts';

/** How each personal-information field is entered on the phone. */
export type FieldKind = 'readonly' | 'sex' | 'text' | 'textarea' | 'tel' | 'quasiDriving' | 'delivery' | 'categories' | 'cancelReason';

const KINDS: Record<PersonalInfoField, FieldKind> = {
  name: 'readonly',
  sex: 'sex',
  phone: 'tel',
  serviceCompany: 'text',
  workUnit: 'text',
  unitPhone: 'tel',
  quasiDrivingType: 'quasiDriving',
  categoriesToCancel: 'categories',
  cancelReason: 'cancelReason',
  reasonText: 'textarea',
  reason: 'textarea',
  contactName: 'text',
  contactPhone: 'tel',
  delivery: 'delivery',
  address: 'textarea',
};

/** Display order: the mailing address comes after the choice to have the card mailed. */
const ORDER = Object.keys(KINDS);

export interface FieldSpec {
  key: string;
  kind: FieldKind;
  /** Optional fields are shown without the red star. */
  required: boolean;
}

/** The fields of a business's form, in display order, read from the domain's schema (after `loadFormRules()`). */
export function formFields(business: BusinessKey, variant: string | null): FieldSpec[] {
  const shape = formRules().personalInfoShape(business, variant).shape as Record<string, z.ZodType>;
  const keys = Object.keys(shape).sort((a, b) => rank(a) - rank(b));
  return keys.map((key) => ({ key, kind: KINDS[key as PersonalInfoField] ?? 'text', required: !shape[key]!.safeParse(undefined).success }));
}

function rank(key: string): number {
  const index = ORDER.indexOf(key);
  return index < 0 ? ORDER.length : index;
}

export type FieldErrors = Record<string, string>;

const formLanguage = (locale: AppLocale): FormLanguage => (locale === 'en' ? 'en' : 'zh');

/** A field's label in the screen's language, from the domain's table; `path` may point inside a list. */
export function fieldLabel(path: string, locale: AppLocale, info: Record<string, unknown> = {}): string {
  return formRules().personalInfoFieldLabel(path.split('.')[0] ?? path, formLanguage(locale), info);
}

/** The first problem of each field, worded as the server words it. */
function collect(issues: readonly FormIssueInput[], locale: AppLocale): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of issues) {
    const key = String(issue.path[0] ?? '');
    if (!key || errors[key]) continue;
    errors[key] = formRules().formIssueMessage(issue, formLanguage(locale));
  }
  return errors;
}

/** Problems with what is there so far (a draft may be incomplete). */
export function draftErrors(business: BusinessKey, variant: string | null, info: Record<string, unknown>, locale: AppLocale): FieldErrors {
  const parsed = formRules().personalInfoDraftSchema(business, variant).safeParse(withoutBlanks(info, business, variant));
  return parsed.success ? {} : collect(parsed.error.issues, locale);
}

/** Everything the submission needs, with the same messages as the server. */
export function submitErrors(business: BusinessKey, variant: string | null, info: Record<string, unknown>, locale: AppLocale): FieldErrors {
  const parsed = formRules().personalInfoSchema(business, variant).safeParse(info);
  return parsed.success ? {} : collect(parsed.error.issues, locale);
}

/** A required field left blank is "not filled yet" while drafting, not an error. */
function withoutBlanks(info: Record<string, unknown>, business: BusinessKey, variant: string | null): Record<string, unknown> {
  const required = new Set(formFields(business, variant).filter((f) => f.required).map((f) => f.key));
  return Object.fromEntries(Object.entries(info).filter(([key, value]) => !(required.has(key) && (value === '' || value === undefined))));
}

/** The answers that may be saved now: each well-formed on its own. */
export function savableChanges(business: BusinessKey, variant: string | null, changes: Record<string, unknown>): Record<string, unknown> {
  const schema = formRules().personalInfoDraftSchema(business, variant);
  return Object.fromEntries(Object.entries(changes).filter(([key, value]) => schema.safeParse({ [key]: value }).success));
}

export function quasiDrivingLabel(code: string, locale: AppLocale): string {
  const label = QUASI_DRIVING_TYPE_LABELS[code as QuasiDrivingType];
  return label ? `${code}  ${locale === 'en' ? label.en : label.zh}` : code;
}

export function cancelReasonLabel(code: string, locale: AppLocale): string {
  const label = CANCEL_REASON_LABELS[code as CancelReason];
  return label ? (locale === 'en' ? label.en : label.zh) : code;
}
