import { eq } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import type { StaffProfile, StaffRole } from '../../contract/staff.ts';
import type { Actor } from '../../domain/stateMachine.ts';
import { clearSessionCookie, requestToken, resolveSession, staffSessionPolicy, unauthenticated, type AuthHook, type ResolvedSession } from '../auth/session.ts';
import type { AppContext } from '../context.ts';
import type { Executor } from '../db/client.ts';
import { provinces, staff } from '../db/schema.ts';
import { AppError } from '../errors.ts';

/** Who is calling, set by `requireStaff`. */
export interface StaffPrincipal {
  id: string;
  username: string;
  displayName: string;
  role: StaffRole;
  /** Null for system admins, who see every province. */
  provinceCode: string | null;
  sessionId: string;
  idleExpiresAt: Date;
  absoluteExpiresAt: Date;
}

declare module 'fastify' {
  interface FastifyRequest {
    staff?: StaffPrincipal;
  }
}

export function staffOf(request: FastifyRequest): StaffPrincipal {
  if (!request.staff) throw unauthenticated();
  return request.staff;
}

export const staffRoleForbidden = () =>
  new AppError(403, 'STAFF_ROLE_FORBIDDEN', { zh: '当前角色无权进行此操作', en: 'Your role may not do this' });

/**
 * Hook for staff routes (use as `onRequest`): resolves the staff session (cookie `rto_staff_session` or
 * bearer), slides its 15-minute idle expiry, refuses disabled accounts, and optionally the role.
 * A driver's token is not a staff session and answers 401.
 */
export function requireStaff(ctx: AppContext, roles?: readonly StaffRole[]): AuthHook {
  return async function requireStaffHook(request, reply) {
    const token = requestToken(request, staffSessionPolicy);
    if (!token) throw unauthenticated();
    let session: ResolvedSession;
    try {
      session = await resolveSession(ctx.db, staffSessionPolicy, token, ctx.now());
    } catch (error) {
      if (request.cookies?.[staffSessionPolicy.cookieName]) clearSessionCookie(ctx, request, reply, staffSessionPolicy);
      throw error;
    }
    const [member] = await ctx.db.select().from(staff).where(eq(staff.id, session.subjectId));
    if (!member || member.disabledAt) throw unauthenticated();
    request.staff = {
      id: member.id,
      username: member.username,
      displayName: member.displayName,
      role: member.role,
      provinceCode: member.provinceCode,
      sessionId: session.sessionId,
      idleExpiresAt: session.idleExpiresAt,
      absoluteExpiresAt: session.absoluteExpiresAt,
    };
    if (roles && !roles.includes(member.role)) throw staffRoleForbidden();
  };
}

/**
 * Who may do what on applications (PRODUCT §1, §5):
 * - handler: accept, return, decline, fulfilment;
 * - reviewer: return after acceptance, approve (with the rating), reject, fulfilment;
 * - province_admin: everything a handler and a reviewer may, so a province is never stuck when someone is
 *   away; the log records the admin role, so such actions stand out in the audit;
 * - system_admin: reads every province, acts on none (no casework outside one's own province).
 */
export function actorsOf(role: StaffRole): Actor[] {
  switch (role) {
    case 'handler':
      return ['handler'];
    case 'reviewer':
      return ['reviewer'];
    case 'province_admin':
      return ['handler', 'reviewer'];
    default:
      return [];
  }
}

export async function staffProfile(db: Executor, member: { id: string; username: string; displayName: string; role: StaffRole; provinceCode: string | null }): Promise<StaffProfile> {
  let province: StaffProfile['province'] = null;
  if (member.provinceCode) {
    const [row] = await db.select().from(provinces).where(eq(provinces.code, member.provinceCode));
    province = { code: member.provinceCode, name: { zh: row?.nameZh ?? member.provinceCode, en: row?.nameEn ?? member.provinceCode } };
  }
  return {
    id: member.id,
    username: member.username,
    displayName: member.displayName,
    role: member.role,
    province,
    capabilities: { process: actorsOf(member.role).length > 0, audit: member.role === 'province_admin' || member.role === 'system_admin' },
  };
}
