import { and, asc, desc, eq } from 'drizzle-orm';
import type { BusinessKey } from '../../domain/businessKeys.ts';
import {
  businessName,
  checkEligibility,
  localizeFormIssues,
  materialsFor,
  missingMaterials,
  personalInfoDraftSchema,
  personalInfoSchema,
  resolveVariant,
  type FormIssueInput,
  type FormLanguage,
  type ResolvedMaterial,
} from '../../domain/catalog.ts';
import { categoryName } from '../../domain/categories.ts';
import { chinaToday } from '../../domain/dates.ts';
import type { Localized } from '../../domain/errors.ts';
import {
  allowedActions,
  STATE_LABELS,
  type ApplicationState,
} from '../../domain/stateMachine.ts';
import type { ApplicationDetail, ApplicationSummary } from '../../contract/applications.ts';
import { provinceMaterialOverrides } from '../catalog/materialOverrides.ts';
import type { AppContext } from '../context.ts';
import type { Executor } from '../db/client.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { applicationActions, applications, materials, users } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import type { IntakenImage } from '../images/intake.ts';
import { findCertificate, findCertificates, type RegistryCertificate } from '../registry/certificates.ts';
import { flaggedMaterials, pendingReturn } from './corrections.ts';
import { newReference } from './reference.ts';
import { applyTransition, transitionContextOf, type ActorRef, type ApplicationRow } from './transitions.ts';
import { actionReasons, timelineEntryView, uploadedMaterialView } from './views.ts';

export const applicationNotFound = () => new AppError(404, 'APPLICATION_NOT_FOUND', { zh: '没有找到该办件', en: 'Application not found' });
const certificateNotFound = () => new AppError(404, 'CERTIFICATE_NOT_FOUND', { zh: '没有找到该从业资格证', en: 'Certificate not found' });

/** States in which the driver may still change answers and materials. */
const EDITABLE: readonly ApplicationState[] = ['draft', 'returned'];

const notEditable = (state: ApplicationState) =>
  new AppError(
    409,
    'APPLICATION_NOT_EDITABLE',
    {
      zh: `办件当前为“${STATE_LABELS[state].zh}”，不能再修改`,
      en: `The application is "${STATE_LABELS[state].en}" and can no longer be changed`,
    },
    { state },
  );

export function driverActor(userId: string): ActorRef {
  return { actor: 'driver', kind: 'driver', id: userId, role: 'driver' };
}

/** The driver's own application, or 404 — another driver's application does not exist for them. */
/** With `forUpdate` (inside a transaction) the row stays locked until it ends: concurrent changes queue. */
export async function ownApplication(db: Executor, userId: string, id: string, options: { forUpdate?: boolean } = {}): Promise<ApplicationRow> {
  const query = db.select().from(applications).where(and(eq(applications.id, id), eq(applications.userId, userId)));
  const [row] = options.forUpdate ? await query.for('update') : await query;
  if (!row) throw applicationNotFound();
  return row;
}

async function ownCertificate(db: Executor, idNumber: string, certificateId: string): Promise<RegistryCertificate> {
  const certificate = await findCertificate(db, certificateId);
  if (!certificate || certificate.holderIdNumber !== idNumber) throw certificateNotFound();
  return certificate;
}

/** Answers prefilled from the account and the certificate; only fields the business's form has. */
function prefill(business: BusinessKey, variant: string | null, certificate: RegistryCertificate, user: typeof users.$inferSelect): Record<string, unknown> {
  const shape = personalInfoDraftSchema(business, variant);
  const candidates: Record<string, unknown> = {
    name: user.name ?? certificate.holderName,
    sex: user.sex ?? certificate.sex,
    phone: user.phone,
    address: user.address ?? certificate.address,
    contactName: user.name ?? certificate.holderName,
    contactPhone: user.phone,
    quasiDrivingType: certificate.quasiDrivingType || undefined,
    serviceCompany: certificate.serviceUnit,
    workUnit: certificate.serviceUnit,
    delivery: 'self_collect',
  };
  const parsed = (shape as { safeParse(v: unknown): { success: boolean; data?: unknown } }).safeParse(candidates);
  if (parsed.success) return parsed.data as Record<string, unknown>;
  // Drop anything the form would refuse rather than fail to open the application.
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(candidates)) {
    const single = (shape as { safeParse(v: unknown): { success: boolean; data?: unknown } }).safeParse({ [key]: value });
    if (single.success && key in (single.data as object)) kept[key] = value;
  }
  return kept;
}

export interface CreateApplicationInput {
  business: BusinessKey;
  certificateId: string;
  variant?: string | undefined;
}

