/** `rto exchange partners add | list | revoke`: the systems allowed to call /api/exchange/v1. */
import type { Database } from '../server/db/client.ts';

type Values = Record<string, string | boolean | undefined>;
type WithDatabase = <T>(work: (db: Database) => Promise<T>) => Promise<T>;

const USAGE = 'Usage: rto exchange partners add NAME --provinces 11,31 | rto exchange partners list | rto exchange partners revoke NAME_OR_ID';

export async function runExchangeCommand(values: Values, positionals: string[], withDatabase: WithDatabase): Promise<number> {
  const [group, action, name] = positionals;
  if (group !== 'partners' || !['add', 'list', 'revoke'].includes(action ?? '')) {
    console.error(USAGE);
    return 2;
  }
  const partners = await import('../server/exchange/partners.ts');
  if (action === 'add') {
    if (!name || typeof values.provinces !== 'string') {
      console.error(USAGE);
      return 2;
    }
    let provinces: string[];
    try {
      provinces = partners.parseProvinceList(values.provinces);
    } catch (error) {
      console.error((error as Error).message);
      return 2;
    }
    try {
      const { partner, key } = await withDatabase((db) => partners.addPartner(db, name, provinces, new Date()));
      console.log(key);
      console.error(
        `Partner "${partner.name}" (${partner.id}) may read and write provinces ${provinces.join(', ')}.\n` +
          'The API key above is shown this once and stored only as a hash: hand it over now, over a channel you trust.',
      );
      return 0;
    } catch (error) {
      if (error instanceof partners.PartnerError) {
        console.error(error.message);
        return 1;
      }
      throw error;
    }
  }
  if (action === 'revoke') {
    if (!name) {
      console.error(USAGE);
      return 2;
    }
    const revoked = await withDatabase((db) => partners.revokePartner(db, name, new Date()));
    if (!revoked) {
      console.error(`No active partner "${name}".`);
      return 1;
    }
    console.log(`Partner "${revoked.name}" revoked: its key is refused from now on.`);
    return 0;
  }
  const rows = await withDatabase((db) => partners.listPartners(db));
  if (rows.length === 0) console.log('No exchange partners yet: add one with `rto exchange partners add NAME --provinces 11`.');
  for (const row of rows) {
    console.log(
      `${row.id}  ${row.name}  key ${row.keyPrefix}…  provinces ${row.provinces.join(',')}  ${row.revokedAt ? `REVOKED ${row.revokedAt.toISOString()}` : 'active'}` +
        `  last pull ${row.lastPullAt ? `${row.lastPullAt.toISOString()} (cursor ${row.lastCursor})` : 'never'}`,
    );
  }
  return 0;
}
