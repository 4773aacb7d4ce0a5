import { and, asc, eq, sql, type SQL } from 'drizzle-orm';
import type { RunningDeadline, StaffQueueQuery, StaffQueueResponse, StaffQueueRow } from '../../contract/staff.ts';
import type { WorkingCalendar } from '../../domain/calendar.ts';
import { addDays, chinaToday, weekday } from '../../domain/dates.ts';
import { businessName } from '../../domain/catalog.ts';
import { deadlineStatus } from '../../domain/deadlines.ts';
import { idTail, maskIdNumber } from '../../domain/idNumber.ts';
import { maskName } from '../../domain/personName.ts';
import { STATE_LABELS, type ApplicationState } from '../../domain/stateMachine.ts';
import { normalizeReference } from '../applications/reference.ts';
import { provinceCalendar } from '../calendar/workingCalendar.ts';
import type { AppContext } from '../context.ts';
import type { Executor } from '../db/client.ts';
import { applications, applicationStateCounts, certificates, issuingAuthorities, users } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { matchesBlindIndex } from '../secrets/blindIndex.ts';
import { openField } from '../secrets/fieldCipher.ts';
import { provinceScope } from './access.ts';
import type { StaffPrincipal } from './principal.ts';

/**
 * The staff work queue (PRODUCT §4.2, §5): sorted by the running deadline so overdue and due-today work
 * comes first, with keyset pagination on (deadline, id) so page 5000 costs what page 1 costs.
 *
 * The running deadline is the acceptance deadline while submitted and the decision deadline while
 * accepted; applications with no running clock (returned = paused, approved = awaiting fulfilment,
 * closed) sort last under a far-future sentinel. The expression is written exactly as in the indexes
 * `applications_open_queue_idx` / `applications_state_queue_idx` so PostgreSQL can walk them in order.
 */
export const NO_DEADLINE = '9999-12-31';

const runningKey = sql`coalesce(case ${applications.state} when 'submitted' then ${applications.acceptDeadline} when 'accepted' then ${applications.decideDeadline} end, '9999-12-31'::date)`;

/** The work still to do (the index predicate below); closed applications only appear when asked for by state. */
export const OPEN_STATES: readonly ApplicationState[] = ['submitted', 'accepted', 'returned', 'approved'];

const REFERENCE_PATTERN = /^[A-Z]{2}-\d{6}-[0-9A-Z]{7}$/;
const ID_TAIL_PATTERN = /^\d{3}[\dX]$/;

interface Cursor {
  key: string;
  id: string;
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.key, cursor.id]), 'utf8').toString('base64url');
}

const badCursor = () =>
  new AppError(400, 'CURSOR_INVALID', { zh: '分页参数无效，请从第一页重新查询', en: 'The page cursor is not valid; start again from the first page' });

function decodeCursor(raw: string): Cursor {
  try {
    const parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(parsed) && typeof parsed[0] === 'string' && typeof parsed[1] === 'string') {
      const [key, id] = parsed as [string, string];
      if (/^\d{4}-\d{2}-\d{2}$/.test(key) && /^[0-9a-f-]{36}$/i.test(id)) return { key, id };
    }
  } catch {
    // fall through
  }
  throw badCursor();
}

/** The clock running for an application in its state, as the queue and the detail page show it. */
export function runningDeadline(
  row: { state: string; acceptDeadline: string | null; decideDeadline: string | null },
  today: string,
  calendar: WorkingCalendar,
): RunningDeadline | null {
  const at = (clock: 'accept' | 'decide', date: string | null): RunningDeadline => {
    const view = deadlineStatus({ deadline: date, paused: date === null }, today, calendar);
    return { clock, date: view.deadline, status: view.status, remainingWorkingDays: view.remainingWorkingDays };
  };
  switch (row.state) {
    case 'submitted':
      return at('accept', row.acceptDeadline);
    case 'accepted':
      return at('decide', row.decideDeadline);
    case 'returned':
      // Returned before acceptance pauses the acceptance clock (its deadline is unknown meanwhile).
      return at(row.acceptDeadline === null ? 'accept' : 'decide', null);
    default:
      return null;
  }
}

/** Calendars of the provinces on one page, read once each. */
export function calendarCache(db: Executor): (provinceCode: string) => Promise<WorkingCalendar> {
  const cache = new Map<string, Promise<WorkingCalendar>>();
  return (provinceCode) => {
    let calendar = cache.get(provinceCode);
    if (!calendar) {
      calendar = provinceCalendar(db, provinceCode);
      cache.set(provinceCode, calendar);
    }
    return calendar;
  };
}