/** Opens a draft for a certificate the driver holds and may use for this business. */
export async function createApplication(ctx: AppContext, userId: string, input: CreateApplicationInput): Promise<ApplicationRow> {
  const variantKey = resolveVariant(input.business, input.variant);
  const variant = variantKey === 'default' ? null : variantKey;
  return ctx.db.transaction(async (tx) => {
    const [user] = await tx.select().from(users).where(eq(users.id, userId));
    if (!user?.idNumber) throw new AppError(403, 'REAL_NAME_REQUIRED', { zh: '请先完成实名认证', en: 'Please complete real-name verification first' });
    const certificate = await ownCertificate(tx, user.idNumber, input.certificateId);
    const today = chinaToday(ctx.now());
    const eligibility = checkEligibility(input.business, certificate, today);
    if (!eligibility.eligible) throw new AppError(422, eligibility.code, eligibility.reason);
    const [open] = await tx
      .select({ id: applications.id, state: applications.state, reference: applications.reference })
      .from(applications)
      .where(and(eq(applications.certificateId, certificate.id), eq(applications.business, input.business)))
      .orderBy(desc(applications.createdAt));
    if (open && !['completed', 'withdrawn', 'declined', 'rejected'].includes(open.state)) throw alreadyOpen(open);
    try {
      const [created] = await tx
        .insert(applications)
        .values({
          reference: newReference(input.business, today),
          userId,
          certificateId: certificate.id,
          business: input.business,
          variant,
          provinceCode: certificate.provinceCode,
          issuingAuthorityCode: certificate.issuingAuthorityCode,
          state: 'draft',
          personalInfo: prefill(input.business, variant, certificate, user),
          createdAt: ctx.now(),
          updatedAt: ctx.now(),
        })
        .returning();
      return created!;
    } catch (error) {
      if (isUniqueViolation(error, 'applications_open_uq')) {
        throw alreadyOpen(undefined);
      }
      throw error;
    }
  });
}

function alreadyOpen(open: { id: string; state: string; reference: string } | undefined) {
  return new AppError(
    409,
    'APPLICATION_ALREADY_OPEN',
    {
      zh: open?.state === 'draft' ? '该证件已有此业务的草稿，可继续填写' : '该证件已有正在办理的同类业务，请勿重复申请',
      en: open?.state === 'draft' ? 'There is already a draft of this business for the certificate; continue it' : 'This business is already in progress for the certificate',
    },
    open ? { applicationId: open.id, state: open.state, reference: open.reference } : undefined,
  );
}

/**
 * Merges answers into the draft; each given field must be well-formed, the name stays as verified.
 * Refused answers are told per field in `language`.
 */
export async function updatePersonalInfo(
  ctx: AppContext,
  userId: string,
  id: string,
  changes: Record<string, unknown>,
  language: FormLanguage = 'zh',
): Promise<ApplicationRow> {
  return ctx.db.transaction(async (tx) => {
    const application = await ownApplication(tx, userId, id);
    if (!EDITABLE.includes(application.state as ApplicationState)) throw notEditable(application.state as ApplicationState);
    const current = application.personalInfo;
    if ('name' in changes && changes.name !== current.name) {
      throw new AppError(422, 'NAME_NOT_EDITABLE', { zh: '姓名来自实名认证，不能修改', en: 'The name comes from real-name verification and cannot be changed' });
    }
    const parsed = personalInfoDraftSchema(application.business as BusinessKey, application.variant).safeParse({ ...current, ...changes });
    if (!parsed.success) throw invalidFields(parsed.error.issues, language);
    const [updated] = await tx
      .update(applications)
      .set({ personalInfo: parsed.data as Record<string, unknown>, updatedAt: ctx.now() })
      .where(and(eq(applications.id, id), eq(applications.version, application.version)))
      .returning();
    if (!updated) throw new AppError(409, 'STATE_CHANGED', { zh: '办件已被更新，请刷新后再试', en: 'The application changed meanwhile; refresh and try again' });
    return updated;
  });
}

function invalidFields(issues: readonly FormIssueInput[], language: FormLanguage) {
  return new AppError(
    400,
    'VALIDATION_FAILED',
    { zh: '填写的信息有误，请检查后重试', en: 'Some answers are not valid; check them and try again' },
    { fields: localizeFormIssues(issues, language) },
  );
}

/** The materials this application needs now (its province's list, requiredness from the answers). */
export async function materialsOf(db: Executor, application: ApplicationRow): Promise<ResolvedMaterial[]> {
  const overrides = await provinceMaterialOverrides(db, application.provinceCode);
  const certificate = await findCertificate(db, application.certificateId);
  return materialsFor(application.business as BusinessKey, application.variant, application.personalInfo, overrides, certificate ? { certificate } : {});
}

