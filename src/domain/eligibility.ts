/**
 * Which certificates qualify for each business today (PRODUCT §3). Pure rules without schemas, so the
 * drivers' app checks a certificate before the driver picks it without loading zod; the server checks
 * again through the catalog (`src/domain/catalog.ts` re-exports this).
 */
import { isBusinessKey, type BusinessKey } from './businessKeys.ts';
import { activeCategories, categoriesOverAgeLimit, certificateStatus, categoryStatus, renewalOpensOn, renewalWindowOpen, type Certificate } from './certificate.ts';
import { isCreditAssessedCategory } from './categories.ts';
import { DomainError, type Localized } from './errors.ts';

export interface Eligibility {
  eligible: boolean;
  /** 'ELIGIBLE' or a stable reason code. */
  code: string;
  reason: Localized;
}

const ELIGIBLE: Eligibility = { eligible: true, code: 'ELIGIBLE', reason: { zh: '可以办理', en: 'Eligible' } };

function notEligible(code: string, zh: string, en: string): Eligibility {
  return { eligible: false, code, reason: { zh, en } };
}

function statusBlock(cert: Pick<Certificate, 'categories'>, today: string, allowGrace: boolean): Eligibility | null {
  const status = certificateStatus(cert, today);
  if (status === 'cancelled') return notEligible('CERTIFICATE_CANCELLED', '该从业资格证已注销', 'This certificate has been cancelled');
  if (status === 'expired') return notEligible('CERTIFICATE_EXPIRED', '该从业资格证已过期超过180日，不能办理此业务', 'This certificate expired more than 180 days ago');
  if (status === 'grace' && !allowGrace) return notEligible('CERTIFICATE_NOT_VALID', '该从业资格证已过有效期，请先办理换证', 'This certificate has expired; renew it first');
  return null;
}

/** The certificate as eligibility needs it: its categories, and the holder's birth date when known (age limit). */
export type EligibilityCertificate = Pick<Certificate, 'categories'> & Partial<Pick<Certificate, 'birthDate'>>;

export const ELIGIBILITY: Record<BusinessKey, (cert: EligibilityCertificate, today: string) => Eligibility> = {
  credit_assessment: (cert, today) => {
    const block = statusBlock(cert, today, false);
    if (block) return block;
    const assessed = cert.categories.some((c) => isCreditAssessedCategory(c.code) && categoryStatus(c, today) === 'valid');
    return assessed ? ELIGIBLE : notEligible('NO_DRIVER_CATEGORY', '诚信考核仅适用于道路运输驾驶员类别', 'Credit assessment applies to road transport driver categories only');
  },
  renewal: (cert, today) => {
    const block = statusBlock(cert, today, true);
    if (block) return block;
    if (cert.birthDate) {
      const overAge = categoriesOverAgeLimit({ categories: cert.categories, birthDate: cert.birthDate }, today);
      if (overAge.length > 0 && overAge.length === activeCategories(cert).length) {
        return notEligible('OVER_AGE_LIMIT', '持证人已满60周岁，不能换证（可申请注销）', 'The holder has reached 60 and cannot renew (cancellation is possible)');
      }
    }
    if (renewalWindowOpen(cert, today)) return ELIGIBLE;
    const opens = activeCategories(cert).map(renewalOpensOn).sort()[0] ?? '';
    return notEligible('RENEWAL_NOT_OPEN', `有效期届满前30日内方可申请换证（${opens}起）`, `Renewal opens 30 days before expiry (from ${opens})`);
  },
  replacement: (cert, today) => statusBlock(cert, today, true) ?? ELIGIBLE,
  change: (cert, today) => statusBlock(cert, today, false) ?? ELIGIBLE,
  cancellation: (cert, today) =>
    certificateStatus(cert, today) === 'cancelled' ? notEligible('CERTIFICATE_CANCELLED', '该从业资格证已注销', 'This certificate has been cancelled') : ELIGIBLE,
};

/** Whether a certificate qualifies for a business today. Throws UNKNOWN_BUSINESS. */
export function checkEligibility(business: BusinessKey, cert: EligibilityCertificate, today: string): Eligibility {
  if (!isBusinessKey(business)) {
    throw new DomainError('UNKNOWN_BUSINESS', { zh: '不存在该服务事项', en: 'No such business' }, { status: 400, details: { business } });
  }
  return ELIGIBILITY[business](cert, today);
}
