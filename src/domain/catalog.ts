/**
 * The business catalog (PRODUCT §3) as data: for each service its instructions, personal-information
 * form (a zod schema shared by server and web), materials with example hints, which certificates qualify,
 * and what it produces. Provinces may override materials (`MaterialOverride`).
 */

import { z } from 'zod';
import type { Localized } from './errors.ts';
import { DomainError } from './errors.ts';
import {
  BUSINESS_KEYS,
  businessIssuesCard,
  DELIVERY_METHODS,
  isBusinessKey,
  type BusinessKey,
  type BusinessVariant,
} from './businessKeys.ts';
import { QUASI_DRIVING_TYPES } from './quasiDriving.ts';
import { SELF_CANCEL_REASONS, activeCategories, type Certificate } from './certificate.ts';
import { CATEGORY_CODES } from './categories.ts';
import { ELIGIBILITY, type Eligibility, type EligibilityCertificate } from './eligibility.ts';
import { isMobile, isPhoneNumber, normalizeMobile } from './phone.ts';
import { formError, type FormLanguage } from './formIssues.ts';

// Eligibility has no schema: it lives apart so the drivers' app can check it without loading zod.
export { checkEligibility, type Eligibility, type EligibilityCertificate } from './eligibility.ts';

export {
  FORM_ISSUE_CODES,
  MAILING_ADDRESS_LABEL,
  PERSONAL_INFO_FIELDS,
  PERSONAL_INFO_FIELD_LABELS,
  formIssueCode,
  formIssueMessage,
  formIssueMessages,
  localizeFormIssues,
  personalInfoFieldLabel,
  type FormFieldIssue,
  type FormIssueCode,
  type FormIssueInput,
  type FormLanguage,
  type PersonalInfoField,
} from './formIssues.ts';

// ---------------------------------------------------------------------------------------------------
// Personal-information fields

// Messages are stable keys (formIssues.ts turns them into Chinese or English); fields are named by the path.
const text = (max: number) =>
  z
    .string(formError('REQUIRED'))
    .trim()
    .min(1, formError('REQUIRED'))
    .max(max, formError('TOO_LONG'));

const optionalText = (max: number) => z.string().trim().max(max, formError('TOO_LONG')).optional();

// A blank number is "enter it", not "wrong format" (it was refused either way).
const blankPhone = { ...formError('REQUIRED'), abort: true };

const mobile = () => z.string(formError('REQUIRED')).overwrite(normalizeMobile).min(1, blankPhone).refine(isMobile, formError('INVALID_MOBILE'));

const anyPhone = () => z.string(formError('REQUIRED')).trim().min(1, blankPhone).refine(isPhoneNumber, formError('INVALID_PHONE'));

const choice = <const T extends readonly [string, ...string[]]>(values: T) => z.enum(values, formError('CHOICE_REQUIRED'));

/** Fields every business shows. The name comes from real-name verification and cannot be edited. */
const commonFields = {
  name: text(50),
  sex: choice(['M', 'F']),
  phone: mobile(),
};

const quasiDrivingType = choice(QUASI_DRIVING_TYPES);
const delivery = choice(DELIVERY_METHODS);
const reason = text(200);

const cardFields = {
  ...commonFields,
  quasiDrivingType,
  reason,
  address: optionalText(200),
  contactName: text(50),
  contactPhone: mobile(),
  delivery,
};

/** Mailing needs an address. */
function requireAddressForMail(v: { delivery: string; address?: string | undefined }): boolean {
  return v.delivery !== 'mail' || (v.address ?? '').trim().length > 0;
}
const MAIL_NEEDS_ADDRESS = { ...formError('ADDRESS_REQUIRED_FOR_MAIL'), path: ['address'] };

const creditAssessmentShape = z.object({
  ...commonFields,
  serviceCompany: optionalText(100),
});

const cardShape = z.object(cardFields);

