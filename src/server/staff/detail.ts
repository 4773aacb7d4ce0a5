import { and, asc, eq } from 'drizzle-orm';
import type { AllowedStaffAction, StaffAction, StaffApplicationDetail } from '../../contract/staff.ts';
import type { BusinessKey } from '../../domain/businessKeys.ts';
import { categoryName, isCreditAssessedCategory } from '../../domain/categories.ts';
import { categoryStatus, certificateStatus, CERTIFICATE_STATUS_LABELS } from '../../domain/certificate.ts';
import { businessName } from '../../domain/catalog.ts';
import { CREDIT_GRADE_LABELS, CREDIT_GRADES } from '../../domain/creditAssessment.ts';
import { chinaDate, chinaToday } from '../../domain/dates.ts';
import { computeDeadlines, type ClockDeadline } from '../../domain/deadlines.ts';
import {
  ACTION_LABELS,
  allowedActions,
  DECLINE_REASONS,
  findTransition,
  REJECT_REASONS,
  RETURN_REASONS,
  STATE_LABELS,
  type ApplicationAction,
  type ApplicationState,
  type ReasonCode,
} from '../../domain/stateMachine.ts';
import { materialsOf } from '../applications/service.ts';
import { flaggedMaterials } from '../applications/corrections.ts';
import { timelineEntryView, uploadedMaterialView } from '../applications/views.ts';
import { transitionContextOf, type ApplicationRow } from '../applications/transitions.ts';
import { provinceCalendar } from '../calendar/workingCalendar.ts';
import type { AppContext } from '../context.ts';
import type { Executor } from '../db/client.ts';
import { applicationActions, materials, staff, users, vouchers } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { findCertificate } from '../registry/certificates.ts';
import { ratedCycle } from '../vouchers/issue.ts';
import { visibleApplication } from './access.ts';
import { writeAudit } from '../audit/log.ts';
import { actorsOf, type StaffPrincipal } from './principal.ts';
import { runningDeadline } from './queue.ts';

export const STAFF_API_BASE = '/api/v1/staff';

const reasonOptions = (list: readonly ReasonCode[]) => list.map((r) => ({ code: r.code, label: { zh: r.zh, en: r.en } }));

/** The actions this staff member may take now, each with what its form must ask for. */
export function staffAllowedActions(application: ApplicationRow, who: Pick<StaffPrincipal, 'role'>): AllowedStaffAction[] {
  const state = application.state as ApplicationState;
  const business = application.business as BusinessKey;
  const context = transitionContextOf(application);
  const actions = new Set<ApplicationAction>();
  for (const actor of actorsOf(who.role)) for (const action of allowedActions(state, actor, context)) actions.add(action);
  return [...actions].map((action) => ({
    action: action as StaffAction,
    label: ACTION_LABELS[action],
    requiresReason: findTransition(state, action, context)?.requiresReason === true,
    requiresRating: action === 'approve' && business === 'credit_assessment',
    requiresTracking: action === 'mail',
  }));
}

const clockView = (clock: ClockDeadline | null) =>
  clock ? { startedOn: clock.startedOn, deadline: clock.deadline, paused: clock.paused, metOn: clock.metOn } : null;

