/**
 * Application life cycle (PRODUCT §4.1) as one declarative table.
 *
 *   draft --submit--> submitted --accept--> accepted --approve--> approved --…--> completed
 *   submitted --withdraw--> withdrawn (driver)        submitted|accepted --return--> returned --resubmit--> submitted
 *   submitted --decline--> declined                   accepted --reject--> rejected
 *
 * After approval:
 * - Businesses that issue a card (renewal, replacement, change) are fulfilled by the office:
 *   `mail` (tracking number required) hands the card to the post and completes the application;
 *   `ready_for_pickup` tells the driver the card can be collected (state stays `approved`), and
 *   `hand_over` completes it when the driver collects it.
 * - Credit assessment and cancellation: the reviewer approves (with the rating, for credit assessment),
 *   then `complete` closes it once the outcome is recorded (voucher issued / categories cancelled), by the
 *   system right after approval or by the reviewer.
 * Each (state, action) pair leads to exactly one state whatever the business, so the state can be
 * derived from the action log alone; the business only narrows which actions are offered.
 */

import type { Localized } from './errors.ts';
import { DomainError } from './errors.ts';
import { businessIssuesCard, type BusinessKey, type DeliveryMethod } from './businessKeys.ts';
import { isCreditGrade } from './creditAssessment.ts';

export const APPLICATION_STATES = ['draft', 'submitted', 'accepted', 'approved', 'completed', 'withdrawn', 'returned', 'declined', 'rejected'] as const;
export type ApplicationState = (typeof APPLICATION_STATES)[number];

export const ACTIONS = ['submit', 'withdraw', 'accept', 'return', 'decline', 'approve', 'reject', 'resubmit', 'mail', 'ready_for_pickup', 'hand_over', 'complete'] as const;
export type ApplicationAction = (typeof ACTIONS)[number];

export const ACTORS = ['driver', 'handler', 'reviewer', 'system'] as const;
export type Actor = (typeof ACTORS)[number];

export interface Transition {
  from: ApplicationState;
  action: ApplicationAction;
  to: ApplicationState;
  actors: readonly Actor[];
  requiresReason?: boolean;
  requiresTrackingNumber?: boolean;
  /** Only for businesses that issue a card (true) or only for those that don't (false). */
  cardBusinesses?: boolean;
  /** Only when the driver chose this delivery method. */
  delivery?: DeliveryMethod;
}

export const TRANSITIONS: readonly Transition[] = [
  { from: 'draft', action: 'submit', to: 'submitted', actors: ['driver'] },
  { from: 'submitted', action: 'withdraw', to: 'withdrawn', actors: ['driver'] },
  // 'system' may accept: an application not refused within the legal time counts as accepted (行政许可法 Art. 32).
  { from: 'submitted', action: 'accept', to: 'accepted', actors: ['handler', 'system'] },
  { from: 'submitted', action: 'return', to: 'returned', actors: ['handler'], requiresReason: true },
  { from: 'submitted', action: 'decline', to: 'declined', actors: ['handler'], requiresReason: true },
  { from: 'returned', action: 'resubmit', to: 'submitted', actors: ['driver'] },
  { from: 'accepted', action: 'return', to: 'returned', actors: ['handler', 'reviewer'], requiresReason: true },
  { from: 'accepted', action: 'approve', to: 'approved', actors: ['reviewer'] },
  { from: 'accepted', action: 'reject', to: 'rejected', actors: ['reviewer'], requiresReason: true },
  { from: 'approved', action: 'mail', to: 'completed', actors: ['handler', 'reviewer'], requiresTrackingNumber: true, cardBusinesses: true, delivery: 'mail' },
  { from: 'approved', action: 'ready_for_pickup', to: 'approved', actors: ['handler', 'reviewer'], cardBusinesses: true, delivery: 'self_collect' },
  { from: 'approved', action: 'hand_over', to: 'completed', actors: ['handler', 'reviewer'], cardBusinesses: true, delivery: 'self_collect' },
  { from: 'approved', action: 'complete', to: 'completed', actors: ['system', 'reviewer'], cardBusinesses: false },
];

export const TERMINAL_STATES: readonly ApplicationState[] = ['completed', 'withdrawn', 'declined', 'rejected'];

export function isTerminalState(state: ApplicationState): boolean {
  return TERMINAL_STATES.includes(state);
}