const changeServiceUnitShape = z.object({
  ...commonFields,
  workUnit: text(100),
  unitPhone: anyPhone(),
  reason,
});

const changeCertificateInfoShape = z.object({
  ...cardFields,
  unitPhone: anyPhone(),
});

const cancellationShape = z.object({
  ...commonFields,
  categoriesToCancel: z
    .array(z.string().refine((c) => CATEGORY_CODES.includes(c), formError('UNKNOWN_CATEGORY')), formError('CHOICE_REQUIRED'))
    .min(1, formError('CATEGORY_REQUIRED'))
    .refine((list) => new Set(list).size === list.length, formError('CATEGORY_DUPLICATE')),
  cancelReason: choice(SELF_CANCEL_REASONS),
  /** Required when the reason is 'other'. */
  reasonText: optionalText(200),
  contactName: text(50),
  contactPhone: mobile(),
});

const schemas = {
  credit_assessment: { default: { shape: creditAssessmentShape, full: creditAssessmentShape } },
  renewal: { default: { shape: cardShape, full: cardShape.refine(requireAddressForMail, MAIL_NEEDS_ADDRESS) } },
  replacement: { default: { shape: cardShape, full: cardShape.refine(requireAddressForMail, MAIL_NEEDS_ADDRESS) } },
  change: {
    service_unit: { shape: changeServiceUnitShape, full: changeServiceUnitShape },
    certificate_info: { shape: changeCertificateInfoShape, full: changeCertificateInfoShape.refine(requireAddressForMail, MAIL_NEEDS_ADDRESS) },
  },
  cancellation: {
    default: {
      shape: cancellationShape,
      full: cancellationShape.refine((v) => v.cancelReason !== 'other' || (v.reasonText ?? '').trim().length > 0, {
        ...formError('REASON_TEXT_REQUIRED'),
        path: ['reasonText'],
      }),
    },
  },
} as const;

export type CreditAssessmentInfo = z.infer<typeof creditAssessmentShape>;
export type CardBusinessInfo = z.infer<typeof cardShape>;
export type ChangeServiceUnitInfo = z.infer<typeof changeServiceUnitShape>;
export type ChangeCertificateInfo = z.infer<typeof changeCertificateInfoShape>;
export type CancellationInfo = z.infer<typeof cancellationShape>;
export type PersonalInfo = CreditAssessmentInfo | CardBusinessInfo | ChangeServiceUnitInfo | ChangeCertificateInfo | CancellationInfo;

// ---------------------------------------------------------------------------------------------------
// Materials

/** A material required only in some cases, named so it can travel as JSON and be explained on screen. */
export interface RequiredRule {
  rule: 'partial_cancellation';
  note: Localized;
}

export interface Material {
  key: string;
  name: Localized;
  /** What the example picture shows / how to take the photo. */
  example: Localized;
  required: boolean | RequiredRule;
}

export interface ResolvedMaterial {
  key: string;
  name: Localized;
  example: Localized;
  required: boolean;
  /** When requiredness depends on the answers, what it depends on. */
  condition?: Localized;
  source: 'catalog' | 'province';
}

