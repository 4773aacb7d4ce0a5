/**
 * Qualification categories (从业资格类别) as data. The five categories of 《道路运输从业人员管理规定》
 * (2022 revision) plus the two taxi-driver certificates. The codes are this system's own stable ids:
 * official code letters are not confirmed, so nothing else should depend on a letter.
 */

export type CategoryGroup = 'passenger' | 'freight' | 'dangerous_goods' | 'taxi';

export interface QualificationCategory {
  code: string;
  zh: string;
  en: string;
  group: CategoryGroup;
  /** True for drivers: they take the drivers' credit assessment (诚信考核). */
  isDriver: boolean;
  /** Age at which Art. 32 requires cancellation (drivers and dangerous-goods staff), or null. */
  retirementAge: number | null;
  /** Qualifiers that may be appended to the category (dangerous goods only). */
  qualifiers: readonly CategoryQualifier[];
}

export const CATEGORY_QUALIFIERS = ['radioactive', 'explosives', 'highly_toxic'] as const;
export type CategoryQualifier = (typeof CATEGORY_QUALIFIERS)[number];

export const CATEGORY_QUALIFIER_LABELS: Record<CategoryQualifier, { zh: string; en: string }> = {
  radioactive: { zh: '放射性物品', en: 'radioactive material' },
  explosives: { zh: '爆炸品', en: 'explosives' },
  highly_toxic: { zh: '剧毒化学品', en: 'highly toxic chemicals' },
};

export const CATEGORIES: readonly QualificationCategory[] = [
  { code: 'passenger_driver', zh: '经营性道路旅客运输驾驶员', en: 'Commercial road passenger transport driver', group: 'passenger', isDriver: true, retirementAge: 60, qualifiers: [] },
  { code: 'freight_driver', zh: '经营性道路货物运输驾驶员', en: 'Commercial road freight transport driver', group: 'freight', isDriver: true, retirementAge: 60, qualifiers: [] },
  { code: 'dg_driver', zh: '道路危险货物运输驾驶员', en: 'Dangerous goods road transport driver', group: 'dangerous_goods', isDriver: true, retirementAge: 60, qualifiers: CATEGORY_QUALIFIERS },
  { code: 'dg_loader', zh: '道路危险货物运输装卸管理人员', en: 'Dangerous goods loading and unloading manager', group: 'dangerous_goods', isDriver: false, retirementAge: 60, qualifiers: CATEGORY_QUALIFIERS },
  { code: 'dg_escort', zh: '道路危险货物运输押运人员', en: 'Dangerous goods escort', group: 'dangerous_goods', isDriver: false, retirementAge: 60, qualifiers: CATEGORY_QUALIFIERS },
  // Taxi drivers hold a certificate under 《出租汽车驾驶员从业资格管理规定》, which sets no age limit.
  { code: 'taxi_cruising', zh: '巡游出租汽车驾驶员', en: 'Cruising taxi driver', group: 'taxi', isDriver: true, retirementAge: null, qualifiers: [] },
  { code: 'taxi_ride_hailing', zh: '网络预约出租汽车驾驶员', en: 'Ride-hailing (online-booked) taxi driver', group: 'taxi', isDriver: true, retirementAge: null, qualifiers: [] },
];

export const CATEGORY_CODES = CATEGORIES.map((c) => c.code);

const BY_CODE = new Map(CATEGORIES.map((c) => [c.code, c]));

export function getCategory(code: string): QualificationCategory | undefined {
  return BY_CODE.get(code);
}

export function isCategoryCode(code: unknown): code is string {
  return typeof code === 'string' && BY_CODE.has(code);
}

/** Display name with qualifiers, e.g. '道路危险货物运输驾驶员（爆炸品）'. */
export function categoryLabel(code: string, qualifiers: readonly string[] = [], lang: 'zh' | 'en' = 'zh'): string {
  const category = BY_CODE.get(code);
  const base = category ? category[lang] : code;
  const names = qualifiers.map((q) => CATEGORY_QUALIFIER_LABELS[q as CategoryQualifier]?.[lang] ?? q);
  if (names.length === 0) return base;
  return lang === 'zh' ? `${base}（${names.join('、')}）` : `${base} (${names.join(', ')})`;
}

/** categoryLabel in both languages; an unknown code stands for itself. */
export function categoryName(code: string, qualifiers: readonly string[] = []): { zh: string; en: string } {
  return { zh: categoryLabel(code, qualifiers, 'zh'), en: categoryLabel(code, qualifiers, 'en') };
}

/** Categories subject to the drivers' credit assessment (诚信考核办法 covers road transport drivers, not taxis). */
export function isCreditAssessedCategory(code: string): boolean {
  const c = BY_CODE.get(code);
  return !!c && c.isDriver && c.group !== 'taxi';
}