const materialFileKey = (application: ApplicationRow, materialKey: string, image: IntakenImage, kind: 'full' | 'thumb') =>
  `applications/${application.id}/${materialKey}-${image.sha256.slice(0, 16)}${kind === 'thumb' ? '-thumb.jpg' : image.mime === 'image/png' ? '.png' : '.jpg'}`;

/** Stores (or replaces) one material. Files go to storage first; the row points to them once written. */
export async function putMaterial(ctx: AppContext, userId: string, id: string, materialKey: string, image: IntakenImage) {
  const application = await ownApplication(ctx.db, userId, id);
  if (!EDITABLE.includes(application.state as ApplicationState)) throw notEditable(application.state as ApplicationState);
  const known = (await materialsOf(ctx.db, application)).find((material) => material.key === materialKey);
  if (!known) throw new AppError(404, 'MATERIAL_UNKNOWN', { zh: '该业务不需要这项材料', en: 'This business does not take that material' });
  const fileKey = materialFileKey(application, materialKey, image, 'full');
  const thumbnailKey = materialFileKey(application, materialKey, image, 'thumb');
  await ctx.storage.put(fileKey, image.image, image.mime);
  await ctx.storage.put(thumbnailKey, image.thumbnail, 'image/jpeg');
  const replaced = await ctx.db.transaction(async (tx) => {
    const fresh = await ownApplication(tx, userId, id);
    if (!EDITABLE.includes(fresh.state as ApplicationState)) throw notEditable(fresh.state as ApplicationState);
    const [previous] = await tx.select().from(materials).where(and(eq(materials.applicationId, id), eq(materials.materialKey, materialKey)));
    const values = {
      fileKey,
      thumbnailKey,
      mime: image.mime,
      bytes: image.bytes,
      width: image.width,
      height: image.height,
      sha256: image.sha256,
      quality: { ...image.quality },
      uploadedAt: ctx.now(),
    };
    await tx
      .insert(materials)
      .values({ applicationId: id, materialKey, ...values })
      .onConflictDoUpdate({ target: [materials.applicationId, materials.materialKey], set: values });
    await tx.update(applications).set({ updatedAt: ctx.now() }).where(eq(applications.id, id));
    return previous;
  });
  if (replaced && replaced.fileKey !== fileKey) await removeFiles(ctx, [replaced.fileKey, replaced.thumbnailKey]);
  return { materialKey, warnings: image.quality.warnings.map(({ code, zh, en }) => ({ code, zh, en })) };
}

export async function deleteMaterial(ctx: AppContext, userId: string, id: string, materialKey: string): Promise<void> {
  const removed = await ctx.db.transaction(async (tx) => {
    const application = await ownApplication(tx, userId, id);
    if (!EDITABLE.includes(application.state as ApplicationState)) throw notEditable(application.state as ApplicationState);
    const [row] = await tx.delete(materials).where(and(eq(materials.applicationId, id), eq(materials.materialKey, materialKey))).returning();
    if (!row) throw new AppError(404, 'MATERIAL_NOT_UPLOADED', { zh: '这项材料尚未上传', en: 'That material has not been uploaded' });
    return row;
  });
  await removeFiles(ctx, [removed.fileKey, removed.thumbnailKey]);
}

/** Old files are removed after the database stops pointing at them; a failure only leaves an orphan. */
async function removeFiles(ctx: AppContext, keys: string[]): Promise<void> {
  for (const key of keys) {
    try {
      await ctx.storage.delete(key);
    } catch (error) {
      ctx.logger.warn({ err: { name: (error as Error).name } }, 'could not delete a replaced file');
    }
  }
}

export async function materialFile(ctx: AppContext, userId: string, id: string, materialKey: string, kind: 'full' | 'thumb') {
  await ownApplication(ctx.db, userId, id);
  const [row] = await ctx.db.select().from(materials).where(and(eq(materials.applicationId, id), eq(materials.materialKey, materialKey)));
  if (!row) throw new AppError(404, 'MATERIAL_NOT_UPLOADED', { zh: '这项材料尚未上传', en: 'That material has not been uploaded' });
  const key = kind === 'thumb' ? row.thumbnailKey : row.fileKey;
  return { data: await ctx.storage.get(key), mime: kind === 'thumb' ? 'image/jpeg' : row.mime };
}

