import { and, eq } from 'drizzle-orm';
import type { Executor } from '../db/client.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { wechatBindings } from '../db/schema.ts';
import { AppError } from '../errors.ts';

/**
 * The WeChat person bound to a driver account (table wechat_bindings, one row per account). A WeChat
 * identity is the openid in one app (the official account's web pages or the mini program) and, when
 * the apps share an Open Platform account, the unionid common to both. The database keeps each of them
 * on at most one account; these functions turn its refusals into clear answers.
 */

export type WeChatAppKind = 'web' | 'mini_program';

export interface WeChatIdentity {
  kind: WeChatAppKind;
  appId: string;
  openid: string;
  unionid: string | null;
  nickname?: string | null;
  avatarUrl?: string | null;
}

export type WeChatBindingRow = typeof wechatBindings.$inferSelect;

export const wechatIdentityTaken = () =>
  new AppError(409, 'WECHAT_IDENTITY_TAKEN', {
    zh: '该微信已绑定其他账号。如需改绑，请先用原手机号登录，在“用户中心—账号与安全”中解除微信绑定',
    en: 'This WeChat is already bound to another account. To move it, log in with that account’s phone and unbind WeChat under Me → Account and security',
  });

export const wechatAccountHasOther = () =>
  new AppError(409, 'WECHAT_ACCOUNT_HAS_OTHER', {
    zh: '该手机号的账号已绑定其他微信。请用已绑定的微信登录，或先在“用户中心—账号与安全”中解除绑定',
    en: 'The account of this phone is bound to another WeChat. Log in with that WeChat, or unbind it first under Me → Account and security',
  });

const openidColumns = (kind: WeChatAppKind) =>
  kind === 'web' ? { appId: wechatBindings.webAppId, openid: wechatBindings.webOpenid } : { appId: wechatBindings.miniAppId, openid: wechatBindings.miniOpenid };

/**
 * The account this WeChat identity logs in to: by its openid in this app, else by its unionid (the same
 * person came from the other app before: the openid of this app is then added to the binding).
 */
export async function findWeChatBinding(tx: Executor, identity: WeChatIdentity, now: Date): Promise<WeChatBindingRow | undefined> {
  const columns = openidColumns(identity.kind);
  const [byOpenid] = await tx
    .select()
    .from(wechatBindings)
    .where(and(eq(columns.appId, identity.appId), eq(columns.openid, identity.openid)));
  let row = byOpenid;
  if (!row && identity.unionid) {
    const [byUnionid] = await tx.select().from(wechatBindings).where(eq(wechatBindings.unionid, identity.unionid));
    if (byUnionid) {
      // The same person bound from the other app. This app's slot is free, or holds the openid of an app id
      // no longer configured; another openid of this very app under the same unionid cannot be the same person.
      const slotAppId = identity.kind === 'web' ? byUnionid.webAppId : byUnionid.miniAppId;
      const slotOpenid = identity.kind === 'web' ? byUnionid.webOpenid : byUnionid.miniOpenid;
      if (slotOpenid && slotAppId === identity.appId) return undefined;
      row = byUnionid;
    }
  }
  if (!row) return undefined;
  const [updated] = await tx
    .update(wechatBindings)
    .set({
      ...(identity.kind === 'web' ? { webAppId: identity.appId, webOpenid: identity.openid } : { miniAppId: identity.appId, miniOpenid: identity.openid }),
      ...(identity.unionid && !row.unionid ? { unionid: identity.unionid } : {}),
      ...(identity.nickname ? { nickname: identity.nickname } : {}),
      ...(identity.avatarUrl ? { avatarUrl: identity.avatarUrl } : {}),
      lastLoginAt: now,
    })
    .where(eq(wechatBindings.userId, row.userId))
    .returning();
  return updated;
}

/**
 * Binds `identity` to `userId`. Refused with WECHAT_ACCOUNT_HAS_OTHER when the account already has a
 * different WeChat person, and WECHAT_IDENTITY_TAKEN when the identity is on another account — also
 * when two bindings race (the unique indexes decide; callers run this last in their transaction and
 * map the error with `mapBindingConflict`).
 */
export async function bindWeChat(tx: Executor, userId: string, identity: WeChatIdentity, now: Date): Promise<void> {
  const columns = openidColumns(identity.kind);
  const [elsewhere] = await tx
    .select({ userId: wechatBindings.userId })
    .from(wechatBindings)
    .where(and(eq(columns.appId, identity.appId), eq(columns.openid, identity.openid)));
  if (elsewhere && elsewhere.userId !== userId) throw wechatIdentityTaken();
  if (!elsewhere && identity.unionid) {
    const [byUnionid] = await tx.select({ userId: wechatBindings.userId }).from(wechatBindings).where(eq(wechatBindings.unionid, identity.unionid));
    if (byUnionid && byUnionid.userId !== userId) throw wechatIdentityTaken();
  }
  const slot = identity.kind === 'web' ? { webAppId: identity.appId, webOpenid: identity.openid } : { miniAppId: identity.appId, miniOpenid: identity.openid };
  const [current] = await tx.select().from(wechatBindings).where(eq(wechatBindings.userId, userId));
  if (!current) {
    await tx.insert(wechatBindings).values({
      userId,
      unionid: identity.unionid,
      ...slot,
      nickname: identity.nickname ?? null,
      avatarUrl: identity.avatarUrl ?? null,
      createdAt: now,
      lastLoginAt: now,
    });
    return;
  }
  const currentOpenid = identity.kind === 'web' ? current.webOpenid : current.miniOpenid;
  const currentAppId = identity.kind === 'web' ? current.webAppId : current.miniAppId;
  const otherPerson =
    (current.unionid && identity.unionid && current.unionid !== identity.unionid) ||
    (currentOpenid && currentAppId === identity.appId && currentOpenid !== identity.openid);
  if (otherPerson) throw wechatAccountHasOther();
  await tx
    .update(wechatBindings)
    .set({
      ...slot,
      ...(identity.unionid && !current.unionid ? { unionid: identity.unionid } : {}),
      ...(identity.nickname ? { nickname: identity.nickname } : {}),
      ...(identity.avatarUrl ? { avatarUrl: identity.avatarUrl } : {}),
      lastLoginAt: now,
    })
    .where(eq(wechatBindings.userId, userId));
}

/** A unique violation of the binding table (two bindings raced) as WECHAT_IDENTITY_TAKEN; other errors unchanged. */
export function mapBindingConflict(error: unknown): unknown {
  for (const constraint of ['wechat_bindings_unionid_uq', 'wechat_bindings_web_openid_uq', 'wechat_bindings_mini_openid_uq']) {
    if (isUniqueViolation(error, constraint)) return wechatIdentityTaken();
  }
  if (isUniqueViolation(error, 'wechat_bindings_pkey')) return wechatAccountHasOther();
  return error;
}

export async function weChatBindingOf(tx: Executor, userId: string): Promise<WeChatBindingRow | undefined> {
  const [row] = await tx.select().from(wechatBindings).where(eq(wechatBindings.userId, userId));
  return row;
}

/** Removes the account's WeChat binding; true when there was one. SMS login stays. */
export async function unbindWeChat(tx: Executor, userId: string): Promise<boolean> {
  const removed = await tx.delete(wechatBindings).where(eq(wechatBindings.userId, userId)).returning({ userId: wechatBindings.userId });
  return removed.length > 0;
}