const PHOTO_2INCH: Material = {
  key: 'photo_2inch',
  name: { zh: '近期二寸免冠彩色照片', en: 'Recent 2-inch bareheaded colour photo' },
  example: {
    zh: '近6个月内拍摄的正面免冠彩色证件照，不戴帽子和有色眼镜，五官清晰，背景干净',
    en: 'A front-facing colour ID photo taken within 6 months, no hat or tinted glasses, face clearly visible, plain background',
  },
  required: true,
};
const DRIVING_LICENCE: Material = {
  key: 'driving_licence',
  name: { zh: '机动车驾驶证', en: 'Motor vehicle driving licence' },
  example: { zh: '驾驶证正本和副本（或电子驾驶证截图），准驾车型、有效期限清晰可见', en: 'Both parts of the driving licence (or the e-licence screenshot), licence class and validity legible' },
  required: true,
};
const CERT_INFO_PAGE: Material = {
  key: 'certificate_info_page',
  name: { zh: '从业资格证个人信息页', en: 'Certificate personal-information page' },
  example: { zh: '从业资格证印有姓名、照片、证号的一页，平放拍摄，四角完整，文字清晰', en: 'The page with name, photo and number, photographed flat with all four corners visible' },
  required: true,
};
const CERT_VIOLATION_PAGE: Material = {
  key: 'certificate_violation_page',
  name: { zh: '从业资格证违章记录页', en: 'Certificate violation-record page' },
  example: { zh: '从业资格证的违章记录页（无记录也需拍摄），平放拍摄，文字清晰', en: 'The violation-record page (photograph it even if empty), flat and legible' },
  required: true,
};
const PARTIAL_ONLY: RequiredRule = {
  rule: 'partial_cancellation',
  note: { zh: '仅注销部分从业资格类别时需要', en: 'Needed only when some categories are kept' },
};

const MATERIALS: Record<BusinessKey, Partial<Record<BusinessVariant, Material[]>>> = {
  credit_assessment: {
    default: [
      {
        key: 'education_record',
        name: { zh: '考核周期内学习教育情况', en: 'Learning and education record of the cycle' },
        example: { zh: '继续教育学时证明或学习记录截图，显示姓名、学时和日期', en: 'Continuing-education certificate or record screenshot showing name, hours and dates' },
        required: true,
      },
      CERT_INFO_PAGE,
      CERT_VIOLATION_PAGE,
    ],
  },
  renewal: { default: [PHOTO_2INCH, DRIVING_LICENCE, CERT_INFO_PAGE, CERT_VIOLATION_PAGE] },
  replacement: { default: [PHOTO_2INCH, DRIVING_LICENCE, CERT_INFO_PAGE, CERT_VIOLATION_PAGE] },
  change: {
    service_unit: [
      PHOTO_2INCH,
      {
        key: 'employment_contract',
        name: { zh: '新服务单位劳动合同', en: 'Employment contract with the new service unit' },
        example: { zh: '劳动合同首页及双方签字盖章页，单位名称与填写的工作单位一致', en: 'First page and the signed, stamped page; the employer must match the work unit entered' },
        required: true,
      },
    ],
    certificate_info: [
      PHOTO_2INCH,
      {
        key: 'employment_contract',
        name: { zh: '服务单位劳动合同', en: 'Employment contract with the service unit' },
        example: { zh: '劳动合同首页及双方签字盖章页', en: 'First page and the signed, stamped page' },
        required: true,
      },
    ],
  },
  cancellation: {
    default: [
      {
        key: 'id_card_front',
        name: { zh: '身份证人像面', en: 'ID card, portrait side' },
        example: { zh: '居民身份证人像面，四角完整，无反光遮挡', en: 'Portrait side of the resident ID card, all corners visible, no glare' },
        required: true,
      },
      {
        key: 'id_card_back',
        name: { zh: '身份证国徽面', en: 'ID card, emblem side' },
        example: { zh: '居民身份证国徽面，有效期限清晰可见', en: 'Emblem side of the ID card, validity period legible' },
        required: true,
      },
      { ...CERT_INFO_PAGE, required: PARTIAL_ONLY },
      { ...CERT_VIOLATION_PAGE, required: PARTIAL_ONLY },
      {
        key: 'photo_2inch_white',
        name: { zh: '白底二寸免冠电子照片', en: '2-inch bareheaded photo on white background' },
        example: { zh: '白色背景的正面免冠彩色电子证件照', en: 'Front-facing bareheaded colour photo on a white background' },
        required: true,
      },
    ],
  },
};

// ---------------------------------------------------------------------------------------------------
// Businesses