/** Everything that still blocks submission, all at once; field messages in `language`. */
export async function missingForSubmission(db: Executor, application: ApplicationRow, language: FormLanguage = 'zh') {
  const parsed = personalInfoSchema(application.business as BusinessKey, application.variant).safeParse(application.personalInfo);
  const uploaded = await db
    .select({ materialKey: materials.materialKey, sha256: materials.sha256, uploadedAt: materials.uploadedAt })
    .from(materials)
    .where(eq(materials.applicationId, application.id));
  const needed = await materialsOf(db, application);
  const returned = await pendingReturn(db, application);
  const flagged = returned ? flaggedMaterials(returned, uploaded, new Map(needed.map((m) => [m.key, m.name]))) : [];
  return {
    fieldIssues: parsed.success ? [] : localizeFormIssues(parsed.error.issues, language),
    materials: missingMaterials(
      needed,
      uploaded.map((row) => row.materialKey),
    ),
    /** Materials the return flagged: each must be replaced before the application goes back. */
    flagged,
    toReplace: flagged.filter((material) => !material.replaced),
  };
}

function incomplete(missing: Awaited<ReturnType<typeof missingForSubmission>>): AppError | undefined {
  const missingKeys = new Set(missing.materials.map((material) => material.key));
  const toReplace = missing.toReplace.filter((material) => !missingKeys.has(material.key));
  const count = missing.fieldIssues.length + missing.materials.length + toReplace.length;
  if (count === 0) return undefined;
  const materialItems = [
    ...missing.materials.map((material) => ({ key: material.key, name: material.name, replace: false })),
    ...toReplace.map((material) => ({ key: material.key, name: material.name, replace: true })),
  ];
  if (missing.fieldIssues.length === 0 && missing.materials.length === 0) {
    return new AppError(
      422,
      'MATERIALS_NOT_REPLACED',
      {
        zh: `退回时要求重新上传的${toReplace.length}项材料尚未更换，请重新上传后再提交`,
        en: `${toReplace.length} material(s) staff asked for again have not been replaced; upload new pictures and submit again`,
      },
      { fields: [], materials: materialItems },
    );
  }
  return new AppError(
    422,
    'APPLICATION_INCOMPLETE',
    {
      zh: `还有${count}项未完成，请补充后提交`,
      en: `${count} item(s) still missing; complete them and submit again`,
    },
    { fields: missing.fieldIssues, materials: materialItems },
  );
}

/**
 * Submits a draft or resubmits a returned application. With an Idempotency-Key, a retry of a submit
 * that already went through answers with the same application instead of failing. What is still
 * missing is told in `language`.
 */
export async function submitApplication(
  ctx: AppContext,
  userId: string,
  id: string,
  idempotencyKey: string | undefined,
  language: FormLanguage = 'zh',
): Promise<ApplicationRow> {
  return ctx.db.transaction(async (tx) => {
    // Locked: concurrent retries with one Idempotency-Key wait for the first and then see it submitted.
    const application = await ownApplication(tx, userId, id, { forUpdate: true });
    if (idempotencyKey && application.idempotencyKey === idempotencyKey && application.state !== 'draft' && application.state !== 'returned') {
      return application;
    }
    const state = application.state as ApplicationState;
    if (!EDITABLE.includes(state)) throw notEditable(state);
    const refusal = incomplete(await missingForSubmission(tx, application, language));
    if (refusal) throw refusal;
    const certificate = await findCertificate(tx, application.certificateId);
    const eligibility = certificate ? checkEligibility(application.business as BusinessKey, certificate, chinaToday(ctx.now())) : undefined;
    if (!eligibility?.eligible) throw new AppError(422, eligibility?.code ?? 'CERTIFICATE_NOT_FOUND', eligibility?.reason ?? { zh: '证件不存在', en: 'Certificate not found' });
    if (idempotencyKey) {
      const [reused] = await tx
        .select({ id: applications.id })
        .from(applications)
        .where(and(eq(applications.userId, userId), eq(applications.idempotencyKey, idempotencyKey)));
      if (reused && reused.id !== id) {
        throw new AppError(422, 'IDEMPOTENCY_KEY_REUSED', { zh: '请求标识已用于其他办件', en: 'This Idempotency-Key was already used for another application' });
      }
      await tx.update(applications).set({ idempotencyKey }).where(eq(applications.id, id));
    }
    return applyTransition(tx, application, state === 'draft' ? 'submit' : 'resubmit', driverActor(userId), {}, ctx.now());
  });
}

export async function withdrawApplication(ctx: AppContext, userId: string, id: string): Promise<ApplicationRow> {
  return ctx.db.transaction(async (tx) => {
    const application = await ownApplication(tx, userId, id);
    return applyTransition(tx, application, 'withdraw', driverActor(userId), {}, ctx.now());
  });
}

