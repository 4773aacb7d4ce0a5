/**
 * The road transport qualification certificate (从业资格证) and the status of its categories.
 *
 * Each category has its own validity. Validity is 6 years (the certificate's valid-to is the day before
 * the 6th anniversary of valid-from). Renewal opens 30 days before expiry (Art. 29); renewal is still
 * accepted up to 180 days after expiry; after that the category is due for cancellation (Art. 32).
 */

import type { Localized } from './errors.ts';
import type { QuasiDrivingType } from './quasiDriving.ts';
import { addDays, addYears, ageOn, daysBetween } from './dates.ts';
import { categoryName, getCategory } from './categories.ts';

export const VALIDITY_YEARS = 6;
export const RENEWAL_OPENS_DAYS_BEFORE_EXPIRY = 30;
export const GRACE_DAYS_AFTER_EXPIRY = 180;

export const CANCEL_REASONS = ['death', 'holder_request', 'over_age', 'licence_revoked', 'expired_over_180_days', 'other'] as const;
export type CancelReason = (typeof CANCEL_REASONS)[number];

/**
 * The reasons a holder gives when applying to cancel their own certificate. A death is reported by
 * others and the certificate cancelled by staff (Art. 32), so the holder's form does not offer it.
 */
export const SELF_CANCEL_REASONS = ['holder_request', 'over_age', 'licence_revoked', 'expired_over_180_days', 'other'] as const satisfies readonly CancelReason[];

export const CANCEL_REASON_LABELS: Record<CancelReason, Localized> = {
  death: { zh: '持证人死亡', en: 'The holder has died' },
  holder_request: { zh: '持证人申请注销', en: 'At the holder’s request' },
  over_age: { zh: '年龄超过60周岁', en: 'The holder is over 60' },
  licence_revoked: { zh: '机动车驾驶证被注销或者被吊销', en: 'The driving licence was cancelled or revoked' },
  expired_over_180_days: { zh: '超过从业资格证有效期180日未申请换证', en: 'More than 180 days past expiry without renewal' },
  other: { zh: '其他原因', en: 'Other reason' },
};

export interface CertificateCategory {
  /** Category code from the categories table, e.g. 'freight_driver'. */
  code: string;
  qualifiers?: string[];
  firstIssueDate: string;
  validFrom: string;
  validTo: string;
  cancelledAt?: string | null;
  cancelReason?: CancelReason | null;
}

export interface Certificate {
  id: string;
  /** Often the holder's ID number, but not always. */
  number: string;
  holderIdNumber: string;
  holderName: string;
  sex: 'M' | 'F';
  birthDate: string;
  nationality: string;
  address: string;
  /** 档案号 */
  fileNumber: string;
  quasiDrivingType: QuasiDrivingType | string;
  issuingAuthorityCode: string;
  serviceUnit: string;
  categories: CertificateCategory[];
}

export const CERTIFICATE_STATUSES = ['valid', 'grace', 'expired', 'cancelled'] as const;
export type CertificateStatus = (typeof CERTIFICATE_STATUSES)[number];

export const CERTIFICATE_STATUS_LABELS: Record<CertificateStatus, Localized> = {
  valid: { zh: '有效', en: 'Valid' },
  grace: { zh: '已过期（可换证）', en: 'Expired (renewal still accepted)' },
  expired: { zh: '已过期', en: 'Expired' },
  cancelled: { zh: '已注销', en: 'Cancelled' },
};

/** The last valid day of a validity starting on `validFrom`. */
export function validityEnd(validFrom: string): string {
  return addDays(addYears(validFrom, VALIDITY_YEARS), -1);
}

export function isCategoryCancelled(cat: CertificateCategory): boolean {
  return cat.cancelledAt != null;
}

export function categoryStatus(cat: CertificateCategory, today: string): CertificateStatus {
  if (isCategoryCancelled(cat)) return 'cancelled';
  const daysPastExpiry = daysBetween(cat.validTo, today);
  if (daysPastExpiry <= 0) return 'valid';
  if (daysPastExpiry <= GRACE_DAYS_AFTER_EXPIRY) return 'grace';
  return 'expired';
}

const STATUS_RANK: Record<CertificateStatus, number> = { valid: 3, grace: 2, expired: 1, cancelled: 0 };

/** Categories not cancelled. */
export function activeCategories(cert: Pick<Certificate, 'categories'>): CertificateCategory[] {
  return cert.categories.filter((c) => !isCategoryCancelled(c));
}

/**
 * The certificate's status is the best of its categories: usable while any category is valid,
 * 'cancelled' only when every category is (or when it has none).
 */
export function certificateStatus(cert: Pick<Certificate, 'categories'>, today: string): CertificateStatus {
  let best: CertificateStatus = 'cancelled';
  for (const cat of cert.categories) {
    const s = categoryStatus(cat, today);
    if (STATUS_RANK[s] > STATUS_RANK[best]) best = s;
  }
  return best;
}

