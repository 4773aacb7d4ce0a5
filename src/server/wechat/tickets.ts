import { randomBytes } from 'node:crypto';
import { and, eq, gt, isNull, lt } from 'drizzle-orm';
import type { Executor } from '../db/client.ts';
import { wechatTickets } from '../db/schema.ts';
import { hashToken } from '../auth/session.ts';

/**
 * Short-lived single-use tickets of the WeChat flows. The holder keeps a random token (256 bits); the
 * table keeps its SHA-256 only. `take` uses a ticket up in one statement, so two requests racing with
 * the same ticket cannot both succeed.
 */

export type TicketPurpose = (typeof wechatTickets.$inferSelect)['purpose'];
export type TicketRow = typeof wechatTickets.$inferSelect;
type TicketFields = Omit<typeof wechatTickets.$inferInsert, 'tokenHash' | 'purpose' | 'createdAt' | 'expiresAt' | 'usedAt'>;

export const TICKET_TTL_MS: Record<TicketPurpose, number> = {
  /** The round trip through WeChat's authorize page. */
  oauth_state: 10 * 60_000,
  /** Time to ask for and type an SMS code. */
  binding: 15 * 60_000,
  /** A mini program opens its web-view right after logging in. */
  web_view: 2 * 60_000,
};

export async function createTicket(db: Executor, purpose: TicketPurpose, fields: TicketFields, now: Date): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + TICKET_TTL_MS[purpose]);
  // Expired tickets go as new ones come: the table stays small without a job.
  await db.delete(wechatTickets).where(lt(wechatTickets.expiresAt, new Date(now.getTime() - 3600_000)));
  await db.insert(wechatTickets).values({ ...fields, tokenHash: hashToken(token), purpose, createdAt: now, expiresAt });
  return { token, expiresAt };
}

const live = (token: string, purpose: TicketPurpose, now: Date) =>
  and(eq(wechatTickets.tokenHash, hashToken(token)), eq(wechatTickets.purpose, purpose), isNull(wechatTickets.usedAt), gt(wechatTickets.expiresAt, now));

/** The ticket if it is still usable, without using it. */
export async function peekTicket(db: Executor, token: string | undefined, purpose: TicketPurpose, now: Date): Promise<TicketRow | undefined> {
  if (!token || !/^[A-Za-z0-9_-]{16,128}$/.test(token)) return undefined;
  const [row] = await db.select().from(wechatTickets).where(live(token, purpose, now));
  return row;
}

/** Uses the ticket up; undefined when it is unknown, used or expired. */
export async function takeTicket(db: Executor, token: string | undefined, purpose: TicketPurpose, now: Date): Promise<TicketRow | undefined> {
  if (!token || !/^[A-Za-z0-9_-]{16,128}$/.test(token)) return undefined;
  const [row] = await db.update(wechatTickets).set({ usedAt: now }).where(live(token, purpose, now)).returning();
  return row;
}