export interface BusinessVariantInput {
  key: BusinessVariant;
  name: Localized;
  /** Instructions specific to the variant (shown after the business's own). */
  instructions?: { zh: string[]; en: string[] };
}

export interface BusinessVariantDefinition extends BusinessVariantInput {
  /** The personal-information form, complete (same as `personalInfoSchema`). */
  fields: z.ZodType;
  /** Default materials before province overrides (see `materialsFor`). */
  materials: readonly Material[];
}

export interface BusinessDefinition {
  key: BusinessKey;
  name: Localized;
  /** Business instructions (办理须知), one string per paragraph. */
  instructions: { zh: string[]; en: string[] };
  /** At least one; a business without variants has the single variant 'default'. */
  variants: readonly BusinessVariantDefinition[];
  issuesCard: boolean;
  producesRating: boolean;
  /** Whether a certificate qualifies today (same as `checkEligibility`). */
  eligibility: (cert: EligibilityCertificate, today: string) => Eligibility;
}

type BusinessInput = Omit<BusinessDefinition, 'variants' | 'eligibility'> & { variants: readonly BusinessVariantInput[] };

const COMMON_TAIL = {
  zh: [
    '提交后可在“我的办件”中查看办理进度。业务经办人员将在2个工作日内受理，并在受理后3个工作日内反馈办理结果。',
    '办件变为“已受理”之前可以撤回申请。材料不齐全或不符合要求的，将一次性告知需要补正的全部内容。',
    '各省所需材料以办理页面显示为准，本须知所列材料仅供参考。如有疑问，可在“联系我们”中联系所在省份的业务经办人员。',
  ],
  en: [
    'After submitting, follow progress in My Office. Staff accept the application within 2 working days and give a result within 3 working days of acceptance.',
    'You can withdraw until the application is accepted. If materials are missing or unsuitable, you are told everything to correct in one notice.',
    'The materials a province requires are those shown on the upload page; the list here is for reference. For questions, contact your province’s business managers under Contact us.',
  ],
};

const UPLOAD_HINT = {
  zh: '材料请按示例拍摄上传，格式为png或jpg，单张不超过10M，确保图片清晰可辨。',
  en: 'Photograph materials as shown in the examples and upload PNG or JPG files of at most 10 MB each, clearly legible.',
};

