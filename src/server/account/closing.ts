/**
 * Closing an account (注销账号, PIPL Art. 47). Refused while anything of the driver's is still being
 * handled (an application, a verification request, a real-name review), with what and why. Otherwise,
 * in one transaction: the sessions, consents, WeChat binding, ID-card photos and real-name submissions go, drafts are
 * thrown away, and the account row loses its phone and identity and stays only as the anonymous
 * owner of what the office must keep (decided applications, vouchers, answered verification
 * requests; the registry is the authorities' own). The SMS confirming it goes through the outbox to
 * the phone sealed in the message, since the account no longer has one. Audited.
 */
import { and, eq, inArray, notInArray } from 'drizzle-orm';
import type { AccountClosed, ClosingBlocker } from '../../contract/account.ts';
import { chinaDate } from '../../domain/dates.ts';
import { TERMINAL_STATES } from '../../domain/stateMachine.ts';
import { writeDriverAudit } from '../audit/log.ts';
import type { AppContext } from '../context.ts';
import type { Executor } from '../db/client.ts';
import { applications, consents, idCardPhotos, materials, outbox, realNameSubmissions, sessions, users, verificationRequests, vouchers, wechatBindings, wechatTickets } from '../db/schema.ts';
import { userIdNumberColumns, userPhoneColumns } from '../auth/accounts.ts';
import { AppError } from '../errors.ts';

export const ACCOUNT_CLOSED_TOPIC = 'sms.account_closed';
/** What the phone in an account-closed message is sealed as. */
export const CLOSED_PHONE_PURPOSE = 'outbox.account_closed.phone';

/** A closed account keeps no phone: this stand-in is unique and no mobile number. */
export const closedAccountPhone = (userId: string) => `closed:${userId}`;

const closingBlocked = (blocking: ClosingBlocker[]) => {
  const first = blocking[0]!;
  const what = {
    application: { zh: `办件 ${first.reference} 尚未办结`, en: `application ${first.reference} is not finished` },
    verification_request: { zh: `信息核查申请 ${first.reference} 尚未答复`, en: `verification request ${first.reference} has not been answered` },
    real_name_review: { zh: `实名认证 ${first.reference} 正在人工审核`, en: `real-name review ${first.reference} is still with a clerk` },
  }[first.kind];
  return new AppError(
    409,
    'ACCOUNT_CLOSING_BLOCKED',
    {
      zh: `暂不能注销账号：${what.zh}${blocking.length > 1 ? `等 ${blocking.length} 项` : ''}。请等待办结，或先撤回申请后再注销。`,
      en: `The account cannot be closed yet: ${what.en}${blocking.length > 1 ? ` (and ${blocking.length - 1} more)` : ''}. Wait until it is finished, or withdraw it first.`,
    },
    { blocking },
  );
};

async function blockers(tx: Executor, userId: string): Promise<ClosingBlocker[]> {
  const open = await tx
    .select({ reference: applications.reference, state: applications.state })
    .from(applications)
    .where(and(eq(applications.userId, userId), notInArray(applications.state, [...TERMINAL_STATES, 'draft'])));
  const requests = await tx
    .select({ id: verificationRequests.id, state: verificationRequests.state })
    .from(verificationRequests)
    .where(and(eq(verificationRequests.userId, userId), inArray(verificationRequests.state, ['submitted', 'accepted'])));
  const reviews = await tx
    .select({ reference: realNameSubmissions.reference, state: realNameSubmissions.state })
    .from(realNameSubmissions)
    .where(and(eq(realNameSubmissions.userId, userId), eq(realNameSubmissions.state, 'pending')));
  return [
    ...open.map((a) => ({ kind: 'application' as const, reference: a.reference, state: a.state })),
    ...requests.map((r) => ({ kind: 'verification_request' as const, reference: r.id.slice(0, 8), state: r.state })),
    ...reviews.map((r) => ({ kind: 'real_name_review' as const, reference: r.reference, state: r.state })),
  ];
}

