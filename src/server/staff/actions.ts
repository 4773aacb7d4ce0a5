import { and, eq, inArray, isNull } from 'drizzle-orm';
import type { StaffActionRequest } from '../../contract/staff.ts';
import type { BusinessKey } from '../../domain/businessKeys.ts';
import { isCreditAssessedCategory } from '../../domain/categories.ts';
import { categoryRenewalWindowOpen, isCategoryCancelled, validityEnd } from '../../domain/certificate.ts';
import { addDays, chinaToday, maxDate } from '../../domain/dates.ts';
import { findTransition, nextState, type ApplicationAction, type ApplicationState } from '../../domain/stateMachine.ts';
import { returnMaterialsPayload } from '../applications/corrections.ts';
import { materialsOf } from '../applications/service.ts';
import { applyTransition, stateChangedConflict, systemActor, transitionContextOf, type ActorRef, type ApplicationRow } from '../applications/transitions.ts';
import type { AppContext } from '../context.ts';
import type { Executor } from '../db/client.ts';
import { recordApprovalChange } from '../exchange/decisions.ts';
import { certificateCategories, certificates, materials } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { findCertificate, type RegistryCertificate } from '../registry/certificates.ts';
import { issueCreditAssessmentVoucher } from '../vouchers/issue.ts';
import { visibleApplication } from './access.ts';
import { writeAudit } from '../audit/log.ts';
import { ratedCycleOf } from './detail.ts';
import { actorsOf, type StaffPrincipal } from './principal.ts';

/**
 * Staff actions on an application (PRODUCT §4.1, §5). One transaction holds the state change (through
 * `applyTransition`: state machine, optimistic version check, action log, deadlines, outbox), the effect
 * on the certificates registry, and the audit row — all of it commits or none of it.
 *
 * Registry effects of an approval (documented here because the registry is the provinces' record):
 * - credit assessment: the rating and the rated cycle are logged with the approval, the voucher is issued,
 *   and the system completes the application at once;
 * - renewal: each category whose renewal window is open (30 days before to 180 days after expiry) gets a
 *   new 6-year validity from the later of today and the day after its old expiry, so renewing early loses
 *   nothing and renewing late does not backdate; categories outside their window keep their validity;
 *   first-issue dates never change (they anchor the credit-assessment cycles);
 * - replacement: the reissued card carries the same data and validity, so the registry is unchanged;
 * - change of service unit: the certificate's service unit becomes the new work unit;
 * - change of certificate information: the quasi-driving type becomes the one applied for (the form's
 *   address is a mailing address and name and sex come from the verified identity, so those stay);
 * - cancellation: the chosen categories are cancelled today with the applicant's Art. 32 reason, and the
 *   system completes the application at once.
 */

const REASONED: readonly ApplicationAction[] = ['return', 'decline', 'reject'];

const readOnly = () =>
  new AppError(403, 'STAFF_READ_ONLY', { zh: '系统管理员只能查看，不能办理业务', en: 'System administrators can view applications but not act on them' });

function versionConflict(application: ApplicationRow) {
  const base = stateChangedConflict(application.state as ApplicationState);
  return new AppError(base.status, base.code, base.messages, { state: application.state, version: application.version });
}

/** What the action needs beyond the state machine's own checks: the staff form's rules. */
async function checkStaffInput(tx: Executor, application: ApplicationRow, input: StaffActionRequest): Promise<void> {
  if (REASONED.includes(input.action)) {
    if (!input.reasonCodes?.length) {
      throw new AppError(400, 'REASON_REQUIRED', { zh: '请至少选择一项理由', en: 'Choose at least one reason' }, { action: input.action });
    }
    if (!input.reason?.trim()) {
      throw new AppError(400, 'REASON_TEXT_REQUIRED', { zh: '请填写具体说明', en: 'Explain the reason in words too' }, { action: input.action });
    }
  }
  if (input.action === 'mail' && !input.carrier?.trim()) {
    throw new AppError(400, 'CARRIER_REQUIRED', { zh: '请填写快递公司', en: 'The carrier is required' });
  }
  if (input.action === 'return' && input.materialKeys?.length) {
    const known = new Set((await materialsOf(tx, application)).map((m) => m.key));
    const unknown = input.materialKeys.filter((key) => !known.has(key));
    if (unknown.length) throw new AppError(400, 'MATERIAL_UNKNOWN', { zh: '所选材料不属于该业务', en: 'A chosen material is not part of this business' }, { unknown });
  }
}