const BUSINESS_INPUTS: readonly BusinessInput[] = [
  {
    key: 'credit_assessment',
    name: { zh: '道路运输驾驶员诚信考核', en: 'Road transport driver credit assessment' },
    instructions: {
      zh: [
        '道路运输驾驶员诚信考核周期为12个月，从初次领取从业资格证之日起计算。考核等级分为优良（AAA）、合格（AA）、基本合格（A）和不合格（B）。',
        '申请前请确认本人的从业资格证在有效期内且信息无变化。“服务单位”填写所在企业名称，个体驾驶员可不填写。',
        `需上传：考核周期内学习教育情况、从业资格证个人信息页、从业资格证违章记录页。${UPLOAD_HINT.zh}`,
        '审核通过并评定等级后，可在“我的办件”中下载诚信考核凭证（图片可保存到相册，PDF可转发），凭证上的二维码可供查验。',
        ...COMMON_TAIL.zh,
      ],
      en: [
        'The credit assessment cycle is 12 months, counted from the date the certificate was first issued. Grades are Excellent (AAA), Qualified (AA), Basically qualified (A) and Unqualified (B).',
        'Before applying, make sure your certificate is valid and its information unchanged. Enter your employer as the service company; self-employed drivers may leave it blank.',
        `Upload: the learning and education record of the cycle, the certificate’s personal-information page and its violation-record page. ${UPLOAD_HINT.en}`,
        'Once approved and rated, download the credit assessment voucher from My Office (picture to save, PDF to share); its QR code can be verified.',
        ...COMMON_TAIL.en,
      ],
    },
    variants: [{ key: 'default', name: { zh: '诚信考核', en: 'Credit assessment' } }],
    issuesCard: false,
    producesRating: true,
  },
  {
    key: 'renewal',
    name: { zh: '从业资格证换证', en: 'Certificate renewal' },
    instructions: {
      zh: [
        '从业资格证有效期为6年，持证人应在有效期届满30日前申请换证；有效期届满后180日内仍可申请，逾期未换证的将被注销。',
        '准驾车型请按本人机动车驾驶证如实选择，申请原因自行填写；联系地址、联系人及电话默认取自账户信息，可按实际修改。领证方式可选择自取或邮寄（邮费到付），选择邮寄须填写邮寄地址。',
        `需上传：近期二寸免冠彩色照片、机动车驾驶证、从业资格证个人信息页、从业资格证违章记录页。${UPLOAD_HINT.zh}`,
        ...COMMON_TAIL.zh,
      ],
      en: [
        'A qualification certificate is valid for 6 years. Apply for renewal from 30 days before it expires; renewal is still accepted within 180 days after expiry, after which the certificate is cancelled.',
        'Choose the licence class shown on your driving licence and state the reason. Address, contact and phone come from your account and can be changed. Collect the new certificate yourself or have it mailed (postage paid on delivery); mailing needs an address.',
        `Upload: a recent 2-inch bareheaded colour photo, your driving licence, the certificate’s personal-information page and its violation-record page. ${UPLOAD_HINT.en}`,
        ...COMMON_TAIL.en,
      ],
    },
    variants: [{ key: 'default', name: { zh: '换证', en: 'Renewal' } }],
    issuesCard: true,
    producesRating: false,
  },
  {
    key: 'replacement',
    name: { zh: '从业资格证补证', en: 'Certificate replacement' },
    instructions: {
      zh: [
        '从业资格证遗失或损毁的，可申请补发。补发的证件有效期与原证件一致。',
        '准驾车型请按本人机动车驾驶证如实选择，申请原因请写明遗失或损毁情况；联系信息可按实际修改。领证方式可选择自取或邮寄（邮费到付）。',
        `需上传：近期二寸免冠彩色照片、机动车驾驶证、从业资格证个人信息页、从业资格证违章记录页（原证遗失的可上传留存的复印件或照片）。${UPLOAD_HINT.zh}`,
        ...COMMON_TAIL.zh,
      ],
      en: [
        'If your certificate is lost or damaged, apply for a replacement. The replacement keeps the original validity.',
        'Choose the licence class shown on your driving licence and say how the certificate was lost or damaged. Contact details can be changed. Collect it yourself or have it mailed (postage paid on delivery).',
        `Upload: a recent 2-inch bareheaded colour photo, your driving licence, the certificate’s personal-information and violation-record pages (a kept copy or photo if the original is lost). ${UPLOAD_HINT.en}`,
        ...COMMON_TAIL.en,
      ],
    },
    variants: [{ key: 'default', name: { zh: '补证', en: 'Replacement' } }],
    issuesCard: true,
    producesRating: false,
  },
  {
    key: 'change',
    name: { zh: '从业资格证变更', en: 'Certificate change' },
    instructions: {
      zh: [
        '从业资格证变更分为服务单位变更和从业资格证信息变更，请按实际情况选择。只有在有效期内的从业资格证可以办理变更。',
        `需上传：近期二寸免冠彩色照片、新服务单位劳动合同。${UPLOAD_HINT.zh}`,
        ...COMMON_TAIL.zh,
      ],
      en: [
        'A change is either of the service unit or of the certificate’s information; choose the one that applies. Only a valid certificate can be changed.',
        `Upload: a recent 2-inch bareheaded colour photo and the employment contract with the new service unit. ${UPLOAD_HINT.en}`,
        ...COMMON_TAIL.en,
      ],
    },
    variants: [
      {
        key: 'service_unit',
        name: { zh: '服务单位变更', en: 'Change of service unit' },
        instructions: {
          zh: ['请填写新的工作单位名称、单位电话和申请原因。'],
          en: ['Enter the new work unit, its phone number and the reason.'],
        },
      },
      {
        key: 'certificate_info',
        name: { zh: '从业资格证信息变更', en: 'Change of certificate information' },
        instructions: {
          zh: ['请按实际情况选择准驾车型，填写单位电话和申请原因；联系信息可按实际修改，领证方式可选择自取或邮寄（邮费到付）。'],
          en: ['Choose your licence class and enter the unit phone and the reason; contact details can be changed. Collect the certificate yourself or have it mailed (postage paid on delivery).'],
        },
      },
    ],
    issuesCard: true,
    producesRating: false,
  },
  {
    key: 'cancellation',
    name: { zh: '从业资格证注销', en: 'Certificate cancellation' },
    instructions: {
      zh: [
        '可选择注销一个或全部从业资格类别。注销原因包括：持证人死亡、持证人申请注销、年龄超过60周岁、机动车驾驶证被注销或者被吊销、超过有效期180日未申请换证，或其他原因（需说明）。',
        `需上传：身份证正反面照片；未注销全部从业资格类别的，还需上传从业资格证个人信息页和违章记录页；白底二寸免冠电子照片。${UPLOAD_HINT.zh}`,
        ...COMMON_TAIL.zh,
      ],
      en: [
        'Cancel one or all qualification categories. Reasons: the holder has died, the holder asks for it, the holder is over 60, the driving licence was cancelled or revoked, more than 180 days past expiry without renewal, or another reason (explain it).',
        `Upload: both sides of your ID card; if some categories are kept, the certificate’s personal-information and violation-record pages; a 2-inch bareheaded photo on a white background. ${UPLOAD_HINT.en}`,
        ...COMMON_TAIL.en,
      ],
    },
    variants: [{ key: 'default', name: { zh: '注销', en: 'Cancellation' } }],
    issuesCard: false,
    producesRating: false,
  },
];