export const STATE_LABELS: Record<ApplicationState, Localized> = {
  draft: { zh: '草稿', en: 'Draft' },
  submitted: { zh: '待受理', en: 'Awaiting acceptance' },
  accepted: { zh: '已受理', en: 'Accepted, under review' },
  approved: { zh: '审核通过', en: 'Approved' },
  completed: { zh: '已办结', en: 'Completed' },
  withdrawn: { zh: '已撤回', en: 'Withdrawn' },
  returned: { zh: '退回补正', en: 'Returned for correction' },
  declined: { zh: '不予受理', en: 'Not accepted' },
  rejected: { zh: '审核不通过', en: 'Rejected' },
};

export const ACTION_LABELS: Record<ApplicationAction, Localized> = {
  submit: { zh: '提交申请', en: 'Submit' },
  withdraw: { zh: '撤回申请', en: 'Withdraw' },
  accept: { zh: '受理', en: 'Accept' },
  return: { zh: '退回补正', en: 'Return for correction' },
  decline: { zh: '不予受理', en: 'Decline' },
  approve: { zh: '审核通过', en: 'Approve' },
  reject: { zh: '审核不通过', en: 'Reject' },
  resubmit: { zh: '补正后重新提交', en: 'Resubmit' },
  mail: { zh: '邮寄证件', en: 'Mail the certificate' },
  ready_for_pickup: { zh: '通知领取', en: 'Ready for collection' },
  hand_over: { zh: '已领取', en: 'Handed over' },
  complete: { zh: '办结', en: 'Complete' },
};

export interface ReasonCode {
  code: string;
  zh: string;
  en: string;
}

/** Reasons to return an application for correction (一次性告知: staff may tick several). */
export const RETURN_REASONS: readonly ReasonCode[] = [
  { code: 'material_missing', zh: '申请材料不齐全', en: 'Required materials are missing' },
  { code: 'material_unclear', zh: '材料图片不清晰', en: 'A material picture is not legible' },
  { code: 'material_mismatch', zh: '材料与申请信息不一致', en: 'Materials do not match the application' },
  { code: 'photo_nonconforming', zh: '照片不符合要求（须近期免冠彩色证件照）', en: 'The photo does not meet the requirements (recent bareheaded colour ID photo)' },
  { code: 'info_incorrect', zh: '个人信息填写有误', en: 'Personal information is incorrect' },
  { code: 'other', zh: '其他', en: 'Other' },
];

export const DECLINE_REASONS: readonly ReasonCode[] = [
  { code: 'not_eligible', zh: '不符合办理条件', en: 'The conditions for this service are not met' },
  { code: 'wrong_authority', zh: '不属于本机关办理范围', en: 'Not within this authority’s competence' },
  { code: 'duplicate', zh: '重复申请', en: 'Duplicate application' },
  { code: 'certificate_abnormal', zh: '从业资格证状态异常', en: 'The certificate’s status does not allow it' },
  { code: 'other', zh: '其他', en: 'Other' },
];

export const REJECT_REASONS: readonly ReasonCode[] = [
  { code: 'verification_failed', zh: '材料核验不通过', en: 'The materials could not be verified' },
  { code: 'unresolved_violations', zh: '存在未处理完毕的违法违章记录', en: 'There are unresolved violation records' },
  { code: 'education_incomplete', zh: '继续教育学时不足', en: 'Continuing education hours are insufficient' },
  { code: 'not_qualified', zh: '不符合法定条件', en: 'The legal requirements are not met' },
  { code: 'other', zh: '其他', en: 'Other' },
];

export function reasonCodesFor(action: ApplicationAction): readonly ReasonCode[] {
  switch (action) {
    case 'return':
      return RETURN_REASONS;
    case 'decline':
      return DECLINE_REASONS;
    case 'reject':
      return REJECT_REASONS;
    default:
      return [];
  }
}

export interface TransitionContext {
  business?: BusinessKey;
  delivery?: DeliveryMethod;
}

function applies(t: Transition, ctx: TransitionContext): boolean {
  if (t.cardBusinesses !== undefined && ctx.business !== undefined && businessIssuesCard(ctx.business) !== t.cardBusinesses) return false;
  if (t.delivery !== undefined && ctx.delivery !== undefined && t.delivery !== ctx.delivery) return false;
  return true;
}

function contextOf(business: BusinessKey | TransitionContext | undefined): TransitionContext {
  return typeof business === 'string' ? { business } : (business ?? {});
}

/** The table row for a state and action (in this business), or undefined. */
export function findTransition(state: ApplicationState, action: ApplicationAction, business?: BusinessKey | TransitionContext): Transition | undefined {
  const ctx = contextOf(business);
  return TRANSITIONS.find((t) => t.from === state && t.action === action && applies(t, ctx));
}