/** The state-machine actor this staff member acts as for this action (a province admin may be either). */
function actingAs(who: StaffPrincipal, application: ApplicationRow, action: ApplicationAction): ActorRef {
  const actors = actorsOf(who.role);
  if (actors.length === 0) throw readOnly();
  const transition = findTransition(application.state as ApplicationState, action, transitionContextOf(application));
  const actor = actors.find((candidate) => transition?.actors.includes(candidate)) ?? actors[0]!;
  return { actor, kind: 'staff', id: who.id, role: who.role };
}

interface ApprovalPlan {
  payload: Record<string, unknown>;
  write: (tx: Executor, approved: ApplicationRow, now: Date) => Promise<Record<string, unknown>>;
  /** The system closes the application in the same transaction (non-card businesses). */
  completes: boolean;
}

const registryRule = (code: string, zh: string, en: string, details?: Record<string, unknown>) => new AppError(422, code, { zh, en }, details);

function planApproval(ctx: AppContext, application: ApplicationRow, certificate: RegistryCertificate, input: StaffActionRequest, today: string): ApprovalPlan {
  const info = application.personalInfo as Record<string, unknown>;
  switch (application.business as BusinessKey) {
    case 'credit_assessment': {
      const firstIssue = certificate.categories.filter((c) => isCreditAssessedCategory(c.code)).map((c) => c.firstIssueDate).sort()[0];
      if (!firstIssue) throw registryRule('NO_DRIVER_CATEGORY', '该从业资格证没有需要诚信考核的驾驶员类别', 'The certificate has no driver category that takes the credit assessment');
      const cycle = ratedCycleOf(firstIssue, application, today);
      if (!cycle) throw registryRule('CYCLE_BEFORE_FIRST_ISSUE', '申请日期早于初次领证日期', 'The application predates the first issue of the certificate');
      const rating = input.rating!;
      return {
        payload: { rating, cycle },
        completes: true,
        write: async (tx, approved, now) => {
          const voucher = await issueCreditAssessmentVoucher(tx, approved, { rating, cycle }, now, ctx);
          return { voucherSerial: voucher.serial };
        },
      };
    }
    case 'renewal': {
      const renewed = certificate.categories
        .filter((c) => categoryRenewalWindowOpen(c, today))
        .map((c) => {
          const validFrom = maxDate(today, addDays(c.validTo, 1));
          return { code: c.code, before: { validFrom: c.validFrom, validTo: c.validTo }, after: { validFrom, validTo: validityEnd(validFrom) } };
        });
      if (renewed.length === 0) throw registryRule('RENEWAL_NOT_OPEN', '该证件没有处于换证期内的从业资格类别', 'No category of the certificate is within its renewal window', { today });
      return {
        payload: { registry: { renewed } },
        completes: false,
        write: async (tx, _approved, now) => {
          for (const change of renewed) {
            await tx
              .update(certificateCategories)
              .set({ validFrom: change.after.validFrom, validTo: change.after.validTo })
              .where(and(eq(certificateCategories.certificateId, certificate.id), eq(certificateCategories.code, change.code)));
          }
          await tx.update(certificates).set({ updatedAt: now }).where(eq(certificates.id, certificate.id));
          return {};
        },
      };
    }
    case 'replacement':
      return { payload: { registry: { unchanged: true } }, completes: false, write: async () => ({}) };
    case 'change': {
      const field = application.variant === 'service_unit' ? 'serviceUnit' : 'quasiDrivingType';
      const next = String((application.variant === 'service_unit' ? info.workUnit : info.quasiDrivingType) ?? '').trim();
      if (!next) throw registryRule('CHANGE_VALUE_MISSING', '申请中缺少要变更的内容', 'The application does not say what to change to');
      const before = certificate[field];
      return {
        payload: { registry: { [field]: { before, after: next } } },
        completes: false,
        write: async (tx, _approved, now) => {
          await tx.update(certificates).set({ [field]: next, updatedAt: now }).where(eq(certificates.id, certificate.id));
          return {};
        },
      };
    }
    case 'cancellation': {
      const chosen = Array.isArray(info.categoriesToCancel) ? (info.categoriesToCancel as string[]) : [];
      const held = new Map(certificate.categories.map((c) => [c.code, c]));
      const missing = chosen.filter((code) => !held.has(code));
      if (chosen.length === 0 || missing.length) {
        throw registryRule('CANCEL_CATEGORY_UNKNOWN', '要注销的类别不在该证件上', 'A category to cancel is not on the certificate', { missing });
      }
      const toCancel = chosen.filter((code) => !isCategoryCancelled(held.get(code)!));
      const reason = String(info.cancelReason ?? 'other');
      return {
        payload: { registry: { cancelled: toCancel, cancelReason: reason, cancelledOn: today } },
        completes: true,
        write: async (tx, _approved, now) => {
          if (toCancel.length) {
            await tx
              .update(certificateCategories)
              .set({ cancelledAt: today, cancelReason: reason })
              .where(and(eq(certificateCategories.certificateId, certificate.id), inArray(certificateCategories.code, toCancel), isNull(certificateCategories.cancelledAt)));
            await tx.update(certificates).set({ updatedAt: now }).where(eq(certificates.id, certificate.id));
          }
          return {};
        },
      };
    }
  }
}

