import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyTransition, type ApplicationRow } from '../../src/server/applications/transitions.ts';
import { applications, users } from '../../src/server/db/schema.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { cardAnswers, insertCertificate, submittedApplication } from '../helpers/applications.ts';
import { type StaffLogin, staffLogin } from '../helpers/staffLogin.ts';
import { userPhoneIs } from '../../src/server/auth/accounts.ts';

const WANG = '13800000001'; // 王建国, Beijing
const MA = '13800000013'; // 马超, Beijing
const LI = '13800000002'; // 李秀英, Shanghai

/** 10:00 in Beijing on a date. */
const at = (date: string) => new Date(`${date}T10:00:00+08:00`);

interface Row {
  id: string;
  reference: string;
  state: string;
  applicant: { nameMasked: string; idNumberMasked: string; idTail: string };
  certificateNumber: string;
  issuingAuthority: { code: string; name: { zh: string } };
  deadline: { clock: string; date: string | null; status: string; remainingWorkingDays: number | null } | null;
}
interface Page {
  items: Row[];
  nextCursor: string | null;
  counts: Record<string, number>;
  today: string;
}

describe('staff work queue: running deadlines over National Day 2025, filters and keyset paging', () => {
  let t: TestApp;
  const staff: Record<string, StaffLogin> = {};
  let overdue: ApplicationRow; // submitted Mon 29 Sep → due Thu 9 Oct
  let dueToday: ApplicationRow; // submitted Tue 30 Sep → due Fri 10 Oct
  let makeUpDay: ApplicationRow; // submitted Thu 9 Oct → due Sat 11 Oct, a make-up working day
  let accepted: ApplicationRow;
  let returned: ApplicationRow;
  let maChao: ApplicationRow;
  const sameDay: ApplicationRow[] = [];

  const certificate = (phone: string) =>
    insertCertificate(t, phone, [{ code: 'freight_driver', firstIssueDate: '2019-05-10', validFrom: '2025-05-10', validTo: '2031-05-09' }]);
  const submit = async (phone: string, date: string, business = 'replacement') =>
    submittedApplication(t, { phone, certificateId: await certificate(phone), business, personalInfo: cardAnswers, at: at(date) });
  const staffActor = { actor: 'handler' as const, kind: 'staff' as const, id: null, role: 'handler' };

  beforeAll(async () => {
    t = await createTestApp();
    overdue = await submit(WANG, '2025-09-29');
    dueToday = await submit(WANG, '2025-09-30');
    for (let i = 0; i < 12; i++) sameDay.push(await submit(WANG, '2025-09-30', i % 2 ? 'renewal' : 'credit_assessment'));
    makeUpDay = await submit(WANG, '2025-10-09');
    const toAccept = await submit(WANG, '2025-09-29');
    accepted = await t.database.db.transaction((tx) => applyTransition(tx, toAccept, 'accept', staffActor, {}, at('2025-10-09')));
    const toReturn = await submit(WANG, '2025-09-30');
    returned = await t.database.db.transaction((tx) =>
      applyTransition(tx, toReturn, 'return', staffActor, { reasonCodes: ['material_unclear'], reason: '模糊' }, at('2025-10-09')),
    );
    maChao = await submit(MA, '2025-10-09', 'credit_assessment');
    await submit(LI, '2025-09-30');

    t.clock.set(at('2025-10-10'));
    for (const username of ['bj-handler', 'sh-handler', 'sys-admin']) staff[username] = await staffLogin(t, username);
  });
  afterAll(async () => {
    await t.close();
  });

  const queue = async (who: string, query = ''): Promise<Page> => {
    const response = await t.app.inject({ method: 'GET', url: `/api/v1/staff/applications${query}`, headers: staff[who]!.headers });
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as Page;
  };
  const ids = (page: Page) => page.items.map((row) => row.id);
  const byIdOrder = (rows: ApplicationRow[]) => rows.map((row) => row.id).sort();

  it('counts the acceptance deadline in working days across the holiday and the make-up Saturday', () => {
    expect(overdue.acceptDeadline).toBe('2025-10-09');
    expect(dueToday.acceptDeadline).toBe('2025-10-10');
    expect(makeUpDay.acceptDeadline).toBe('2025-10-11');
    // Accepted Thu 9 Oct: Fri 10, Sat 11 (make-up), Mon 13.
    expect(accepted.decideDeadline).toBe('2025-10-13');
  });

  it('puts overdue and due-today work first, then by deadline, paused and fulfilment last', async () => {
    const page = await queue('bj-handler', '?limit=100');
    expect(page.today).toBe('2025-10-10');
    const tied = byIdOrder([dueToday, ...sameDay]);
    expect(ids(page)).toEqual([overdue.id, ...tied, ...byIdOrder([makeUpDay, maChao]), accepted.id, returned.id]);
    const row = (id: string) => page.items.find((r) => r.id === id)!;
    expect(row(overdue.id).deadline).toEqual({ clock: 'accept', date: '2025-10-09', status: 'overdue', remainingWorkingDays: -1 });
    expect(row(dueToday.id).deadline).toEqual({ clock: 'accept', date: '2025-10-10', status: 'due_today', remainingWorkingDays: 0 });
    expect(row(makeUpDay.id).deadline).toEqual({ clock: 'accept', date: '2025-10-11', status: 'on_time', remainingWorkingDays: 1 });
    expect(row(accepted.id).deadline).toEqual({ clock: 'decide', date: '2025-10-13', status: 'on_time', remainingWorkingDays: 2 });
    expect(row(returned.id).deadline).toEqual({ clock: 'accept', date: null, status: 'paused', remainingWorkingDays: null });
    const [wang] = await t.database.db.select().from(users).where(userPhoneIs(WANG));
    expect(row(overdue.id).applicant).toEqual({ nameMasked: '王*国', idNumberMasked: `${wang!.idNumber!.slice(0, 4)}**********${wang!.idNumber!.slice(-4)}`, idTail: wang!.idNumber!.slice(-4) });
    expect(row(overdue.id).issuingAuthority).toMatchObject({ code: '110000', name: { zh: '北京市交通委员会' } });
    expect(row(overdue.id).certificateNumber).toMatch(/^T/);
    expect(page.counts).toEqual({ submitted: 16, accepted: 1, returned: 1 });
  });

  it('filters by due date, state, business, authority and search', async () => {
    expect(ids(await queue('bj-handler', '?due=overdue'))).toEqual([overdue.id]);
    expect(ids(await queue('bj-handler', '?due=today&limit=100'))).toEqual(byIdOrder([dueToday, ...sameDay]));
    // This week: today to Sunday 12 October.
    expect(ids(await queue('bj-handler', '?due=week&limit=100'))).toEqual([...byIdOrder([dueToday, ...sameDay]), ...byIdOrder([makeUpDay, maChao])]);
    expect(ids(await queue('bj-handler', '?state=accepted'))).toEqual([accepted.id]);
    expect(ids(await queue('bj-handler', '?state=completed'))).toEqual([]);
    const credit = await queue('bj-handler', '?business=credit_assessment&limit=100');
    expect(credit.items).toHaveLength(7);
    expect(credit.items.every((row) => row.reference.startsWith('CX-'))).toBe(true);
    expect((await queue('bj-handler', '?authority=110000&limit=100')).items).toHaveLength(18);
    expect((await queue('bj-handler', '?authority=310000')).items).toHaveLength(0);

    const typed = makeUpDay.reference.toLowerCase().replaceAll('-', '');
    expect(ids(await queue('bj-handler', `?q=${typed}`))).toEqual([makeUpDay.id]);
    const [ma] = await t.database.db.select().from(users).where(userPhoneIs(MA));
    expect(ids(await queue('bj-handler', `?q=${ma!.idNumber!.slice(-4)}`))).toEqual([maChao.id]);
    const bad = await t.app.inject({ method: 'GET', url: '/api/v1/staff/applications?q=hello', headers: staff['bj-handler']!.headers });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('SEARCH_QUERY_INVALID');
  });

  it('pages with an opaque keyset cursor: every row once, in order, ties broken by id', async () => {
    const all = ids(await queue('bj-handler', '?limit=100'));
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Page = await queue('bj-handler', `?limit=4${cursor ? `&cursor=${cursor}` : ''}`);
      // Counts come with the first page only.
      expect(Object.keys(page.counts).length > 0).toBe(cursor === null);
      seen.push(...ids(page));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(seen).toEqual(all);
    expect(pages).toBe(Math.ceil(all.length / 4));
    const bad = await t.app.inject({ method: 'GET', url: '/api/v1/staff/applications?cursor=bm90LWEtY3Vyc29y', headers: staff['bj-handler']!.headers });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('CURSOR_INVALID');
  });

  it('shows each province its own work; the system admin every province or one', async () => {
    const shanghai = await queue('sh-handler', '?limit=100');
    expect(shanghai.items).toHaveLength(1);
    expect(shanghai.counts).toEqual({ submitted: 1 });
    expect(shanghai.items[0]!.applicant.nameMasked).toBe('李*英');
    // A Shanghai handler asking for Beijing still gets Shanghai.
    expect((await queue('sh-handler', '?province=11&limit=100')).items).toHaveLength(1);
    expect((await queue('sys-admin', '?limit=100')).items).toHaveLength(19);
    expect((await queue('sys-admin', '?province=31')).items).toHaveLength(1);
  });

  it('moves statuses with the calendar: the make-up Saturday is a working day, the holiday is not', async () => {
    // Back in the holiday (the session opened on 10 October still stands; a new login would need a fresh code).
    t.clock.set(at('2025-10-05'));
    const holiday = await queue('bj-handler', '?limit=100');
    // During the holiday the 9 October deadline is one working day away, and nothing is overdue.
    expect(holiday.items.find((r) => r.id === overdue.id)!.deadline).toMatchObject({ status: 'on_time', remainingWorkingDays: 1 });
    expect(ids(await queue('bj-handler', '?due=overdue'))).toEqual([]);

    t.clock.set(at('2025-10-11'));
    staff['bj-handler'] = await staffLogin(t, 'bj-handler');
    const saturday = await queue('bj-handler', '?limit=100');
    const row = (id: string) => saturday.items.find((r) => r.id === id)!;
    expect(row(makeUpDay.id).deadline).toMatchObject({ status: 'due_today', remainingWorkingDays: 0 });
    expect(row(dueToday.id).deadline).toMatchObject({ status: 'overdue', remainingWorkingDays: -1 });
    expect(ids(await queue('bj-handler', '?due=today'))).toEqual([makeUpDay.id, maChao.id].sort());
  });

  it('keeps drafts out of the queue and out of reach', async () => {
    const certificateId = await certificate(WANG);
    const [user] = await t.database.db.select().from(users).where(userPhoneIs(WANG));
    const [draft] = await t.database.db
      .insert(applications)
      .values({ reference: 'BZ-251005-AAAAAAA', userId: user!.id, certificateId, business: 'replacement', provinceCode: '11', issuingAuthorityCode: '110000', state: 'draft' })
      .returning();
    expect(ids(await queue('bj-handler', '?limit=100'))).not.toContain(draft!.id);
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/staff/applications/${draft!.id}`, headers: staff['bj-handler']!.headers })).statusCode).toBe(404);
  });
});
