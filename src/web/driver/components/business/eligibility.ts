import type { CertificateView } from '../../../../contract/certificates.ts';
import type { BusinessKey } from '../../../../domain/businessKeys.ts';
import { checkEligibility, type Eligibility } from '../../../../domain/eligibility.ts';
import type { CertificateCategory, CancelReason } from '../../../../domain/certificate.ts';
import { chinaToday } from '../../../../domain/dates.ts';

/** The certificate as the domain's eligibility rule reads it. */
function asDomainCertificate(view: CertificateView): { categories: CertificateCategory[]; birthDate: string } {
  return {
    birthDate: view.birthDate,
    categories: view.categories.map((category) => ({
      code: category.code,
      qualifiers: category.qualifiers.map((q) => q.code),
      firstIssueDate: category.firstIssueDate,
      validFrom: category.validFrom,
      validTo: category.validTo,
      cancelledAt: category.cancelledAt,
      cancelReason: category.cancelReason as CancelReason | null,
    })),
  };
}

/** Whether the driver may pick this certificate for the business today (the server checks again). */
export function certificateEligibility(business: BusinessKey, view: CertificateView, now: Date = new Date()): Eligibility {
  return checkEligibility(business, asDomainCertificate(view), chinaToday(now));
}
