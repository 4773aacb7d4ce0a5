/**
 * `rto registry export --province 11 --out FILE.csv|.xlsx`: a province's own records in the columns and
 * values of the import (Chinese header, 有效/注销, category names as printed), so what is exported
 * imports again unchanged.
 */
import { formatRegistryRow, REGISTRY_COLUMN_KEYS, REGISTRY_HEADER_ZH } from '../../domain/registryRow.ts';
import type { Executor } from '../db/client.ts';
import { createTable } from './files.ts';
import { provinceRecords } from './store.ts';

export async function exportProvinceRegistry(db: Executor, provinceCode: string, file: string, onProgress?: (rows: number) => void): Promise<{ rows: number }> {
  const table = await createTable(file);
  let rows = 0;
  try {
    await table.write(REGISTRY_HEADER_ZH);
    for await (const page of provinceRecords(db, provinceCode)) {
      for (const record of page) {
        const formatted = formatRegistryRow(record);
        await table.write(REGISTRY_COLUMN_KEYS.map((column) => formatted[column]));
        rows += 1;
      }
      onProgress?.(rows);
    }
  } finally {
    await table.close();
  }
  return { rows };
}
