import { eq } from 'drizzle-orm';
import { materialOverrideSchema, type MaterialOverride } from '../../domain/catalog.ts';
import type { Executor } from '../db/client.ts';
import { materialOverrides } from '../db/schema.ts';

/**
 * A province's changes to the catalog's materials, in the order they apply. Each row keeps the list of
 * operations for one business (and variant) under `overrides.ops`; rows that no longer parse are skipped
 * rather than breaking every application of the province.
 */
export async function provinceMaterialOverrides(db: Executor, provinceCode: string): Promise<MaterialOverride[]> {
  const rows = await db.select().from(materialOverrides).where(eq(materialOverrides.provinceCode, provinceCode));
  const ops: MaterialOverride[] = [];
  for (const row of rows) {
    const list = (row.overrides as { ops?: unknown[] }).ops ?? [];
    for (const candidate of list) {
      const parsed = materialOverrideSchema.safeParse(candidate);
      if (parsed.success) ops.push(parsed.data);
    }
  }
  return ops;
}