export const BUSINESSES: readonly BusinessDefinition[] = BUSINESS_INPUTS.map((b) => ({
  ...b,
  eligibility: ELIGIBILITY[b.key],
  variants: b.variants.map((v) => ({
    ...v,
    fields: (schemas[b.key] as Record<string, { full: z.ZodType }>)[v.key]!.full,
    materials: MATERIALS[b.key][v.key] ?? [],
  })),
}));

const BY_KEY = new Map(BUSINESSES.map((b) => [b.key, b]));

export function getBusiness(key: string): BusinessDefinition {
  const b = isBusinessKey(key) ? BY_KEY.get(key) : undefined;
  if (!b) {
    throw new DomainError('UNKNOWN_BUSINESS', { zh: '不存在该服务事项', en: 'No such business' }, { status: 400, details: { business: key } });
  }
  return b;
}

/** The name of a business, or of its variant when it has one (变更 has two). Throws UNKNOWN_BUSINESS. */
export function businessName(business: string, variant: string | null): Localized {
  const definition = getBusiness(business);
  return (variant ? definition.variants.find((v) => v.key === variant)?.name : undefined) ?? definition.name;
}

/** The variant to use: 'default' for single-form businesses; required and checked for the others. */
export function resolveVariant(business: BusinessKey, variant?: string | null): BusinessVariant {
  const def = getBusiness(business);
  if (def.variants.length === 1 && def.variants[0]!.key === 'default') {
    if (variant == null || variant === '' || variant === 'default') return 'default';
  } else if (variant == null || variant === '') {
    throw new DomainError('VARIANT_REQUIRED', { zh: '请选择变更类型', en: 'Choose the kind of change' }, { status: 400, details: { business } });
  }
  const found = def.variants.find((v) => v.key === variant);
  if (!found) {
    throw new DomainError('UNKNOWN_VARIANT', { zh: '业务类型无效', en: 'Unknown variant for this business' }, { status: 400, details: { business, variant } });
  }
  return found.key;
}

