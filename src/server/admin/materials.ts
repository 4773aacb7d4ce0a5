import { and, eq } from 'drizzle-orm';
import type { BusinessMaterials } from '../../contract/admin.ts';
import { BUSINESSES, getBusiness, materialOverrideSchema, materialsFor, resolveVariant, type MaterialOverride } from '../../domain/catalog.ts';
import type { BusinessKey } from '../../domain/businessKeys.ts';
import type { Executor } from '../db/client.ts';
import { materialOverrides } from '../db/schema.ts';
import { AppError } from '../errors.ts';

/** The province's operations for one business, in the order they apply (rows that no longer parse are skipped). */
export async function businessOps(db: Executor, provinceCode: string, business: BusinessKey): Promise<MaterialOverride[]> {
  const rows = await db
    .select()
    .from(materialOverrides)
    .where(and(eq(materialOverrides.provinceCode, provinceCode), eq(materialOverrides.business, business)));
  const ops: MaterialOverride[] = [];
  for (const row of rows.sort((a, b) => a.variant.localeCompare(b.variant))) {
    for (const candidate of (row.overrides as { ops?: unknown[] }).ops ?? []) {
      const parsed = materialOverrideSchema.safeParse(candidate);
      if (parsed.success && parsed.data.business === business) ops.push(parsed.data);
    }
  }
  return ops;
}

export function businessMaterials(business: BusinessKey, ops: readonly MaterialOverride[]): BusinessMaterials {
  const definition = getBusiness(business);
  return {
    business,
    name: definition.name,
    ops: [...ops],
    variants: definition.variants.map((variant) => ({
      variant: variant.key,
      name: variant.name,
      catalog: materialsFor(business, variant.key),
      effective: materialsFor(business, variant.key, undefined, ops),
    })),
  };
}

export async function allBusinessMaterials(db: Executor, provinceCode: string): Promise<BusinessMaterials[]> {
  const result: BusinessMaterials[] = [];
  for (const business of BUSINESSES) result.push(businessMaterials(business.key, await businessOps(db, provinceCode, business.key)));
  return result;
}

/**
 * Checks a list of operations for one business beyond their shape: every op is for this business and one
 * of its variants, and every replace/remove names a material that is in the list when it applies.
 */
export function checkOps(business: BusinessKey, ops: readonly MaterialOverride[]): void {
  const definition = getBusiness(business);
  ops.forEach((op, index) => {
    if (op.business !== business) {
      throw new AppError(
        400,
        'MATERIAL_OVERRIDE_BUSINESS_MISMATCH',
        { zh: '材料调整只能针对当前业务', en: 'Each operation must be for this business' },
        { index, business: op.business },
      );
    }
    if (op.variant !== undefined && !definition.variants.some((v) => v.key === op.variant)) {
      throw new AppError(400, 'UNKNOWN_VARIANT', { zh: '该业务没有这个类型', en: 'This business has no such variant' }, { index, variant: op.variant });
    }
    if (op.op === 'add') return;
    const variants = op.variant !== undefined ? [op.variant] : definition.variants.map((v) => v.key);
    const present = variants.some((variant) => materialsFor(business, resolveVariant(business, variant), undefined, ops.slice(0, index)).some((m) => m.key === op.key));
    if (!present) {
      throw new AppError(
        400,
        'MATERIAL_NOT_FOUND',
        { zh: `材料“${op.key}”不在清单中，无法修改或删除`, en: `Material "${op.key}" is not in the list, so it cannot be changed or removed` },
        { index, key: op.key },
      );
    }
  });
}

/** Replaces the province's operations for the business (one row per business; variants live in the ops). */
export async function replaceOps(tx: Executor, provinceCode: string, business: BusinessKey, ops: readonly MaterialOverride[], now: Date): Promise<void> {
  await tx.delete(materialOverrides).where(and(eq(materialOverrides.provinceCode, provinceCode), eq(materialOverrides.business, business)));
  if (ops.length === 0) return;
  await tx.insert(materialOverrides).values({ provinceCode, business, variant: '', overrides: { ops: [...ops] }, updatedAt: now });
}
