import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyTransition, type ApplicationRow } from '../../src/server/applications/transitions.ts';
import type { DatabaseHandle } from '../../src/server/db/client.ts';
import { applications } from '../../src/server/db/schema.ts';
import { openStateCounts } from '../../src/server/staff/queue.ts';
import { handlerActor } from '../helpers/applications.ts';
import { freshDatabase } from '../helpers/db.ts';
import { blindIndex } from '../../src/server/secrets/blindIndex.ts';
import { sealField } from '../../src/server/secrets/fieldCipher.ts';

const PROVINCES = ['11', '31', '44'];
const STATES = ['draft', 'submitted', 'accepted', 'returned', 'approved', 'completed', 'withdrawn', 'declined', 'rejected'];

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('the staff queue’s state counts', () => {
  let database: DatabaseHandle;
  beforeAll(async () => {
    database = await freshDatabase({ demo: true });
  });
  afterAll(async () => {
    await database.close();
  });

  /** What a full count says, per province and state. */
  async function fullCounts(): Promise<Record<string, number>> {
    const rows = await database.db.select({ p: applications.provinceCode, s: applications.state, n: sql<string>`count(*)` }).from(applications).groupBy(applications.provinceCode, applications.state);
    return Object.fromEntries(rows.map((r) => [`${r.p}/${r.s}`, Number(r.n)]));
  }
  async function keptCounts(): Promise<Record<string, number>> {
    const rows = await database.db.execute(sql`select province_code as p, state as s, sum(n)::int as n from application_state_counts group by 1, 2 having sum(n) <> 0`);
    const list = (Array.isArray(rows) ? rows : (rows as unknown as { rows: unknown[] }).rows) as { p: string; s: string; n: number }[];
    return Object.fromEntries(list.map((r) => [`${r.p}/${r.s}`, Number(r.n)]));
  }

  it('stay equal to a full count after a random mix of inserts, transitions, updates, deletes and rollbacks', { timeout: 120_000 }, async () => {
    const rnd = random(20261201);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
    // Certificates in three provinces; one per application, so the one-open-application rule never refuses.
    await database.db.execute(sql`
      insert into certificates (number, number_index, holder_id_number, holder_id_number_index, holder_name, sex, birth_date, address, issuing_authority_code, province_code)
      select ${sealField('certificates.number', '110101198001010011')}, 'COUNT' || g, ${sealField('certificates.holder_id_number', '110101198001010011')}, 'COUNT' || g,
             ${sealField('certificates.holder_name', '测试')}, 'M', ${sealField('certificates.birth_date', '1980-01-01')}, ${sealField('certificates.address', '')}, p || '0000', p
      from generate_series(1, 240) g, lateral (select (array['11','31','44'])[1 + g % 3] as p) province(p)`);
    let next = 1;
    const insertSome = async (n: number) => {
      const values = Array.from({ length: n }, () => `(${next++}, '${pick(STATES)}')`).join(',');
      await database.db.execute(sql.raw(`
        insert into applications (reference, user_id, certificate_id, business, province_code, issuing_authority_code, state, accept_deadline, decide_deadline, submitted_at, personal_info)
        select 'CT-261201-' || lpad(v.g::text, 7, '0'), u.id, c.id, 'credit_assessment', c.province_code, c.issuing_authority_code, v.s,
               current_date + 3, current_date + 10, now(), '${sealField('applications.personal_info', '{}')}'
        from (values ${values}) v(g, s)
        join certificates c on c.number_index = 'COUNT' || v.g
        cross join (select id from users where phone_index = '${blindIndex('phone', '13800000001')}') u`));
    };
    await insertSome(60);

    const randomApplication = async (state?: string): Promise<ApplicationRow | undefined> => {
      const rows = await database.db
        .select()
        .from(applications)
        .where(state ? sql`${applications.state} = ${state} and ${applications.reference} like 'CT-%'` : sql`${applications.reference} like 'CT-%'`);
      return rows.length ? pick(rows) : undefined;
    };
    const now = new Date();

    const operations: Record<string, () => Promise<unknown>> = {
      insert: () => (next <= 240 ? insertSome(1 + Math.floor(rnd() * 4)) : Promise.resolve()),
      // Through the state machine, as staff do it.
      accept: async () => {
        const a = await randomApplication('submitted');
        if (a) await database.db.transaction((tx) => applyTransition(tx, a, 'accept', handlerActor, {}, now));
      },
      return: async () => {
        const a = await randomApplication('accepted');
        if (a) await database.db.transaction((tx) => applyTransition(tx, a, 'return', handlerActor, { reasonCodes: ['photo_nonconforming'] }, now));
      },
      // Any other writer of the table (an import, an administrator's SQL).
      setState: async () => {
        const a = await randomApplication();
        if (a) await database.db.update(applications).set({ state: pick(STATES) }).where(eq(applications.id, a.id));
      },
      moveProvince: async () => {
        const a = await randomApplication();
        if (a) await database.db.update(applications).set({ provinceCode: pick(PROVINCES) }).where(eq(applications.id, a.id));
      },
      bulk: () => database.db.execute(sql`update applications set state = 'completed' where state = 'approved' and reference like 'CT-%' and random() < 0.5`),
      unchanged: async () => {
        const a = await randomApplication();
        if (a) await database.db.update(applications).set({ updatedAt: new Date() }).where(eq(applications.id, a.id));
      },
      delete: async () => {
        const a = await randomApplication();
        // A draft thrown away (nothing in its action log yet).
        if (a) await database.db.delete(applications).where(sql`${applications.id} = ${a.id} and not exists (select 1 from application_actions x where x.application_id = ${a.id})`);
      },
      rolledBack: async () => {
        const a = await randomApplication();
        if (!a) return;
        await database.db
          .transaction(async (tx) => {
            await tx.update(applications).set({ state: pick(STATES) }).where(eq(applications.id, a.id));
            throw new Error('changed my mind');
          })
          .catch(() => undefined);
      },
    };
    const names = Object.keys(operations);
    for (let round = 0; round < 40; round++) {
      // Several at once (concurrent transactions on PostgreSQL; one after another on PGlite).
      await Promise.all(Array.from({ length: 5 }, () => operations[pick(names)]!().catch((error: unknown) => {
        // Two concurrent writers may fight over one row (a state machine conflict): that is not a count error.
        if (!/conflict|changed|not possible|40001|40P01/i.test(String((error as Error).message) + String((error as { code?: string }).code))) throw error;
      })));
    }

    expect(await keptCounts()).toEqual(await fullCounts());
    // And what the queue shows: open states only, per province and nationwide.
    const full = await fullCounts();
    for (const scope of [...PROVINCES, null]) {
      const expected: Record<string, number> = {};
      for (const [key, n] of Object.entries(full)) {
        const [p, s] = key.split('/') as [string, string];
        if ((scope === null || p === scope) && ['submitted', 'accepted', 'returned', 'approved'].includes(s) && n > 0) expected[s] = (expected[s] ?? 0) + n;
      }
      expect(await openStateCounts(database.db, scope)).toEqual(expected);
    }
  });
});