/** A draft nobody submitted can be thrown away, with its uploads. */
export async function discardDraft(ctx: AppContext, userId: string, id: string): Promise<void> {
  const files = await ctx.db.transaction(async (tx) => {
    const application = await ownApplication(tx, userId, id);
    if (application.state !== 'draft') throw notEditable(application.state as ApplicationState);
    const removed = await tx.delete(materials).where(eq(materials.applicationId, id)).returning();
    await tx.delete(applications).where(and(eq(applications.id, id), eq(applications.state, 'draft')));
    return removed.flatMap((row) => [row.fileKey, row.thumbnailKey]);
  });
  await removeFiles(ctx, files);
}

// ---------------------------------------------------------------------------------------------------
// Views

async function summaries(db: Executor, rows: ApplicationRow[]): Promise<ApplicationSummary[]> {
  const certificates = new Map(
    (await findCertificates(db, rows.map((row) => row.certificateId))).map((certificate) => [
      certificate.id,
      { number: certificate.number, categories: certificate.categories.map((category) => categoryName(category.code)) },
    ]),
  );
  return rows.map((row) => summaryOf(row, certificates.get(row.certificateId)));
}

function summaryOf(row: ApplicationRow, certificate: { number: string; categories: Localized[] } | undefined): ApplicationSummary {
  const state = row.state as ApplicationState;
  return {
    id: row.id,
    reference: row.reference,
    business: row.business as BusinessKey,
    variant: row.variant,
    businessName: businessName(row.business, row.variant),
    certificate: { id: row.certificateId, number: certificate?.number ?? '', categories: certificate?.categories ?? [] },
    state,
    stateLabel: STATE_LABELS[state],
    acceptDeadline: row.acceptDeadline,
    decideDeadline: row.decideDeadline,
    createdAt: row.createdAt.toISOString(),
    submittedAt: row.submittedAt?.toISOString() ?? null,
    updatedAt: row.updatedAt.toISOString(),
  };
}

export async function listApplications(db: Executor, userId: string, state?: ApplicationState): Promise<ApplicationSummary[]> {
  const rows = await db
    .select()
    .from(applications)
    .where(state ? and(eq(applications.userId, userId), eq(applications.state, state)) : eq(applications.userId, userId))
    .orderBy(desc(applications.createdAt), desc(applications.id));
  return summaries(db, rows);
}

/** The driver's view of one application: answers, materials, timeline, what to correct, what they may do now. */
export async function applicationDetail(db: Executor, application: ApplicationRow, apiBase: string): Promise<ApplicationDetail> {
  const [summary] = await summaries(db, [application]);
  const log = await db.select().from(applicationActions).where(eq(applicationActions.applicationId, application.id)).orderBy(asc(applicationActions.id));
  const uploaded = await db.select().from(materials).where(eq(materials.applicationId, application.id));
  const needed = await materialsOf(db, application);
  const state = application.state as ApplicationState;
  const lastReturn = state === 'returned' ? log.findLast((entry) => entry.action === 'return') : undefined;
  const missing = EDITABLE.includes(state) ? await missingForSubmission(db, application) : { fieldIssues: [], materials: [], flagged: [], toReplace: [] };
  const flagged = new Map(missing.flagged.map((material) => [material.key, material]));
  const names = new Map(needed.map((material) => [material.key, material.name]));
  const materialsBase = `${apiBase}/applications/${application.id}/materials`;
  return {
    ...summary!,
    personalInfo: application.personalInfo,
    materials: needed.map((material) => {
      const file = uploaded.find((row) => row.materialKey === material.key);
      return {
        key: material.key,
        name: material.name,
        example: material.example,
        required: material.required,
        ...(material.condition ? { condition: material.condition } : {}),
        correction: flagged.has(material.key) ? (flagged.get(material.key)!.replaced ? 'replaced' : 'replace') : null,
        uploaded: file ? uploadedMaterialView(file, `${materialsBase}/${material.key}`) : null,
      };
    }),
    timeline: log.map((entry) => timelineEntryView(entry, names)),
    allowedActions: allowedActions(state, 'driver', transitionContextOf(application)),
    corrections: lastReturn
      ? {
          reasons: actionReasons('return', lastReturn.reasonCodes),
          text: lastReturn.reasonText,
          at: lastReturn.createdAt.toISOString(),
          materials: missing.flagged,
        }
      : null,
    missing: {
      fields: missing.fieldIssues.map((issue) => issue.path),
      materials: missing.materials.map((material) => material.key),
      replace: missing.toReplace.map((material) => material.key),
    },
  };
}