function schemaEntry(business: BusinessKey, variant?: string | null): { shape: z.ZodObject; full: z.ZodType } {
  const v = resolveVariant(business, variant);
  const entry = (schemas[business] as Record<string, { shape: z.ZodObject; full: z.ZodType }>)[v];
  if (!entry) throw new DomainError('UNKNOWN_VARIANT', { zh: '业务类型无效', en: 'Unknown variant for this business' }, { status: 400 });
  return entry;
}

/** The complete form, checked at submission (includes cross-field rules such as "mail needs an address"). */
export function personalInfoSchema(business: BusinessKey, variant?: string | null): z.ZodType {
  return schemaEntry(business, variant).full;
}

/** The form's plain object schema (no cross-field rules): `.partial()` of it validates drafts. */
export function personalInfoShape(business: BusinessKey, variant?: string | null): z.ZodObject {
  return schemaEntry(business, variant).shape;
}

/** Drafts may be incomplete, but what is there must be well-formed. */
export function personalInfoDraftSchema(business: BusinessKey, variant?: string | null): z.ZodType {
  return schemaEntry(business, variant).shape.partial();
}


// ---------------------------------------------------------------------------------------------------
// Province overrides of materials

const localizedSchema = z.object({ zh: z.string().trim().min(1).max(200), en: z.string().trim().max(200) });

/** Stable codes of a refused material override; like the forms, the schema's message is a key, never text. */
export const MATERIAL_ISSUE_CODES = ['INVALID_MATERIAL_KEY'] as const;
export type MaterialIssueCode = (typeof MATERIAL_ISSUE_CODES)[number];

const MATERIAL_ISSUE_PREFIX = 'material.';

export const MATERIAL_ISSUE_MESSAGES: Record<MaterialIssueCode, Localized> = {
  INVALID_MATERIAL_KEY: {
    zh: '材料标识须以小写字母开头，只能包含小写字母、数字和下划线，最多 50 个字符',
    en: 'The material key must start with a lower-case letter and use only lower-case letters, digits and underscores (at most 50)',
  },
};

function isMaterialIssueCode(value: string): value is MaterialIssueCode {
  return (MATERIAL_ISSUE_CODES as readonly string[]).includes(value);
}

/** The code a material-override issue carries, if its message is one of ours. */
export function materialIssueCode(message: string): MaterialIssueCode | undefined {
  if (!message.startsWith(MATERIAL_ISSUE_PREFIX)) return undefined;
  const code = message.slice(MATERIAL_ISSUE_PREFIX.length);
  return isMaterialIssueCode(code) ? code : undefined;
}

/** An issue message of materialOverrideSchema in one language; other messages pass through unchanged. */
export function materialIssueMessage(message: string, language: FormLanguage): string {
  const code = materialIssueCode(message);
  return code ? MATERIAL_ISSUE_MESSAGES[code][language] : message;
}

/** A province's own material key: lower-case, starts with a letter, at most 50 characters. */
export const materialKeySchema = z.string().regex(/^[a-z][a-z0-9_]{0,49}$/, { error: `${MATERIAL_ISSUE_PREFIX}INVALID_MATERIAL_KEY` });

const overrideScope = {
  business: z.enum(BUSINESS_KEYS),
  /** Limits the override to one variant; absent = every variant of the business. */
  variant: z.enum(['default', 'service_unit', 'certificate_info']).optional(),
};

/** Validates a province's material override (admin console and API). */
export const materialOverrideSchema = z.discriminatedUnion('op', [
  z.object({
    op: z.literal('add'),
    ...overrideScope,
    material: z.object({ key: materialKeySchema, name: localizedSchema, example: localizedSchema, required: z.boolean() }),
  }),
  z.object({
    op: z.literal('replace'),
    ...overrideScope,
    key: materialKeySchema,
    material: z.object({ name: localizedSchema.optional(), example: localizedSchema.optional(), required: z.boolean().optional() }),
  }),
  z.object({ op: z.literal('remove'), ...overrideScope, key: materialKeySchema }),
]);