/** Renewal is open for a category from 30 days before its expiry to 180 days after (both inclusive). */
export function categoryRenewalWindowOpen(cat: CertificateCategory, today: string): boolean {
  if (isCategoryCancelled(cat)) return false;
  const d = daysBetween(cat.validTo, today);
  return d >= -RENEWAL_OPENS_DAYS_BEFORE_EXPIRY && d <= GRACE_DAYS_AFTER_EXPIRY;
}

/** True when any category not cancelled is inside its renewal window. */
export function renewalWindowOpen(cert: Pick<Certificate, 'categories'>, today: string): boolean {
  return cert.categories.some((c) => categoryRenewalWindowOpen(c, today));
}

/** The first day renewal is accepted for a category. */
export function renewalOpensOn(cat: Pick<CertificateCategory, 'validTo'>): string {
  return addDays(cat.validTo, -RENEWAL_OPENS_DAYS_BEFORE_EXPIRY);
}

/** The last day renewal is accepted for a category. */
export function renewalClosesOn(cat: Pick<CertificateCategory, 'validTo'>): string {
  return addDays(cat.validTo, GRACE_DAYS_AFTER_EXPIRY);
}

export interface CategoryStatusDetail {
  code: string;
  label: Localized;
  status: CertificateStatus;
  validTo: string;
  /** Days until expiry (negative once expired). */
  daysToExpiry: number;
  renewalWindowOpen: boolean;
  reason: Localized;
}

export interface CertificateStatusDetail {
  status: CertificateStatus;
  label: Localized;
  /** Why, in words a driver understands; shown next to a greyed-out certificate. */
  reason: Localized;
  /** Earliest valid-to among the categories not cancelled, or null. */
  expiresOn: string | null;
  renewalWindowOpen: boolean;
  categories: CategoryStatusDetail[];
}

function categoryReason(cat: CertificateCategory, status: CertificateStatus, today: string): Localized {
  const days = daysBetween(today, cat.validTo);
  switch (status) {
    case 'cancelled':
      return cat.cancelReason
        ? { zh: `已于${cat.cancelledAt}注销（${CANCEL_REASON_LABELS[cat.cancelReason].zh}）`, en: `Cancelled on ${cat.cancelledAt} (${CANCEL_REASON_LABELS[cat.cancelReason].en})` }
        : { zh: `已于${cat.cancelledAt}注销`, en: `Cancelled on ${cat.cancelledAt}` };
    case 'valid':
      return days <= RENEWAL_OPENS_DAYS_BEFORE_EXPIRY
        ? { zh: `有效期至${cat.validTo}，还有${days}天到期，可以申请换证`, en: `Valid until ${cat.validTo}; expires in ${days} days, renewal is open` }
        : { zh: `有效期至${cat.validTo}`, en: `Valid until ${cat.validTo}` };
    case 'grace':
      return {
        zh: `已于${cat.validTo}到期，请在${renewalClosesOn(cat)}前申请换证，逾期将被注销`,
        en: `Expired on ${cat.validTo}; apply for renewal by ${renewalClosesOn(cat)} or it will be cancelled`,
      };
    case 'expired':
      return {
        zh: `已于${cat.validTo}到期，超过180日未换证，不能再办理业务`,
        en: `Expired on ${cat.validTo}; more than 180 days without renewal, no business can be done with it`,
      };
  }
}

export function categoryStatusDetail(cat: CertificateCategory, today: string): CategoryStatusDetail {
  const status = categoryStatus(cat, today);
  return {
    code: cat.code,
    label: categoryName(cat.code, cat.qualifiers ?? []),
    status,
    validTo: cat.validTo,
    daysToExpiry: daysBetween(today, cat.validTo),
    renewalWindowOpen: categoryRenewalWindowOpen(cat, today),
    reason: categoryReason(cat, status, today),
  };
}

export function certificateStatusDetail(cert: Pick<Certificate, 'categories'>, today: string): CertificateStatusDetail {
  const status = certificateStatus(cert, today);
  const categories = cert.categories.map((c) => categoryStatusDetail(c, today));
  const active = activeCategories(cert);
  const expiresOn = active.length ? active.map((c) => c.validTo).reduce((a, b) => (a <= b ? a : b)) : null;
  // The reason of the category that decides the status: the soonest-expiring among those with that status.
  const deciding = categories.filter((c) => c.status === status).sort((a, b) => (a.validTo < b.validTo ? -1 : 1))[0];
  const reason: Localized = deciding?.reason ?? { zh: '证件没有从业资格类别', en: 'The certificate lists no category' };
  return { status, label: CERTIFICATE_STATUS_LABELS[status], reason, expiresOn, renewalWindowOpen: renewalWindowOpen(cert, today), categories };
}

/**
 * Category codes (not cancelled) whose age limit the holder has reached (Art. 32: drivers and
 * dangerous-goods staff over 60). Counted as reaching 60 full years (满60周岁), as provinces apply it.
 */
export function categoriesOverAgeLimit(cert: Pick<Certificate, 'categories' | 'birthDate'>, today: string): string[] {
  const age = ageOn(cert.birthDate, today);
  return activeCategories(cert)
    .filter((c) => {
      const limit = getCategory(c.code)?.retirementAge;
      return limit != null && age >= limit;
    })
    .map((c) => c.code);
}
