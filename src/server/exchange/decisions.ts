/**
 * Which change of the feed each decision makes. Called inside the decision's transaction (staff
 * approvals in staff/actions.ts, information-verification answers), after the registry was written,
 * so the change carries the certificate as the decision leaves it.
 */
import type { BusinessKey } from '../../domain/businessKeys.ts';
import type { ChangeType } from '../../domain/exchangeChange.ts';
import type { ApplicationRow } from '../applications/transitions.ts';
import type { Executor } from '../db/client.ts';
import type { SecretBox } from '../secrets/secretBox.ts';
import { recordChange } from './feed.ts';

const CHANGE_OF_BUSINESS: Record<BusinessKey, ChangeType> = {
  credit_assessment: 'credit_assessment.rated',
  renewal: 'certificate.renewed',
  replacement: 'certificate.issued',
  change: 'certificate.changed',
  cancellation: 'certificate.cancelled',
};

/** Records the change of an approved application: what the approval logged (payload) and produced (outcome, e.g. the voucher serial). */
export async function recordApprovalChange(
  tx: Executor,
  secrets: SecretBox,
  application: ApplicationRow,
  payload: Record<string, unknown>,
  outcome: Record<string, unknown>,
  now: Date,
): Promise<void> {
  const business = application.business as BusinessKey;
  const registry = (payload.registry ?? {}) as Record<string, unknown>;
  const details =
    business === 'credit_assessment'
      ? { rating: payload.rating, cycle: payload.cycle, voucherSerial: outcome.voucherSerial }
      : business === 'replacement'
        ? { reissued: true, variant: application.variant }
        : { ...registry, ...(application.variant ? { variant: application.variant } : {}) };
  await recordChange(
    tx,
    secrets,
    { type: CHANGE_OF_BUSINESS[business], certificateId: application.certificateId, application: { reference: application.reference, business }, details },
    now,
  );
}

/** Records the answer to an information-verification request (and the correction it made, if any). */
export async function recordVerificationAnswerChange(
  tx: Executor,
  secrets: SecretBox,
  answer: { requestId: string; certificateId: string; outcome: string; answer: string; correction: unknown },
  now: Date,
): Promise<void> {
  await recordChange(
    tx,
    secrets,
    {
      type: 'verification.answered',
      certificateId: answer.certificateId,
      details: { requestId: answer.requestId, outcome: answer.outcome, answer: answer.answer, correction: answer.correction ?? null },
    },
    now,
  );
}