export type MaterialOverride = z.infer<typeof materialOverrideSchema>;

export interface MaterialContext {
  /** The certificate applied for: decides whether a cancellation is partial. */
  certificate?: Pick<Certificate, 'categories'>;
}

/** True when the cancellation keeps some category; unknown (no answers or no certificate) counts as partial. */
export function isPartialCancellation(info: Partial<CancellationInfo> | undefined, certificate?: Pick<Certificate, 'categories'>): boolean {
  const chosen = info?.categoriesToCancel;
  if (!chosen || !certificate) return true;
  return activeCategories(certificate).some((c) => !chosen.includes(c.code));
}

function evaluateRequired(
  required: boolean | RequiredRule,
  info: Record<string, unknown> | undefined,
  ctx: MaterialContext,
): { required: boolean; condition?: Localized } {
  if (typeof required === 'boolean') return { required };
  switch (required.rule) {
    case 'partial_cancellation':
      return { required: isPartialCancellation(info as Partial<CancellationInfo> | undefined, ctx.certificate), condition: required.note };
  }
}

/**
 * The materials to upload for a business variant, with requiredness resolved from the answers so far
 * and the province's overrides applied in order (add / replace / remove by key).
 */
export function materialsFor(
  business: BusinessKey,
  variant?: string | null,
  personalInfo?: Record<string, unknown>,
  provinceOverride: readonly MaterialOverride[] = [],
  context: MaterialContext = {},
): ResolvedMaterial[] {
  const v = resolveVariant(business, variant);
  const base = MATERIALS[business][v] ?? [];
  const list: ResolvedMaterial[] = base.map((m) => ({ key: m.key, name: m.name, example: m.example, ...evaluateRequired(m.required, personalInfo, context), source: 'catalog' }));
  for (const o of provinceOverride) {
    if (o.business !== business || (o.variant !== undefined && o.variant !== v)) continue;
    const index = list.findIndex((m) => m.key === (o.op === 'add' ? o.material.key : o.key));
    if (o.op === 'remove') {
      if (index >= 0) list.splice(index, 1);
    } else if (o.op === 'add') {
      const added: ResolvedMaterial = { ...o.material, source: 'province' };
      if (index >= 0) list[index] = added;
      else list.push(added);
    } else if (index >= 0) {
      const current = list[index]!;
      const replaced: ResolvedMaterial = { ...current, ...o.material, source: 'province' };
      if (o.material.required !== undefined) delete replaced.condition;
      list[index] = replaced;
    }
  }
  return list;
}

/** Keys of required materials that have not been uploaded (for the one-time notice of what is missing). */
export function missingMaterials(materials: readonly ResolvedMaterial[], uploadedKeys: Iterable<string>): ResolvedMaterial[] {
  const have = new Set(uploadedKeys);
  return materials.filter((m) => m.required && !have.has(m.key));
}

/** A JSON-ready description of a business for the catalog endpoint. */
export function describeBusiness(business: BusinessKey, provinceOverride: readonly MaterialOverride[] = []) {
  const def = getBusiness(business);
  return {
    key: def.key,
    name: def.name,
    instructions: def.instructions,
    issuesCard: def.issuesCard,
    producesRating: def.producesRating,
    variants: def.variants.map((variant) => ({
      key: variant.key,
      name: variant.name,
      instructions: variant.instructions ?? null,
      materials: materialsFor(business, variant.key, undefined, provinceOverride),
    })),
  };
}

// Keep the two sources of "issues a card" in step.
for (const b of BUSINESSES) {
  if (b.issuesCard !== businessIssuesCard(b.key)) throw new Error(`catalog and CARD_ISSUING_BUSINESSES disagree on ${b.key}`);
}