/**
 * The state after `actor` performs `action`. Throws ILLEGAL_TRANSITION (409) when the action does not
 * apply in this state (e.g. someone else acted first) and ACTION_NOT_ALLOWED_FOR_ROLE (403) when it
 * does but not for this actor.
 */
export function nextState(state: ApplicationState, action: ApplicationAction, actor: Actor, business?: BusinessKey | TransitionContext): ApplicationState {
  const t = findTransition(state, action, business);
  if (!t) {
    throw new DomainError(
      'ILLEGAL_TRANSITION',
      {
        zh: `办件当前状态为“${STATE_LABELS[state]?.zh ?? state}”，不能执行“${ACTION_LABELS[action]?.zh ?? action}”`,
        en: `The application is "${STATE_LABELS[state]?.en ?? state}"; "${ACTION_LABELS[action]?.en ?? action}" is not possible now`,
      },
      { status: 409, details: { state, action } },
    );
  }
  if (!t.actors.includes(actor)) {
    throw new DomainError(
      'ACTION_NOT_ALLOWED_FOR_ROLE',
      { zh: `当前角色无权执行“${ACTION_LABELS[action].zh}”`, en: `Your role may not "${ACTION_LABELS[action].en}"` },
      { status: 403, details: { state, action, actor } },
    );
  }
  return t.to;
}

/** Actions `actor` may perform now. */
export function allowedActions(state: ApplicationState, actor: Actor, business?: BusinessKey | TransitionContext): ApplicationAction[] {
  const ctx = contextOf(business);
  return TRANSITIONS.filter((t) => t.from === state && t.actors.includes(actor) && applies(t, ctx)).map((t) => t.action);
}

export interface LoggedAction {
  action: ApplicationAction;
  /** When given, the actor's right to the action is checked too. */
  actor?: Actor;
}

/** Folds an action log (oldest first) into the current state, starting from 'draft'. Throws like nextState on an invalid log. */
export function deriveState(actions: readonly LoggedAction[], business?: BusinessKey | TransitionContext): ApplicationState {
  let state: ApplicationState = 'draft';
  for (const entry of actions) {
    if (entry.actor) {
      state = nextState(state, entry.action, entry.actor, business);
    } else {
      const t = findTransition(state, entry.action, business);
      if (!t) state = nextState(state, entry.action, 'system', business); // throws ILLEGAL_TRANSITION
      else state = t.to;
    }
  }
  return state;
}

export interface ActionInput {
  reason?: string | null;
  /** Reason codes from the lists above. */
  reasonCodes?: readonly string[] | null;
  rating?: string | null;
  trackingNumber?: string | null;
}

/**
 * Checks what an action needs besides permission: a reason for return/decline/reject (a code or text),
 * a rating AAA/AA/A/B when approving a credit assessment, a tracking number when mailing.
 */
export function validateActionInput(action: ApplicationAction, business: BusinessKey, input: ActionInput): void {
  const t = TRANSITIONS.find((row) => row.action === action && applies(row, { business }));
  if (!t) return;
  const hasReason = (input.reason ?? '').trim().length > 0 || (input.reasonCodes?.length ?? 0) > 0;
  if (t.requiresReason && !hasReason) {
    throw new DomainError('REASON_REQUIRED', { zh: '请填写理由', en: 'A reason is required' }, { status: 400, details: { action } });
  }
  if (input.reasonCodes?.length) {
    const known = new Set(reasonCodesFor(action).map((r) => r.code));
    const unknown = input.reasonCodes.filter((c) => !known.has(c));
    if (unknown.length) {
      throw new DomainError('UNKNOWN_REASON_CODE', { zh: '理由代码无效', en: 'Unknown reason code' }, { status: 400, details: { unknown } });
    }
    if (input.reasonCodes.includes('other') && !(input.reason ?? '').trim()) {
      throw new DomainError('REASON_REQUIRED', { zh: '选择“其他”时请填写具体理由', en: 'Please describe the reason when choosing "Other"' }, { status: 400, details: { action } });
    }
  }
  if (action === 'approve' && business === 'credit_assessment' && !isCreditGrade(input.rating)) {
    throw new DomainError('RATING_REQUIRED', { zh: '请选择考核等级（AAA、AA、A、B）', en: 'Choose a rating (AAA, AA, A or B)' }, { status: 400 });
  }
  if (t.requiresTrackingNumber && !(input.trackingNumber ?? '').trim()) {
    throw new DomainError('TRACKING_NUMBER_REQUIRED', { zh: '请填写邮寄单号', en: 'A tracking number is required' }, { status: 400 });
  }
}
