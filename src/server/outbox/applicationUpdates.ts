import { and, desc, eq } from 'drizzle-orm';
import type { Localized } from '../../domain/errors.ts';
import { reasonCodesFor, STATE_LABELS, type ApplicationAction, type ApplicationState } from '../../domain/stateMachine.ts';
import type { Executor } from '../db/client.ts';
import { applicationActions } from '../db/schema.ts';

/** What a driver is told about: the actions written to the outbox by the transition executor. */
export const DRIVER_NOTIFIED_ACTIONS = ['accept', 'return', 'decline', 'approve', 'reject', 'mail', 'ready_for_pickup'] as const;
export type NotifiedAction = (typeof DRIVER_NOTIFIED_ACTIONS)[number];

export const isNotifiedAction = (action: string): action is NotifiedAction => (DRIVER_NOTIFIED_ACTIONS as readonly string[]).includes(action);

/** The parts of a logged action a notification quotes. */
export interface UpdateDetails {
  reasonCodes: readonly string[];
  reasonText: string | null;
  payload: Record<string, unknown>;
}

const noDetails: UpdateDetails = { reasonCodes: [], reasonText: null, payload: {} };

/** The items to correct (一次性告知): explicit items from the action if given, else the reason labels, then the free text. */
export function correctionItems(details: UpdateDetails): Localized[] {
  const explicit = details.payload.items;
  const items: Localized[] = [];
  if (Array.isArray(explicit)) {
    for (const item of explicit) {
      if (typeof item === 'string' && item.trim()) items.push({ zh: item.trim(), en: item.trim() });
      else if (item && typeof item === 'object') {
        const { zh, en, label } = item as { zh?: unknown; en?: unknown; label?: { zh?: unknown; en?: unknown } };
        const text = { zh: label?.zh ?? zh, en: label?.en ?? en ?? label?.zh ?? zh };
        if (typeof text.zh === 'string' && text.zh.trim()) items.push({ zh: text.zh, en: typeof text.en === 'string' ? text.en : text.zh });
      }
    }
  }
  if (items.length === 0) {
    const known = reasonCodesFor('return');
    for (const code of details.reasonCodes) {
      if (code === 'other') continue; // the free text says what "other" means
      const reason = known.find((r) => r.code === code);
      items.push(reason ? { zh: reason.zh, en: reason.en } : { zh: code, en: code });
    }
  }
  const text = details.reasonText?.trim();
  if (text) items.push({ zh: text, en: text });
  return items;
}

function reasonSummary(action: ApplicationAction, details: UpdateDetails): Localized | null {
  const known = reasonCodesFor(action);
  const labels = details.reasonCodes.filter((code) => code !== 'other').map((code) => known.find((r) => r.code === code) ?? { zh: code, en: code });
  const text = details.reasonText?.trim();
  const zh = [...labels.map((l) => l.zh), ...(text ? [text] : [])];
  const en = [...labels.map((l) => l.en), ...(text ? [text] : [])];
  return zh.length ? { zh: zh.join('；'), en: en.join('; ') } : null;
}

const str = (value: unknown): string | null => (typeof value === 'string' && value.trim() ? value.trim() : null);

/** A full sentence for My Office: what happened and what the driver should do. */
export function updateMessage(action: NotifiedAction, state: ApplicationState, details: UpdateDetails = noDetails): Localized {
  switch (action) {
    case 'accept':
      return { zh: '您的申请已受理，正在审核。', en: 'Your application has been accepted and is being reviewed.' };
    case 'return': {
      const items = correctionItems(details);
      return items.length
        ? {
            zh: `您的申请被退回补正，请补正以下内容后重新提交：${items.map((i) => i.zh).join('；')}。`,
            en: `Your application was returned for correction. Correct the following and submit again: ${items.map((i) => i.en).join('; ')}.`,
          }
        : { zh: '您的申请被退回补正，请查看办件详情后补正并重新提交。', en: 'Your application was returned for correction; see its details, correct it and submit again.' };
    }
    case 'decline': {
      const reasons = reasonSummary('decline', details);
      return {
        zh: `您的申请不予受理${reasons ? `，理由：${reasons.zh}` : ''}。`,
        en: `Your application was not accepted${reasons ? `. Reason: ${reasons.en}` : ''}.`,
      };
    }
    case 'approve': {
      const rating = str(details.payload.rating);
      return {
        zh: `您的申请已审核通过${rating ? `，考核等级：${rating}` : ''}。`,
        en: `Your application has been approved${rating ? `. Rating: ${rating}` : ''}.`,
      };
    }
    case 'reject': {
      const reasons = reasonSummary('reject', details);
      return {
        zh: `您的申请审核不通过${reasons ? `，理由：${reasons.zh}` : ''}。`,
        en: `Your application was rejected${reasons ? `. Reason: ${reasons.en}` : ''}.`,
      };
    }
    case 'mail': {
      const tracking = str(details.payload.trackingNumber);
      const carrier = str(details.payload.carrier);
      const via = [carrier, tracking].filter(Boolean).join(' ');
      return {
        zh: `您的证件已邮寄${via ? `，运单号：${via}` : ''}，邮费到付。`,
        en: `Your certificate has been mailed${via ? ` (tracking: ${via})` : ''}; postage is paid on delivery.`,
      };
    }
    case 'ready_for_pickup':
      return { zh: '您的证件已制作完成，请携带身份证到窗口领取。', en: 'Your certificate is ready; collect it at the office with your ID card.' };
    default:
      return STATE_LABELS[state];
  }
}

/** Longest text put into one SMS template variable (providers cap variables; the full text is in My Office). */
const SMS_STATUS_MAX = 60;

/** The short status for the SMS template's `${status}`: the state in words, plus the items or the tracking number. */
export function smsStatusText(action: NotifiedAction, state: ApplicationState, details: UpdateDetails = noDetails): string {
  let text: string;
  switch (action) {
    case 'return': {
      const items = correctionItems(details).map((i) => i.zh);
      text = items.length ? `退回补正（请补正：${items.join('、')}）` : '退回补正';
      break;
    }
    case 'mail': {
      const tracking = str(details.payload.trackingNumber);
      const carrier = str(details.payload.carrier);
      text = tracking ? `证件已邮寄（${carrier ? `${carrier}，` : ''}运单号${tracking}）` : '证件已邮寄';
      break;
    }
    case 'ready_for_pickup':
      text = '证件已可领取';
      break;
    default:
      text = STATE_LABELS[state].zh;
  }
  return text.length > SMS_STATUS_MAX ? `${text.slice(0, SMS_STATUS_MAX - 1)}…` : text;
}

/** The newest logged action of this kind on the application: it holds the items, reasons and tracking number. */
export async function latestActionDetails(db: Executor, applicationId: string, action: string): Promise<UpdateDetails> {
  const [row] = await db
    .select({ reasonCodes: applicationActions.reasonCodes, reasonText: applicationActions.reasonText, payload: applicationActions.payload })
    .from(applicationActions)
    .where(and(eq(applicationActions.applicationId, applicationId), eq(applicationActions.action, action)))
    .orderBy(desc(applicationActions.id))
    .limit(1);
  return row ?? noDetails;
}