/** Performs one staff action; answers the application as it is afterwards. */
export async function performStaffAction(ctx: AppContext, who: StaffPrincipal, id: string, input: StaffActionRequest, ip: string): Promise<ApplicationRow> {
  const now = ctx.now();
  const today = chinaToday(now);
  const acted = await ctx.db.transaction(async (tx) => {
    const application = await visibleApplication(tx, who, id);
    const by = actingAs(who, application, input.action);
    if (input.expectedVersion !== undefined && input.expectedVersion !== application.version) throw versionConflict(application);
    // The state machine speaks first: acting on a changed application is 409, a wrong role 403.
    nextState(application.state as ApplicationState, input.action, by.actor, transitionContextOf(application));
    await checkStaffInput(tx, application, input);

    let plan: ApprovalPlan | undefined;
    if (input.action === 'approve') {
      const certificate = await findCertificate(tx, application.certificateId);
      if (!certificate) throw new AppError(404, 'CERTIFICATE_NOT_FOUND', { zh: '未找到从业资格证', en: 'Certificate not found' });
      if (application.business === 'credit_assessment' && !input.rating) {
        throw new AppError(400, 'RATING_REQUIRED', { zh: '请选择考核等级（AAA、AA、A、B）', en: 'Choose a rating (AAA, AA, A or B)' });
      }
      plan = planApproval(ctx, application, certificate, input, today);
    }

    const payload: Record<string, unknown> = {
      ...(plan?.payload ?? {}),
      ...(input.action === 'mail' ? { carrier: input.carrier!.trim() } : {}),
      ...(input.action === 'return' && input.materialKeys?.length
        ? returnMaterialsPayload(
            [...new Set(input.materialKeys)],
            await tx.select({ materialKey: materials.materialKey, sha256: materials.sha256 }).from(materials).where(eq(materials.applicationId, application.id)),
          )
        : {}),
    };
    let current = await applyTransition(
      tx,
      application,
      input.action,
      by,
      {
        reasonCodes: input.reasonCodes ?? null,
        reason: input.reason?.trim() || null,
        rating: input.rating ?? null,
        trackingNumber: input.trackingNumber?.trim() || null,
        payload,
      },
      now,
    );
    let outcome: Record<string, unknown> = {};
    if (plan) {
      outcome = await plan.write(tx, current, now);
      // The ministerial system's feed gets the decision in this same transaction.
      await recordApprovalChange(tx, ctx.secrets, current, plan.payload, outcome, now);
      if (plan.completes) current = await applyTransition(tx, current, 'complete', systemActor, { payload: outcome }, now);
    }

    await writeAudit(
      tx,
      who,
      ip,
      {
        event: 'application_action',
        targetKind: 'application',
        targetId: application.id,
        details: {
          reference: application.reference,
          action: input.action,
          fromState: application.state,
          toState: current.state,
          ...(input.reasonCodes?.length ? { reasonCodes: input.reasonCodes } : {}),
          ...payload,
          ...outcome,
        },
      },
      now,
    );
    return current;
  });
  // An approval may have superseded a voucher or cancelled categories: this instance answers so from
  // the next check on, the others within VERIFY_STATUS_MAX_AGE_MS.
  if (input.action === 'approve') ctx.verifier.state.invalidate();
  return acted;
}