export async function closeAccount(ctx: AppContext, userId: string, ip: string | null): Promise<AccountClosed> {
  const now = ctx.now();
  const { result, files } = await ctx.db.transaction(async (tx) => {
    // The row lock makes the checks and the closing one step against a submit racing it.
    const [user] = await tx.select().from(users).where(eq(users.id, userId)).for('update');
    if (!user || user.closedAt) throw new AppError(401, 'UNAUTHENTICATED', { zh: '请先登录', en: 'Please log in' });
    // Applications are locked too: a submit in flight (it holds its application's row) finishes first
    // and is then seen below, and one arriving later finds its draft gone.
    await tx.select({ id: applications.id }).from(applications).where(eq(applications.userId, userId)).for('update');
    const blocking = await blockers(tx, userId);
    if (blocking.length > 0) throw closingBlocked(blocking);

    const drafts = await tx.select({ id: applications.id }).from(applications).where(and(eq(applications.userId, userId), eq(applications.state, 'draft')));
    const draftIds = drafts.map((d) => d.id);
    const draftFiles = draftIds.length ? await tx.delete(materials).where(inArray(materials.applicationId, draftIds)).returning() : [];
    if (draftIds.length) await tx.delete(applications).where(and(inArray(applications.id, draftIds), eq(applications.state, 'draft')));
    await tx.delete(realNameSubmissions).where(eq(realNameSubmissions.userId, userId));
    const photos = await tx.delete(idCardPhotos).where(eq(idCardPhotos.userId, userId)).returning({ storageKey: idCardPhotos.storageKey });
    await tx.delete(consents).where(eq(consents.userId, userId));
    await tx.delete(sessions).where(and(eq(sessions.subjectKind, 'driver'), eq(sessions.subjectId, userId)));
    // The WeChat identity goes with the account: it may be bound again to a new one.
    await tx.delete(wechatTickets).where(eq(wechatTickets.userId, userId));
    await tx.delete(wechatBindings).where(eq(wechatBindings.userId, userId));
    await tx
      .update(users)
      .set({ ...userPhoneColumns(closedAccountPhone(userId)), ...userIdNumberColumns(null), verifiedAt: null, name: null, sex: null, ethnicity: null, birthDate: null, address: null, provinceCode: null, idPhotoKey: null, closedAt: now })
      .where(eq(users.id, userId));

    const kept = {
      applications: (await tx.select({ id: applications.id }).from(applications).where(eq(applications.userId, userId))).length,
      vouchers: (await tx.select({ id: vouchers.id }).from(vouchers).where(eq(vouchers.userId, userId))).length,
      verificationRequests: (await tx.select({ id: verificationRequests.id }).from(verificationRequests).where(eq(verificationRequests.userId, userId))).length,
    };
    await tx.insert(outbox).values({ topic: ACCOUNT_CLOSED_TOPIC, payload: { phone: ctx.secrets.seal(CLOSED_PHONE_PURPOSE, user.phone), date: chinaDate(now) }, createdAt: now, availableAt: now });
    await writeDriverAudit(tx, { id: userId, provinceCode: user.provinceCode }, ip, { event: 'account.close', details: { kept, discardedDrafts: draftIds.length, photosDeleted: photos.length } }, now);
    return {
      result: { closedAt: now.toISOString(), kept, discardedDrafts: draftIds.length },
      files: [...photos.map((p) => p.storageKey), ...draftFiles.flatMap((m) => [m.fileKey, m.thumbnailKey]), ...(user.idPhotoKey ? [user.idPhotoKey] : [])],
    };
  });
  // Files go once nothing points at them; a failure leaves an orphan file, never a broken row.
  for (const key of new Set(files)) {
    try {
      await ctx.storage.delete(key);
    } catch (error) {
      ctx.logger.warn({ err: error, key }, 'a closed account\'s file could not be removed');
    }
  }
  return result;
}
