/**
 * Real-name binding (PRODUCT §2.2): what the ID-card photo showed, what the driver submitted and what the
 * registry holds must agree before an identity is bound without a person looking at it. These rules say
 * which fields differ and why a submission needs review; the server and both web apps use them.
 */

/** The four fields that make an identity: they must come from the photo. */
export const IDENTITY_KEY_FIELDS = ['name', 'idNumber', 'sex', 'birthDate'] as const;
export type IdentityKeyField = (typeof IDENTITY_KEY_FIELDS)[number];

/** A field read at or above this confidence counts as what the card shows. */
export const CONFIDENT_READING = 0.8;

export interface IdentityFields {
  name?: string | undefined;
  idNumber?: string | undefined;
  sex?: 'M' | 'F' | undefined;
  birthDate?: string | undefined;
}

export interface PhotoReading {
  fields: IdentityFields & { ethnicity?: string | undefined; address?: string | undefined };
  /** 0..1 overall. */
  confidence: number;
  /** 0..1 per field, where the reader gives it; otherwise the overall confidence stands for each field. */
  fieldConfidence?: Partial<Record<string, number>>;
}

/**
 * Full-width forms (ＡＢＣ１２３), look-alike middle dots of minority names (阿卜杜•热合曼) and spaces
 * are not differences between two writings of one name.
 */
export function normalisePersonName(name: string): string {
  return name
    .normalize('NFKC')
    .replace(/\s+/g, '')
    .replace(/[•・．.‧∙⋅·]/g, '·');
}

export function normaliseIdNumber(idNumber: string): string {
  return idNumber.normalize('NFKC').replace(/\s+/g, '').toUpperCase();
}

function normalised(field: IdentityKeyField, value: string | undefined): string {
  if (value === undefined) return '';
  if (field === 'name') return normalisePersonName(value);
  if (field === 'idNumber') return normaliseIdNumber(value);
  return value.trim();
}

export type FieldDifferenceKind =
  /** The card was read confidently and the driver changed the value. */
  | 'corrected'
  /** The reader could not place this field on the card; the driver typed it. */
  | 'not_read'
  /** The reader was unsure and the driver's value differs from it. */
  | 'uncertain';

export interface FieldDifference {
  field: IdentityKeyField;
  kind: FieldDifferenceKind;
  read: string | null;
  submitted: string;
}

/** Every key field where what was submitted is not what the photo confidently showed. */
export function identityDifferences(reading: PhotoReading, submitted: Required<IdentityFields>): FieldDifference[] {
  const differences: FieldDifference[] = [];
  for (const field of IDENTITY_KEY_FIELDS) {
    const read = reading.fields[field];
    const typed = submitted[field];
    if (read === undefined || normalised(field, read) === '') {
      differences.push({ field, kind: 'not_read', read: null, submitted: typed });
      continue;
    }
    const confidence = reading.fieldConfidence?.[field] ?? reading.confidence;
    const same = normalised(field, read) === normalised(field, typed);
    if (!same) differences.push({ field, kind: confidence >= CONFIDENT_READING ? 'corrected' : 'uncertain', read, submitted: typed });
    else if (confidence < CONFIDENT_READING) differences.push({ field, kind: 'uncertain', read, submitted: typed });
  }
  return differences;
}

/** Whether the registry's holder name for an ID number is the verified name (normalised). */
export function sameHolderName(registryName: string, verifiedName: string): boolean {
  return normalisePersonName(registryName) === normalisePersonName(verifiedName);
}

/**
 * Why a submission goes to a person instead of being bound at once. Stable codes; the texts live in
 * REVIEW_REASON_LABELS so the driver and the clerk read the same words.
 */
export const REVIEW_REASONS = [
  'FIELDS_CORRECTED',
  'FIELDS_NOT_READ',
  'REGISTRY_NAME_MISMATCH',
  'ID_BOUND_ELSEWHERE',
  'IDENTITY_CHECK_INCONCLUSIVE',
  'MANUAL_REVIEW_CONFIGURED',
] as const;
export type ReviewReason = (typeof REVIEW_REASONS)[number];