export async function staffQueue(ctx: AppContext, who: StaffPrincipal, query: StaffQueueQuery): Promise<StaffQueueResponse> {
  const today = chinaToday(ctx.now());
  const scope = provinceScope(who, query.province);
  const conditions: (SQL | undefined)[] = [scope ? eq(applications.provinceCode, scope) : undefined];
  // The open states as literals, not parameters, so the planner can prove the partial index applies.
  conditions.push(query.state ? eq(applications.state, query.state) : sql`${applications.state} in ('submitted', 'accepted', 'returned', 'approved')`);
  if (query.business) conditions.push(eq(applications.business, query.business));
  if (query.authority) conditions.push(eq(applications.issuingAuthorityCode, query.authority));
  if (query.due === 'overdue') conditions.push(sql`${runningKey} < ${today}::date`);
  if (query.due === 'today') conditions.push(sql`${runningKey} = ${today}::date`);
  if (query.due === 'week') {
    const sunday = addDays(today, (7 - weekday(today)) % 7);
    conditions.push(sql`${runningKey} between ${today}::date and ${sunday}::date`);
  }
  if (query.q) {
    const reference = normalizeReference(query.q);
    const tail = query.q.trim().toUpperCase();
    if (REFERENCE_PATTERN.test(reference)) conditions.push(eq(applications.reference, reference));
    else if (ID_TAIL_PATTERN.test(tail)) conditions.push(matchesBlindIndex(users.idTailIndex, 'id_tail', tail));
    else throw new AppError(400, 'SEARCH_QUERY_INVALID', { zh: '请输入办件编号或身份证号后4位', en: 'Enter a reference or the last 4 characters of an ID number' });
  }
  if (query.cursor) {
    const cursor = decodeCursor(query.cursor);
    conditions.push(sql`(${runningKey}, ${applications.id}) > (${cursor.key}::date, ${cursor.id}::uuid)`);
  }

  const rows = await ctx.db
    .select({
      // The columns a list row shows (not the sealed application form).
      application: {
        id: applications.id,
        reference: applications.reference,
        business: applications.business,
        variant: applications.variant,
        provinceCode: applications.provinceCode,
        issuingAuthorityCode: applications.issuingAuthorityCode,
        state: applications.state,
        acceptDeadline: applications.acceptDeadline,
        decideDeadline: applications.decideDeadline,
        submittedAt: applications.submittedAt,
        updatedAt: applications.updatedAt,
      },
      key: sql<string>`(${runningKey})::text`,
      // Sealed values as stored: only those the row shows are opened, below (the applicant's own identity
      // once verified, else the registry holder's), and only to be masked.
      applicantName: sql<string | null>`${users.name}`,
      applicantIdNumber: sql<string | null>`${users.idNumber}`,
      holderName: sql<string>`${certificates.holderName}`,
      holderIdNumber: sql<string>`${certificates.holderIdNumber}`,
      certificateNumber: sql<string>`${certificates.number}`,
      authorityNameZh: issuingAuthorities.nameZh,
      authorityNameEn: issuingAuthorities.nameEn,
    })
    .from(applications)
    .innerJoin(users, eq(users.id, applications.userId))
    .innerJoin(certificates, eq(certificates.id, applications.certificateId))
    .innerJoin(issuingAuthorities, eq(issuingAuthorities.code, applications.issuingAuthorityCode))
    .where(and(...conditions))
    .orderBy(asc(runningKey), asc(applications.id))
    .limit(query.limit + 1);

  const page = rows.slice(0, query.limit);
  const calendarOf = calendarCache(ctx.db);
  const items: StaffQueueRow[] = [];
  for (const row of page) {
    const a = row.application;
    const verified = row.applicantName !== null && row.applicantIdNumber !== null;
    const name = verified ? openField('users.name', row.applicantName!) : openField('certificates.holder_name', row.holderName);
    const idNumber = verified ? openField('users.id_number', row.applicantIdNumber!) : openField('certificates.holder_id_number', row.holderIdNumber);
    items.push({
      id: a.id,
      reference: a.reference,
      business: a.business as StaffQueueRow['business'],
      variant: a.variant,
      businessName: businessName(a.business, a.variant),
      applicant: { nameMasked: maskName(name), idNumberMasked: maskIdNumber(idNumber), idTail: idTail(idNumber) },
      // Usually the holder's ID number: a list shows it masked like one (the detail, audited, in full).
      certificateNumber: maskIdNumber(openField('certificates.number', row.certificateNumber)),
      provinceCode: a.provinceCode,
      issuingAuthority: { code: a.issuingAuthorityCode, name: { zh: row.authorityNameZh, en: row.authorityNameEn } },
      state: a.state as StaffQueueRow['state'],
      stateLabel: STATE_LABELS[a.state as ApplicationState],
      deadline: runningDeadline(a, today, await calendarOf(a.provinceCode)),
      submittedAt: a.submittedAt?.toISOString() ?? null,
      updatedAt: a.updatedAt.toISOString(),
    });
  }
  const last = page[page.length - 1];
  return {
    items,
    nextCursor: rows.length > query.limit && last ? encodeCursor({ key: last.key, id: last.application.id }) : null,
    // Counted for the first page only: the next pages of the same list need not pay for it again.
    counts: query.cursor ? {} : await openStateCounts(ctx.db, scope),
    today,
  };
}

/**
 * How much open work the province has, per state: read from `application_state_counts`, which the
 * database keeps in the same transaction as every change to an application (migration 0013), so this
 * costs a few rows at any size instead of a count over the province's open applications.
 */
export async function openStateCounts(db: Executor, scope: string | null): Promise<Record<string, number>> {
  const rows = await db
    .select({ state: applicationStateCounts.state, n: sql<string>`sum(${applicationStateCounts.n})` })
    .from(applicationStateCounts)
    .where(and(scope ? eq(applicationStateCounts.provinceCode, scope) : undefined, sql`${applicationStateCounts.state} in ('submitted', 'accepted', 'returned', 'approved')`))
    .groupBy(applicationStateCounts.state);
  return Object.fromEntries(rows.map((row) => [row.state, Number(row.n)]).filter(([, n]) => Number(n) > 0));
}