/** Everything a handler or reviewer needs on one page. Reading it is audited by the caller. */
export async function staffApplicationDetail(ctx: AppContext, db: Executor, application: ApplicationRow, who: Pick<StaffPrincipal, 'role'>): Promise<StaffApplicationDetail> {
  const today = chinaToday(ctx.now());
  const [user] = await db.select().from(users).where(eq(users.id, application.userId));
  const certificate = await findCertificate(db, application.certificateId);
  if (!user || !certificate) throw new AppError(500, 'APPLICATION_DATA_MISSING', { zh: '办件数据不完整', en: 'The application’s data is incomplete' });

  const log = await db
    .select({ entry: applicationActions, actorUsername: staff.username })
    .from(applicationActions)
    .leftJoin(staff, and(eq(applicationActions.actorKind, 'staff'), eq(staff.id, applicationActions.actorId)))
    .where(eq(applicationActions.applicationId, application.id))
    .orderBy(asc(applicationActions.id));
  const uploaded = await db.select().from(materials).where(eq(materials.applicationId, application.id));
  const needed = await materialsOf(db, application);
  const calendar = await provinceCalendar(db, application.provinceCode);
  const deadlines = computeDeadlines(
    log.map(({ entry }) => ({ action: entry.action as ApplicationAction, at: entry.createdAt })),
    calendar,
  );

  const names = new Map(needed.map((material) => [material.key, material.name]));
  // The latest return's flagged materials: staff see which the driver has replaced since.
  const lastReturn = log.findLast(({ entry }) => entry.action === 'return')?.entry;
  const flagged = new Map((lastReturn ? flaggedMaterials(lastReturn, uploaded, names) : []).map((material) => [material.key, material]));
  const materialsBase = `${STAFF_API_BASE}/applications/${application.id}/materials`;
  const state = application.state as StaffApplicationDetail['state'];
  let rating: StaffApplicationDetail['rating'] = null;
  if (application.business === 'credit_assessment') {
    const firstIssue = certificate.categories.filter((c) => isCreditAssessedCategory(c.code)).map((c) => c.firstIssueDate).sort()[0];
    const [voucher] = await db.select().from(vouchers).where(eq(vouchers.applicationId, application.id));
    rating = {
      grades: CREDIT_GRADES.map((grade) => ({ grade, label: CREDIT_GRADE_LABELS[grade] })),
      cycle: firstIssue ? ratedCycleOf(firstIssue, application, today) : null,
      voucher: voucher
        ? {
            serial: voucher.serial,
            rating: voucher.rating,
            issuedOn: voucher.issuedOn,
            revokedAt: voucher.revokedAt?.toISOString() ?? null,
            revocationReason: voucher.revocationReason,
          }
        : null,
    };
  }

  return {
    id: application.id,
    reference: application.reference,
    business: application.business as BusinessKey,
    variant: application.variant,
    businessName: businessName(application.business, application.variant),
    state,
    stateLabel: STATE_LABELS[state],
    version: application.version,
    provinceCode: application.provinceCode,
    issuingAuthority: { code: certificate.issuingAuthorityCode, name: certificate.issuingAuthorityName },
    createdAt: application.createdAt.toISOString(),
    submittedAt: application.submittedAt?.toISOString() ?? null,
    updatedAt: application.updatedAt.toISOString(),
    applicant: {
      userId: user.id,
      name: user.name ?? certificate.holderName,
      idNumber: user.idNumber ?? certificate.holderIdNumber,
      sex: user.sex,
      birthDate: user.birthDate,
      ethnicity: user.ethnicity,
      address: user.address,
      phone: user.phone,
    },
    personalInfo: application.personalInfo,
    certificate: {
      id: certificate.id,
      number: certificate.number,
      holderName: certificate.holderName,
      holderIdNumber: certificate.holderIdNumber,
      sex: certificate.sex,
      birthDate: certificate.birthDate,
      nationality: certificate.nationality,
      address: certificate.address,
      fileNumber: certificate.fileNumber,
      quasiDrivingType: certificate.quasiDrivingType,
      serviceUnit: certificate.serviceUnit,
      issuingAuthority: { code: certificate.issuingAuthorityCode, name: certificate.issuingAuthorityName },
      status: certificateStatus(certificate, today),
      categories: certificate.categories.map((category) => {
        const status = categoryStatus(category, today);
        return {
          code: category.code,
          label: categoryName(category.code, category.qualifiers ?? []),
          qualifiers: category.qualifiers ?? [],
          firstIssueDate: category.firstIssueDate,
          validFrom: category.validFrom,
          validTo: category.validTo,
          cancelledAt: category.cancelledAt ?? null,
          cancelReason: category.cancelReason ?? null,
          status,
          statusLabel: CERTIFICATE_STATUS_LABELS[status],
        };
      }),
    },
    materials: needed.map((material) => {
      const file = uploaded.find((row) => row.materialKey === material.key);
      return {
        key: material.key,
        name: material.name,
        required: material.required,
        correction: flagged.has(material.key) ? (flagged.get(material.key)!.replaced ? 'replaced' : 'replace') : null,
        uploaded: file ? { ...uploadedMaterialView(file, `${materialsBase}/${material.key}`), quality: file.quality } : null,
      };
    }),
    timeline: log.map(({ entry, actorUsername }) => ({ ...timelineEntryView(entry, names), actorUsername: actorUsername ?? null })),
    deadlines: {
      accept: clockView(deadlines.accept),
      decide: clockView(deadlines.decide),
      running: runningDeadline(application, today, calendar),
    },
    allowedActions: staffAllowedActions(application, who),
    reasons: { return: reasonOptions(RETURN_REASONS), decline: reasonOptions(DECLINE_REASONS), reject: reasonOptions(REJECT_REASONS) },
    rating,
  };
}

/** The cycle a credit assessment rates: the one the voucher issuer will use (see vouchers/issue.ts). */
export function ratedCycleOf(firstIssueDate: string, application: ApplicationRow, today: string): { start: string; end: string } | null {
  const submittedOn = application.submittedAt ? chinaDate(application.submittedAt) : today;
  if (submittedOn < firstIssueDate) return null;
  const cycle = ratedCycle(firstIssueDate, submittedOn);
  return { start: cycle.start, end: cycle.end };
}

/** GET /staff/applications/:id — the read of the applicant's data is audited. */
export async function readStaffApplication(ctx: AppContext, who: StaffPrincipal, id: string, ip: string): Promise<StaffApplicationDetail> {
  const application = await visibleApplication(ctx.db, who, id);
  const detail = await staffApplicationDetail(ctx, ctx.db, application, who);
  await writeAudit(ctx.db, who, ip, { event: 'read_application', targetKind: 'application', targetId: application.id, details: { reference: application.reference } }, ctx.now());
  return detail;
}

/** One stored material image; each read is audited (who, role, when, from where) before the bytes go out. */
export async function readStaffMaterial(ctx: AppContext, who: StaffPrincipal, id: string, materialKey: string, kind: 'full' | 'thumbnail', ip: string) {
  const application = await visibleApplication(ctx.db, who, id);
  const [row] = await ctx.db.select().from(materials).where(and(eq(materials.applicationId, application.id), eq(materials.materialKey, materialKey)));
  if (!row) throw new AppError(404, 'MATERIAL_NOT_UPLOADED', { zh: '这项材料尚未上传', en: 'That material has not been uploaded' });
  await ctx.db.transaction((tx) =>
    writeAudit(tx, who, ip, { event: 'read_material', targetKind: 'application', targetId: application.id, details: { reference: application.reference, materialKey, kind } }, ctx.now()),
  );
  const key = kind === 'thumbnail' ? row.thumbnailKey : row.fileKey;
  return { data: await ctx.storage.get(key), mime: kind === 'thumbnail' ? 'image/jpeg' : row.mime };
}