export const REVIEW_REASON_LABELS: Record<ReviewReason, { zh: string; en: string }> = {
  FIELDS_CORRECTED: { zh: '提交的信息与证件照片识别结果不一致', en: 'The details submitted differ from what the ID-card photo shows' },
  FIELDS_NOT_READ: { zh: '部分信息未能从证件照片识别，为手工填写', en: 'Some details could not be read from the photo and were typed' },
  REGISTRY_NAME_MISMATCH: { zh: '姓名与从业资格证登记的持证人姓名不一致', en: 'The name differs from the certificate holder’s name in the registry' },
  ID_BOUND_ELSEWHERE: { zh: '该身份证号码已绑定其他手机号，申请更换绑定', en: 'The ID number is bound to another phone; a move to this phone is requested' },
  IDENTITY_CHECK_INCONCLUSIVE: { zh: '身份核验结果不确定', en: 'The identity check was inconclusive' },
  MANUAL_REVIEW_CONFIGURED: { zh: '本省实名认证均由人工审核', en: 'Every real-name submission is reviewed by staff in this province' },
};

/**
 * What the driver reads of the same reasons: nothing that tells the submitter what the registry holds
 * under the number (a name mismatch would confirm that a certificate exists for someone else).
 */
export const DRIVER_REVIEW_REASON_LABELS: Record<ReviewReason, { zh: string; en: string }> = {
  ...REVIEW_REASON_LABELS,
  REGISTRY_NAME_MISMATCH: { zh: '身份信息需与从业资格证登记信息人工核对', en: 'Your details need a manual check against the certificate registry' },
};

export interface ReviewInput {
  differences: readonly FieldDifference[];
  /** Holder names the registry has for the ID number (empty: no certificate yet). */
  registryNames: readonly string[];
  name: string;
  boundElsewhere: boolean;
  identityCheck: 'match' | 'inconclusive' | 'not_checked';
  manualOnly: boolean;
}

/** Every reason to review, in a fixed order; none means the identity may be bound at once. */
export function reviewReasons(input: ReviewInput): ReviewReason[] {
  const reasons: ReviewReason[] = [];
  if (input.differences.some((d) => d.kind === 'corrected' || d.kind === 'uncertain')) reasons.push('FIELDS_CORRECTED');
  if (input.differences.some((d) => d.kind === 'not_read')) reasons.push('FIELDS_NOT_READ');
  if (input.registryNames.some((holder) => !sameHolderName(holder, input.name))) reasons.push('REGISTRY_NAME_MISMATCH');
  if (input.boundElsewhere) reasons.push('ID_BOUND_ELSEWHERE');
  if (input.identityCheck === 'inconclusive') reasons.push('IDENTITY_CHECK_INCONCLUSIVE');
  if (input.manualOnly) reasons.push('MANUAL_REVIEW_CONFIGURED');
  return reasons;
}

/** Reasons a clerk gives when refusing a real-name submission (一次性告知: all of them at once). */
export const REAL_NAME_REJECTION_REASONS = ['PHOTO_UNCLEAR', 'DETAILS_NOT_ON_PHOTO', 'NOT_THE_HOLDER', 'ID_CARD_EXPIRED', 'OTHER'] as const;
export type RealNameRejectionReason = (typeof REAL_NAME_REJECTION_REASONS)[number];

export const REAL_NAME_REJECTION_LABELS: Record<RealNameRejectionReason, { zh: string; en: string }> = {
  PHOTO_UNCLEAR: { zh: '证件照片不清晰或不完整，请重新拍摄', en: 'The ID-card photo is unclear or incomplete; take it again' },
  DETAILS_NOT_ON_PHOTO: { zh: '填写的信息与证件照片不一致', en: 'The details entered do not match the ID-card photo' },
  NOT_THE_HOLDER: { zh: '无法确认为证件持有人本人', en: 'It could not be confirmed that you are the card holder' },
  ID_CARD_EXPIRED: { zh: '身份证已过有效期，请使用有效证件', en: 'The ID card has expired; use a valid card' },
  OTHER: { zh: '其他原因（见说明）', en: 'Other (see the note)' },
};

/** Working days a province has to decide a real-name submission. */
export const REAL_NAME_REVIEW_WORKING_DAYS = 1;

/**
 * The back side's validity: `validTo` is YYYY-MM-DD or 'long-term' (长期). A card is valid through its
 * last day.
 */
export function idCardExpired(validTo: string | undefined, today: string): boolean {
  if (!validTo || validTo === 'long-term') return false;
  return validTo < today;
}
